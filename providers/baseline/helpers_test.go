package baseline

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

var profiles = []string{plugins.ProfileOrdinario, plugins.ProfileCritico, plugins.ProfileStrategico}

func obj(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }

func strs(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return cty.SetVal(vs)
}

func strMap(kv ...string) cty.Value {
	if len(kv) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	m := map[string]cty.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.MapVal(m)
}

var (
	null    = cty.NullVal(cty.String)
	unknown = cty.UnknownVal(cty.String)
)

// res is a planned create of the resource at address, its type and mode
// taken from the address.
func res(address string, after cty.Value, opts ...func(*plugins.PolicyResource)) plugins.PolicyResource {
	r := plugins.PolicyResource{Address: address, Mode: "managed", ProviderName: "openstack", Action: plugins.PolicyActionCreate, After: after}
	parts := strings.Split(resourceAddr(address), ".")
	r.Type = parts[len(parts)-2]
	if len(parts) > 2 && parts[len(parts)-3] == "data" {
		r.Mode, r.Action = "data", plugins.PolicyActionRead
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func config(v cty.Value) func(*plugins.PolicyResource) {
	return func(r *plugins.PolicyResource) { r.Config = v }
}

func deps(addrs ...string) func(*plugins.PolicyResource) {
	return func(r *plugins.PolicyResource) { r.Dependencies = addrs }
}

func action(a string, before cty.Value) func(*plugins.PolicyResource) {
	return func(r *plugins.PolicyResource) {
		r.Action, r.Before = a, before
		if a == plugins.PolicyActionDelete {
			r.After = cty.NullVal(before.Type())
		}
	}
}

func providerConfig(v cty.Value) func(*plugins.PolicyResource) {
	return func(r *plugins.PolicyResource) { r.ProviderConfig = v }
}

func configSensitive(ps ...cty.Path) func(*plugins.PolicyResource) {
	return func(r *plugins.PolicyResource) { r.ConfigSensitive = ps }
}

// settingsFor are a baseline's settings: a PSN cloud in it-fi-1, one
// encrypted volume type and one admin network, with changes.
func settingsFor(profile string, changes map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{
		"profile": cty.StringVal(profile),
		"target_cloud": obj(map[string]cty.Value{
			"qualification": cty.StringVal("PSN"),
			"regions":       cty.TupleVal([]cty.Value{cty.StringVal("it-fi-1")}),
		}),
		"encrypted_volume_types": cty.TupleVal([]cty.Value{cty.StringVal("encrypted-luks")}),
		"admin_cidrs":            cty.TupleVal([]cty.Value{cty.StringVal("10.20.0.0/16")}),
	}
	for k, v := range changes {
		m[k] = v
	}
	return obj(m)
}

// check runs the baseline and returns the findings of rule id.
func check(t *testing.T, settings cty.Value, id string, rs ...plugins.PolicyResource) []plugins.PolicyFinding {
	t.Helper()
	resp := New().(plugins.PolicyChecker).CheckPlan(context.Background(), plugins.CheckPlanRequest{Baseline: "test", Settings: settings, Resources: rs})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	var out []plugins.PolicyFinding
	for _, f := range resp.Findings {
		if f.RuleID == id {
			out = append(out, f)
		}
	}
	return out
}

// at is a finding expected at a resource's attribute.
type at struct {
	address string
	path    cty.Path
}

// ruleCase is a plan and the findings of one rule it should get, under the
// profiles given (all when none).
type ruleCase struct {
	resources []plugins.PolicyResource
	settings  map[string]cty.Value
	profiles  []string
	want      []at
}

// testRule runs each case under each of its profiles and compares the
// rule's findings: their places, their severity as the profile rates the
// rule, and the control they cite.
func testRule(t *testing.T, id string, cases map[string]ruleCase) {
	t.Helper()
	r := ruleByID(id)
	require.NotNil(t, r, "rule %s", id)
	for name, tc := range cases {
		ps := tc.profiles
		if len(ps) == 0 {
			ps = profiles
		}
		for _, profile := range ps {
			t.Run(name+"/"+profile, func(t *testing.T) {
				got := check(t, settingsFor(profile, tc.settings), id, tc.resources...)
				var places []at
				for _, f := range got {
					places = append(places, at{f.Address, f.Path})
					assert.Equal(t, r.Severity[profile], f.Severity, "%s", f.Message)
					assert.Equal(t, r.Control, f.Control)
					assert.NotEmpty(t, f.Message)
				}
				if len(tc.want) == 0 {
					assert.Empty(t, places, "findings: %v", got)
					return
				}
				// In any order: elements of a set come in cty's.
				require.Len(t, places, len(tc.want), "findings: %v", got)
				left := append([]at(nil), places...)
				for _, w := range tc.want {
					found := false
					for i, p := range left {
						if p.address == w.address && p.path.Equals(w.path) {
							left = append(left[:i], left[i+1:]...)
							found = true
							break
						}
					}
					assert.True(t, found, "no finding at %s %#v; findings: %v", w.address, w.path, got)
				}
			})
		}
	}
}

func ruleByID(id string) *rule {
	for _, r := range rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func path(steps ...any) cty.Path {
	var p cty.Path
	for _, s := range steps {
		switch s := s.(type) {
		case string:
			p = p.GetAttr(s)
		case int:
			p = p.IndexInt(s)
		case cty.Value:
			p = p.Index(s)
		}
	}
	return p
}

// tagged is the openstack string tags of a resource of classification
// class for the ente c_a662.
func tagged(class string) cty.Value {
	return strs("ente=c_a662", "classification="+class)
}
