package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

const nullProvider = `provider["registry.opentofu.org/hashicorp/null"]`

func mustAddr(t testing.TB, s string) addrs.AbsResourceInstance {
	t.Helper()
	a, diags := addrs.ParseAbsResourceInstanceStr(s)
	if diags.HasErrors() {
		t.Fatalf("bad address %q: %s", s, diags.Error())
	}
	return a
}

func samplePriorState(t testing.TB) *state.State {
	s := state.New()
	s.Lineage = "3f1e2d4c-0000-4000-8000-000000000001"
	s.Serial = 7
	s.NuvolaVersion = "0.1.0"
	s.Outputs["greeting"] = &state.OutputValue{Value: cty.StringVal("hello")}
	s.SetCurrent(mustAddr(t, "null_resource.a"), &state.Object{
		AttrsJSON: json.RawMessage(`{"id":"111","triggers":{"k":"v"}}`),
	}, nullProvider)
	s.SetCurrent(mustAddr(t, `module.app["blue"].null_resource.b[0]`), &state.Object{
		AttrsJSON:      json.RawMessage(`{"id":"222","triggers":{"password":"old-secret"}}`),
		SensitivePaths: []cty.Path{cty.GetAttrPath("triggers").Index(cty.StringVal("password"))},
		Status:         state.ObjectTainted,
		Dependencies:   []addrs.AbsResource{mustAddr(t, "null_resource.a").ContainingResource()},
	}, nullProvider)
	return s
}

func samplePlan(t testing.TB) *Plan {
	objTy := cty.Object(map[string]cty.Type{"id": cty.String, "triggers": cty.Map(cty.String)})
	big1, _ := new(big.Float).SetPrec(512).SetString("123456789012345678901234567890.5")
	return &Plan{
		Mode: NormalMode,
		Changes: []*ResourceChange{
			{
				Addr:            mustAddr(t, "null_resource.a"),
				Provider:        nullProvider,
				Action:          Update,
				Before:          cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("111"), "triggers": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")})}),
				After:           cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("111"), "triggers": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("w")})}),
				Private:         []byte{0, 1, 2, 255},
				ConfigSensitive: []cty.Path{cty.GetAttrPath("triggers").Index(cty.StringVal("k"))},
				Config:          cty.ObjectVal(map[string]cty.Value{"id": cty.NullVal(cty.String), "triggers": cty.MapVal(map[string]cty.Value{"k": cty.UnknownVal(cty.String)})}),
			},
			{
				Addr:                mustAddr(t, `module.app["blue"].null_resource.b[0]`),
				PrevRunAddr:         mustAddr(t, `module.app["blue"].null_resource.old[0]`),
				Provider:            nullProvider,
				Action:              DeleteThenCreate,
				Reason:              ReasonReplaceBecauseTainted,
				Before:              cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("222"), "triggers": cty.MapVal(map[string]cty.Value{"password": cty.StringVal("old-secret")})}),
				After:               cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String).RefineNotNull(), "triggers": cty.MapVal(map[string]cty.Value{"password": cty.StringVal("new-secret")})}),
				BeforeSensitive:     []cty.Path{cty.GetAttrPath("triggers").Index(cty.StringVal("password"))},
				AfterSensitive:      []cty.Path{cty.GetAttrPath("triggers").Index(cty.StringVal("password"))},
				RequiredReplace:     []cty.Path{cty.GetAttrPath("triggers"), cty.GetAttrPath("list").Index(cty.NumberIntVal(3))},
				SchemaVersion:       2,
				Dependencies:        []addrs.AbsResource{mustAddr(t, "null_resource.a").ContainingResource(), mustAddr(t, `module.net[3].data.null_data_source.x`).ContainingResource()},
				CreateBeforeDestroy: false,
			},
			{
				Addr:                mustAddr(t, `module.app["blue"].null_resource.b[0]`),
				DeposedKey:          "00000001",
				Provider:            nullProvider + ".alias",
				Action:              Delete,
				Before:              cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("200"), "triggers": cty.NullVal(cty.Map(cty.String))}),
				After:               cty.NullVal(objTy),
				CreateBeforeDestroy: true,
			},
			{
				Addr:     addrs.Resource{Mode: addrs.ManagedResourceMode, Type: "null_resource", Name: "weird"}.Absolute(addrs.RootModuleInstance.Child("m", addrs.StringKey("\x00}"))).Instance(addrs.StringKey("a \"quoted\"\nkey\x01é")),
				Provider: nullProvider,
				Action:   Create,
				After: cty.ObjectVal(map[string]cty.Value{
					"n":   cty.NumberVal(big1),
					"f":   cty.NumberFloatVal(1.5),
					"s":   cty.SetVal([]cty.Value{cty.StringVal("x"), cty.UnknownVal(cty.String)}),
					"l":   cty.ListVal([]cty.Value{cty.True, cty.False}),
					"t":   cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(-4)}),
					"d":   cty.DynamicVal,
					"nd":  cty.NullVal(cty.DynamicPseudoType),
					"ul":  cty.UnknownVal(cty.List(cty.String)),
					"emp": cty.EmptyObjectVal,
				}),
				ImportID: "import-me",
			},
			{
				Addr:     mustAddr(t, "data.null_data_source.r"),
				Provider: nullProvider,
				Action:   Read,
				Reason:   ReasonReadBecauseConfigUnknown,
				After:    cty.UnknownVal(cty.Object(map[string]cty.Type{"out": cty.String})),
			},
		},
		Outputs: []*OutputChange{
			{Name: "greeting", Action: NoOp, Before: cty.StringVal("hello"), After: cty.StringVal("hello")},
			{Name: "token", Action: Create, After: cty.UnknownVal(cty.String), Sensitive: true},
			{Name: "gone", Action: Delete, Before: cty.NumberIntVal(1), After: cty.NullVal(cty.DynamicPseudoType)},
		},
		PriorState:   samplePriorState(t),
		StateLineage: "3f1e2d4c-0000-4000-8000-000000000001",
		StateSerial:  7,
		Variables: map[string]cty.Value{
			"region":   cty.StringVal("eu-west-1"),
			"password": cty.StringVal("hunter2"),
			"sizes":    cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1)}),
			"nothing":  cty.NullVal(cty.String),
		},
		SensitiveVariables: []string{"password"},
		Targets:            []string{`module.app["blue"]`},
		ForceReplace:       []string{"null_resource.a"},
		Config: map[string][]byte{
			"main.tf":             []byte("resource \"null_resource\" \"a\" {}\n"),
			"modules/app/main.tf": []byte("variable \"x\" {}\n"),
			"empty.tf":            {},
		},
		Errored: false,
		PolicyResults: []*PolicyResult{
			{Baseline: "ente", RuleID: "NV-NET-001", Severity: SeverityError, Address: `module.app["blue"].null_resource.b[0]`,
				Path: cty.GetAttrPath("triggers").Index(cty.StringVal("port")), Message: "ingress from 0.0.0.0/0 to port 22",
				Control: "AgID ABSC 4.1.1", Filename: "modules/app/main.tf", Line: 12, Column: 5,
				Waiver: &PolicyWaiver{RuleID: "NV-NET-001", Resource: "null_resource.b", Reason: "ticket 4711", ApprovedBy: "dpo@example.it", Expires: "2027-01-31"}},
			{RuleID: "NV-CUSTOM-001", Severity: SeverityWarning, Message: "custom"},
		},
		PolicyInputs: &PolicyInputs{
			Settings:        map[string]cty.Value{"ente": cty.ObjectVal(map[string]cty.Value{"profile": cty.StringVal("critico"), "admin_cidrs": cty.NullVal(cty.DynamicPseudoType)})},
			ProviderConfigs: map[string]cty.Value{nullProvider: cty.EmptyObjectVal},
		},
		Timestamp:     time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", 3600)),
		NuvolaVersion: "0.1.0-test",
	}
}

func writePlan(t testing.TB, p *Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, p))
	return buf.Bytes()
}

func assertSameValue(t *testing.T, what string, want, got cty.Value) {
	t.Helper()
	if want == cty.NilVal || got == cty.NilVal {
		assert.True(t, want == cty.NilVal && got == cty.NilVal, "%s: want %#v, got %#v", what, want, got)
		return
	}
	assert.True(t, want.RawEquals(got), "%s: want %#v, got %#v", what, want, got)
}

func assertSamePaths(t *testing.T, what string, want, got []cty.Path) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		assert.True(t, want[i].Equals(got[i]), "%s[%d]: want %#v, got %#v", what, i, want[i], got[i])
	}
}

func assertSamePlan(t *testing.T, want, got *Plan) {
	t.Helper()
	assert.Equal(t, want.Mode, got.Mode)
	require.Len(t, got.Changes, len(want.Changes))
	for i, w := range want.Changes {
		g := got.Changes[i]
		what := fmt.Sprintf("change %d (%s)", i, w.Addr)
		assert.True(t, w.Addr.Equal(g.Addr), "%s: addr %s", what, g.Addr)
		assert.Equal(t, w.Addr.String(), g.Addr.String(), what)
		assert.Equal(t, w.PrevRunAddr.String(), g.PrevRunAddr.String(), what)
		assert.Equal(t, w.DeposedKey, g.DeposedKey, what)
		assert.Equal(t, w.Provider, g.Provider, what)
		assert.Equal(t, w.Action, g.Action, what)
		assert.Equal(t, w.Reason, g.Reason, what)
		assertSameValue(t, what+" before", w.Before, g.Before)
		assertSameValue(t, what+" after", w.After, g.After)
		assertSamePaths(t, what+" before_sensitive", w.BeforeSensitive, g.BeforeSensitive)
		assertSamePaths(t, what+" after_sensitive", w.AfterSensitive, g.AfterSensitive)
		assertSamePaths(t, what+" required_replace", w.RequiredReplace, g.RequiredReplace)
		assert.Equal(t, len(w.Private), len(g.Private), what)
		assert.True(t, bytes.Equal(w.Private, g.Private), what)
		assert.Equal(t, w.SchemaVersion, g.SchemaVersion, what)
		require.Len(t, g.Dependencies, len(w.Dependencies), what)
		for j := range w.Dependencies {
			assert.True(t, w.Dependencies[j].Equal(g.Dependencies[j]), what)
		}
		assert.Equal(t, w.CreateBeforeDestroy, g.CreateBeforeDestroy, what)
		assert.Equal(t, w.ImportID, g.ImportID, what)
		assertSamePaths(t, what+" config_sensitive", w.ConfigSensitive, g.ConfigSensitive)
		if w.Config == cty.NilVal {
			assert.Equal(t, cty.NilVal, g.Config, what)
		} else {
			assertSameValue(t, what+" config", w.Config, g.Config)
		}
	}
	require.Len(t, got.Outputs, len(want.Outputs))
	for i, w := range want.Outputs {
		g := got.Outputs[i]
		assert.Equal(t, w.Name, g.Name)
		assert.Equal(t, w.Action, g.Action, w.Name)
		assert.Equal(t, w.Sensitive, g.Sensitive, w.Name)
		assertSameValue(t, "output "+w.Name+" before", w.Before, g.Before)
		assertSameValue(t, "output "+w.Name+" after", w.After, g.After)
	}
	if want.PriorState == nil {
		assert.Nil(t, got.PriorState)
	} else {
		require.NotNil(t, got.PriorState)
		wantRaw, err := state.Encode(want.PriorState)
		require.NoError(t, err)
		gotRaw, err := state.Encode(got.PriorState)
		require.NoError(t, err)
		assert.Equal(t, string(wantRaw), string(gotRaw))
	}
	assert.Equal(t, want.StateLineage, got.StateLineage)
	assert.Equal(t, want.StateSerial, got.StateSerial)
	require.Len(t, got.Variables, len(want.Variables))
	for k, v := range want.Variables {
		assertSameValue(t, "variable "+k, v, got.Variables[k])
	}
	assert.Equal(t, want.SensitiveVariables, got.SensitiveVariables)
	assert.Equal(t, want.Targets, got.Targets)
	assert.Equal(t, want.ForceReplace, got.ForceReplace)
	require.Len(t, got.Config, len(want.Config))
	for k, v := range want.Config {
		assert.True(t, bytes.Equal(v, got.Config[k]), "config %s", k)
	}
	assert.Equal(t, want.Errored, got.Errored)
	if want.PolicyInputs == nil {
		assert.Nil(t, got.PolicyInputs)
	} else {
		require.NotNil(t, got.PolicyInputs)
		require.Len(t, got.PolicyInputs.Settings, len(want.PolicyInputs.Settings))
		for k, v := range want.PolicyInputs.Settings {
			assertSameValue(t, "settings "+k, v, got.PolicyInputs.Settings[k])
		}
		require.Len(t, got.PolicyInputs.ProviderConfigs, len(want.PolicyInputs.ProviderConfigs))
		for k, v := range want.PolicyInputs.ProviderConfigs {
			assertSameValue(t, "provider config "+k, v, got.PolicyInputs.ProviderConfigs[k])
		}
	}
	require.Len(t, got.PolicyResults, len(want.PolicyResults))
	for i, w := range want.PolicyResults {
		g := got.PolicyResults[i]
		assert.True(t, w.Path.Equals(g.Path), "policy result %d path", i)
		w2, g2 := *w, *g
		w2.Path, g2.Path = nil, nil
		assert.Equal(t, w2, g2, "policy result %d", i)
	}
	assert.True(t, want.Timestamp.Equal(got.Timestamp), "timestamp %s != %s", want.Timestamp, got.Timestamp)
	assert.Equal(t, want.NuvolaVersion, got.NuvolaVersion)
}

func TestPlanFileRoundTrip(t *testing.T) {
	for name, p := range map[string]*Plan{
		"full":    samplePlan(t),
		"empty":   {},
		"destroy": {Mode: DestroyMode, Errored: true, StateLineage: "x"},
		"refresh": {Mode: RefreshOnlyMode, PriorState: state.New()},
	} {
		t.Run(name, func(t *testing.T) {
			raw := writePlan(t, p)
			assert.True(t, bytes.HasPrefix(raw, []byte("nuvola-plan 1\n{\"digest\":\"sha256:")), "header: %q", raw[:min(len(raw), 40)])
			got, err := ReadFile(bytes.NewReader(raw))
			require.NoError(t, err)
			assertSamePlan(t, p, got)

			crlf := bytes.Replace(raw, []byte("\n"), []byte("\r\n"), -1)
			_, err = ReadFile(bytes.NewReader(crlf))
			require.NoError(t, err, "CRLF line endings")

			// Writing what was read gives the same bytes: the digest of
			// a loaded plan is the digest that was written.
			assert.Equal(t, string(raw), string(writePlan(t, got)))
		})
	}
}

func TestPlanDigest(t *testing.T) {
	p := samplePlan(t)
	d1, err := p.Digest()
	require.NoError(t, err)
	d2, err := p.Digest()
	require.NoError(t, err)
	assert.Equal(t, d1, d2, "digest must be deterministic")
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, d1)

	raw := writePlan(t, p)
	var env struct {
		Digest string          `json:"digest"`
		Body   json.RawMessage `json:"body"`
	}
	require.NoError(t, json.Unmarshal(raw[len("nuvola-plan 1\n"):], &env))
	assert.Equal(t, d1, env.Digest)
	sum := sha256.Sum256(env.Body)
	assert.Equal(t, "sha256:"+hex.EncodeToString(sum[:]), d1, "digest covers the body bytes as written")

	got, err := ReadFile(bytes.NewReader(raw))
	require.NoError(t, err)
	d3, err := got.Digest()
	require.NoError(t, err)
	assert.Equal(t, d1, d3)

	p.Changes[0].Action = Delete
	d4, err := p.Digest()
	require.NoError(t, err)
	assert.NotEqual(t, d1, d4)
}

func TestWriteRejectsInvalidPlans(t *testing.T) {
	for name, mutate := range map[string]func(p *Plan){
		"nil change":      func(p *Plan) { p.Changes = append(p.Changes, nil) },
		"bad action":      func(p *Plan) { p.Changes[0].Action = Action(42) },
		"bad reason":      func(p *Plan) { p.Changes[0].Reason = "because" },
		"no provider":     func(p *Plan) { p.Changes[0].Provider = "" },
		"zero address":    func(p *Plan) { p.Changes[0].Addr = addrs.AbsResourceInstance{} },
		"marked value":    func(p *Plan) { p.Changes[0].After = cty.StringVal("x").Mark("sensitive") },
		"bad mode":        func(p *Plan) { p.Mode = Mode(9) },
		"escaping config": func(p *Plan) { p.Config["../x.tf"] = []byte("x") },
		"absolute config": func(p *Plan) { p.Config["/etc/passwd"] = []byte("x") },
		"nil variable":    func(p *Plan) { p.Variables["v"] = cty.NilVal },
		"empty target":    func(p *Plan) { p.Targets = append(p.Targets, "") },
		"duplicate":       func(p *Plan) { p.Changes = append(p.Changes, p.Changes[0]) },
		"duplicate out":   func(p *Plan) { p.Outputs = append(p.Outputs, p.Outputs[0]) },
		"bad path key":    func(p *Plan) { p.Changes[0].AfterSensitive = []cty.Path{cty.IndexPath(cty.UnknownVal(cty.String))} },
	} {
		t.Run(name, func(t *testing.T) {
			p := samplePlan(t)
			mutate(p)
			assert.Error(t, Write(&bytes.Buffer{}, p))
			_, err := p.Digest()
			assert.Error(t, err)
		})
	}
	assert.Error(t, Write(&bytes.Buffer{}, nil))
}

// forge builds a plan file around body with a correct digest, to reach the
// checks that come after the digest.
func forge(body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte(fmt.Sprintf("nuvola-plan 1\n{\"digest\":\"sha256:%x\",\"body\":%s}\n", sum, body))
}

func sampleBody(t testing.TB) map[string]any {
	raw := writePlan(t, samplePlan(t))
	var env struct{ Body map[string]any }
	require.NoError(t, json.Unmarshal(raw[len("nuvola-plan 1\n"):], &env))
	return env.Body
}

func forgeWith(t testing.TB, mutate func(b map[string]any)) []byte {
	b := sampleBody(t)
	mutate(b)
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	return forge(raw)
}

func firstChange(b map[string]any) map[string]any {
	return b["resource_changes"].([]any)[0].(map[string]any)
}

func b64(raw []byte) string { return base64.StdEncoding.EncodeToString(raw) }

func TestReadCorruptPlanFiles(t *testing.T) {
	valid := writePlan(t, samplePlan(t))
	body := valid[len("nuvola-plan 1\n"):]
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"empty", nil, "not a nuvola plan file"},
		{"state file", []byte(`{"version":4,"terraform_version":"1.6.0"}`), "not a nuvola plan file"},
		{"text", []byte("hello world\n"), "not a nuvola plan file"},
		{"OpenTofu plan (zip)", []byte("PK\x03\x04\x14\x00\x00\x00"), "not a nuvola plan file"},
		{"future version", append([]byte("nuvola-plan 2\n"), body...), "unsupported plan file version 2"},
		{"malformed version", append([]byte("nuvola-plan one\n"), body...), "corrupt plan file: malformed header"},
		{"header without newline", []byte("nuvola-plan 1"), "corrupt plan file: truncated header"},
		{"truncated magic", []byte("nuvola-pl"), "corrupt plan file: truncated header"},
		{"overlong header", []byte("nuvola-plan " + strings.Repeat("1", 100) + "\n"), "corrupt plan file: malformed header"},
		{"no document", []byte("nuvola-plan 1\n"), "corrupt plan file: invalid JSON"},
		{"truncated document", valid[:len(valid)/2], "corrupt plan file: invalid JSON"},
		{"not JSON", []byte("nuvola-plan 1\nPK\x03\x04"), "corrupt plan file: invalid JSON"},
		{"trailing data", append(append([]byte{}, valid...), "{}"...), "corrupt plan file: unexpected data after the plan document"},
		{"unknown envelope field", bytes.Replace(valid, []byte(`{"digest"`), []byte(`{"x":1,"digest"`), 1), `corrupt plan file: invalid plan document: json: unknown field "x"`},
		{"missing digest", []byte("nuvola-plan 1\n{\"body\":{}}"), "corrupt plan file: missing digest"},
		{"missing body", []byte("nuvola-plan 1\n{\"digest\":\"sha256:00\"}"), "corrupt plan file: missing body"},
		{"malformed digest", bytes.Replace(valid, []byte(`"sha256:`), []byte(`"md5:`), 1), "corrupt plan file: malformed digest"},
		{"tampered action", bytes.Replace(valid, []byte(`"action":"update"`), []byte(`"action":"delete"`), 1), "plan file has been modified since it was written (digest mismatch)"},
		{"tampered variable", bytes.Replace(valid, []byte(`"force_replace":["null_resource.a"]`), []byte(`"force_replace":["null_resource.b"]`), 1), "digest mismatch"},
		{"reformatted body", bytes.Replace(valid, []byte(`"mode":"normal"`), []byte(`"mode": "normal"`), 1), "digest mismatch"},
		{"forged bad action", forgeWith(t, func(b map[string]any) { firstChange(b)["action"] = "explode" }), `corrupt plan file: resource change 0: null_resource.a: unknown action "explode"`},
		{"forged bad reason", forgeWith(t, func(b map[string]any) { firstChange(b)["reason"] = "whim" }), `unknown action reason "whim"`},
		{"forged bad mode", forgeWith(t, func(b map[string]any) { b["mode"] = "yolo" }), `corrupt plan file: unknown plan mode "yolo"`},
		{"forged missing mode", forgeWith(t, func(b map[string]any) { delete(b, "mode") }), "corrupt plan file: missing mode"},
		{"forged unknown field", forgeWith(t, func(b map[string]any) { b["surprise"] = true }), `corrupt plan file: invalid body: json: unknown field "surprise"`},
		{"forged bad base64", forgeWith(t, func(b map[string]any) { firstChange(b)["after"] = "!!!" }), "after: invalid base64"},
		{"forged bad msgpack", forgeWith(t, func(b map[string]any) { firstChange(b)["after"] = b64([]byte{0xc1}) }), "after: invalid msgpack code 0xc1"},
		{"forged huge array", forgeWith(t, func(b map[string]any) {
			firstChange(b)["after"] = b64([]byte{0x92, 0xc4, 0x0f, '[', '"', 'l', 'i', 's', 't', '"', ',', '"', 'b', 'o', 'o', 'l', '"', ']', 0xdd, 0xff, 0xff, 0xff, 0xff})
		}), "after: truncated value"},
		{"forged wrong value type", forgeWith(t, func(b map[string]any) {
			firstChange(b)["after"] = b64([]byte{0x92, 0xc4, 0x08, '"', 'n', 'u', 'm', 'b', 'e', 'r', '"', 0xa1, 'x'})
		}), "after: number is required"},
		{"forged deep type", forgeWith(t, func(b map[string]any) {
			ty := strings.Repeat(`["list",`, 600) + `"bool"` + strings.Repeat("]", 600)
			raw := append([]byte{0x92, 0xc5, byte(len(ty) >> 8), byte(len(ty))}, ty...)
			firstChange(b)["after"] = b64(append(raw, 0xc0))
		}), "type is nested too deeply"},
		{"forged trailing msgpack", forgeWith(t, func(b map[string]any) { firstChange(b)["after"] = b64([]byte{0xc0, 0xc0}) }), "trailing data after the value"},
		{"forged bad address", forgeWith(t, func(b map[string]any) { firstChange(b)["addr"].(map[string]any)["mode"] = "ephemeral" }), `address: invalid resource mode "ephemeral"`},
		{"forged negative key", forgeWith(t, func(b map[string]any) { firstChange(b)["addr"].(map[string]any)["key"] = -1 }), "invalid instance key -1"},
		{"forged fractional key", forgeWith(t, func(b map[string]any) { firstChange(b)["addr"].(map[string]any)["key"] = 1.5 }), "invalid instance key 1.5"},
		{"forged missing provider", forgeWith(t, func(b map[string]any) { firstChange(b)["provider"] = "" }), "missing provider"},
		{"forged bad path", forgeWith(t, func(b map[string]any) {
			firstChange(b)["after_sensitive"] = []any{[]any{map[string]any{"type": "wander", "value": "x"}}}
		}), `after_sensitive: unknown path step type "wander"`},
		{"forged null path key", forgeWith(t, func(b map[string]any) {
			firstChange(b)["required_replace"] = []any{[]any{map[string]any{"type": "index", "value": map[string]any{"value": nil, "type": "string"}}}}
		}), "key must be known and not null"},
		{"forged duplicate change", forgeWith(t, func(b map[string]any) {
			b["resource_changes"] = append(b["resource_changes"].([]any), firstChange(b))
		}), "duplicate change for null_resource.a"},
		{"forged escaping config", forgeWith(t, func(b map[string]any) { b["config"].(map[string]any)["../../etc/cron.d/x"] = "eA==" }), `invalid configuration snapshot path "../../etc/cron.d/x"`},
		{"forged bad prior state", forgeWith(t, func(b map[string]any) { b["prior_state"] = map[string]any{"version": 4} }), "corrupt plan file: prior state:"},
		{"forged bad timestamp", forgeWith(t, func(b map[string]any) { b["timestamp"] = "yesterday" }), `invalid timestamp "yesterday"`},
		{"forged null variable", forgeWith(t, func(b map[string]any) { b["variables"].(map[string]any)["v"] = "" }), `variable "v": missing value`},
		{"forged missing targets", forgeWith(t, func(b map[string]any) { b["targets"] = nil }), "missing targets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ReadFile(bytes.NewReader(tc.input))
			require.Error(t, err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestReadFileReaderError(t *testing.T) {
	_, err := ReadFile(errReader{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading plan file")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, fmt.Errorf("disk on fire") }

// fuzzSeeds are the inputs committed under testdata/fuzz/FuzzRead (written
// with -update): valid plan files and near misses, so the fuzzer starts
// from the interesting parts of the format.
func fuzzSeeds(t testing.TB) map[string][]byte {
	valid := writePlan(t, samplePlan(t))
	return map[string][]byte{
		"valid-full":  valid,
		"valid-empty": writePlan(t, &Plan{}),
		"tampered":    bytes.Replace(valid, []byte(`"action":"update"`), []byte(`"action":"delete"`), 1),
		"forged-bad-value": forgeWith(t, func(b map[string]any) {
			firstChange(b)["after"] = b64([]byte{0x92, 0xc4, 0x08, '"', 'n', 'u', 'm', 'b', 'e', 'r', '"', 0xa1, 'x'})
		}),
		"forged-paths": forgeWith(t, func(b map[string]any) {
			firstChange(b)["after_sensitive"] = []any{[]any{map[string]any{"type": "index", "value": map[string]any{"value": 1, "type": "number"}}}}
		}),
		"future-version": append([]byte("nuvola-plan 2\n"), valid[len("nuvola-plan 1\n"):]...),
		"valid-signed":   signedSample(t),
	}
}

func signedSample(t testing.TB) []byte {
	env, err := NewEnvelope(samplePlan(t))
	require.NoError(t, err)
	env.Signatures = []Signature{sampleSignature("alice@pa.example"), sampleSignature("bob@pa.example")}
	var buf bytes.Buffer
	require.NoError(t, env.Write(&buf))
	return buf.Bytes()
}

func fuzzSeedPath(name string) string {
	return filepath.Join("testdata", "fuzz", "FuzzRead", name)
}

func TestFuzzSeedCorpus(t *testing.T) {
	seeds := fuzzSeeds(t)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(fuzzSeedPath("x")), 0o755))
		for name, data := range seeds {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			require.NoError(t, os.WriteFile(fuzzSeedPath(name), []byte(content), 0o644))
		}
	}
	// The committed valid plan must stay readable: a change that breaks it
	// breaks every plan file already saved.
	content, err := os.ReadFile(fuzzSeedPath("valid-full"))
	require.NoError(t, err, "run go test -update to create the seed corpus")
	lines := strings.SplitN(string(content), "\n", 3)
	require.Len(t, lines, 3)
	require.Equal(t, "go test fuzz v1", lines[0])
	lit := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
	data, err := strconv.Unquote(lit)
	require.NoError(t, err)
	p, err := ReadFile(strings.NewReader(data))
	require.NoError(t, err)
	assertSamePlan(t, samplePlan(t), p)
}

func FuzzRead(f *testing.F) {
	for _, data := range fuzzSeeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadFile(bytes.NewReader(data))
		if err != nil {
			if p != nil {
				t.Fatalf("plan returned with error %v", err)
			}
			return
		}
		// Whatever ReadFile accepts must survive a write and a second read
		// unchanged, or apply could act on something other than what was
		// reviewed.
		var buf bytes.Buffer
		if err := Write(&buf, p); err != nil {
			t.Fatalf("accepted plan cannot be written: %v", err)
		}
		p2, err := ReadFile(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("rewritten plan cannot be read: %v", err)
		}
		d1, err1 := p.Digest()
		d2, err2 := p2.Digest()
		if err1 != nil || err2 != nil || d1 != d2 {
			t.Fatalf("digest changed across a rewrite: %s %v / %s %v", d1, err1, d2, err2)
		}
		// The envelope, signatures included, survives a rewrite byte for
		// byte in its body.
		env, err := ReadEnvelope(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("ReadFile accepted what ReadEnvelope refuses: %v", err)
		}
		buf.Reset()
		if err := env.Write(&buf); err != nil {
			t.Fatalf("accepted envelope cannot be written: %v", err)
		}
		env2, err := ReadEnvelope(bytes.NewReader(buf.Bytes()))
		if err != nil || env2.Digest != env.Digest || len(env2.Signatures) != len(env.Signatures) {
			t.Fatalf("envelope changed across a rewrite: %v", err)
		}
	})
}

// FuzzBody fuzzes the body behind a correct digest: mutations of a
// whole file almost never get past the digest, and the body decoder is
// where most of the checking happens.
func FuzzBody(f *testing.F) {
	for _, p := range []*Plan{samplePlan(f), {}} {
		raw := writePlan(f, p)
		var env struct{ Body json.RawMessage }
		if err := json.Unmarshal(raw[len("nuvola-plan 1\n"):], &env); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(env.Body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		p, err := ReadFile(bytes.NewReader(forge(body)))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, p); err != nil {
			t.Fatalf("accepted plan cannot be written: %v", err)
		}
		p2, err := ReadFile(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("rewritten plan cannot be read: %v", err)
		}
		d1, err1 := p.Digest()
		d2, err2 := p2.Digest()
		if err1 != nil || err2 != nil || d1 != d2 {
			t.Fatalf("digest changed across a rewrite: %s %v / %s %v", d1, err1, d2, err2)
		}
	})
}
