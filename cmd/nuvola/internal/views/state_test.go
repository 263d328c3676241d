package views

import (
	"bytes"
	"errors"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

func attrsJSON(t *testing.T, v cty.Value) []byte {
	t.Helper()
	b, err := ctyjson.Marshal(v, v.Type())
	require.NoError(t, err)
	return b
}

func decodeWith(schemas testSchemas) StateDecoder {
	return func(res *state.Resource, obj *state.Object) (cty.Value, error) {
		key := res.Addr.Resource.Type
		if res.Addr.Resource.Mode == addrs.DataResourceMode {
			key = "data." + key
		}
		s := schemas[key]
		if s == nil {
			ty, err := ctyjson.ImpliedType(obj.AttrsJSON)
			if err != nil {
				return cty.NilVal, err
			}
			return ctyjson.Unmarshal(obj.AttrsJSON, ty)
		}
		return ctyjson.Unmarshal(obj.AttrsJSON, s.Block.ImpliedType())
	}
}

func testState(t *testing.T) *state.State {
	s := state.New()
	s.SetCurrent(mustAddr(t, "test_thing.a"), &state.Object{
		AttrsJSON: attrsJSON(t, thing(map[string]cty.Value{
			"id":       cty.StringVal("a-1"),
			"name":     cty.StringVal("alpha"),
			"password": cty.StringVal(secret),
			"tags":     cty.MapVal(map[string]cty.Value{"env": cty.StringVal("dev")}),
			"list":     cty.ListVal([]cty.Value{cty.StringVal("x")}),
			"script":   cty.StringVal("echo one\necho two\n"),
			"rule": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"port": cty.NumberIntVal(80), "proto": cty.StringVal("tcp")})}),
		})),
		SensitivePaths: []cty.Path{cty.GetAttrPath("password")},
	}, nullProvider)
	s.SetCurrent(mustAddr(t, "test_thing.b[0]"), &state.Object{
		AttrsJSON: attrsJSON(t, thing(map[string]cty.Value{"id": cty.StringVal("b-0")})),
		Status:    state.ObjectTainted,
	}, nullProvider)
	s.SetDeposed(mustAddr(t, "test_thing.b[0]"), "00000001", &state.Object{
		AttrsJSON: attrsJSON(t, thing(map[string]cty.Value{"id": cty.StringVal("b-old")})),
	}, nullProvider)
	s.SetCurrent(mustAddr(t, "data.test_data.d"), &state.Object{
		AttrsJSON: attrsJSON(t, cty.ObjectVal(map[string]cty.Value{
			"id": cty.StringVal("d"), "input": cty.StringVal("in"), "result": cty.StringVal("out")})),
	}, nullProvider)
	s.SetCurrent(mustAddr(t, "module.m.other_type.c"), &state.Object{
		AttrsJSON:      []byte(`{"id":"c-1","secret":"` + secret + `","nested":{"k":"v"}}`),
		SensitivePaths: []cty.Path{cty.GetAttrPath("secret")},
	}, nullProvider)
	s.Outputs["plain"] = &state.OutputValue{Value: cty.StringVal("value")}
	s.Outputs["pw"] = &state.OutputValue{Value: cty.StringVal(secret), Sensitive: true}
	s.Outputs["m"] = &state.OutputValue{Value: cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1)})}
	s.Outputs["l"] = &state.OutputValue{Value: cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")})}
	return s
}

func TestRenderState(t *testing.T) {
	s := testState(t)
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		require.NoError(t, RenderState(&buf, s, decodeWith(schemas), schemas, Options{Color: color}))
		require.NotContains(t, buf.String(), secret)
		if !color {
			golden(t, "state.golden", buf.String())
		}
	}
}

func TestRenderStateEmpty(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, RenderState(&buf, state.New(), nil, nil, Options{}))
	require.Equal(t, "The state file is empty. No resources are represented.\n", buf.String())
}

func TestRenderStateDecodeError(t *testing.T) {
	var buf bytes.Buffer
	err := RenderState(&buf, testState(t), func(*state.Resource, *state.Object) (cty.Value, error) {
		return cty.NilVal, errors.New("boom")
	}, nil, Options{})
	require.ErrorContains(t, err, "boom")
	require.Empty(t, buf.String())
}

func TestRenderOutputs(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, RenderOutputs(&buf, testState(t).Outputs))
	require.Equal(t, `l = tolist([
  "x",
  "y",
])
m = tomap({
  "a" = 1
})
plain = "value"
pw = <sensitive>
`, buf.String())
	require.NotContains(t, buf.String(), secret)
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    cty.Value
		want string
	}{
		{cty.StringVal("a\"b"), `"a\"b"`},
		{cty.NumberFloatVal(2.5), "2.5"},
		{cty.True, "true"},
		{cty.NullVal(cty.String), "tostring(null)"},
		{cty.NullVal(cty.List(cty.String)), "tolist(null) /* of string */"},
		{cty.UnknownVal(cty.String), "(known after apply)"},
		{cty.StringVal(secret).Mark("sensitive"), "(sensitive value)"},
		{cty.ListValEmpty(cty.String), "tolist([])"},
		{cty.SetVal([]cty.Value{cty.StringVal("a")}), "toset([\n  \"a\",\n])"},
		{cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.StringVal("x").Mark("sensitive")}), "[\n  1,\n  (sensitive value),\n]"},
		{cty.ObjectVal(map[string]cty.Value{"k": cty.StringVal("v")}), "{\n  \"k\" = \"v\"\n}"},
		{cty.StringVal("one\ntwo"), "<<EOT\none\ntwo\nEOT"},
		{cty.ObjectVal(map[string]cty.Value{"s": cty.StringVal("EOT\nx")}), "{\n  \"s\" = <<-EOT_\n  EOT\n  x\n  EOT_\n}"},
	} {
		require.Equal(t, tc.want, FormatValue(tc.v, 0))
	}
}
