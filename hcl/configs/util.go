package configs

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

const badIdentifierDetail = "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes."

// decodeDependsOn reads a list of static references. JSON strings work too,
// because their AsTraversal parses the string contents.
func decodeDependsOn(attr *hcl.Attribute) ([]hcl.Traversal, hcl.Diagnostics) {
	var ret []hcl.Traversal
	exprs, diags := hcl.ExprList(attr.Expr)
	for _, expr := range exprs {
		expr, shimDiags := shimTraversalInString(expr, false)
		diags = append(diags, shimDiags...)
		traversal, travDiags := hcl.AbsTraversalForExpr(expr)
		diags = append(diags, travDiags...)
		if len(traversal) != 0 {
			ret = append(ret, traversal)
		}
	}
	return ret, diags
}

// exprIsNativeQuotedString reports whether expr is a native-syntax string
// literal without interpolation; such strings are where pre-0.12 habits
// (quoted references and type names) show up.
func exprIsNativeQuotedString(expr hcl.Expression) bool {
	tmpl, ok := expr.(*hclsyntax.TemplateExpr)
	if !ok || len(tmpl.Parts) != 1 {
		return false
	}
	_, ok = tmpl.Parts[0].(*hclsyntax.LiteralValueExpr)
	return ok
}

// shimTraversalInString accepts the legacy quoted form of a reference in the
// native syntax with a warning, so that configurations written for older
// releases keep working while nudging their authors to the current form.
func shimTraversalInString(expr hcl.Expression, wantKeyword bool) (hcl.Expression, hcl.Diagnostics) {
	if ocke, ok := expr.(*hclsyntax.ObjectConsKeyExpr); ok {
		expr = ocke.Wrapped
	}
	if !exprIsNativeQuotedString(expr) {
		return expr, nil
	}
	strVal, diags := expr.Value(nil)
	if diags.HasErrors() || strVal.IsNull() || !strVal.IsKnown() || strVal.Type() != cty.String {
		return expr, nil
	}
	srcRange := expr.Range()
	startPos := srcRange.Start
	startPos.Column++
	startPos.Byte++
	traversal, tDiags := hclsyntax.ParseTraversalAbs([]byte(strVal.AsString()), srcRange.Filename, startPos)
	diags = append(diags, tDiags...)
	if wantKeyword {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Quoted keywords are deprecated",
			Detail:   "In this context, keywords are expected literally rather than in quotes. Remove the quotes surrounding this keyword to silence this warning.",
			Subject:  &srcRange,
		})
	} else {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Quoted references are deprecated",
			Detail:   "In this context, references are expected literally rather than in quotes. Remove the quotes surrounding this reference to silence this warning.",
			Subject:  &srcRange,
		})
	}
	return &hclsyntax.ScopeTraversalExpr{Traversal: traversal, SrcRange: srcRange}, diags
}

// jsonStringAsNativeExpr re-parses a JSON string as a native expression.
// Arguments such as import's "to" accept expressions that are not plain
// traversals (dynamic index keys), which JSON can only express as strings.
func jsonStringAsNativeExpr(expr hcl.Expression) (hcl.Expression, hcl.Diagnostics) {
	if !hcljson.IsJSONExpression(expr) {
		return expr, nil
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return expr, diags
	}
	if val.IsNull() || !val.IsKnown() || val.Type() != cty.String {
		return expr, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid expression",
			Detail:   "A string containing an expression is required here in the JSON syntax.",
			Subject:  expr.Range().Ptr(),
		}}
	}
	rng := expr.Range()
	start := rng.Start
	start.Column++
	start.Byte++
	native, pDiags := hclsyntax.ParseExpression([]byte(val.AsString()), rng.Filename, start)
	return native, pDiags
}

// staticString evaluates expr without any variables or functions.
func staticString(expr hcl.Expression, what string) (string, hcl.Diagnostics) {
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return "", diags
	}
	conv, err := convert.Convert(val, cty.String)
	if err != nil || conv.IsNull() || !conv.IsKnown() {
		return "", append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect value type",
			Detail:   fmt.Sprintf("The %s must be a string.", what),
			Subject:  expr.Range().Ptr(),
		})
	}
	return conv.AsString(), diags
}

// staticBool evaluates expr without any variables or functions.
func staticBool(expr hcl.Expression, what string) (bool, hcl.Diagnostics) {
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return false, diags
	}
	conv, err := convert.Convert(val, cty.Bool)
	if err != nil || conv.IsNull() || !conv.IsKnown() {
		return false, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect value type",
			Detail:   fmt.Sprintf("The %s must be a bool (true or false).", what),
			Subject:  expr.Range().Ptr(),
		})
	}
	return conv.True(), diags
}

// isProviderPart reports whether s is a normalised provider namespace or type
// name: lowercase letters, digits and dashes, not starting or ending with a
// dash. The registry protocol relies on these names being usable as path
// segments, so they are held to DNS-label rules.
func isProviderPart(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return true
}

// checkProviderLocalName ensures a provider local name is already in its
// normalised form, because local names are compared as plain strings.
func checkProviderLocalName(name string, rng hcl.Range) hcl.Diagnostics {
	if isProviderPart(name) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid provider local name",
		Detail:   fmt.Sprintf("%q is an invalid provider local name: must contain only lowercase letters, digits, and dashes, and may not start or end with a dash.", name),
		Subject:  rng.Ptr(),
	}}
}

// sortedAttributes orders attributes by source position so diagnostics and
// results do not depend on map iteration order.
func sortedAttributes(attrs hcl.Attributes) []*hcl.Attribute {
	ret := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		ret = append(ret, a)
	}
	sort.Slice(ret, func(i, j int) bool {
		ri, rj := ret[i].Range, ret[j].Range
		if ri.Filename != rj.Filename {
			return ri.Filename < rj.Filename
		}
		if ri.Start.Byte != rj.Start.Byte {
			return ri.Start.Byte < rj.Start.Byte
		}
		return ret[i].Name < ret[j].Name
	})
	return ret
}

// validIdentifier is hclsyntax.ValidIdentifier, which runs HCL's scanner on
// every call; every resource's type and name are checked, so the common
// ASCII identifiers are recognised directly and only the rest scanned.
func validIdentifier(s string) bool {
	return plainIdentifier(s) || hclsyntax.ValidIdentifier(s)
}

// plainIdentifier reports whether s is a letter or underscore followed by
// letters, digits, underscores and dashes, all ASCII: always an identifier.
func plainIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}
