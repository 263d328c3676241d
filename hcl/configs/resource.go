package configs

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// ResourceMode distinguishes managed resources from data resources.
type ResourceMode int

const (
	ManagedResourceMode ResourceMode = iota
	DataResourceMode
)

func (m ResourceMode) String() string {
	switch m {
	case ManagedResourceMode:
		return "managed"
	case DataResourceMode:
		return "data"
	default:
		return fmt.Sprintf("ResourceMode(%d)", int(m))
	}
}

// Resource is a "resource" or "data" block.
type Resource struct {
	Mode ResourceMode
	Type string
	Name string
	// Config is the body without meta-arguments. Dynamic blocks in it are
	// left for the engine to expand against the provider schema.
	Config hcl.Body

	Count   hcl.Expression
	ForEach hcl.Expression
	// ProviderRef is nil when the provider is implied by the type prefix.
	ProviderRef *ProviderRef
	DependsOn   []hcl.Traversal

	// Managed is set only for ManagedResourceMode.
	Managed *ManagedResource

	Preconditions  []*CheckRule
	Postconditions []*CheckRule

	// InCheck is the name of the check block a scoped data resource is
	// nested in, or empty. Failures reading such data sources are reported
	// as check warnings rather than errors.
	InCheck string

	DeclRange hcl.Range
	TypeRange hcl.Range
}

// ManagedResource holds the settings that only apply to managed resources.
type ManagedResource struct {
	CreateBeforeDestroy    bool
	PreventDestroy         bool
	CreateBeforeDestroySet bool
	PreventDestroySet      bool
	// IgnoreChanges holds relative traversals into the resource's own
	// attributes.
	IgnoreChanges      []hcl.Traversal
	IgnoreAllChanges   bool
	ReplaceTriggeredBy []hcl.Expression
}

// Key is the module-unique address: "type.name" or "data.type.name".
func (r *Resource) Key() string {
	if r.Mode == DataResourceMode {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// ProviderLocalName is the local name of the provider that handles this
// resource: the explicit provider reference, or else the resource type's
// prefix up to the first underscore.
func (r *Resource) ProviderLocalName() string {
	if r.ProviderRef != nil {
		return r.ProviderRef.Name
	}
	return impliedProviderForType(r.Type)
}

// ProviderConfigKey is the key into Module.ProviderConfigs of the
// configuration the resource uses.
func (r *Resource) ProviderConfigKey() string {
	if r.ProviderRef != nil {
		return r.ProviderRef.String()
	}
	return impliedProviderForType(r.Type)
}

func impliedProviderForType(typ string) string {
	if i := strings.IndexByte(typ, '_'); i >= 0 {
		return typ[:i]
	}
	return typ
}

var commonResourceAttributes = []hcl.AttributeSchema{
	{Name: "count"},
	{Name: "for_each"},
	{Name: "provider"},
	{Name: "depends_on"},
}

var resourceBlockSchema = &hcl.BodySchema{
	Attributes: commonResourceAttributes,
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "locals"},
		{Type: "lifecycle"},
		{Type: "connection"},
		{Type: "provisioner", LabelNames: []string{"type"}},
		{Type: "_"},
	},
}

var dataBlockSchema = &hcl.BodySchema{
	Attributes: commonResourceAttributes,
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "lifecycle"},
		{Type: "locals"},
		{Type: "_"},
	},
}

var resourceLifecycleBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "create_before_destroy"},
		{Name: "prevent_destroy"},
		{Name: "ignore_changes"},
		{Name: "replace_triggered_by"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "precondition"},
		{Type: "postcondition"},
	},
}

func countForEachConflict(attr *hcl.Attribute) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  `Invalid combination of "count" and "for_each"`,
		Detail:   `The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.`,
		Subject:  &attr.NameRange,
	}
}

// decodeCommonResource handles what managed and data resources share.
func decodeCommonResource(r *Resource, block *hcl.Block, content *hcl.BodyContent, nested bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	kind := "resource"
	if r.Mode == DataResourceMode {
		kind = "data"
	}

	if !validIdentifier(r.Type) {
		summary := "Invalid resource type name"
		if r.Mode == DataResourceMode {
			summary = "Invalid data source name"
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  summary,
			Detail:   badIdentifierDetail,
			Subject:  &block.LabelRanges[0],
		})
	}
	if !validIdentifier(r.Name) {
		summary := "Invalid resource name"
		if r.Mode == DataResourceMode {
			summary = "Invalid data resource name"
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  summary,
			Detail:   badIdentifierDetail,
			Subject:  &block.LabelRanges[1],
		})
	}

	if attr, ok := content.Attributes["count"]; ok {
		if nested {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  `Invalid "count" attribute`,
				Detail:   `The "count" and "for_each" meta-arguments are not supported within nested data blocks.`,
				Subject:  &attr.NameRange,
			})
		} else {
			r.Count = attr.Expr
		}
	}
	if attr, ok := content.Attributes["for_each"]; ok {
		switch {
		case nested:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  `Invalid "for_each" attribute`,
				Detail:   `The "count" and "for_each" meta-arguments are not supported within nested data blocks.`,
				Subject:  &attr.NameRange,
			})
		default:
			r.ForEach = attr.Expr
			if r.Count != nil {
				diags = append(diags, countForEachConflict(attr))
			}
		}
	}
	if attr, ok := content.Attributes["provider"]; ok {
		ref, refDiags := decodeProviderRef(attr.Expr, "provider")
		diags = append(diags, refDiags...)
		r.ProviderRef = ref
	}
	if attr, ok := content.Attributes["depends_on"]; ok {
		deps, depDiags := decodeDependsOn(attr)
		diags = append(diags, depDiags...)
		r.DependsOn = append(r.DependsOn, deps...)
	}

	var seenEscape, seenLifecycle *hcl.Block
	for _, b := range content.Blocks {
		switch b.Type {
		case "_":
			if seenEscape != nil {
				diags = append(diags, duplicateEscapeDiag(b, seenEscape, kind))
				continue
			}
			seenEscape = b
			// The escape block lets provider arguments that collide with
			// meta-argument names reach the provider.
			r.Config = hcl.MergeBodies([]hcl.Body{r.Config, b.Body})
		case "lifecycle":
			if nested {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid lifecycle block",
					Detail:   `Nested data blocks do not support "lifecycle" blocks as the lifecycle is managed by the containing block.`,
					Subject:  b.DefRange.Ptr(),
				})
			}
			if seenLifecycle != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate lifecycle block",
					Detail:   fmt.Sprintf("This resource already has a lifecycle block at %s.", seenLifecycle.DefRange),
					Subject:  b.DefRange.Ptr(),
				})
				continue
			}
			seenLifecycle = b
			diags = append(diags, r.decodeLifecycle(b)...)
		case "connection", "provisioner":
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Provisioners are not supported",
				Detail:   fmt.Sprintf("nuvola does not run provisioners, so %q blocks are not accepted. Use a provider resource or an external tool to configure the object after creation.", b.Type),
				Subject:  b.DefRange.Ptr(),
			})
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Reserved block type name in %s block", kind),
				Detail:   fmt.Sprintf("The block type name %q is reserved for use by a future version.", b.Type),
				Subject:  b.TypeRange.Ptr(),
			})
		}
	}
	return diags
}

func (r *Resource) decodeLifecycle(block *hcl.Block) hcl.Diagnostics {
	content, diags := block.Body.Content(resourceLifecycleBlockSchema)

	if r.Mode == DataResourceMode {
		// Every lifecycle argument concerns the create/update/destroy cycle,
		// which data resources do not have.
		for _, attr := range sortedAttributes(content.Attributes) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid data resource lifecycle argument",
				Detail:   fmt.Sprintf("The lifecycle argument %q is defined only for managed resources (\"resource\" blocks), and is not valid for data resources.", attr.Name),
				Subject:  attr.NameRange.Ptr(),
			})
		}
	} else {
		m := r.Managed
		if attr, ok := content.Attributes["create_before_destroy"]; ok {
			v, vDiags := staticBool(attr.Expr, "create_before_destroy argument")
			diags = append(diags, vDiags...)
			m.CreateBeforeDestroy = v
			m.CreateBeforeDestroySet = true
		}
		if attr, ok := content.Attributes["prevent_destroy"]; ok {
			v, vDiags := staticBool(attr.Expr, "prevent_destroy argument")
			diags = append(diags, vDiags...)
			m.PreventDestroy = v
			m.PreventDestroySet = true
		}
		if attr, ok := content.Attributes["ignore_changes"]; ok {
			diags = append(diags, m.decodeIgnoreChanges(attr)...)
		}
		if attr, ok := content.Attributes["replace_triggered_by"]; ok {
			exprs, rDiags := decodeReplaceTriggeredBy(attr.Expr)
			diags = append(diags, rDiags...)
			m.ReplaceTriggeredBy = append(m.ReplaceTriggeredBy, exprs...)
		}
	}

	for _, b := range content.Blocks {
		cr, crDiags := decodeCheckRuleBlock(b)
		diags = append(diags, crDiags...)
		diags = append(diags, cr.validateSelfReferences(b.Type, r)...)
		if b.Type == "precondition" {
			r.Preconditions = append(r.Preconditions, cr)
		} else {
			r.Postconditions = append(r.Postconditions, cr)
		}
	}
	return diags
}

func (m *ManagedResource) decodeIgnoreChanges(attr *hcl.Attribute) hcl.Diagnostics {
	if hcl.ExprAsKeyword(attr.Expr) == "all" {
		m.IgnoreAllChanges = true
		return nil
	}
	exprs, diags := hcl.ExprList(attr.Expr)
	for _, expr := range exprs {
		// ["*"] was the pre-0.12 spelling of "all".
		if v, vDiags := expr.Value(nil); !vDiags.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.String && v.AsString() == "*" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid ignore_changes wildcard",
				Detail:   `The ["*"] form of ignore_changes wildcard is no longer valid. Use "ignore_changes = all" to ignore changes to all attributes.`,
				Subject:  attr.Expr.Range().Ptr(),
			})
			continue
		}
		expr, shimDiags := shimTraversalInString(expr, false)
		diags = append(diags, shimDiags...)
		tr, trDiags := hcl.RelTraversalForExpr(expr)
		diags = append(diags, trDiags...)
		if len(tr) != 0 {
			m.IgnoreChanges = append(m.IgnoreChanges, tr)
		}
	}
	return diags
}

// decodeReplaceTriggeredBy performs the static checks OpenTofu does: each
// entry must name exactly one resource, optionally indexed by count.index
// or each.key, so the engine can resolve it without evaluating anything else.
func decodeReplaceTriggeredBy(expr hcl.Expression) ([]hcl.Expression, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(expr)
	var ret []hcl.Expression
	for _, e := range exprs {
		e, convDiags := jsonStringAsNativeExpr(e)
		diags = append(diags, convDiags...)
		if convDiags.HasErrors() {
			continue
		}
		resources := map[string]struct{}{}
		bad := false
		for _, tr := range e.Variables() {
			root := tr.RootName()
			switch root {
			case "count":
				if attrName(tr, 1) != "index" {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid count reference in replace_triggered_by expression",
						Detail:   "Only count.index may be used in replace_triggered_by.",
						Subject:  e.Range().Ptr(),
					})
					bad = true
				}
			case "each":
				if attrName(tr, 1) != "key" {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid each reference in replace_triggered_by expression",
						Detail:   "Only each.key may be used in replace_triggered_by.",
						Subject:  e.Range().Ptr(),
					})
					bad = true
				}
			case "var", "local", "module", "path", "terraform", "self", "check", "tofu":
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference in replace_triggered_by expression",
					Detail:   "Only resources, count.index, and each.key may be used in replace_triggered_by.",
					Subject:  e.Range().Ptr(),
				})
				bad = true
			case "data":
				resources["data."+attrName(tr, 1)+"."+attrName(tr, 2)] = struct{}{}
			default:
				resources[root+"."+attrName(tr, 1)] = struct{}{}
			}
		}
		if bad {
			continue
		}
		switch {
		case len(resources) == 0:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid replace_triggered_by expression",
				Detail:   "Missing resource reference in replace_triggered_by expression.",
				Subject:  e.Range().Ptr(),
			})
		case len(resources) > 1:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid replace_triggered_by expression",
				Detail:   "Multiple resource references in replace_triggered_by expression.",
				Subject:  e.Range().Ptr(),
			})
		default:
			ret = append(ret, e)
		}
	}
	return ret, diags
}

// attrName returns the name of the attribute step at index i of tr, or "".
func attrName(tr hcl.Traversal, i int) string {
	if i >= len(tr) {
		return ""
	}
	switch s := tr[i].(type) {
	case hcl.TraverseAttr:
		return s.Name
	case hcl.TraverseRoot:
		return s.Name
	}
	return ""
}

func decodeResourceBlock(block *hcl.Block) (*Resource, hcl.Diagnostics) {
	r := &Resource{
		Mode:      ManagedResourceMode,
		Type:      block.Labels[0],
		Name:      block.Labels[1],
		DeclRange: block.DefRange,
		TypeRange: block.LabelRanges[0],
		Managed:   &ManagedResource{},
	}
	content, remain, diags := block.Body.PartialContent(resourceBlockSchema)
	r.Config = remain
	diags = append(diags, decodeCommonResource(r, block, content, false)...)
	return r, diags
}

func decodeDataBlock(block *hcl.Block, nested bool) (*Resource, hcl.Diagnostics) {
	r := &Resource{
		Mode:      DataResourceMode,
		Type:      block.Labels[0],
		Name:      block.Labels[1],
		DeclRange: block.DefRange,
		TypeRange: block.LabelRanges[0],
	}
	content, remain, diags := block.Body.PartialContent(dataBlockSchema)
	r.Config = remain
	diags = append(diags, decodeCommonResource(r, block, content, nested)...)
	return r, diags
}
