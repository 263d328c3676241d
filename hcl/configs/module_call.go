package configs

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// ModuleCall is a "module" block.
type ModuleCall struct {
	Name       string
	SourceAddr string
	// SourceDir is the absolute directory the local source resolves to. It is
	// empty when the calling module was not loaded from a directory.
	SourceDir string
	// Config holds the remaining arguments: the child's input variables.
	Config    hcl.Body
	Count     hcl.Expression
	ForEach   hcl.Expression
	Providers []PassedProvider
	DependsOn []hcl.Traversal

	DeclRange   hcl.Range
	SourceRange hcl.Range
}

// PassedProvider is one entry of a module call's providers map.
type PassedProvider struct {
	InChild  ProviderRef
	InParent ProviderRef
}

var moduleBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "source", Required: true},
		{Name: "version"},
		{Name: "count"},
		{Name: "for_each"},
		{Name: "depends_on"},
		{Name: "providers"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "_"},
		{Type: "lifecycle"},
		{Type: "locals"},
		{Type: "provider", LabelNames: []string{"type"}},
	},
}

// IsLocalModuleSource reports whether addr is a filesystem path relative to
// the calling module, using the same prefixes OpenTofu recognises.
func IsLocalModuleSource(addr string) bool {
	for _, prefix := range []string{"./", "../", ".\\", "..\\"} {
		if strings.HasPrefix(addr, prefix) {
			return true
		}
	}
	return false
}

func decodeModuleBlock(block *hcl.Block, override bool) (*ModuleCall, hcl.Diagnostics) {
	mc := &ModuleCall{Name: block.Labels[0], DeclRange: block.DefRange}
	schema := moduleBlockSchema
	if override {
		schema = schemaForOverrides(schema)
	}
	content, remain, diags := block.Body.PartialContent(schema)
	mc.Config = remain

	if !validIdentifier(mc.Name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid module instance name",
			Detail:   badIdentifierDetail,
			Subject:  &block.LabelRanges[0],
		})
	}

	if attr, ok := content.Attributes["source"]; ok {
		mc.SourceRange = attr.Expr.Range()
		src, sDiags := staticString(attr.Expr, "module source address")
		diags = append(diags, sDiags...)
		if !sDiags.HasErrors() {
			mc.SourceAddr = src
			if !IsLocalModuleSource(src) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Unsupported module source",
					Detail:   fmt.Sprintf("Only local module sources are supported: paths that start with \"./\" or \"../\". The source %q is not a local path; copy the module into this configuration and refer to it by a relative path.", src),
					Subject:  attr.Expr.Range().Ptr(),
				})
			}
		}
	}

	if attr, ok := content.Attributes["version"]; ok {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported argument",
			Detail:   "The version argument applies only to registry modules, and only local module sources are supported.",
			Subject:  &attr.NameRange,
		})
	}

	if attr, ok := content.Attributes["count"]; ok {
		mc.Count = attr.Expr
	}
	if attr, ok := content.Attributes["for_each"]; ok {
		if mc.Count != nil {
			diags = append(diags, countForEachConflict(attr))
		}
		mc.ForEach = attr.Expr
	}
	if attr, ok := content.Attributes["depends_on"]; ok {
		deps, depDiags := decodeDependsOn(attr)
		diags = append(diags, depDiags...)
		mc.DependsOn = append(mc.DependsOn, deps...)
	}
	if attr, ok := content.Attributes["providers"]; ok {
		pp, ppDiags := decodePassedProviders(attr)
		diags = append(diags, ppDiags...)
		mc.Providers = append(mc.Providers, pp...)
	}

	var seenEscape *hcl.Block
	for _, b := range content.Blocks {
		if b.Type == "_" {
			if seenEscape != nil {
				diags = append(diags, duplicateEscapeDiag(b, seenEscape, "module"))
				continue
			}
			seenEscape = b
			mc.Config = hcl.MergeBodies([]hcl.Body{mc.Config, b.Body})
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Reserved block type name in module block",
			Detail:   fmt.Sprintf("The block type name %q is reserved for use by a future version.", b.Type),
			Subject:  &b.TypeRange,
		})
	}
	return mc, diags
}

func decodePassedProviders(attr *hcl.Attribute) ([]PassedProvider, hcl.Diagnostics) {
	var ret []PassedProvider
	seen := map[string]hcl.Range{}
	pairs, diags := hcl.ExprMap(attr.Expr)
	for _, pair := range pairs {
		key, keyDiags := decodeProviderRef(pair.Key, "providers")
		diags = append(diags, keyDiags...)
		value, valueDiags := decodeProviderRef(pair.Value, "providers")
		diags = append(diags, valueDiags...)
		if keyDiags.HasErrors() || valueDiags.HasErrors() || key == nil || value == nil {
			continue
		}
		k := key.String()
		if prev, exists := seen[k]; exists {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate provider address",
				Detail:   fmt.Sprintf("A provider configuration was already passed to %s at %s. Each child provider configuration can be assigned only once.", k, prev),
				Subject:  pair.Value.Range().Ptr(),
			})
			continue
		}
		seen[k] = hcl.RangeBetween(pair.Key.Range(), pair.Value.Range())
		ret = append(ret, PassedProvider{InChild: *key, InParent: *value})
	}
	return ret, diags
}
