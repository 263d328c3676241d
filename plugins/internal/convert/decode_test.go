package convert

import (
	"fmt"
	"slices"
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

// A plan sends every object of the estate to be refreshed, then each again
// to be planned against: the objects of a 10,000-resource plan, each
// refreshed and configured, are all still decoded when their plan comes.
// However much is decoded, the cache stays within its two generations.
func TestDecodeCacheKeepsARefreshedEstate(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"id": cty.String, "triggers": cty.Map(cty.String)})
	typ := TypeOf(ty)
	enc := func(i int) []byte {
		b, _, err := Encode(cty.ObjectVal(map[string]cty.Value{
			"id":       cty.StringVal(fmt.Sprint(1000000 + i)),
			"triggers": cty.MapVal(map[string]cty.Value{"v": cty.StringVal(fmt.Sprintf("v%d", i))}),
		}), typ)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Clone(b)
	}
	const estate = 10000
	for i := range 2 * estate { // each object refreshed, and a configuration
		if _, err := typ.Decode(enc(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range estate {
		if _, ok := typ.recent.get(enc(i)); !ok {
			t.Fatalf("object %d of %d was decoded again when it was planned", i, estate)
		}
	}
	for i := range 3 * decodeCacheEntries {
		if _, err := typ.Decode(enc(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(typ.recent.cur) + len(typ.recent.prev); n > 2*decodeCacheEntries {
		t.Fatalf("the cache holds %d values, more than its two generations of %d", n, decodeCacheEntries)
	}
}
