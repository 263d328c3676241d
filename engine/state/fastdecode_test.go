package state

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

var fastDecodeInputs = []string{
	validDoc,
	tofuV4Doc,
	`{"format":"nuvola-state","version":1,"serial":0,"lineage":"x","nuvola_version":"","outputs":{},"resources":[]}`,
	`{"format":"nuvola-state","version":1,"serial":0,"lineage":"x","outputs":{},"resources":[]} {}`,
	`{"format":"nuvola-state","Version":1,"serial":0,"lineage":"x","outputs":{},"resources":[]}`,
	`{"format":"nuvola-state","version":1,"version":2,"lineage":"x"}`,
	`{"format":"nuvola-state","version":1.0,"lineage":"x"}`,
	`{"format":"nuvola-state","version":1,"serial":-1,"lineage":"x"}`,
	`{"format":"nuvola-state","version":1,"lineage":null}`,
	`{"format":"nuvola-state","version":1,"lineage":"caf\u00e9 \"q\" \ud800","resources":[{"mode":"managed","type":"t","name":"n","provider":"provider[\"x\"]","instances":[{"index_key":"k\u00e9","schema_version":2,"status":"tainted","attributes":{ "a" : [ 1 , "x y\"z" , {"b" : null } ] , "u":"\u00e9"},"deposed":"d1","create_before_destroy":true}]}]}`,
	"{\"format\":\"nuvola-state\",\"version\":1,\"lineage\":\"bad \xff utf8\",\"resources\":[{\"mode\":\"managed\",\"type\":\"t\",\"name\":\"n\",\"provider\":\"p\",\"instances\":[{\"attributes\":{\"s\":\"\xff\"}}]}]}",
	`{"format":"nuvola-state","version":1,"lineage":"x","resources":[{"instances":[{"attributes":{"a":1e5,"b":-0.5E-3,"c":true,"d":false}}]}]}`,
	`{"format":"nuvola-state","version":1,"lineage":"x","resources":[{"instances":[{"attributes":{"a":01}}]}]}`,
	`{"format":"nuvola-state","version":1,"lineage":"x","resources":[{"instances":[{"attributes":{"a":"\x"}}]}]}`,
	`{"format":"nuvola-state","version":1,"lineage":"x","resources":[{"instances":[{"attributes":[]}]}]}`,
	`{"format":"nuvola-state","version":1,"lineage":"x","resources":[{"instances":[{"attributes":{},"extra":1}]}]}`,
	`{"format":"nuvola-state","version":1,"lineage":"x","outputs":{"o":{"value":{"a" : 1},"type":["object",{"a":"number"}]},"o":{"value":1,"type":"number"}}}`,
	`{"format":"nuvola-state","version":1,"lineage":"x","outputs":{"o":{"value":null,"type":"string"}}}`,
	`{"format":"nuvola-state","version":1,"lineage":"x","resources":[{"instances":[{"sensitive_attributes":[[{"type":"get_attr","value":"a"},{"type":"index","value":{"value":1,"type":"number"}}],[]],"dependencies":["a.b","module.m[\"k\"].c.d"]}]}]}`,
	`{"format":"nuvola-state","version":1,"lineage":"x","resources":[{"instances":[{"index_key":null}]}]}`,
	`  {"format":"nuvola-state"}  `,
	`{"format":"nuvola-state",}`,
	`{"format":"nuvola-state"`,
	`[]`,
	``,
}

// TestFastDecodeMatchesEncodingJSON checks that whatever the fast state
// reader accepts, encoding/json reads the same way.
func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	for _, in := range fastDecodeInputs {
		checkFastDecode(t, []byte(in))
	}
	if !fastDecodeFile([]byte(validDoc), &fileState{}) {
		t.Fatal("the fast reader refused a valid state")
	}
	s := New()
	s.Serial = 7
	s.SetCurrent(mustInst(t, `module.m["a b"].null_resource.r[3]`), &Object{AttrsJSON: []byte(`{"id":"x","v":[1,2,{"k":"\u00e9\n"}]}`)}, nullProvider)
	enc, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if !fastDecodeFile(enc, &fileState{}) {
		t.Fatalf("the fast reader refused what Encode wrote:\n%s", enc)
	}
	checkFastDecode(t, enc)
}

func checkFastDecode(t *testing.T, data []byte) {
	t.Helper()
	var fast fileState
	if !fastDecodeFile(data, &fast) {
		return
	}
	var slow fileState
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&slow); err != nil {
		t.Fatalf("fast reader accepted what encoding/json refuses (%v):\n%s", err, data)
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		t.Fatalf("fast reader accepted trailing data:\n%s", data)
	}
	for i := range slow.Resources {
		for j := range slow.Resources[i].Instances {
			o := &slow.Resources[i].Instances[j].fileObject
			if o.Attributes != nil {
				var buf bytes.Buffer
				if err := json.Compact(&buf, o.Attributes); err != nil {
					t.Fatal(err)
				}
				o.Attributes, o.compact = buf.Bytes(), true
			}
		}
	}
	for i := range fast.Resources {
		for j := range fast.Resources[i].Instances {
			if o := &fast.Resources[i].Instances[j].fileObject; o.Attributes == nil {
				o.compact = false
			}
		}
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast reader differs from encoding/json:\n%#v\n%#v\ninput:\n%s", fast, slow, data)
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, in := range fastDecodeInputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastDecode(t, data)
	})
}
