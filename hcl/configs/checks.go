package configs

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// CheckRule is a validation, precondition, postcondition or assert block.
type CheckRule struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Check is a top-level "check" block.
type Check struct {
	Name string
	// DataResource is the optional nested data block. It is also listed in
	// Module.DataResources (with InCheck set) because it shares that
	// namespace, as in OpenTofu.
	DataResource *Resource
	Asserts      []*CheckRule
	DeclRange    hcl.Range
}

var checkRuleBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

func decodeCheckRuleBlock(block *hcl.Block) (*CheckRule, hcl.Diagnostics) {
	cr := &CheckRule{DeclRange: block.DefRange}
	content, diags := block.Body.Content(checkRuleBlockSchema)

	if attr, ok := content.Attributes["condition"]; ok {
		cr.Condition = attr.Expr
		// A condition without references is constant, so it cannot be
		// checking anything about the configuration.
		if len(attr.Expr.Variables()) == 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Invalid %s expression", block.Type),
				Detail:   "The condition expression must refer to at least one object from elsewhere in the configuration, or else its result would not be checking anything.",
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
	}
	if attr, ok := content.Attributes["error_message"]; ok {
		cr.ErrorMessage = attr.Expr
	}
	return cr, diags
}

// validateSelfReferences rejects conditions that refer to the resource they
// belong to by its full address; "self" is the way to do that and avoids a
// dependency cycle on the resource itself.
func (cr *CheckRule) validateSelfReferences(checkType string, r *Resource) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, expr := range []hcl.Expression{cr.Condition, cr.ErrorMessage} {
		if expr == nil {
			continue
		}
		for _, tr := range expr.Variables() {
			if traversalRefersTo(tr, r) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("Invalid reference in %s", checkType),
					Detail:   fmt.Sprintf("Configuration for %s may not refer to itself.", r.Key()),
					Subject:  expr.Range().Ptr(),
				})
				break
			}
		}
	}
	return diags
}

func traversalRefersTo(tr hcl.Traversal, r *Resource) bool {
	names := make([]string, 0, 3)
steps:
	for _, step := range tr {
		if len(names) == 3 {
			break
		}
		switch s := step.(type) {
		case hcl.TraverseRoot:
			names = append(names, s.Name)
		case hcl.TraverseAttr:
			names = append(names, s.Name)
		default:
			break steps
		}
	}
	if r.Mode == DataResourceMode {
		return len(names) >= 3 && names[0] == "data" && names[1] == r.Type && names[2] == r.Name
	}
	return len(names) >= 2 && names[0] == r.Type && names[1] == r.Name
}

var checkBlockSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "assert"},
	},
}

func decodeCheckBlock(block *hcl.Block) (*Check, hcl.Diagnostics) {
	c := &Check{Name: block.Labels[0], DeclRange: block.DefRange}
	content, diags := block.Body.Content(checkBlockSchema)

	if !validIdentifier(c.Name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid check block name",
			Detail:   badIdentifierDetail,
			Subject:  &block.LabelRanges[0],
		})
	}

	for _, b := range content.Blocks {
		switch b.Type {
		case "data":
			if c.DataResource != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Multiple data resource blocks",
					Detail:   fmt.Sprintf("This check block already has a data resource defined at %s.", c.DataResource.DeclRange),
					Subject:  b.DefRange.Ptr(),
				})
				continue
			}
			data, dDiags := decodeDataBlock(b, true)
			diags = append(diags, dDiags...)
			if !dDiags.HasErrors() {
				data.InCheck = c.Name
				c.DataResource = data
			}
		case "assert":
			a, aDiags := decodeCheckRuleBlock(b)
			diags = append(diags, aDiags...)
			if !aDiags.HasErrors() {
				c.Asserts = append(c.Asserts, a)
			}
		}
	}

	if len(c.Asserts) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Zero assert blocks",
			Detail:   "Check blocks must have at least one assert block.",
			Subject:  c.DeclRange.Ptr(),
		})
	}
	return c, diags
}
