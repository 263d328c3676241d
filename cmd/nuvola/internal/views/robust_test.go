package views

import (
	"bytes"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// Odd value pairs, with and without a schema, render without panicking
// and without showing what is sensitive.
func TestRenderPlanOddValues(t *testing.T) {
	s := cty.StringVal(secret)
	vals := []cty.Value{
		cty.NilVal,
		cty.NullVal(cty.DynamicPseudoType),
		cty.DynamicVal,
		cty.UnknownVal(cty.Map(cty.String)),
		cty.StringVal(""),
		cty.StringVal("multi\nline\n"),
		cty.NumberIntVal(7),
		cty.ListVal([]cty.Value{cty.UnknownVal(cty.String), cty.StringVal("x")}),
		cty.SetVal([]cty.Value{cty.UnknownVal(cty.String)}),
		cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1), cty.NullVal(cty.Bool)}),
		cty.MapValEmpty(cty.String),
		cty.EmptyObjectVal,
		cty.ObjectVal(map[string]cty.Value{"deep": cty.ListVal([]cty.Value{cty.MapVal(map[string]cty.Value{"k": s})})}),
		cty.ListVal([]cty.Value{s, s}),
		cty.SetVal([]cty.Value{s, cty.StringVal("b")}),
		cty.MapVal(map[string]cty.Value{"a": s}).Mark("sensitive"),
		cty.TupleVal([]cty.Value{s.Mark("x")}),
	}
	hide := []cty.Path{
		cty.GetAttrPath("v"),
		cty.GetAttrPath("name"),
		cty.GetAttrPath("list"),
		cty.GetAttrPath("tags"),
		cty.GetAttrPath("rule"),
	}
	var changes []*plan.ResourceChange
	i := 0
	for _, b := range vals {
		for _, a := range vals {
			i++
			obj := func(v cty.Value) cty.Value {
				if v == cty.NilVal {
					return cty.NilVal
				}
				return cty.ObjectVal(map[string]cty.Value{"v": v, "name": v, "list": v, "tags": v, "rule": v})
			}
			shown := func(v cty.Value) cty.Value {
				if v == cty.NilVal || v.ContainsMarked() {
					return cty.NullVal(cty.DynamicPseudoType)
				}
				if str := FormatValue(v, 0); bytes.Contains([]byte(str), []byte(secret)) {
					return cty.StringVal("replaced")
				}
				return cty.ObjectVal(map[string]cty.Value{"w": v, "size": v, "script": v, "numbers": v, "setting": v, "credential": v})
			}
			for _, typ := range []string{"test_thing", "free_type"} {
				changes = append(changes, &plan.ResourceChange{
					Addr:   mustAddr(t, typ+".r["+itoa(i)+"]"),
					Action: plan.Update, Before: obj(b), After: obj(a),
					BeforeSensitive: hide, AfterSensitive: hide,
					RequiredReplace: []cty.Path{cty.GetAttrPath("v")},
				}, &plan.ResourceChange{
					Addr:   mustAddr(t, typ+".shown["+itoa(i)+"]"),
					Action: plan.DeleteThenCreate, Before: shown(b), After: shown(a),
					RequiredReplace: []cty.Path{cty.GetAttrPath("w"), cty.GetAttrPath("numbers")},
				})
			}
		}
	}
	p := &plan.Plan{Changes: changes, Outputs: []*plan.OutputChange{{Name: "o", Action: plan.Update, Before: s, After: s.Mark("m")}}}
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		require.NotPanics(t, func() { require.NoError(t, RenderPlan(&buf, p, schemas, Options{Color: color})) })
		require.NotContains(t, buf.String(), secret)
	}
}

func itoa(i int) string {
	return cty.NumberIntVal(int64(i)).AsBigFloat().Text('f', 0)
}
