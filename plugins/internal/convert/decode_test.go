package convert

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// Whatever the bytes, decoding answers as cty's decoder does: the same
// value, or an error where it errs.
func FuzzDecodeAsCty(f *testing.F) {
	ty := cty.Object(map[string]cty.Type{
		"id": cty.String, "size": cty.Number, "on": cty.Bool,
		"tags":  cty.Map(cty.String),
		"rules": cty.Set(cty.Object(map[string]cty.Type{"port": cty.Number})),
		"pair":  cty.Tuple([]cty.Type{cty.String, cty.DynamicPseudoType}),
	})
	good, _ := ctymsgpack.Marshal(cty.ObjectVal(map[string]cty.Value{
		"id": cty.StringVal("x"), "size": cty.NumberIntVal(3), "on": cty.True,
		"tags":  cty.MapVal(map[string]cty.Value{"a": cty.StringVal("b")}),
		"rules": cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(22)})}),
		"pair":  cty.TupleVal([]cty.Value{cty.StringVal("p"), cty.NumberIntVal(1)}),
	}), ty)
	unknown, _ := ctymsgpack.Marshal(cty.UnknownVal(ty), ty)
	f.Add(good)
	f.Add(unknown)
	f.Add([]byte{0xc0})
	f.Add(good[:len(good)/2])
	typ := TypeOf(ty)
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := ctymsgpack.Unmarshal(b, ty)
		got, gerr := decode(b, typ.plan)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("cty: %v, decode: %v", werr, gerr)
		}
		if werr == nil && !want.RawEquals(got) {
			t.Fatalf("cty: %#v\ndecode: %#v", want, got)
		}
	})
}
