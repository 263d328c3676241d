package engine

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestKnownRawEqual checks the one-walk comparison against what it stands
// for: both values wholly known, unmarked, and raw-equal. It may answer
// false where that holds only for kinds it leaves to cty (sets).
func TestKnownRawEqual(t *testing.T) {
	obj := func(id cty.Value, tags cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": id, "tags": tags})
	}
	tags := cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("2")})
	values := []cty.Value{
		cty.StringVal("x"), cty.StringVal("y"), cty.NumberIntVal(1), cty.NumberFloatVal(1.5), cty.True, cty.False,
		cty.NullVal(cty.String), cty.NullVal(cty.Number), cty.UnknownVal(cty.String), cty.DynamicVal,
		cty.StringVal("x").Mark("sensitive"),
		obj(cty.StringVal("1"), tags),
		obj(cty.StringVal("1"), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("2")})),
		obj(cty.StringVal("1"), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("3")})),
		obj(cty.StringVal("1"), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "c": cty.StringVal("2")})),
		obj(cty.StringVal("1"), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1")})),
		obj(cty.StringVal("1"), cty.MapValEmpty(cty.String)),
		obj(cty.StringVal("1"), cty.MapValEmpty(cty.Number)),
		obj(cty.StringVal("1"), cty.NullVal(cty.Map(cty.String))),
		obj(cty.UnknownVal(cty.String), tags),
		obj(cty.StringVal("1"), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.UnknownVal(cty.String)})),
		obj(cty.StringVal("1"), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("2").Mark("sensitive")})),
		cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("1")}),
		cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("1"), "name": cty.StringVal("1")}),
		cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		cty.ListVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}),
		cty.ListValEmpty(cty.String),
		cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(2)}),
		cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("2")}),
		cty.SetVal([]cty.Value{cty.StringVal("a")}),
		cty.ObjectVal(map[string]cty.Value{"n": cty.ObjectVal(map[string]cty.Value{"x": cty.NumberIntVal(3)})}),
		cty.ObjectVal(map[string]cty.Value{"n": cty.ObjectVal(map[string]cty.Value{"x": cty.NumberIntVal(4)})}),
	}
	for i, a := range values {
		for j, b := range values {
			want := a.IsWhollyKnown() && b.IsWhollyKnown() && !a.ContainsMarked() && !b.ContainsMarked() && a.RawEquals(b)
			got := knownRawEqual(a, b)
			if got && !want {
				t.Errorf("knownRawEqual(%#v, %#v) = true, want false", a, b)
			}
			if !got && want && !a.Type().IsSetType() {
				t.Errorf("knownRawEqual(%#v, %#v) = false, want true (values %d and %d)", a, b, i, j)
			}
			// valuesEqual's answer is unchanged by the shortcut.
			if a.Type().IsObjectType() && b.Type().IsObjectType() && !a.ContainsMarked() && !b.ContainsMarked() {
				ref := a.IsWhollyKnown() && b.IsWhollyKnown() && (a.RawEquals(b) || a.Equals(b).True())
				if valuesEqual(a, b) != ref {
					t.Errorf("valuesEqual(%#v, %#v) = %v, want %v", a, b, !ref, ref)
				}
			}
		}
	}
}
