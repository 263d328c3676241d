package state

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

func TestNewLineage(t *testing.T) {
	a, b := NewLineage(), NewLineage()
	require.NotEqual(t, a, b)
	u, err := uuid.Parse(a)
	require.NoError(t, err)
	require.Equal(t, uuid.Version(4), u.Version())
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		state func(t *testing.T) *State
	}{
		{"empty", func(t *testing.T) *State { return New() }},
		{"sample", func(t *testing.T) *State { return sampleState(t) }},
		{"sensitive paths", func(t *testing.T) *State {
			s := New()
			s.SetCurrent(mustInst(t, "null_resource.a"), &Object{
				AttrsJSON: json.RawMessage(`{"a":{"b":[1,2]},"m":{"k.with\"quote":"v"}}`),
				SensitivePaths: []cty.Path{
					cty.GetAttrPath("a").GetAttr("b").Index(cty.NumberIntVal(1)),
					cty.GetAttrPath("m").Index(cty.StringVal(`k.with"quote`)),
					cty.IndexPath(cty.NumberFloatVal(2.5)),
				},
			}, nullProvider)
			return s
		}},
		{"deposed only", func(t *testing.T) *State {
			s := New()
			s.SetDeposed(mustInst(t, "null_resource.a[3]"), "00000001", obj(`{"id":"x"}`), nullProvider)
			s.SetDeposed(mustInst(t, "null_resource.a[3]"), "00000002", obj(`{"id":"y"}`), nullProvider)
			return s
		}},
		{"mixed keys while count becomes for_each", func(t *testing.T) *State {
			s := New()
			s.SetCurrent(mustInst(t, "null_resource.a[0]"), obj(`{}`), nullProvider)
			s.SetCurrent(mustInst(t, `null_resource.a["zero"]`), obj(`{}`), nullProvider)
			return s
		}},
		{"module string keys with quotes and dots", func(t *testing.T) *State {
			s := New()
			for _, a := range []string{
				`module.a["x.y"].null_resource.b`,
				`module.a["say \"hi\""].module.b[2].null_resource.c["a.b.c"]`,
				`module.a["back\\slash"].data.null_data_source.d`,
				`module.a["ünï\tcödé"].null_resource.e[0]`,
			} {
				o := obj(`{}`)
				o.Dependencies = []addrs.AbsResource{mustRes(t, `module.a["x.y"].null_resource.b`), mustRes(t, `module.m.data.x.y`)}
				s.SetCurrent(mustInst(t, a), o, nullProvider)
			}
			return s
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.state(t)
			data, err := Encode(s)
			require.NoError(t, err)
			got, err := Decode(data)
			require.NoError(t, err)
			requireStatesEqual(t, s, got)

			again, err := Encode(got)
			require.NoError(t, err)
			require.Equal(t, string(data), string(again), "encoding is not deterministic")
		})
	}
}

func TestEncodeLayout(t *testing.T) {
	s := sampleState(t)
	data, err := Encode(s)
	require.NoError(t, err)
	text := string(data)
	require.True(t, strings.HasPrefix(text, "{\n  \"format\": \"nuvola-state\",\n  \"version\": 1,\n"), text[:80])
	require.True(t, strings.HasSuffix(text, "}\n"))
	require.Contains(t, text, `"<y>&"`, "HTML characters stay readable")

	var raw struct {
		Outputs   map[string]json.RawMessage `json:"outputs"`
		Resources []struct {
			Module    string `json:"module"`
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Each      string `json:"each"`
			Instances []map[string]json.RawMessage
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(data, &raw))

	var order []string
	for _, r := range raw.Resources {
		order = append(order, r.Module+"|"+r.Mode+"."+r.Type+"."+r.Name)
	}
	require.Equal(t, []string{
		"|data.null_data_source.root",
		"|managed.null_resource.a",
		"|managed.null_resource.count",
		"|managed.null_resource.gone",
		`module.net["a.b"]|data.null_data_source.d`,
		`module.net["a.b"].module.sub["${x}\x01\xff"]|managed.null_resource.x`,
		`module.net["a.b"].module.sub["q\"x.y"]|managed.null_resource.x`,
	}, order)

	count := raw.Resources[2]
	require.Equal(t, "count", count.Each)
	var keys []string
	for _, inst := range count.Instances {
		keys = append(keys, string(inst["index_key"]))
	}
	require.Equal(t, []string{"0", "1", "2", "10"}, keys)
	require.Equal(t, `"tainted"`, string(count.Instances[1]["status"]))
	require.NotContains(t, count.Instances[0], "status", "ready is the default")
	require.JSONEq(t, `["null_resource.a","module.m[\"x\"].null_resource.y"]`, string(count.Instances[0]["dependencies"]))

	a := raw.Resources[1]
	require.Empty(t, a.Each)
	require.Len(t, a.Instances, 3, "current plus two deposed")
	require.NotContains(t, a.Instances[0], "index_key")
	require.NotContains(t, a.Instances[0], "deposed")
	require.Equal(t, `"00000001"`, string(a.Instances[1]["deposed"]))
	require.Equal(t, `"0badcafe"`, string(a.Instances[2]["deposed"]))
	require.JSONEq(t, `[[{"type":"get_attr","value":"password"}],
		[{"type":"get_attr","value":"tags"},{"type":"index","value":{"value":"x","type":"string"}}],
		[{"type":"get_attr","value":"list"},{"type":"index","value":{"value":0,"type":"number"}},{"type":"get_attr","value":"y"}]]`,
		string(a.Instances[0]["sensitive_attributes"]))
	require.Equal(t, `"AAEC/v8="`, string(a.Instances[0]["private"]))
	require.Equal(t, `true`, string(a.Instances[0]["create_before_destroy"]))

	require.JSONEq(t, `{"value":"10.0.0.1","type":"string","sensitive":false}`, string(raw.Outputs["ip"]))
}

func TestEncodeSkipsUnknownOutputs(t *testing.T) {
	s := New()
	s.Outputs["known"] = &OutputValue{Value: cty.StringVal("x").Mark("sensitive"), Sensitive: true}
	s.Outputs["unknown"] = &OutputValue{Value: cty.UnknownVal(cty.String)}
	s.Outputs["partly"] = &OutputValue{Value: cty.ListVal([]cty.Value{cty.UnknownVal(cty.String)})}
	data, err := Encode(s)
	require.NoError(t, err)
	got, err := Decode(data)
	require.NoError(t, err)
	require.Equal(t, []string{"known"}, sortedKeys(got.Outputs))
	require.True(t, got.Outputs["known"].Value.RawEquals(cty.StringVal("x")))
	require.True(t, got.Outputs["known"].Sensitive)
}

func TestEncodeRejectsWhatDecodeWouldRefuse(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, s *State)
		want   string
	}{
		{"no lineage", func(t *testing.T, s *State) { s.Lineage = "" }, "without a lineage"},
		{"no provider", func(t *testing.T, s *State) {
			s.SetCurrent(mustInst(t, "null_resource.a"), obj(`{}`), "")
		}, "invalid provider address"},
		{"attributes not an object", func(t *testing.T, s *State) {
			s.SetCurrent(mustInst(t, "null_resource.a"), obj(`[1]`), nullProvider)
		}, "not a JSON object"},
		{"attributes not JSON", func(t *testing.T, s *State) {
			s.SetCurrent(mustInst(t, "null_resource.a"), obj(`{"a":`), nullProvider)
		}, "not a JSON object"},
		{"bad status", func(t *testing.T, s *State) {
			s.SetCurrent(mustInst(t, "null_resource.a"), &Object{AttrsJSON: []byte(`{}`), Status: "gone"}, nullProvider)
		}, `invalid status "gone"`},
		{"bad path key", func(t *testing.T, s *State) {
			s.SetCurrent(mustInst(t, "null_resource.a"), &Object{AttrsJSON: []byte(`{}`),
				SensitivePaths: []cty.Path{cty.IndexPath(cty.True)}}, nullProvider)
		}, "index keys must be known strings or numbers"},
		{"wrong map key", func(t *testing.T, s *State) {
			s.SetCurrent(mustInst(t, "null_resource.a"), obj(`{}`), nullProvider)
			s.Resources["null_resource.b"] = s.Resources["null_resource.a"]
			delete(s.Resources, "null_resource.a")
		}, "stored under the wrong key"},
		{"number too large to write", func(t *testing.T, s *State) {
			s.Outputs["big"] = &OutputValue{Value: cty.MustParseNumberVal("1e99999")}
		}, `output "big": a number is too large`},
		{"instance key not UTF-8", func(t *testing.T, s *State) {
			s.SetCurrent(mustInst(t, `null_resource.a["\xff"]`), obj(`{}`), nullProvider)
		}, "not valid UTF-8"},
		{"empty deposed key", func(t *testing.T, s *State) {
			s.SetDeposed(mustInst(t, "null_resource.a"), "", obj(`{}`), nullProvider)
		}, "invalid deposed key"},
		{"bad output name", func(t *testing.T, s *State) {
			s.Outputs["not valid"] = &OutputValue{Value: cty.True}
		}, `invalid output name "not valid"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			tt.mutate(t, s)
			_, err := Encode(s)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

// validDoc is a small valid state file; the error cases below each break
// one thing in it.
const validDoc = `{
  "format": "nuvola-state",
  "version": 1,
  "serial": 3,
  "lineage": "6b1e5c0e-6c5a-4d8f-9a3e-0f5a8f1c2d3e",
  "nuvola_version": "0.1.0",
  "outputs": {"o": {"value": "v", "type": "string", "sensitive": false}},
  "resources": [
    {
      "module": "module.m[\"k\"]",
      "mode": "managed",
      "type": "null_resource",
      "name": "a",
      "provider": "provider[\"registry.opentofu.org/hashicorp/null\"]",
      "each": "count",
      "instances": [
        {
          "index_key": 0,
          "schema_version": 0,
          "attributes": {"id": "1"},
          "sensitive_attributes": [[{"type": "get_attr", "value": "id"}]],
          "private": "AAEC",
          "dependencies": ["null_resource.b"]
        }
      ]
    }
  ]
}`

const tofuV4Doc = `{
  "version": 4,
  "terraform_version": "1.8.0",
  "serial": 12,
  "lineage": "0a5f3b9e-1d2c-4e5f-8a9b-1c2d3e4f5a6b",
  "outputs": {"ip": {"value": "10.0.0.1", "type": "string"}},
  "resources": [
    {
      "module": "module.net[\"a$${b}\"]",
      "mode": "managed",
      "type": "null_resource",
      "name": "a",
      "provider": "provider[\"registry.opentofu.org/hashicorp/null\"]",
      "each": "list",
      "instances": [
        {
          "index_key": 0,
          "schema_version": 0,
          "attributes": {"id": "123", "triggers": null},
          "sensitive_attributes": [],
          "identity_schema_version": 0,
          "private": "bnVsbA==",
          "dependencies": ["module.net[\"a$${b}\"].null_resource.b"],
          "create_before_destroy": true
        },
        {
          "index_key": 0,
          "deposed": "00000001",
          "schema_version": 0,
          "status": "tainted",
          "attributes": {"id": "122"}
        }
      ]
    },
    {
      "mode": "data",
      "type": "null_data_source",
      "name": "d",
      "provider": "provider[\"registry.opentofu.org/hashicorp/null\"].other",
      "each": "map",
      "instances": [{"index_key": "x", "schema_version": 0, "attributes": {"id": "d"}}]
    }
  ],
  "check_results": null
}`

func TestDecodeValidDoc(t *testing.T) {
	s, err := Decode([]byte(validDoc))
	require.NoError(t, err)
	require.Equal(t, uint64(3), s.Serial)
	inst := s.Instance(mustInst(t, `module.m["k"].null_resource.a[0]`))
	require.NotNil(t, inst)
	require.Equal(t, `{"id":"1"}`, string(inst.Current.AttrsJSON))
	require.Equal(t, []byte{0, 1, 2}, inst.Current.Private)
	require.Equal(t, EachList, s.Resources[`module.m["k"].null_resource.a`].EachMode)
}

func TestDecodeErrors(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(validDoc, old) {
			panic("test case does not apply: " + old)
		}
		return strings.Replace(validDoc, old, new, 1)
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "", "the state file is empty"},
		{"whitespace", " \n\t", "the state file is empty"},
		{"not JSON", "hello", "not valid JSON"},
		{"truncated", validDoc[:len(validDoc)/2], "not valid JSON (truncated or corrupt?)"},
		{"trailing garbage", validDoc + "}", "not valid JSON"},
		{"array", "[1,2]", "not a JSON object"},
		{"null", "null", `has no "format" field`},
		{"OpenTofu v4", tofuV4Doc, "this is an OpenTofu/Terraform state file, not a nuvola state"},
		{"Terraform v3", `{"version":3,"terraform_version":"0.11.14","serial":1,"lineage":"x","modules":[]}`, "this is an OpenTofu/Terraform state file, not a nuvola state"},
		{"no format", `{"version":1}`, `has no "format" field`},
		{"other format", replace(`"nuvola-state"`, `"other"`), `its format is "other"`},
		{"format not a string", replace(`"nuvola-state"`, `1`), `"format" is not a string`},
		{"newer version", replace(`"version": 1`, `"version": 2`), "unsupported nuvola state version 2: it was written by a newer nuvola"},
		{"version zero", replace(`"version": 1`, `"version": 0`), "unsupported nuvola state version 0"},
		{"version not a number", replace(`"version": 1`, `"version": "1"`), `"version" is not a whole number`},
		{"version missing", replace(`"version": 1,`, ``), `"version" field is missing`},
		{"unknown field", replace(`"serial": 3,`, `"serial": 3, "extra": true,`), `unknown field "extra"`},
		{"negative serial", replace(`"serial": 3`, `"serial": -3`), "invalid state file"},
		{"no lineage", replace(`"lineage": "6b1e5c0e-6c5a-4d8f-9a3e-0f5a8f1c2d3e",`, ``), "lineage is missing"},
		{"bad module", replace(`"module.m[\"k\"]"`, `"module.m[\"k\"."`), `invalid address "module.m[\"k\"."`},
		{"module with resource", replace(`"module.m[\"k\"]"`, `"module.m.null_resource.x"`), "not a module instance path"},
		{"bad mode", replace(`"managed"`, `"resource"`), `invalid mode "resource"`},
		{"bad type name", replace(`"null_resource"`, `"null resource"`), `invalid resource address`},
		{"bad provider", replace(`"provider[\"registry.opentofu.org/hashicorp/null\"]"`, `"null"`), "invalid provider address"},
		{"bad each", replace(`"count"`, `"list"`), `invalid each "list"`},
		{"negative index", replace(`"index_key": 0`, `"index_key": -1`), "invalid index_key -1"},
		{"fractional index", replace(`"index_key": 0`, `"index_key": 1.5`), "invalid index_key 1.5"},
		{"object index", replace(`"index_key": 0`, `"index_key": {}`), "invalid index_key {}"},
		{"attributes missing", replace(`"attributes": {"id": "1"},`, ``), "attributes are missing"},
		{"attributes not an object", replace(`{"id": "1"}`, `["id"]`), "attributes are not a JSON object"},
		{"attributes null", replace(`{"id": "1"}`, `null`), "attributes are not a JSON object"},
		{"bad base64", replace(`"AAEC"`, `"AA!C"`), "private data is not valid base64"},
		{"bad status", replace(`"schema_version": 0,`, `"schema_version": 0, "status": "broken",`), `invalid status "broken"`},
		{"negative schema version", replace(`"schema_version": 0`, `"schema_version": -1`), "negative schema_version"},
		{"bad dependency", replace(`"null_resource.b"`, `"null_resource"`), `invalid address "null_resource"`},
		{"dependency with key", replace(`"null_resource.b"`, `"null_resource.b[0]"`), "has no instance key"},
		{"bad path step", replace(`"get_attr"`, `"splat"`), `unknown step type "splat"`},
		{"bad get_attr", replace(`"value": "id"`, `"value": 1`), "get_attr needs a string value"},
		{"bool index", replace(`{"type": "get_attr", "value": "id"}`, `{"type": "index", "value": {"value": true, "type": "bool"}}`), "an index key must be a string or a number"},
		{"untyped index", replace(`{"type": "get_attr", "value": "id"}`, `{"type": "index", "value": 1}`), "invalid index"},
		{"duplicate instance", replace(`"instances": [`, `"instances": [{"index_key": 0, "schema_version": 0, "attributes": {}},`), `duplicate instance module.m["k"].null_resource.a[0]`},
		{"duplicate deposed", replace(`"instances": [`, `"instances": [{"index_key": 0, "deposed": "d1", "schema_version": 0, "attributes": {}}, {"index_key": 0, "deposed": "d1", "schema_version": 0, "attributes": {}},`), "duplicate deposed object d1"},
		{"duplicate resource", strings.Replace(validDoc, `"resources": [`, `"resources": [{"module": "module.m[\"k\"]", "mode": "managed", "type": "null_resource", "name": "a", "provider": "provider[\"x\"]", "instances": []},`, 1), `duplicate resource module.m["k"].null_resource.a`},
		{"infinite output", replace(`"value": "v", "type": "string"`, `"value": 1e999999999, "type": "number"`), "infinite numbers cannot be stored"},
		{"huge number in output", replace(`"value": "v", "type": "string"`, `"value": [1, 2e99999], "type": ["list", "number"]`), "too large or too small to store"},
		{"huge number in path", replace(`{"type": "get_attr", "value": "id"}`, `{"type": "index", "value": {"value": 1e-99999, "type": "number"}}`), "too large or too small to store"},
		{"bad output type", replace(`"type": "string"`, `"type": "strin"`), `output "o": invalid type`},
		{"output value of the wrong type", replace(`"value": "v"`, `"value": {"a": 1}`), `output "o": invalid value`},
		{"output without type", replace(`, "type": "string"`, ``), `output "o": the value or its type is missing`},
		{"bad output name", replace(`{"o": {`, `{"o o": {`), `invalid output name "o o"`},
		{"resources not a list", replace(`"resources": [`, `"resources": {"x": [`) + "}", "invalid state file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode([]byte(tt.data))
			require.Error(t, err)
			require.Nil(t, s)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDecodeForeignIsErrForeignState(t *testing.T) {
	_, err := Decode([]byte(tofuV4Doc))
	require.True(t, errors.Is(err, ErrForeignState))
	require.Contains(t, err.Error(), "written by 1.8.0")
}

func TestImportOpenTofu(t *testing.T) {
	s, err := ImportOpenTofu([]byte(tofuV4Doc))
	require.NoError(t, err)
	require.Equal(t, uint64(12), s.Serial)
	require.Equal(t, "0a5f3b9e-1d2c-4e5f-8a9b-1c2d3e4f5a6b", s.Lineage)
	require.True(t, s.Outputs["ip"].Value.RawEquals(cty.StringVal("10.0.0.1")))

	a := s.Resources[`module.net["a${b}"].null_resource.a`]
	require.NotNil(t, a, "resources: %v", sortedKeys(s.Resources))
	require.Equal(t, EachList, a.EachMode)
	inst := a.Instances[addrs.IntKey(0)]
	require.JSONEq(t, `{"id":"123","triggers":null}`, string(inst.Current.AttrsJSON))
	require.Equal(t, []byte("null"), inst.Current.Private)
	require.True(t, inst.Current.CreateBeforeDestroy)
	require.Equal(t, `module.net["a${b}"].null_resource.b`, inst.Current.Dependencies[0].String())
	require.Equal(t, ObjectTainted, inst.Deposed["00000001"].Status)

	d := s.Resources["data.null_data_source.d"]
	require.Equal(t, EachMap, d.EachMode)
	require.NotNil(t, d.Instances[addrs.StringKey("x")])

	// What was imported is a nuvola state like any other.
	data, err := Encode(s)
	require.NoError(t, err)
	back, err := Decode(data)
	require.NoError(t, err)
	requireStatesEqual(t, s, back)
}

func TestImportOpenTofuErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", "{", "not valid JSON"},
		{"version 3", `{"version":3,"lineage":"x"}`, "only version 4 is supported"},
		{"flat attributes", `{"version":4,"lineage":"x","resources":[{"mode":"managed","type":"a","name":"b","provider":"provider[\"x\"]","instances":[{"attributes_flat":{"id":"1"}}]}]}`, "flat attributes"},
		{"no lineage", `{"version":4}`, "lineage is missing"},
		{"bad each", `{"version":4,"lineage":"x","resources":[{"mode":"managed","type":"a","name":"b","provider":"provider[\"x\"]","each":"set","instances":[]}]}`, `unknown each "set"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ImportOpenTofu([]byte(tt.data))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestParseAddresses(t *testing.T) {
	instances := []string{
		"null_resource.a",
		"null_resource.a[0]",
		`null_resource.a["k"]`,
		"data.null_data_source.d[12]",
		`module.a.null_resource.b`,
		`module.a[0].module.b["x.y"].null_resource.c["q\"uote"]`,
		`module.a["${x}\x00\xff"].data.t.n`,
		"module.with-dash.res_type.name-2",
	}
	for _, s := range instances {
		t.Run(s, func(t *testing.T) {
			a, err := parseAbsResourceInstance(s)
			require.NoError(t, err)
			require.Equal(t, s, a.String())
			if tg, diags := addrs.ParseTargetStr(s); !diags.HasErrors() {
				// Where HCL can read an address, both parsers agree.
				require.Equal(t, a.String(), tg.String())
			}
		})
	}
	bad := []string{
		"", "null_resource", "null_resource.", ".a.b", "module.a", "module.a.", "module..x.y",
		"a.b[", "a.b[]", "a.b[-1]", "a.b[01x]", `a.b["x]`, "a.b[0]x", "a.b.c", `a.b['x']`,
		"a.b[99999999999999999999]", "1a.b", "a b.c", "module.a[0]null.x",
	}
	for _, s := range bad {
		t.Run("bad "+s, func(t *testing.T) {
			_, err := parseAbsResourceInstance(s)
			require.Error(t, err)
		})
	}
	for _, s := range []string{"", "module.a", `module.a["x"].module.b[1]`} {
		m, err := parseModuleInstance(s)
		require.NoError(t, err, s)
		require.Equal(t, s, m.String())
	}
	for _, s := range []string{"module", "module.a.b", "module.a.", "a.b"} {
		_, err := parseModuleInstance(s)
		assert.Error(t, err, s)
	}
	for _, s := range []string{`provider["a/b/c"]`, `provider["a"].alias`, `module.x.module.y.provider["a/b"]`} {
		assert.NoError(t, checkProviderAddr(s), s)
	}
	for _, s := range []string{"", "provider", `provider[""]`, `provider["a"`, `provider["a"].`, `provider["a"]x`, `module.x[0].provider["a"]`, `provider["a"].b.c`} {
		assert.Error(t, checkProviderAddr(s), s)
	}
}
