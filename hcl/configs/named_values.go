package configs

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// VariableParsingMode says how a value given as text (-var, TF_VAR_) is
// turned into a cty value.
type VariableParsingMode rune

const (
	// VariableParseLiteral takes the text verbatim as a string.
	VariableParseLiteral VariableParsingMode = 'L'
	// VariableParseHCL parses the text as an HCL expression.
	VariableParseHCL VariableParsingMode = 'H'
)

// Variable is a "variable" block.
type Variable struct {
	Name        string
	Description string
	// Type is the concrete type, cty.DynamicPseudoType when unconstrained.
	Type cty.Type
	// TypeDefaults holds the defaults given with optional(...), or nil.
	TypeDefaults *typeexpr.Defaults
	// ConstraintType is Type including optional attribute markers; values
	// must be converted to it rather than to Type so absent optional
	// attributes become null instead of failing conversion.
	ConstraintType cty.Type
	// Default is cty.NilVal when the variable has no default (is required).
	// Otherwise it is already converted, with optional defaults applied.
	Default     cty.Value
	Sensitive   bool
	Nullable    bool
	ParsingMode VariableParsingMode
	Validations []*CheckRule

	DescriptionSet bool
	SensitiveSet   bool
	NullableSet    bool

	DeclRange hcl.Range
}

// Required reports whether a value must be supplied for the variable.
func (v *Variable) Required() bool {
	return v.Default == cty.NilVal
}

// Local is one attribute of a "locals" block.
type Local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// Output is an "output" block.
type Output struct {
	Name          string
	Description   string
	Expr          hcl.Expression
	Sensitive     bool
	DependsOn     []hcl.Traversal
	Preconditions []*CheckRule

	DescriptionSet bool
	SensitiveSet   bool

	DeclRange hcl.Range
}

var variableBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"},
		{Name: "default"},
		{Name: "type"},
		{Name: "sensitive"},
		{Name: "nullable"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "validation"},
	},
}

var outputBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"},
		{Name: "value", Required: true},
		{Name: "depends_on"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "precondition"},
		{Type: "postcondition"},
	},
}

func decodeVariableBlock(block *hcl.Block, override bool) (*Variable, hcl.Diagnostics) {
	v := &Variable{Name: block.Labels[0], DeclRange: block.DefRange}
	// Override files leave unset fields at their zero values so that merging
	// can tell which ones they actually set.
	if !override {
		v.Type = cty.DynamicPseudoType
		v.ConstraintType = cty.DynamicPseudoType
		v.ParsingMode = VariableParseLiteral
	}

	content, diags := block.Body.Content(variableBlockSchema)

	if !validIdentifier(v.Name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   badIdentifierDetail,
			Subject:  &block.LabelRanges[0],
		})
	}
	// A variable named after a module meta-argument could never be set by a
	// calling module block.
	reserved := false
	for _, a := range moduleBlockSchema.Attributes {
		reserved = reserved || a.Name == v.Name
	}
	for _, b := range moduleBlockSchema.Blocks {
		reserved = reserved || b.Type == v.Name
	}
	if reserved {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   fmt.Sprintf("The variable name %q is reserved due to its special meaning inside module blocks.", v.Name),
			Subject:  &block.LabelRanges[0],
		})
	}

	if attr, ok := content.Attributes["description"]; ok {
		s, sDiags := staticString(attr.Expr, "variable description")
		diags = append(diags, sDiags...)
		v.Description = s
		v.DescriptionSet = true
	}

	if attr, ok := content.Attributes["type"]; ok {
		ty, defaults, mode, tyDiags := decodeVariableType(attr.Expr)
		diags = append(diags, tyDiags...)
		v.ConstraintType = ty
		v.TypeDefaults = defaults
		v.Type = ty.WithoutOptionalAttributesDeep()
		v.ParsingMode = mode
	}

	if attr, ok := content.Attributes["sensitive"]; ok {
		b, bDiags := staticBool(attr.Expr, "sensitive argument")
		diags = append(diags, bDiags...)
		v.Sensitive = b
		v.SensitiveSet = true
	}

	if attr, ok := content.Attributes["nullable"]; ok {
		b, bDiags := staticBool(attr.Expr, "nullable argument")
		diags = append(diags, bDiags...)
		v.Nullable = b
		v.NullableSet = true
	} else {
		v.Nullable = true
	}

	if attr, ok := content.Attributes["default"]; ok {
		val, valDiags := attr.Expr.Value(nil)
		diags = append(diags, valDiags...)
		if valDiags.HasErrors() {
			val = cty.DynamicVal
		} else if v.ConstraintType != cty.NilType {
			conv, err := convertWithDefaults(val, v.ConstraintType, v.TypeDefaults)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("This default value is not compatible with the variable's type constraint: %s.", err),
					Subject:  attr.Expr.Range().Ptr(),
				})
				conv = cty.DynamicVal
			}
			val = conv
		}
		if !v.Nullable && val.IsNull() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid default value for variable",
				Detail:   "A null default value is not valid when nullable=false.",
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
		v.Default = val
	}

	for _, b := range content.Blocks {
		cr, crDiags := decodeCheckRuleBlock(b)
		diags = append(diags, crDiags...)
		if cr.Condition != nil && !crDiags.HasErrors() && !refersToVariable(cr.Condition, v.Name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid variable validation condition",
				Detail:   fmt.Sprintf("The condition for variable %q must refer to var.%s in order to test incoming values.", v.Name, v.Name),
				Subject:  cr.Condition.Range().Ptr(),
			})
		}
		v.Validations = append(v.Validations, cr)
	}
	return v, diags
}

func refersToVariable(expr hcl.Expression, name string) bool {
	for _, tr := range expr.Variables() {
		if tr.RootName() == "var" && attrName(tr, 1) == name {
			return true
		}
	}
	return false
}

// convertWithDefaults applies optional() defaults and converts to ty. Null
// is left alone so that nullable variables can default to null.
func convertWithDefaults(val cty.Value, ty cty.Type, defaults *typeexpr.Defaults) (ret cty.Value, err error) {
	// Defaults.Apply and convert walk arbitrarily shaped user values; a
	// failure there must surface as a diagnostic, never bring down the CLI.
	defer func() {
		if r := recover(); r != nil {
			ret, err = cty.DynamicVal, fmt.Errorf("value cannot be converted: %v", r)
		}
	}()
	if defaults != nil && !val.IsNull() {
		val = defaults.Apply(val)
	}
	ret, err = convert.Convert(val, ty)
	if err != nil {
		return cty.DynamicVal, fmt.Errorf("%s", convertErrorString(err))
	}
	return ret, nil
}

func convertErrorString(err error) string {
	if pe, ok := err.(cty.PathError); ok && len(pe.Path) > 0 {
		return fmt.Sprintf("%s: %s", formatCtyPath(pe.Path), pe.Error())
	}
	return err.Error()
}

func formatCtyPath(path cty.Path) string {
	var s string
	for _, step := range path {
		switch st := step.(type) {
		case cty.GetAttrStep:
			s += "." + st.Name
		case cty.IndexStep:
			switch {
			case st.Key.IsNull() || !st.Key.IsKnown():
				s += "[?]"
			case st.Key.Type() == cty.String:
				s += fmt.Sprintf("[%q]", st.Key.AsString())
			case st.Key.Type() == cty.Number:
				s += "[" + st.Key.AsBigFloat().Text('f', -1) + "]"
			default:
				s += "[?]"
			}
		}
	}
	if s != "" && s[0] == '.' {
		s = "attribute " + fmt.Sprintf("%q", s[1:])
	}
	return s
}

func decodeVariableType(expr hcl.Expression) (cty.Type, *typeexpr.Defaults, VariableParsingMode, hcl.Diagnostics) {
	if exprIsNativeQuotedString(expr) {
		// Pre-0.12 configurations quoted their type names.
		val, diags := expr.Value(nil)
		if diags.HasErrors() || val.IsNull() || !val.IsKnown() || val.Type() != cty.String {
			return cty.DynamicPseudoType, nil, VariableParseHCL, diags
		}
		switch str := val.AsString(); str {
		case "string", "list", "map":
			hint := ""
			if str != "string" {
				hint = fmt.Sprintf(" and write %s(string) instead to explicitly indicate the element type", str)
			}
			return cty.DynamicPseudoType, nil, VariableParseHCL, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid quoted type constraints",
				Detail:   fmt.Sprintf("Type constraints are no longer given in quotes. Remove the quotes around %q%s.", str, hint),
				Subject:  expr.Range().Ptr(),
			}}
		default:
			return cty.DynamicPseudoType, nil, VariableParseHCL, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid legacy variable type hint",
				Detail:   "To provide a full type expression, remove the surrounding quotes and give the type expression directly.",
				Subject:  expr.Range().Ptr(),
			}}
		}
	}

	// Bare "list" and "map" were accepted before 0.12 as shorthands.
	switch hcl.ExprAsKeyword(expr) {
	case "list":
		return cty.List(cty.DynamicPseudoType), nil, VariableParseHCL, nil
	case "map":
		return cty.Map(cty.DynamicPseudoType), nil, VariableParseHCL, nil
	}

	ty, defaults, diags := safeTypeConstraint(expr)
	if diags.HasErrors() {
		return cty.DynamicPseudoType, nil, VariableParseHCL, diags
	}
	if ty.IsPrimitiveType() {
		return ty, defaults, VariableParseLiteral, diags
	}
	return ty, defaults, VariableParseHCL, diags
}

func safeTypeConstraint(expr hcl.Expression) (ty cty.Type, defaults *typeexpr.Defaults, diags hcl.Diagnostics) {
	// The optional() defaults are arbitrary values checked against
	// arbitrary types inside typeexpr; keep any surprise there a diagnostic.
	defer func() {
		if r := recover(); r != nil {
			ty, defaults = cty.DynamicPseudoType, nil
			diags = hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid type specification",
				Detail:   fmt.Sprintf("This type constraint could not be processed: %v.", r),
				Subject:  expr.Range().Ptr(),
			}}
		}
	}()
	return typeexpr.TypeConstraintWithDefaults(expr)
}

func decodeLocalsBlock(block *hcl.Block) ([]*Local, hcl.Diagnostics) {
	attrs, diags := block.Body.JustAttributes()
	locals := make([]*Local, 0, len(attrs))
	for _, attr := range sortedAttributes(attrs) {
		if !validIdentifier(attr.Name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid local value name",
				Detail:   badIdentifierDetail,
				Subject:  &attr.NameRange,
			})
		}
		locals = append(locals, &Local{Name: attr.Name, Expr: attr.Expr, DeclRange: attr.Range})
	}
	return locals, diags
}

func decodeOutputBlock(block *hcl.Block, override bool) (*Output, hcl.Diagnostics) {
	o := &Output{Name: block.Labels[0], DeclRange: block.DefRange}
	schema := outputBlockSchema
	if override {
		schema = schemaForOverrides(schema)
	}
	content, diags := block.Body.Content(schema)

	if !validIdentifier(o.Name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid output name",
			Detail:   badIdentifierDetail,
			Subject:  &block.LabelRanges[0],
		})
	}
	if attr, ok := content.Attributes["description"]; ok {
		s, sDiags := staticString(attr.Expr, "output description")
		diags = append(diags, sDiags...)
		o.Description = s
		o.DescriptionSet = true
	}
	if attr, ok := content.Attributes["value"]; ok {
		o.Expr = attr.Expr
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		b, bDiags := staticBool(attr.Expr, "sensitive argument")
		diags = append(diags, bDiags...)
		o.Sensitive = b
		o.SensitiveSet = true
	}
	if attr, ok := content.Attributes["depends_on"]; ok {
		deps, depDiags := decodeDependsOn(attr)
		diags = append(diags, depDiags...)
		o.DependsOn = append(o.DependsOn, deps...)
	}
	for _, b := range content.Blocks {
		switch b.Type {
		case "precondition":
			cr, crDiags := decodeCheckRuleBlock(b)
			diags = append(diags, crDiags...)
			o.Preconditions = append(o.Preconditions, cr)
		case "postcondition":
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Postconditions are not allowed",
				Detail:   "Output values can only have preconditions, not postconditions.",
				Subject:  b.TypeRange.Ptr(),
			})
		}
	}
	return o, diags
}

// schemaForOverrides relaxes required arguments: an override block only
// needs to state what it changes.
func schemaForOverrides(schema *hcl.BodySchema) *hcl.BodySchema {
	ret := &hcl.BodySchema{
		Attributes: make([]hcl.AttributeSchema, len(schema.Attributes)),
		Blocks:     schema.Blocks,
	}
	for i, a := range schema.Attributes {
		ret.Attributes[i] = a
		ret.Attributes[i].Required = false
	}
	return ret
}
