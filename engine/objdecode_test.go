package engine

import (
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

var attrsTestTypes = []cty.Type{
	cty.Object(map[string]cty.Type{
		"id": cty.String, "input": cty.DynamicPseudoType, "output": cty.DynamicPseudoType, "triggers_replace": cty.DynamicPseudoType,
	}),
	cty.Object(map[string]cty.Type{
		"n": cty.Number, "b": cty.Bool, "l": cty.List(cty.String), "s": cty.Set(cty.Number),
		"m": cty.Map(cty.Bool), "t": cty.Tuple([]cty.Type{cty.String, cty.Number}),
		"o": cty.Object(map[string]cty.Type{"x": cty.String}), "ld": cty.List(cty.DynamicPseudoType),
	}),
	cty.EmptyObject,
	cty.DynamicPseudoType,
}

var attrsTestInputs = []string{
	`{"id":"x","input":{"value":"v1","type":"string"},"output":{"value":"v1","type":"string"},"triggers_replace":null}`,
	`{"id":"x","input":{"type":"string","value":"v1"}}`,
	`{"id":"x","input":{"value":{"a":1,"b":[true,"x"]},"type":["object",{"a":"number","b":["tuple",["bool","string"]]}]}}`,
	`{"id":"x","input":{"value":{"a":1},"type":["object",{"a":"number","b":"string"},["b"]]}}`,
	`{"id":"x","input":{"value":["a","b"],"type":["list","string"]}}`,
	`{"id":"x","input":{"value":{"k":"v"},"type":["map","string"]}}`,
	`{"id":"x","input":{"value":[1,2,2],"type":["set","number"]}}`,
	`{"id":"x","input":{"value":null,"type":"dynamic"}}`,
	`{"id":"x","input":{"value":{"value":"z","type":"string"},"type":"dynamic"}}`,
	`{"id":"x","input":{"value":"v1"}}`,
	`{"id":"x","input":{"type":"string"}}`,
	`{"id":"x","input":{"value":"v1","type":"string","extra":1}}`,
	`{"id":"x","input":{"value":"v1","type":"string","type":"string"}}`,
	`{"id":"x","input":{"value":"v1","type":"strung"}}`,
	`{"id":"x","id":"y"}`,
	`{"id":"x","nope":1}`,
	`{"id":1.5e3}`,
	`{"id":true}`,
	`{"id":"caf\u00e9 \"quoted\" \\ \/ \n\t"}`,
	"{\"id\":\"caf\xc3\xa9\"}",
	"{\"id\":\"bad \xff utf8\"}",
	`{"id":"e\u0301"}`,
	`{"id":"\ud83d\ude00 \ud800"}`,
	`{"\u0069d":"escaped key"}`,
	`  {"id" : "spaced" }  `,
	`{"id":"x"} trailing`,
	`{"id":"x",}`,
	`{"id":"x"`,
	`{"id":"unterminated}`,
	`null`,
	`{}`,
	`[]`,
	`{"n":-0.5e-3,"b":false,"l":["a","b"],"s":[3,1,3],"m":{"a":true},"t":["x",2],"o":{"x":"y"}}`,
	`{"n":"12","b":"true","l":[1,2]}`,
	`{"n":01}`,
	`{"n":1.}`,
	`{"n":-}`,
	`{"n":1e}`,
	`{"n":123456789012345678901234567890.123456789}`,
	`{"l":[],"s":[],"m":{},"t":["a"]}`,
	`{"t":["a",1,2]}`,
	`{"ld":[{"value":"a","type":"string"},{"value":1,"type":"number"}]}`,
	`{"ld":[{"value":"a","type":"string"},{"value":"b","type":"string"}]}`,
	`{"m":{"a":true,"a":false}}`,
	`{"value":"top","type":"string"}`,
}

// TestUnmarshalAttrsMatchesCtyJSON checks the fast decoder against ctyjson,
// whose results and errors it must reproduce exactly.
func TestUnmarshalAttrsMatchesCtyJSON(t *testing.T) {
	for _, ty := range attrsTestTypes {
		for _, in := range attrsTestInputs {
			t.Run(fmt.Sprintf("%s/%s", ty.FriendlyName(), in), func(t *testing.T) {
				checkUnmarshalAttrs(t, []byte(in), ty)
			})
		}
	}
}

func checkUnmarshalAttrs(t *testing.T, in []byte, ty cty.Type) {
	t.Helper()
	want, wantErr, wantPanic := catchUnmarshal(func() (cty.Value, error) { return ctyjson.Unmarshal(in, ty) })
	got, gotErr, gotPanic := catchUnmarshal(func() (cty.Value, error) { return unmarshalAttrs(in, ty) })
	if fmt.Sprint(wantPanic) != fmt.Sprint(gotPanic) {
		t.Fatalf("panic: got %v, want %v", gotPanic, wantPanic)
	}
	if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
		t.Fatalf("error: got %v, want %v", gotErr, wantErr)
	}
	if wantErr == nil && wantPanic == nil && !got.RawEquals(want) {
		t.Fatalf("value: got %#v, want %#v", got, want)
	}
}

func catchUnmarshal(fn func() (cty.Value, error)) (v cty.Value, err error, p any) {
	defer func() { p = recover() }()
	v, err = fn()
	return v, err, nil
}

func FuzzUnmarshalAttrs(f *testing.F) {
	for _, in := range attrsTestInputs {
		f.Add([]byte(in), uint8(0))
	}
	f.Fuzz(func(t *testing.T, in []byte, which uint8) {
		checkUnmarshalAttrs(t, in, attrsTestTypes[int(which)%len(attrsTestTypes)])
	})
}

// TestContainsMarked checks containsMarked against cty's own.
func TestContainsMarked(t *testing.T) {
	m := cty.StringVal("s").Mark("sensitive")
	for _, v := range []cty.Value{
		cty.StringVal("x"), m, cty.NullVal(cty.String), cty.NullVal(cty.String).Mark("x"), cty.UnknownVal(cty.String),
		cty.UnknownVal(cty.String).Mark("x"), cty.DynamicVal, cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x")}),
		cty.ObjectVal(map[string]cty.Value{"a": cty.ObjectVal(map[string]cty.Value{"b": m})}),
		cty.ListVal([]cty.Value{cty.StringVal("a"), m}), cty.MapVal(map[string]cty.Value{"k": m}), cty.SetVal([]cty.Value{m}),
		cty.TupleVal([]cty.Value{cty.True, cty.NumberIntVal(1)}), cty.EmptyObjectVal, cty.ListValEmpty(cty.String),
		cty.UnknownVal(cty.List(cty.String)).Mark("x"),
	} {
		if got, want := containsMarked(v), v.ContainsMarked(); got != want {
			t.Errorf("containsMarked(%#v) = %v, want %v", v, got, want)
		}
	}
}
