package baseline

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty-debug/ctydebug"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

var packOfPrefix = map[string]string{
	"NET": packNetwork, "DATA": packData, "IAM": packIdentity, "CLS": packClassification, "DEST": packDestruction,
}

func TestGetPolicyRules(t *testing.T) {
	resp := New().(plugins.PolicyChecker).GetPolicyRules(context.Background())
	require.Empty(t, resp.Diagnostics)
	require.Len(t, resp.Rules, len(rules))
	id := regexp.MustCompile(`^NV-([A-Z]+)-(\d{3})$`)
	seen := map[string]bool{}
	packs := map[string]bool{}
	for _, r := range resp.Rules {
		t.Run(r.ID, func(t *testing.T) {
			m := id.FindStringSubmatch(r.ID)
			require.NotNil(t, m, "rule IDs are NV-<PACK>-NNN")
			assert.Equal(t, packOfPrefix[m[1]], r.Pack, "the ID names the pack")
			assert.False(t, seen[r.ID], "duplicate ID")
			seen[r.ID] = true
			packs[r.Pack] = true
			for field, v := range map[string]string{"title": r.Title, "rationale": r.Rationale, "control": r.Control, "pack": r.Pack} {
				assert.NotEmpty(t, strings.TrimSpace(v), field)
				assert.NotContains(t, v, "\n", field)
			}
			assert.Regexp(t, `ABSC \d|ACN`, r.Control, "the control cites an AgID measure or an ACN rule")
			assert.Len(t, r.Severity, 3)
			for _, p := range profiles {
				assert.Contains(t, []string{plugins.PolicySeverityError, plugins.PolicySeverityWarning, plugins.PolicySeverityOff}, r.Severity[p], "severity under %s", p)
			}
			assert.Equal(t, plugins.PolicySeverityError, r.Severity[plugins.ProfileStrategico], "strategico tolerates nothing")
		})
	}
	assert.Len(t, packs, 5)
	assert.Equal(t, "NV-NET-001", resp.Rules[0].ID)
	assert.Contains(t, resp.Rules[0].Title, "administration")

	// The answer is a copy: changing it changes no later answer.
	resp.Rules[0].Severity[plugins.ProfileOrdinario] = plugins.PolicySeverityOff
	again := New().(plugins.PolicyChecker).GetPolicyRules(context.Background())
	assert.Equal(t, plugins.PolicySeverityError, again.Rules[0].Severity[plugins.ProfileOrdinario])
}

func TestProviderHasNoResources(t *testing.T) {
	ctx := context.Background()
	p := New()
	s := p.GetSchema(ctx, plugins.GetSchemaRequest{})
	require.Empty(t, s.Diagnostics)
	require.NotNil(t, s.Provider.Block)
	assert.Empty(t, s.Provider.Block.Attributes)
	assert.Empty(t, s.ResourceTypes)
	assert.Empty(t, s.DataSources)
	assert.Empty(t, p.ConfigureProvider(ctx, plugins.ConfigureProviderRequest{Config: cty.EmptyObjectVal}).Diagnostics)
	assert.Empty(t, p.ValidateProviderConfig(ctx, plugins.ValidateProviderConfigRequest{Config: cty.EmptyObjectVal}).Diagnostics)
	for name, d := range map[string]plugins.Diagnostics{
		"ValidateResourceConfig":   p.ValidateResourceConfig(ctx, plugins.ValidateResourceConfigRequest{TypeName: "baseline_x"}).Diagnostics,
		"ValidateDataSourceConfig": p.ValidateDataSourceConfig(ctx, plugins.ValidateDataSourceConfigRequest{TypeName: "baseline_x"}).Diagnostics,
		"UpgradeResourceState":     p.UpgradeResourceState(ctx, plugins.UpgradeResourceStateRequest{TypeName: "baseline_x"}).Diagnostics,
		"ReadResource":             p.ReadResource(ctx, plugins.ReadResourceRequest{TypeName: "baseline_x"}).Diagnostics,
		"ReadResources":            p.ReadResources(ctx, plugins.ReadResourcesRequest{TypeName: "baseline_x"}).Diagnostics,
		"PlanResourceChange":       p.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{TypeName: "baseline_x"}).Diagnostics,
		"ApplyResourceChange":      p.ApplyResourceChange(ctx, plugins.ApplyResourceChangeRequest{TypeName: "baseline_x"}).Diagnostics,
		"ImportResourceState":      p.ImportResourceState(ctx, plugins.ImportResourceStateRequest{TypeName: "baseline_x"}).Diagnostics,
		"ReadDataSource":           p.ReadDataSource(ctx, plugins.ReadDataSourceRequest{TypeName: "baseline_x"}).Diagnostics,
	} {
		t.Run(name, func(t *testing.T) {
			require.Len(t, d, 1)
			assert.Equal(t, plugins.Error, d[0].Severity)
			assert.Contains(t, d[0].Detail, `"baseline_x"`)
		})
	}
	assert.NoError(t, p.Stop(ctx))
	assert.NoError(t, p.Close())
}

func TestSettings(t *testing.T) {
	list := func(ss ...cty.Value) cty.Value { return cty.TupleVal(ss) }
	tests := map[string]struct {
		settings cty.Value
		// want are the diagnostics' severities, summaries and paths.
		want []string
	}{
		"good": {settings: settingsFor("critico", nil)},
		"lists as sets and lists": {settings: settingsFor("critico", map[string]cty.Value{
			"encrypted_volume_types": cty.SetVal([]cty.Value{cty.StringVal("luks")}),
			"admin_cidrs":            cty.ListVal([]cty.Value{cty.StringVal("2001:db8::/32"), cty.StringVal("192.0.2.7")}),
		})},
		"a map": {settings: cty.MapVal(map[string]cty.Value{"profile": cty.StringVal("ordinario")}), want: []string{
			"warning No target cloud target_cloud",
		}},
		"no settings":      {settings: cty.NilVal, want: []string{"error Invalid baseline settings "}},
		"null settings":    {settings: cty.NullVal(cty.DynamicPseudoType), want: []string{"error Invalid baseline settings "}},
		"unknown settings": {settings: cty.DynamicVal, want: []string{"error Baseline settings not known "}},
		"a string":         {settings: cty.StringVal("critico"), want: []string{"error Invalid baseline settings "}},
		"no profile": {settings: settingsFor("critico", map[string]cty.Value{"profile": null}), want: []string{
			"error Missing baseline profile profile",
		}},
		"bad profile": {settings: settingsFor("critical", nil), want: []string{"error Invalid baseline profile profile"}},
		"profile of the wrong type": {settings: settingsFor("critico", map[string]cty.Value{"profile": cty.NumberIntVal(2)}), want: []string{
			"error Invalid baseline profile profile",
		}},
		"profile not known": {settings: settingsFor("critico", map[string]cty.Value{"profile": unknown}), want: []string{"error Baseline profile not known profile"}},
		"typo": {settings: settingsFor("critico", map[string]cty.Value{"admin_cidr": list(cty.StringVal("10.0.0.0/8")), "scope": cty.DynamicVal}), want: []string{
			"warning Unsupported baseline argument admin_cidr",
		}},
		"bad CIDRs": {settings: settingsFor("critico", map[string]cty.Value{"admin_cidrs": list(cty.StringVal("10.0.0.0/8"), cty.StringVal("10.0.0.0/33"), cty.NumberIntVal(1), unknown)}), want: []string{
			"error Invalid value admin_cidrs[2]",
			"error Value not known admin_cidrs[3]",
			"error Invalid admin CIDR admin_cidrs[1]",
		}},
		"types not a list": {settings: settingsFor("critico", map[string]cty.Value{"encrypted_volume_types": cty.StringVal("luks")}), want: []string{
			"error Invalid value encrypted_volume_types",
		}},
		"empty type": {settings: settingsFor("critico", map[string]cty.Value{"encrypted_volume_types": list(cty.StringVal(" "))}), want: []string{
			"error Invalid value encrypted_volume_types[0]",
		}},
		"no target cloud": {settings: settingsFor("critico", map[string]cty.Value{"target_cloud": cty.NullVal(cty.DynamicPseudoType)}), want: []string{
			"warning No target cloud target_cloud",
		}},
		"target cloud not an object": {settings: settingsFor("critico", map[string]cty.Value{"target_cloud": cty.StringVal("QC2")}), want: []string{
			"error Invalid target cloud target_cloud",
		}},
		"target cloud not known": {settings: settingsFor("critico", map[string]cty.Value{"target_cloud": cty.DynamicVal}), want: []string{
			"error Target cloud not known target_cloud",
		}},
		"bad qualification, no regions, extra": {settings: settingsFor("critico", map[string]cty.Value{"target_cloud": obj(map[string]cty.Value{
			"qualification": cty.StringVal("QC5"), "regions": cty.EmptyTupleVal, "name": cty.StringVal("SCT"),
		})}), want: []string{
			"warning Unsupported target cloud argument target_cloud.name",
			"error Invalid qualification target_cloud.qualification",
			"error No target cloud regions target_cloud.regions",
		}},
		"only a qualification": {settings: settingsFor("critico", map[string]cty.Value{"target_cloud": obj(map[string]cty.Value{
			"qualification": cty.StringVal(" psn "),
		})}), want: []string{"warning No target cloud regions target_cloud.regions"}},
		"qualification not known": {settings: settingsFor("critico", map[string]cty.Value{"target_cloud": obj(map[string]cty.Value{
			"qualification": unknown, "regions": cty.UnknownVal(cty.List(cty.String)),
		})}), want: []string{
			"error Qualification not known target_cloud.qualification",
			"error Value not known target_cloud.regions",
		}},
		"marked": {settings: settingsFor("critico", map[string]cty.Value{"admin_cidrs": list(cty.StringVal("10.0.0.0/8").Mark("sensitive"))}).Mark("x")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resp := New().(plugins.PolicyChecker).CheckPlan(context.Background(), plugins.CheckPlanRequest{
				Settings: tt.settings, Resources: []plugins.PolicyResource{secRule("ssh", map[string]cty.Value{"remote_ip_prefix": cty.StringVal("0.0.0.0/0")})},
			})
			var got []string
			for _, d := range resp.Diagnostics {
				sev := "error"
				if d.Severity == plugins.Warning {
					sev = "warning"
				}
				got = append(got, sev+" "+d.Summary+" "+pathString(d.Attribute))
				assert.NotEmpty(t, d.Detail)
			}
			assert.Equal(t, tt.want, got)
			if resp.Diagnostics.HasErrors() {
				assert.Empty(t, resp.Findings, "nothing is checked with bad settings")
			} else {
				assert.NotEmpty(t, resp.Findings)
			}
		})
	}
}

func TestCheckPlanIsDeterministic(t *testing.T) {
	rs := []plugins.PolicyResource{
		secGroup("web", null,
			inline(map[string]cty.Value{"remote_ip_prefix": cty.StringVal("0.0.0.0/0")}),
			inline(map[string]cty.Value{"port_range_min": cty.NumberIntVal(3389), "port_range_max": cty.NumberIntVal(3389)})),
		res("dbaas_cluster_v1.c", obj(map[string]cty.Value{"a_password": cty.StringVal("x"), "b_password": cty.StringVal("y"), "password": cty.StringVal("z")})),
		volume("openstack_blockstorage_volume_v3.data", null, null),
		net("lan", null),
	}
	req := plugins.CheckPlanRequest{Settings: settingsFor("strategico", nil), Resources: rs}
	first := New().(plugins.PolicyChecker).CheckPlan(context.Background(), req)
	require.NotEmpty(t, first.Findings)
	for range 5 {
		again := New().(plugins.PolicyChecker).CheckPlan(context.Background(), req)
		if diff := cmp.Diff(first, again, ctydebug.CmpOptions); diff != "" {
			t.Fatalf("findings differ between runs:\n%s", diff)
		}
	}
}

func TestCheckPlanCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp := New().(plugins.PolicyChecker).CheckPlan(ctx, plugins.CheckPlanRequest{Baseline: "ente", Settings: settingsFor("critico", nil)})
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Equal(t, "Baseline check cancelled", resp.Diagnostics[0].Summary)
}

func TestRulePanicIsADiagnostic(t *testing.T) {
	r := ruleByID("NV-NET-002")
	orig := r.check
	r.check = func(*checker) { panic("bug") }
	t.Cleanup(func() { r.check = orig })
	resp := New().(plugins.PolicyChecker).CheckPlan(context.Background(), plugins.CheckPlanRequest{
		Settings: settingsFor("critico", nil), Resources: []plugins.PolicyResource{secRule("ssh", map[string]cty.Value{"remote_ip_prefix": cty.StringVal("0.0.0.0/0")})},
	})
	require.Len(t, resp.Diagnostics, 1)
	assert.Equal(t, "Baseline rule NV-NET-002 failed", resp.Diagnostics[0].Summary)
	require.NotEmpty(t, resp.Findings, "the other rules still ran")
	assert.Equal(t, "NV-NET-001", resp.Findings[0].RuleID)
}

func TestResourceAddr(t *testing.T) {
	for in, want := range map[string]string{
		"a.b":                          "a.b",
		"a.b[0]":                       "a.b",
		`a.b["x"]`:                     "a.b",
		`a.b["x]y"]`:                   "a.b",
		`a.b["q\"]"]`:                  "a.b",
		`module.m["k"].a.b`:            `module.m["k"].a.b`,
		`module.m["k"].a.b["k.2"]`:     `module.m["k"].a.b`,
		`module.m[1].data.a.b[3]`:      "module.m[1].data.a.b",
		"":                             "",
		"]":                            "]",
		"[0]":                          "[0]",
		"a.b[[0]]":                     "a.b",
		"a.b]]":                        "a.b]]",
		`a.b["unterminated]`:           `a.b["unterminated]`,
		"module.m.openstack_x.y[\"\"]": "module.m.openstack_x.y",
	} {
		assert.Equal(t, want, resourceAddr(in), "%q", in)
	}
}
