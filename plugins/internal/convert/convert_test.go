package convert

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

func TestValueNilAndNull(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"a": cty.String})
	dv, err := ValueToProto(cty.NilVal, ty)
	require.NoError(t, err)
	assert.Nil(t, dv, "no value is no message")
	v, err := ValueFromProto(nil, ty)
	require.NoError(t, err)
	assert.True(t, v == cty.NilVal)

	dv, err = ValueToProto(cty.NullVal(ty), ty)
	require.NoError(t, err)
	require.NotNil(t, dv, "null is a value")
	v, err = ValueFromProto(dv, ty)
	require.NoError(t, err)
	assert.True(t, v.RawEquals(cty.NullVal(ty)))
}

func TestValueDropsMarks(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"a": cty.String})
	dv, err := ValueToProto(cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x").Mark("sensitive")}), ty)
	require.NoError(t, err)
	v, err := ValueFromProto(dv, ty)
	require.NoError(t, err)
	assert.True(t, v.RawEquals(cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x")})))
}

func TestValueDynamic(t *testing.T) {
	// Where no schema applies, the value carries its own type.
	in := cty.ObjectVal(map[string]cty.Value{"a": cty.ListVal([]cty.Value{cty.UnknownVal(cty.Number)})})
	dv, err := ValueToProto(in, cty.DynamicPseudoType)
	require.NoError(t, err)
	v, err := ValueFromProto(dv, cty.DynamicPseudoType)
	require.NoError(t, err)
	assert.True(t, v.RawEquals(in), "%#v", v)
}

func TestPaths(t *testing.T) {
	setElem := cty.GetAttrPath("rule").Index(cty.ObjectVal(map[string]cty.Value{
		"port":  cty.NumberIntVal(22),
		"cidrs": cty.ListVal([]cty.Value{cty.StringVal("0.0.0.0/0")}),
		"note":  cty.NullVal(cty.String),
	})).GetAttr("cidrs")
	tests := map[string]struct {
		in, want cty.Path
	}{
		"empty":        {nil, nil},
		"attribute":    {cty.GetAttrPath("a"), cty.GetAttrPath("a")},
		"list index":   {cty.GetAttrPath("rule").IndexInt(3).GetAttr("port"), cty.GetAttrPath("rule").IndexInt(3).GetAttr("port")},
		"map key":      {cty.GetAttrPath("env").IndexString("prod"), cty.GetAttrPath("env").IndexString("prod")},
		"set element":  {setElem, setElem},
		"marked key":   {cty.GetAttrPath("volume").Index(cty.ObjectVal(map[string]cty.Value{"size": cty.NumberIntVal(1).Mark("sensitive")})), cty.GetAttrPath("volume").Index(cty.ObjectVal(map[string]cty.Value{"size": cty.NumberIntVal(1)}))},
		"string set":   {cty.GetAttrPath("tags").Index(cty.StringVal("ente=c_a662")), cty.GetAttrPath("tags").IndexString("ente=c_a662")},
		"fraction":     {cty.GetAttrPath("a").Index(cty.NumberFloatVal(1.5)), cty.GetAttrPath("a").Index(cty.NumberFloatVal(1.5))},
		"unknown key":  {cty.GetAttrPath("a").Index(cty.UnknownVal(cty.String)).GetAttr("b"), cty.GetAttrPath("a")},
		"partly known": {cty.GetAttrPath("rule").Index(cty.ObjectVal(map[string]cty.Value{"port": cty.UnknownVal(cty.Number)})).GetAttr("port"), cty.GetAttrPath("rule")},
		"null key":     {cty.GetAttrPath("a").Index(cty.NullVal(cty.String)), cty.GetAttrPath("a")},
		"nil key":      {cty.GetAttrPath("a").Index(cty.NilVal), cty.GetAttrPath("a")},
		"only set key": {cty.IndexPath(cty.True), cty.IndexPath(cty.True)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := PathFromProto(PathToProto(tt.in))
			assert.True(t, tt.want.Equals(got), "want %#v, got %#v", tt.want, got)
			if tt.want == nil {
				assert.Nil(t, got)
			}
		})
	}
}

func TestPathFromProtoStepWithoutSelector(t *testing.T) {
	// A step this version does not know ends the path there.
	p := &proto.AttributePath{Steps: []*proto.AttributePath_Step{
		{Selector: &proto.AttributePath_Step_AttributeName{AttributeName: "a"}},
		{},
		{Selector: &proto.AttributePath_Step_AttributeName{AttributeName: "b"}},
	}}
	assert.True(t, cty.GetAttrPath("a").Equals(PathFromProto(p)))
	assert.Nil(t, PathFromProto(&proto.AttributePath{Steps: []*proto.AttributePath_Step{nil}}))
}

func TestPathFromProtoBadElementKey(t *testing.T) {
	// A key that does not decode, or decodes to a null or unknown value,
	// ends the path there.
	unknown, _, err := Encode(cty.UnknownVal(cty.String), Dynamic)
	require.NoError(t, err)
	null, _, err := Encode(cty.NullVal(cty.String), Dynamic)
	require.NoError(t, err)
	for name, key := range map[string][]byte{"garbage": {0xc1, 0x00}, "unknown": unknown, "null": null, "empty": nil} {
		t.Run(name, func(t *testing.T) {
			p := &proto.AttributePath{Steps: []*proto.AttributePath_Step{
				{Selector: &proto.AttributePath_Step_AttributeName{AttributeName: "rule"}},
				{Selector: &proto.AttributePath_Step_ElementKeyValue{ElementKeyValue: &proto.DynamicValue{Msgpack: key}}},
				{Selector: &proto.AttributePath_Step_AttributeName{AttributeName: "port"}},
			}}
			assert.True(t, cty.GetAttrPath("rule").Equals(PathFromProto(p)))
		})
	}
}

func TestTypes(t *testing.T) {
	for _, ty := range []cty.Type{cty.String, cty.List(cty.Object(map[string]cty.Type{"a": cty.Number})), cty.DynamicPseudoType, cty.NilType} {
		b, err := TypeToProto(ty)
		require.NoError(t, err)
		got, err := TypeFromProto(b)
		require.NoError(t, err)
		assert.True(t, ty.Equals(got), "%#v", got)
	}
	_, err := TypeFromProto([]byte(`["nope"]`))
	assert.Error(t, err)
}

// FuzzValueFromProto feeds bytes from a misbehaving peer to the decoder,
// which must answer with a value or an error and never panic.
func FuzzValueFromProto(f *testing.F) {
	ty := cty.Object(map[string]cty.Type{
		"s": cty.String,
		"l": cty.List(cty.Number),
		"m": cty.Map(cty.Bool),
		"d": cty.DynamicPseudoType,
	})
	for _, v := range []cty.Value{
		cty.NullVal(ty),
		cty.UnknownVal(ty),
		cty.ObjectVal(map[string]cty.Value{
			"s": cty.UnknownVal(cty.String).RefineNotNull(),
			"l": cty.ListVal([]cty.Value{cty.NumberIntVal(1), cty.UnknownVal(cty.Number)}),
			"m": cty.MapVal(map[string]cty.Value{"k": cty.True}),
			"d": cty.TupleVal([]cty.Value{cty.StringVal("x")}),
		}),
	} {
		dv, err := ValueToProto(v, ty)
		require.NoError(f, err)
		f.Add(dv.Msgpack)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ValueFromProto(&proto.DynamicValue{Msgpack: b}, ty)
		_, _ = ValueFromProto(&proto.DynamicValue{Msgpack: b}, cty.DynamicPseudoType)
	})
}
