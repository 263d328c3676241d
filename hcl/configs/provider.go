package configs

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// DefaultProviderRegistryHost is the registry implied by provider source
// strings that omit a hostname.
const DefaultProviderRegistryHost = "registry.opentofu.org"

// BuiltInProviderSource is the address the "terraform" local name implies
// when no source is given, matching OpenTofu so that terraform_data resolves
// to the built-in provider rather than a registry package.
const BuiltInProviderSource = "terraform.io/builtin/terraform"

// Provider is a "provider" block.
type Provider struct {
	Name  string
	Alias string
	// Config is the body without the alias and version meta-arguments.
	Config hcl.Body

	DeclRange  hcl.Range
	NameRange  hcl.Range
	AliasRange *hcl.Range
}

// Key is the module-unique key of the configuration: "name" or "name.alias".
func (p *Provider) Key() string {
	if p.Alias == "" {
		return p.Name
	}
	return p.Name + "." + p.Alias
}

// ProviderRef is a reference to a provider configuration, as used by the
// "provider" meta-argument and by module "providers" maps.
type ProviderRef struct {
	Name      string
	Alias     string
	NameRange hcl.Range
}

func (r ProviderRef) String() string {
	if r.Alias == "" {
		return r.Name
	}
	return r.Name + "." + r.Alias
}

var providerBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "alias"},
		{Name: "version"},
		// Reserved: nuvola has no per-instance provider configurations.
		{Name: "count"},
		{Name: "depends_on"},
		{Name: "for_each"},
		{Name: "source"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "_"},
		{Type: "lifecycle"},
		{Type: "locals"},
	},
}

func decodeProviderBlock(block *hcl.Block) (*Provider, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	name := block.Labels[0]
	content, remain, moreDiags := block.Body.PartialContent(providerBlockSchema)
	diags = append(diags, moreDiags...)

	p := &Provider{
		Name:      name,
		Config:    remain,
		DeclRange: block.DefRange,
		NameRange: block.LabelRanges[0],
	}

	if !validIdentifier(name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid provider name",
			Detail:   badIdentifierDetail,
			Subject:  &block.LabelRanges[0],
		})
	} else {
		diags = append(diags, checkProviderLocalName(name, block.LabelRanges[0])...)
	}

	if attr, ok := content.Attributes["alias"]; ok {
		alias, aliasDiags := staticString(attr.Expr, "provider alias")
		diags = append(diags, aliasDiags...)
		p.Alias = alias
		p.AliasRange = attr.Expr.Range().Ptr()
		if !aliasDiags.HasErrors() && !validIdentifier(alias) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid provider configuration alias",
				Detail:   fmt.Sprintf("An alias must be a valid name. %s", badIdentifierDetail),
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
	}

	if attr, ok := content.Attributes["version"]; ok {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Version constraints inside provider configuration blocks are deprecated",
			Detail:   "nuvola ignores this argument. Move the version constraint into the required_providers block.",
			Subject:  attr.Expr.Range().Ptr(),
		})
	}

	for _, name := range []string{"count", "depends_on", "for_each", "source"} {
		if attr, ok := content.Attributes[name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Reserved argument name in provider block",
				Detail:   fmt.Sprintf("The provider argument name %q is reserved for use by a future version.", name),
				Subject:  &attr.NameRange,
			})
		}
	}

	var seenEscape *hcl.Block
	for _, b := range content.Blocks {
		if b.Type == "_" {
			if seenEscape != nil {
				diags = append(diags, duplicateEscapeDiag(b, seenEscape, "provider"))
				continue
			}
			seenEscape = b
			p.Config = hcl.MergeBodies([]hcl.Body{p.Config, b.Body})
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Reserved block type name in provider block",
			Detail:   fmt.Sprintf("The block type name %q is reserved for use by a future version.", b.Type),
			Subject:  &b.TypeRange,
		})
	}

	return p, diags
}

func duplicateEscapeDiag(b, first *hcl.Block, where string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate escaping block",
		Detail: fmt.Sprintf(
			"The special block type \"_\" can be used to force particular arguments to be interpreted as %s-specific rather than as meta-arguments, but each %s block can have only one such block. The first escaping block was at %s.",
			where, where, first.DefRange,
		),
		Subject: &b.DefRange,
	}
}

func invalidProviderRefDiag(argName string, rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid provider configuration reference",
		Detail:   fmt.Sprintf("The %s argument requires a provider type name, optionally followed by a period and then a configuration alias.", argName),
		Subject:  rng.Ptr(),
	}
}

// decodeProviderRef reads "name", "name.alias" or name["alias"].
func decodeProviderRef(expr hcl.Expression, argName string) (*ProviderRef, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if ocke, ok := expr.(*hclsyntax.ObjectConsKeyExpr); ok {
		expr = ocke.Wrapped
	}

	// Quoted references are a common pre-0.12 leftover; OpenTofu rejects them
	// here with a dedicated message, so we do the same.
	if exprIsNativeQuotedString(expr) {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid provider configuration reference",
			Detail:   "A provider configuration reference must not be given in quotes.",
			Subject:  expr.Range().Ptr(),
		}}
	}

	traversal, travDiags := hcl.AbsTraversalForExpr(expr)
	// The generic traversal error says nothing about providers, so it is
	// replaced with ours below.
	if !travDiags.HasErrors() {
		diags = append(diags, travDiags...)
	}
	if len(traversal) < 1 || len(traversal) > 2 {
		return nil, append(diags, invalidProviderRefDiag(argName, expr.Range()))
	}

	name := traversal.RootName()
	if nameDiags := checkProviderLocalName(name, traversal[0].SourceRange()); nameDiags.HasErrors() {
		return nil, append(diags, nameDiags...)
	}
	ref := &ProviderRef{Name: name, NameRange: traversal[0].SourceRange()}

	if len(traversal) == 2 {
		switch step := traversal[1].(type) {
		case hcl.TraverseAttr:
			ref.Alias = step.Name
		case hcl.TraverseIndex:
			if step.Key.IsNull() || !step.Key.IsKnown() || !step.Key.Type().Equals(cty.String) {
				return nil, append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid provider configuration reference",
					Detail:   "A provider configuration can only be selected by its alias, which must be a string.",
					Subject:  traversal[1].SourceRange().Ptr(),
				})
			}
			ref.Alias = step.Key.AsString()
		default:
			return nil, append(diags, invalidProviderRefDiag(argName, expr.Range()))
		}
		if !validIdentifier(ref.Alias) {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid provider configuration reference",
				Detail:   fmt.Sprintf("The alias %q is not a valid name. %s", ref.Alias, badIdentifierDetail),
				Subject:  traversal[1].SourceRange().Ptr(),
			})
		}
	}
	return ref, diags
}

// ImpliedProviderSource returns the fully-qualified source address OpenTofu
// infers for a provider local name that has no required_providers entry.
func ImpliedProviderSource(localName string) string {
	if localName == "terraform" {
		return BuiltInProviderSource
	}
	return DefaultProviderRegistryHost + "/hashicorp/" + localName
}

// NormalizeProviderSource expands a required_providers source string into
// "hostname/namespace/type" form, lowercasing as the registry protocol does.
func NormalizeProviderSource(src string) (string, error) {
	parts := strings.Split(src, "/")
	for i := range parts {
		parts[i] = strings.ToLower(parts[i])
	}
	var host, ns, typ string
	switch len(parts) {
	case 1:
		host, ns, typ = DefaultProviderRegistryHost, "hashicorp", parts[0]
	case 2:
		host, ns, typ = DefaultProviderRegistryHost, parts[0], parts[1]
	case 3:
		host, ns, typ = parts[0], parts[1], parts[2]
	default:
		return "", fmt.Errorf("a provider source address must have the form [hostname/]namespace/type")
	}
	if !isHostname(host) {
		return "", fmt.Errorf("invalid provider registry hostname %q", host)
	}
	if !isProviderPart(ns) {
		return "", fmt.Errorf("invalid provider namespace %q: must contain only letters, digits, and dashes, and may not start or end with a dash", ns)
	}
	if !isProviderPart(typ) {
		return "", fmt.Errorf("invalid provider type %q: must contain only letters, digits, and dashes, and may not start or end with a dash", typ)
	}
	if strings.HasPrefix(typ, "terraform-provider-") {
		return "", fmt.Errorf("invalid provider type %q: the \"terraform-provider-\" prefix is part of the package name, not of the type; use %q", typ, strings.TrimPrefix(typ, "terraform-provider-"))
	}
	return host + "/" + ns + "/" + typ, nil
}

func isHostname(s string) bool {
	if s == "" {
		return false
	}
	hostPart := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		port := s[i+1:]
		if port == "" {
			return false
		}
		for j := 0; j < len(port); j++ {
			if port[j] < '0' || port[j] > '9' {
				return false
			}
		}
		hostPart = s[:i]
	}
	for _, label := range strings.Split(hostPart, ".") {
		if !isProviderPart(label) {
			return false
		}
	}
	return true
}
