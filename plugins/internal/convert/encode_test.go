package convert

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// TestEncodeAsCty checks that Encode writes byte for byte what cty's
// msgpack.Marshal writes: a peer decodes with cty, and an older peer may
// still encode with it.
func TestEncodeAsCty(t *testing.T) {
	inner := cty.Object(map[string]cty.Type{"port": cty.Number, "cidr": cty.String})
	ty := cty.Object(map[string]cty.Type{
		"id":      cty.String,
		"name":    cty.String,
		"size":    cty.Number,
		"enabled": cty.Bool,
		"tags":    cty.Map(cty.String),
		"rules":   cty.List(inner),
		"volumes": cty.Set(inner),
		"pair":    cty.Tuple([]cty.Type{cty.String, cty.Number}),
		"extra":   cty.DynamicPseudoType,
		"nested":  cty.Map(cty.Object(map[string]cty.Type{"x": cty.List(cty.String)})),
		// Attribute names that NFC normalisation changes.
		"e\u0301": cty.String,
	})
	rule := func(port int64, cidr string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(port), "cidr": cty.StringVal(cidr)})
	}
	full := cty.ObjectVal(map[string]cty.Value{
		"id":      cty.StringVal("i-123"),
		"name":    cty.StringVal("a name longer than thirty-two bytes, for str8"),
		"size":    cty.NumberIntVal(300),
		"enabled": cty.True,
		"tags":    cty.MapVal(map[string]cty.Value{"b": cty.StringVal("2"), "a": cty.StringVal("1"), "caf\u00e9": cty.StringVal("x")}),
		"rules":   cty.ListVal([]cty.Value{rule(22, "10.0.0.0/8"), rule(-1, "")}),
		"volumes": cty.SetVal([]cty.Value{rule(1, "a"), rule(2, "b"), rule(3, "c")}),
		"pair":    cty.TupleVal([]cty.Value{cty.StringVal("p"), cty.NumberFloatVal(1.5)}),
		"extra":   cty.ObjectVal(map[string]cty.Value{"k": cty.ListVal([]cty.Value{cty.True})}),
		"nested":  cty.MapVal(map[string]cty.Value{"n": cty.ObjectVal(map[string]cty.Value{"x": cty.ListValEmpty(cty.String)})}),
		"e\u0301": cty.StringVal("accent"),
	})
	numbers := []cty.Value{
		cty.NumberIntVal(0), cty.NumberIntVal(127), cty.NumberIntVal(128), cty.NumberIntVal(-32), cty.NumberIntVal(-33),
		cty.NumberIntVal(1 << 40), cty.NumberIntVal(math.MinInt64), cty.NumberFloatVal(0.1), cty.NumberFloatVal(-2.5e300),
		cty.PositiveInfinity, cty.NegativeInfinity, cty.NumberVal(new(big.Float).SetPrec(512).SetMantExp(big.NewFloat(1), 80)),
		cty.MustParseNumberVal("0.1000000000000000000000000001"),
	}
	unknowns := cty.UnknownVal(ty).RefineNotNull()
	partial := setAttr(full, "id", cty.UnknownVal(cty.String).Refine().StringPrefix("i-").NewValue())
	partial = setAttr(partial, "rules", cty.UnknownVal(cty.List(inner)))
	partial = setAttr(partial, "tags", cty.MapVal(map[string]cty.Value{"a": cty.UnknownVal(cty.String)}))

	tests := map[string]struct {
		v  cty.Value
		ty cty.Type
	}{
		"full":             {full, ty},
		"null":             {cty.NullVal(ty), ty},
		"unknown":          {unknowns, ty},
		"partly unknown":   {partial, ty},
		"nulls inside":     {setAttr(setAttr(full, "tags", cty.NullVal(cty.Map(cty.String))), "extra", cty.NullVal(cty.DynamicPseudoType)), ty},
		"dynamic":          {full, cty.DynamicPseudoType},
		"needs converting": {cty.ObjectVal(map[string]cty.Value{"port": cty.StringVal("22"), "cidr": cty.StringVal("x")}), inner},
		"list of strings":  {cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), cty.List(cty.String)},
		"empty object":     {cty.EmptyObjectVal, cty.EmptyObject},
	}
	for _, n := range numbers {
		tests["number "+n.GoString()] = struct {
			v  cty.Value
			ty cty.Type
		}{cty.TupleVal([]cty.Value{n}), cty.Tuple([]cty.Type{cty.Number})}
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			want, err := ctymsgpack.Marshal(tt.v, tt.ty)
			require.NoError(t, err)
			got, marked, err := Encode(tt.v, TypeOf(tt.ty))
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.False(t, marked)
			// Decoding gives what cty's decoder gives.
			wantV, err := ctymsgpack.Unmarshal(want, tt.ty)
			require.NoError(t, err)
			gotV, err := TypeOf(tt.ty).Decode(want)
			require.NoError(t, err)
			assert.True(t, wantV.RawEquals(gotV), "decoded %#v\nwant    %#v", gotV, wantV)
		})
	}

	t.Run("marks", func(t *testing.T) {
		marked := setAttr(full, "name", cty.StringVal("secret").Mark("sensitive"))
		unmarked, _ := marked.UnmarkDeep()
		want, err := ctymsgpack.Marshal(unmarked, ty)
		require.NoError(t, err)
		got, hadMarks, err := Encode(marked, TypeOf(ty))
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.True(t, hadMarks)
		got, hadMarks, err = Encode(unmarked.Mark("outer"), TypeOf(ty))
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.True(t, hadMarks)
		// Inside a dynamic value, cty's encoder finds them.
		dyn := cty.TupleVal([]cty.Value{cty.StringVal("x").Mark("sensitive")})
		_, hadMarks, err = Encode(dyn, Dynamic)
		require.NoError(t, err)
		assert.True(t, hadMarks)
	})
	t.Run("other attribute names", func(t *testing.T) {
		// As many attributes as the type, but not the same ones: cty's
		// encoder says why it cannot encode it.
		v := cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(1), "other": cty.StringVal("x")})
		_, want := ctymsgpack.Marshal(v, inner)
		require.Error(t, want)
		_, _, err := Encode(v, TypeOf(inner))
		assert.EqualError(t, err, want.Error())
	})
	t.Run("wrong type", func(t *testing.T) {
		_, _, err := Encode(cty.ObjectVal(map[string]cty.Value{"port": cty.StringVal("many"), "cidr": cty.StringVal("x")}), TypeOf(inner))
		require.Error(t, err)
		var perr cty.PathError
		require.ErrorAs(t, err, &perr)
		assert.True(t, cty.GetAttrPath("port").Equals(perr.Path), "%#v", perr.Path)
	})
}

func setAttr(obj cty.Value, name string, v cty.Value) cty.Value {
	m := obj.AsValueMap()
	m[name] = v
	return cty.ObjectVal(m)
}

func BenchmarkEncode(b *testing.B) {
	ty := cty.Object(map[string]cty.Type{"id": cty.String, "triggers": cty.Map(cty.String)})
	v := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("12345678"), "triggers": cty.MapVal(map[string]cty.Value{"v": cty.StringVal("v1")})})
	b.Run("cty", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ctymsgpack.Marshal(v, ty); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Encode", func(b *testing.B) {
		t := TypeOf(ty)
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := Encode(v, t); err != nil {
				b.Fatal(err)
			}
		}
	})
}
