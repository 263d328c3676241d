package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/json and the fuzz seed corpus")

const (
	nullSource = "registry.opentofu.org/hashicorp/null"
	testSource = "example.com/acme/test"
	testProv   = `provider["example.com/acme/test"]`
	testBackup = `provider["example.com/acme/test"].backup`
)

// secrets must never appear in any plan JSON.
var secrets = []string{
	"hunter2", "old-secret", "new-secret", "config-secret-literal", "rule-secret-literal",
	"provider-secret-token", "output-secret", "default-secret", "state-secret", "prior-output-secret",
}

type fakeSchemas map[string]*plugins.Schema

// fakeSchemas answers only for provider configuration addresses, the form
// the engine's schema cache understands.
func (f fakeSchemas) ResourceTypeSchema(provider string, mode addrs.ResourceMode, typ string) *plugins.Schema {
	if !strings.HasPrefix(provider, `provider["`) {
		return nil
	}
	return f[ProviderSource(provider)+"|"+mode.String()+"|"+typ]
}

func (f fakeSchemas) ProviderSchema(provider string) *plugins.Schema {
	if !strings.HasPrefix(provider, `provider["`) {
		return nil
	}
	return f[ProviderSource(provider)]
}

func testSchemas() fakeSchemas {
	nullRes := &plugins.Schema{Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
		"id":       {Type: cty.String, Computed: true},
		"triggers": {Type: cty.Map(cty.String), Optional: true, ForceNew: true},
	}}}
	nullData := &plugins.Schema{Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
		"id":      {Type: cty.String, Computed: true},
		"inputs":  {Type: cty.Map(cty.String), Optional: true},
		"outputs": {Type: cty.Map(cty.String), Computed: true},
	}}}
	secret := &plugins.Schema{Version: 3, Block: &plugins.Block{
		Attributes: map[string]*plugins.Attribute{
			"id":       {Type: cty.String, Computed: true},
			"name":     {Type: cty.String, Required: true},
			"password": {Type: cty.String, Optional: true, Sensitive: true},
		},
		BlockTypes: map[string]*plugins.NestedBlock{
			"rule": {Nesting: plugins.NestingList, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
				"port":  {Type: cty.Number, Required: true},
				"token": {Type: cty.String, Optional: true, Sensitive: true},
			}}},
		},
	}}
	provider := &plugins.Schema{Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
		"endpoint": {Type: cty.String, Optional: true},
		"token":    {Type: cty.String, Optional: true, Sensitive: true},
	}}}
	return fakeSchemas{
		nullSource + "|managed|null_resource": nullRes,
		nullSource + "|data|null_data_source": nullData,
		testSource + "|managed|test_secret":   secret,
		testSource:                            provider,
	}
}

func nullObj(id cty.Value, triggers map[string]cty.Value) cty.Value {
	t := cty.NullVal(cty.Map(cty.String))
	if triggers != nil {
		t = cty.MapVal(triggers)
	}
	return cty.ObjectVal(map[string]cty.Value{"id": id, "triggers": t})
}

func secretObj(id, password cty.Value, rules ...cty.Value) cty.Value {
	ruleTy := cty.Object(map[string]cty.Type{"port": cty.Number, "token": cty.String})
	rl := cty.ListValEmpty(ruleTy)
	if len(rules) > 0 {
		rl = cty.ListVal(rules)
	}
	return cty.ObjectVal(map[string]cty.Value{"id": id, "name": cty.StringVal("db"), "password": password, "rule": rl})
}

func rule(port int64, token string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(port), "token": cty.StringVal(token)})
}

var jsonTimestamp = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func basePlan(changes ...*ResourceChange) *Plan {
	return &Plan{Changes: changes, Timestamp: jsonTimestamp, NuvolaVersion: "0.1.0", StateLineage: "lin", StateSerial: 3}
}

func jsonCases(t testing.TB) map[string]*Plan {
	str := cty.StringVal
	cases := map[string]*Plan{
		"create": basePlan(&ResourceChange{
			Addr: mustAddr(t, "null_resource.a"), Provider: nullProvider, Action: Create,
			Before: cty.NullVal(nullObj(str(""), nil).Type()),
			After:  nullObj(cty.UnknownVal(cty.String), map[string]cty.Value{"region": str("eu-west-1")}),
		}),
		"update": basePlan(&ResourceChange{
			Addr: mustAddr(t, "null_resource.a"), Provider: nullProvider, Action: Update,
			Before: nullObj(str("1"), map[string]cty.Value{"region": str("eu-west-1")}),
			After:  nullObj(str("1"), map[string]cty.Value{"region": str("eu-west-2")}),
		}),
		"replace-delete-first": basePlan(&ResourceChange{
			Addr: mustAddr(t, "null_resource.a[0]"), Provider: nullProvider, Action: DeleteThenCreate,
			Reason:          ReasonReplaceBecauseCannotUpdate,
			Before:          nullObj(str("1"), map[string]cty.Value{"region": str("eu-west-1")}),
			After:           nullObj(cty.UnknownVal(cty.String), map[string]cty.Value{"region": str("eu-west-2")}),
			RequiredReplace: []cty.Path{cty.GetAttrPath("triggers").Index(str("region"))},
		}),
		"replace-create-first": basePlan(&ResourceChange{
			Addr: mustAddr(t, "null_resource.a[1]"), Provider: nullProvider, Action: CreateThenDelete,
			Reason:              ReasonReplaceByRequest,
			Before:              nullObj(str("2"), nil),
			After:               nullObj(cty.UnknownVal(cty.String), nil),
			CreateBeforeDestroy: true,
		}),
		"delete": basePlan(&ResourceChange{
			Addr: mustAddr(t, "null_resource.gone"), Provider: nullProvider, Action: Delete,
			Reason: ReasonDeleteNoResourceConfig,
			Before: nullObj(str("9"), nil),
			After:  cty.NullVal(nullObj(str(""), nil).Type()),
		}, &ResourceChange{
			// Deleting a data resource only tidies state and is not shown.
			Addr: mustAddr(t, "data.null_data_source.old"), Provider: nullProvider, Action: Delete,
			Before: cty.ObjectVal(map[string]cty.Value{"id": str("x")}),
		}, &ResourceChange{
			Addr: mustAddr(t, "null_resource.gone"), DeposedKey: "deadbeef", Provider: nullProvider, Action: Delete,
			Before: nullObj(str("8"), nil),
		}),
		"noop": basePlan(&ResourceChange{
			Addr: mustAddr(t, "null_resource.a"), Provider: nullProvider, Action: NoOp,
			Before: nullObj(str("1"), nil), After: nullObj(str("1"), nil),
		}),
		"read": basePlan(&ResourceChange{
			Addr: mustAddr(t, "data.null_data_source.r"), Provider: nullProvider, Action: Read,
			Reason: ReasonReadBecauseConfigUnknown,
			After: cty.ObjectVal(map[string]cty.Value{
				"id":      cty.UnknownVal(cty.String),
				"inputs":  cty.MapVal(map[string]cty.Value{"a": cty.UnknownVal(cty.String), "b": str("known")}),
				"outputs": cty.UnknownVal(cty.Map(cty.String)),
			}),
		}),
		"unknown": basePlan(&ResourceChange{
			Addr: mustAddr(t, "null_resource.u"), Provider: `provider["example.com/acme/other"]`, Action: Create,
			After: cty.ObjectVal(map[string]cty.Value{
				"whole":  cty.DynamicVal,
				"list":   cty.ListVal([]cty.Value{str("a"), cty.UnknownVal(cty.String)}),
				"set":    cty.UnknownVal(cty.Set(cty.String)),
				"nested": cty.ObjectVal(map[string]cty.Value{"deep": cty.UnknownVal(cty.Number), "known": cty.NumberIntVal(1)}),
				"tuple":  cty.TupleVal([]cty.Value{cty.True, cty.UnknownVal(cty.Bool)}),
				"null":   cty.NullVal(cty.String),
			}),
		}),
		"moved-import": basePlan(&ResourceChange{
			Addr: mustAddr(t, `null_resource.new["k"]`), PrevRunAddr: mustAddr(t, `null_resource.old["k"]`),
			Provider: nullProvider, Action: NoOp,
			Before: nullObj(str("1"), nil), After: nullObj(str("1"), nil),
		}, &ResourceChange{
			Addr: mustAddr(t, "null_resource.same"), PrevRunAddr: mustAddr(t, "null_resource.same"),
			Provider: nullProvider, Action: Create, ImportID: "i-123",
			After: nullObj(str("i-123"), nil),
		}),
	}

	sensitive := basePlan(&ResourceChange{
		Addr: mustAddr(t, "test_secret.s"), Provider: testBackup, Action: Update, SchemaVersion: 3,
		Before:          secretObj(str("s1"), str("old-secret"), rule(22, "state-secret")),
		After:           secretObj(str("s1"), str("new-secret"), rule(22, "hunter2"), rule(443, "rule-secret-literal")),
		BeforeSensitive: []cty.Path{cty.GetAttrPath("rule").Index(cty.NumberIntVal(0)).GetAttr("port")},
	}, &ResourceChange{
		Addr: mustAddr(t, "null_resource.tagged"), Provider: nullProvider, Action: Update,
		Before:          nullObj(str("1"), map[string]cty.Value{"pw": str("old-secret"), "plain": str("visible-before")}),
		After:           nullObj(str("1"), map[string]cty.Value{"pw": str("new-secret"), "plain": str("visible-after")}),
		BeforeSensitive: []cty.Path{cty.GetAttrPath("triggers").Index(str("pw"))},
		AfterSensitive:  []cty.Path{cty.GetAttrPath("triggers").Index(str("pw"))},
	}, &ResourceChange{
		Addr: mustAddr(t, "null_resource.whole"), Provider: nullProvider, Action: Create,
		After:          nullObj(cty.UnknownVal(cty.String), map[string]cty.Value{"k": str("new-secret")}),
		AfterSensitive: []cty.Path{cty.GetAttrPath("triggers"), cty.GetAttrPath("id")},
	})
	sensitive.Variables = map[string]cty.Value{"password": str("hunter2"), "region": str("eu-west-1")}
	sensitive.SensitiveVariables = []string{"password"}
	sensitive.Outputs = []*OutputChange{
		{Name: "secret", Action: Update, Before: str("prior-output-secret"), After: str("output-secret"), Sensitive: true},
		{Name: "secret_unknown", Action: Create, After: cty.UnknownVal(cty.String), Sensitive: true},
	}
	st := state.New()
	st.Lineage = "lin"
	st.Serial = 3
	st.NuvolaVersion = "0.0.9"
	st.Outputs["secret"] = &state.OutputValue{Value: str("prior-output-secret"), Sensitive: true}
	st.Outputs["plain"] = &state.OutputValue{Value: cty.ListVal([]cty.Value{str("x")})}
	st.SetCurrent(mustAddr(t, "test_secret.s"), &state.Object{
		SchemaVersion: 3,
		AttrsJSON:     json.RawMessage(`{"id":"s1","name":"db","password":"old-secret","rule":[{"port":22,"token":"state-secret"}]}`),
	}, testBackup)
	st.SetCurrent(mustAddr(t, "null_resource.tagged"), &state.Object{
		AttrsJSON:      json.RawMessage(`{"id":"1","triggers":{"pw":"old-secret","plain":"visible-before"}}`),
		SensitivePaths: []cty.Path{cty.GetAttrPath("triggers").Index(str("pw"))},
	}, nullProvider)
	// Without a schema the stored JSON is read by its shape, and the
	// recorded paths still hide what they mark.
	st.SetCurrent(mustAddr(t, "other_thing.x"), &state.Object{
		AttrsJSON:      json.RawMessage(`{"token":"state-secret","n":1}`),
		SensitivePaths: []cty.Path{cty.GetAttrPath("token")},
	}, `provider["example.com/acme/other"]`)
	sensitive.PriorState = st
	cases["sensitive"] = sensitive

	modules := basePlan(
		&ResourceChange{Addr: mustAddr(t, `module.app["blue"].null_resource.b[0]`), Provider: nullProvider, Action: Create, After: nullObj(cty.UnknownVal(cty.String), map[string]cty.Value{"name": str("blue")})},
		&ResourceChange{Addr: mustAddr(t, `module.app["blue"].null_resource.b[1]`), Provider: nullProvider, Action: Create, After: nullObj(cty.UnknownVal(cty.String), map[string]cty.Value{"name": str("blue")})},
		&ResourceChange{Addr: mustAddr(t, `module.app["green"].null_resource.b[0]`), Provider: nullProvider, Action: NoOp, Before: nullObj(str("g0"), nil), After: nullObj(str("g0"), nil)},
		&ResourceChange{Addr: mustAddr(t, `module.app["green"].module.inner.null_resource.c`), Provider: nullProvider, Action: Create, After: nullObj(cty.UnknownVal(cty.String), nil)},
		&ResourceChange{Addr: mustAddr(t, `module.app["a b"].module.inner.null_resource.c`), Provider: nullProvider, Action: Create, After: nullObj(cty.UnknownVal(cty.String), nil)},
		&ResourceChange{Addr: mustAddr(t, `module.app["green"].null_resource.b[1]`), Provider: nullProvider, Action: Delete, Reason: ReasonDeleteCountIndex, Before: nullObj(str("g1"), nil)},
		&ResourceChange{Addr: mustAddr(t, `null_resource.a`), Provider: nullProvider, Action: NoOp, Before: nullObj(str("1"), nil), After: nullObj(str("1"), nil)},
	)
	cases["modules"] = modules

	outputs := basePlan()
	outputs.Outputs = []*OutputChange{
		{Name: "created", Action: Create, Before: cty.NilVal, After: str("hello")},
		{Name: "updated", Action: Update, Before: cty.NumberIntVal(1), After: cty.NumberIntVal(2)},
		{Name: "deleted", Action: Delete, Before: str("bye"), After: cty.NilVal},
		{Name: "unchanged", Action: NoOp, Before: cty.ListVal([]cty.Value{str("a")}), After: cty.ListVal([]cty.Value{str("a")})},
		{Name: "pending", Action: Create, After: cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "n": cty.NumberIntVal(1)})},
	}
	cases["outputs"] = outputs

	full := basePlan(
		&ResourceChange{Addr: mustAddr(t, "null_resource.a"), Provider: nullProvider, Action: Update,
			Before: nullObj(str("1"), map[string]cty.Value{"region": str("eu-west-1")}),
			After:  nullObj(str("1"), map[string]cty.Value{"region": str("eu-west-2")})},
		&ResourceChange{Addr: mustAddr(t, "test_secret.s"), Provider: testBackup, Action: Create, SchemaVersion: 3,
			After: secretObj(cty.UnknownVal(cty.String), str("config-secret-literal"), rule(22, "default-secret"), rule(443, "rule-secret-literal"))},
		&ResourceChange{Addr: mustAddr(t, "data.null_data_source.r"), Provider: nullProvider, Action: Read, Reason: ReasonReadBecauseDependencyChange,
			After: cty.UnknownVal(cty.Object(map[string]cty.Type{"id": cty.String, "inputs": cty.Map(cty.String), "outputs": cty.Map(cty.String)}))},
	)
	full.Variables = map[string]cty.Value{"region": str("eu-west-2")}
	full.Targets = []string{"null_resource.a"}
	full.Outputs = []*OutputChange{
		{Name: "id", Action: NoOp, Before: str("1"), After: str("1")},
		{Name: "secret", Action: Create, After: str("output-secret"), Sensitive: true},
	}
	fst := state.New()
	fst.Lineage = "lin"
	fst.SetCurrent(mustAddr(t, "null_resource.a"), &state.Object{AttrsJSON: json.RawMessage(`{"id":"1","triggers":{"region":"eu-west-1"}}`)}, nullProvider)
	fst.SetDeposed(mustAddr(t, "null_resource.a"), "00000001", &state.Object{AttrsJSON: json.RawMessage(`{"id":"0","triggers":null}`), Status: state.ObjectTainted,
		Dependencies: []addrs.AbsResource{mustAddr(t, "data.null_data_source.r").ContainingResource()}}, nullProvider)
	fst.SetCurrent(mustAddr(t, `module.app["blue"].null_resource.b[0]`), &state.Object{AttrsJSON: json.RawMessage(`{"id":"b0","triggers":null}`)}, nullProvider)
	full.PriorState = fst
	cases["full"] = full

	// What changed outside nuvola, from a refresh-only plan: drift, with the
	// ente and classification of each object.
	osProv := `provider["registry.opentofu.org/nuvola-pa/openstack"]`
	netObj := func(name string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": str("n1"), "name": str(name),
			"all_tags": cty.SetVal([]cty.Value{str("classification=critico"), str("ente=c_h501"), str("web")})})
	}
	drift := basePlan(&ResourceChange{
		Addr: mustAddr(t, "openstack_networking_network_v2.net"), Provider: osProv, Action: Update,
		Before: netObj("net"), After: netObj("net-renamed-by-hand"),
	}, &ResourceChange{
		Addr: mustAddr(t, "openstack_blockstorage_volume_v3.data"), Provider: osProv, Action: Delete,
		Before: cty.ObjectVal(map[string]cty.Value{"id": str("v1"), "size": cty.NumberIntVal(10),
			"all_metadata": cty.MapVal(map[string]cty.Value{"ente": str("c_a944"), "classification": str("ordinario")})}),
		After: cty.NullVal(cty.DynamicPseudoType),
	})
	drift.Mode = RefreshOnlyMode
	cases["drift"] = drift

	errored := basePlan(&ResourceChange{Addr: mustAddr(t, "null_resource.a"), Provider: nullProvider, Action: Create, After: nullObj(cty.UnknownVal(cty.String), nil)})
	errored.Errored = true
	errored.Timestamp = time.Time{}
	cases["errored"] = errored
	return cases
}

func loadTestConfig(t testing.TB) *configs.Config {
	t.Helper()
	cfg, diags := configs.NewParser().LoadConfig(filepath.Join("testdata", "json", "config"))
	require.False(t, diags.HasErrors(), "%s", diags.Error())
	return cfg
}

// casesWithConfig get the configuration section; the others are rendered
// without configuration and schemas to cover the fallbacks.
var casesWithConfig = map[string]bool{"full": true, "sensitive": true}

func renderCase(t *testing.T, name string, p *Plan) []byte {
	t.Helper()
	var cfg *configs.Config
	var schemas SchemaSource
	if casesWithConfig[name] {
		cfg = loadTestConfig(t)
		schemas = testSchemas()
	} else if name != "unknown" {
		schemas = testSchemas()
	}
	raw, err := MarshalJSON(p, cfg, schemas)
	require.NoError(t, err)
	return raw
}

func TestMarshalJSONGolden(t *testing.T) {
	cases := jsonCases(t)
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			raw := renderCase(t, name, cases[name])
			require.True(t, json.Valid(raw))
			for _, s := range secrets {
				assert.NotContains(t, string(raw), s, "a sensitive value leaked into the plan JSON")
			}
			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, raw, "", "  "))
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", "json", name+".json")
			if *update {
				require.NoError(t, os.WriteFile(golden, pretty.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create the golden files")
			assert.Equal(t, string(want), pretty.String())
		})
	}
}

func decodeJSON(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	return doc
}

func findChange(t *testing.T, doc map[string]any, addr string) map[string]any {
	t.Helper()
	for _, rc := range doc["resource_changes"].([]any) {
		if rc.(map[string]any)["address"] == addr {
			return rc.(map[string]any)
		}
	}
	t.Fatalf("no resource change for %s", addr)
	return nil
}

// TestMarshalJSONPolicyKeys reads the plan the way a conftest or OPA policy
// over `tofu show -json` output does.
func TestMarshalJSONPolicyKeys(t *testing.T) {
	cases := jsonCases(t)
	doc := decodeJSON(t, renderCase(t, "full", cases["full"]))

	assert.Equal(t, "1.2", doc["format_version"])
	assert.Equal(t, "0.1.0", doc["terraform_version"])
	assert.Equal(t, "2024-05-06T07:08:09Z", doc["timestamp"])
	assert.Equal(t, false, doc["errored"])
	assert.Equal(t, true, doc["applyable"])
	assert.Equal(t, false, doc["complete"], "a targeted plan is not complete")
	for _, key := range []string{"variables", "planned_values", "resource_changes", "output_changes", "prior_state", "configuration"} {
		assert.Contains(t, doc, key)
	}

	for _, item := range doc["resource_changes"].([]any) {
		rc := item.(map[string]any)
		for _, key := range []string{"address", "mode", "type", "name", "provider_name", "change"} {
			assert.Contains(t, rc, key, "resource change %v", rc["address"])
		}
		ch := rc["change"].(map[string]any)
		for _, key := range []string{"actions", "before", "after", "after_unknown", "before_sensitive", "after_sensitive"} {
			assert.Contains(t, ch, key, "change of %v", rc["address"])
		}
		assert.NotEmpty(t, ch["actions"])
	}
	a := findChange(t, doc, "null_resource.a")
	assert.Equal(t, []any{"update"}, a["change"].(map[string]any)["actions"])
	assert.Equal(t, "registry.opentofu.org/hashicorp/null", a["provider_name"])
	after := a["change"].(map[string]any)["after"].(map[string]any)
	assert.Equal(t, "eu-west-2", after["triggers"].(map[string]any)["region"])

	s := findChange(t, doc, "test_secret.s")
	sch := s["change"].(map[string]any)
	assert.Equal(t, SensitiveValue, sch["after"].(map[string]any)["password"])
	assert.Equal(t, true, sch["after_sensitive"].(map[string]any)["password"])
	assert.Nil(t, sch["after"].(map[string]any)["id"])
	assert.Equal(t, true, sch["after_unknown"].(map[string]any)["id"])

	r := findChange(t, doc, "data.null_data_source.r")
	assert.Equal(t, []any{"read"}, r["change"].(map[string]any)["actions"])
	assert.Equal(t, "read_because_dependency_pending", r["action_reason"])
	assert.Equal(t, "data", r["mode"])

	pv := doc["planned_values"].(map[string]any)
	root := pv["root_module"].(map[string]any)
	assert.NotEmpty(t, root["resources"])
	assert.Equal(t, true, pv["outputs"].(map[string]any)["secret"].(map[string]any)["sensitive"])

	cfgRoot := doc["configuration"].(map[string]any)["root_module"].(map[string]any)
	var cfgA map[string]any
	for _, item := range cfgRoot["resources"].([]any) {
		if item.(map[string]any)["address"] == "null_resource.a" {
			cfgA = item.(map[string]any)
		}
	}
	require.NotNil(t, cfgA)
	refs := cfgA["expressions"].(map[string]any)["triggers"].(map[string]any)["references"]
	assert.Equal(t, []any{"var.region"}, refs)
	app := cfgRoot["module_calls"].(map[string]any)["app"].(map[string]any)
	assert.Equal(t, "./modules/app", app["source"])
	assert.Contains(t, app, "for_each_expression")
	assert.Contains(t, app["module"].(map[string]any), "resources")

	vars := doc["variables"].(map[string]any)
	assert.Equal(t, "eu-west-2", vars["region"].(map[string]any)["value"])
	assert.Equal(t, SensitiveValue, vars["password"].(map[string]any)["value"], "declared default of a sensitive variable")
}

func TestMarshalJSONModuleKeys(t *testing.T) {
	doc := decodeJSON(t, renderCase(t, "modules", jsonCases(t)["modules"]))
	rc := findChange(t, doc, `module.app["blue"].null_resource.b[1]`)
	assert.Equal(t, `module.app["blue"]`, rc["module_address"])
	assert.Equal(t, float64(1), rc["index"])

	root := doc["planned_values"].(map[string]any)["root_module"].(map[string]any)
	var addrsSeen []string
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		addrsSeen = append(addrsSeen, "module:"+stringOr(m["address"]))
		for _, r := range listOr(m["resources"]) {
			addrsSeen = append(addrsSeen, r.(map[string]any)["address"].(string))
		}
		for _, c := range listOr(m["child_modules"]) {
			walk(c.(map[string]any))
		}
	}
	walk(root)
	assert.Equal(t, []string{
		"module:",
		"null_resource.a",
		`module:module.app["a b"]`,
		`module:module.app["a b"].module.inner`,
		`module.app["a b"].module.inner.null_resource.c`,
		`module:module.app["blue"]`,
		`module.app["blue"].null_resource.b[0]`,
		`module.app["blue"].null_resource.b[1]`,
		`module:module.app["green"]`,
		`module.app["green"].null_resource.b[0]`,
		`module:module.app["green"].module.inner`,
		`module.app["green"].module.inner.null_resource.c`,
	}, addrsSeen, "deleted instances leave planned values; modules and resources are sorted")
}

func stringOr(v any) string {
	s, _ := v.(string)
	return s
}

func listOr(v any) []any {
	l, _ := v.([]any)
	return l
}

func TestMarshalJSONRejectsNil(t *testing.T) {
	_, err := MarshalJSON(nil, nil, nil)
	assert.Error(t, err)
}

func TestProviderSource(t *testing.T) {
	for in, want := range map[string]string{
		`provider["registry.opentofu.org/hashicorp/null"]`:       "registry.opentofu.org/hashicorp/null",
		`provider["registry.opentofu.org/hashicorp/null"].alias`: "registry.opentofu.org/hashicorp/null",
		`module.a.provider["example.com/acme/test"].x`:           "example.com/acme/test",
		`registry.opentofu.org/hashicorp/null`:                   "registry.opentofu.org/hashicorp/null",
		`provider[broken`:                                        `provider[broken`,
		strings.Repeat("x", 3):                                   "xxx",
	} {
		assert.Equal(t, want, ProviderSource(in), in)
	}
}
