package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/zclconf/go-cty/cty"
)

// encodeFileStateJSON is the encoding appendFileState must reproduce.
func encodeFileStateJSON(t testing.TB, s *State) []byte {
	t.Helper()
	fs := fileState{Format: FormatName, Version: FormatVersion, Serial: s.Serial, Lineage: s.Lineage,
		NuvolaVersion: s.NuvolaVersion, Resources: []fileResource{}}
	var err error
	if fs.Outputs, err = encodeOutputs(s.Outputs); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.SortedResources() {
		fr, err := encodeResource(r)
		if err != nil {
			t.Fatal(err)
		}
		fs.Resources = append(fs.Resources, fr)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(fs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkEncodeMatchesJSON(t *testing.T, s *State) {
	t.Helper()
	got, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := encodeFileStateJSON(t, s); !bytes.Equal(got, want) {
		t.Fatalf("Encode differs from encoding/json:\n%s\n---\n%s", got, want)
	}
	fs, err := encodeFile(s)
	if err != nil {
		t.Fatal(err)
	}
	var streamed bytes.Buffer
	if err := writeFileState(&streamed, fs); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(streamed.Bytes(), got) {
		t.Fatal("writing the state as it is encoded gives other bytes than Encode")
	}
}

// TestEncodeMatchesEncodingJSON checks the state writer against the
// encoding/json output it replaces, byte for byte.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	s := New()
	s.Lineage = "lin<&>\u2028\x7f"
	s.NuvolaVersion = "0.1.0 \"dev\""
	checkEncodeMatchesJSON(t, s)

	s.Serial = 18446744073709551615
	s.Outputs["plain"] = &OutputValue{Value: cty.StringVal("v")}
	s.Outputs["obj"] = &OutputValue{Value: cty.ObjectVal(map[string]cty.Value{
		"a": cty.ListVal([]cty.Value{cty.NumberIntVal(1), cty.NumberFloatVal(2.5)}),
		"b": cty.EmptyObjectVal, "c": cty.ListValEmpty(cty.String), "d": cty.StringVal("<x> & \"y\" \n\t\u2029 é \x01"),
		"e": cty.NullVal(cty.String), "f": cty.True,
	}), Sensitive: true}
	s.Outputs["empty"] = &OutputValue{Value: cty.EmptyTupleVal}
	deps := []addrs.AbsResource{mustRes(t, "null_resource.base"), mustRes(t, `module.m["k"].null_resource.x`)}
	for i, a := range []string{
		`null_resource.a`, `null_resource.b[0]`, `null_resource.b[7]`, `null_resource.c["k<&>\"q\" é"]`,
		`module.m["a\nb"].null_resource.d`, `data.null_data_source.e`, `module.x.module.y[3].null_resource.f["z"]`,
	} {
		obj := &Object{
			SchemaVersion: int64(i),
			AttrsJSON:     []byte(fmt.Sprintf(`{"id":"%d","s":"<&> \u00e9 \n \\\" \u2028","n":-1.5e3,"l":[],"o":{},"nested":{"x":[1,{"y":null}],"z":[[]]},"t":true}`, i)),
		}
		if i%2 == 1 {
			obj.Status = ObjectTainted
			obj.Private = []byte{0, 1, 2, 255}
			obj.CreateBeforeDestroy = true
			obj.Dependencies = deps
			obj.SensitivePaths = []cty.Path{cty.GetAttrPath("id"), cty.GetAttrPath("l").IndexInt(0), cty.GetAttrPath("o").IndexString("k\"<")}
		}
		s.SetCurrent(mustInst(t, a), obj, nullProvider)
		if i == 2 {
			s.SetDeposed(mustInst(t, a), "dep<1>", &Object{AttrsJSON: []byte(`{ "id" : "old" }`)}, nullProvider)
		}
	}
	checkEncodeMatchesJSON(t, s)
	checkEncodeMatchesJSON(t, state10k(t))
}

// FuzzEncodeMatchesJSON checks, for every state Decode accepts, that the
// state writer produces what encoding/json would.
func FuzzEncodeMatchesJSON(f *testing.F) {
	f.Add([]byte(validDoc))
	f.Add([]byte(tofuV4Doc))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data)
		if err != nil {
			return
		}
		if _, err := Encode(s); err != nil {
			return
		}
		checkEncodeMatchesJSON(t, s)
	})
}
