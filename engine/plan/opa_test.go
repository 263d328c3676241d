package plan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

const osProvider = `provider["registry.opentofu.org/nuvola-pa/openstack"]`

// secgroupRule is an openstack_networking_secgroup_rule_v2 as the provider
// plans it; a port of 0 is left null, as for a rule on every port.
func secgroupRule(direction, protocol string, min, max int64, prefix string) cty.Value {
	port := func(p int64) cty.Value {
		if p == 0 {
			return cty.NullVal(cty.Number)
		}
		return cty.NumberIntVal(p)
	}
	proto := cty.NullVal(cty.String)
	if protocol != "" {
		proto = cty.StringVal(protocol)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"id":                cty.UnknownVal(cty.String),
		"direction":         cty.StringVal(direction),
		"ethertype":         cty.StringVal("IPv4"),
		"protocol":          proto,
		"port_range_min":    port(min),
		"port_range_max":    port(max),
		"remote_ip_prefix":  cty.StringVal(prefix),
		"security_group_id": cty.UnknownVal(cty.String),
		"description":       cty.StringVal("managed by nuvola"),
		"all_tags":          cty.SetVal([]cty.Value{cty.StringVal("ente=c_h501")}),
	})
}

func ruleChange(t testing.TB, name string, action Action, before, after cty.Value) *ResourceChange {
	c := &ResourceChange{
		Addr: mustAddr(t, `module.ente["c_h501"].openstack_networking_secgroup_rule_v2.`+name), Provider: osProvider,
		Action: action, Before: before, After: after,
		Dependencies: []addrs.AbsResource{mustAddr(t, `module.ente["c_h501"].openstack_networking_secgroup_v2.web`).ContainingResource()},
	}
	if before == cty.NilVal {
		c.Before = cty.NullVal(after.Type())
	}
	if after == cty.NilVal {
		c.After = cty.NullVal(before.Type())
	}
	return c
}

// policyInput is the plan as `nuvola show -json` prints it, decoded as a
// policy engine reads it.
func policyInput(t *testing.T, p *Plan) any {
	t.Helper()
	raw, err := MarshalJSON(p, nil, nil)
	require.NoError(t, err)
	var in any
	require.NoError(t, json.Unmarshal(raw, &in))
	return in
}

func denials(t *testing.T, p *Plan) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "opa", "deny_public_ssh.rego"))
	require.NoError(t, err)
	ctx := context.Background()
	q, err := rego.New(
		rego.Query("data.nuvola.deny_public_ssh.deny"),
		rego.Module("deny_public_ssh.rego", string(src)),
	).PrepareForEval(ctx)
	require.NoError(t, err)
	rs, err := q.Eval(ctx, rego.EvalInput(policyInput(t, p)))
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Len(t, rs[0].Expressions, 1)
	var out []string
	for _, m := range rs[0].Expressions[0].Value.([]any) {
		out = append(out, m.(string))
	}
	sort.Strings(out)
	return out
}

// TestOPAPolicyForOpenTofuPlans evaluates, with OPA, a Rego policy written
// for OpenTofu's plan JSON against nuvola's: it must find the rules that
// open SSH to the internet and nothing else.
func TestOPAPolicyForOpenTofuPlans(t *testing.T) {
	secgroup := &ResourceChange{
		Addr: mustAddr(t, `module.ente["c_h501"].openstack_networking_secgroup_v2.web`), Provider: osProvider, Action: Create,
		Before: cty.NullVal(cty.Object(map[string]cty.Type{"id": cty.String, "name": cty.String})),
		After:  cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "name": cty.StringVal("web")}),
	}
	user := &ResourceChange{
		Addr: mustAddr(t, "openstack_identity_user_v3.ops"), Provider: osProvider, Action: Create,
		After:          cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("ops"), "password": cty.StringVal("hunter2")}),
		AfterSensitive: []cty.Path{cty.GetAttrPath("password")},
	}
	clean := basePlan(secgroup, user,
		ruleChange(t, "https", Create, cty.NilVal, secgroupRule("ingress", "tcp", 443, 443, "0.0.0.0/0")),
		ruleChange(t, "ssh_office", Create, cty.NilVal, secgroupRule("ingress", "tcp", 22, 22, "192.0.2.0/24")),
		ruleChange(t, "egress", Create, cty.NilVal, secgroupRule("egress", "", 0, 0, "0.0.0.0/0")),
		ruleChange(t, "dns", Create, cty.NilVal, secgroupRule("ingress", "udp", 53, 53, "0.0.0.0/0")),
		// Closing a public SSH rule is what the policy wants.
		ruleChange(t, "old_ssh", Delete, secgroupRule("ingress", "tcp", 22, 22, "0.0.0.0/0"), cty.NilVal),
		// An office rule widened to a range that stops short of SSH.
		ruleChange(t, "high", Update, secgroupRule("ingress", "tcp", 8000, 8000, "0.0.0.0/0"), secgroupRule("ingress", "tcp", 8000, 8443, "0.0.0.0/0")),
	)
	assert.Empty(t, denials(t, clean))

	violating := basePlan(secgroup, user,
		ruleChange(t, "https", Create, cty.NilVal, secgroupRule("ingress", "tcp", 443, 443, "0.0.0.0/0")),
		ruleChange(t, `in["ssh"]`, Create, cty.NilVal, secgroupRule("ingress", "tcp", 22, 22, "0.0.0.0/0")),
		ruleChange(t, "all_tcp_v6", Create, cty.NilVal, secgroupRule("ingress", "tcp", 1, 65535, "::/0")),
		ruleChange(t, "anything", Create, cty.NilVal, secgroupRule("ingress", "", 0, 0, "0.0.0.0/0")),
		// A rule widened from the office to the internet.
		ruleChange(t, "ssh_office", Update, secgroupRule("ingress", "tcp", 22, 22, "192.0.2.0/24"), secgroupRule("ingress", "tcp", 22, 22, "0.0.0.0/0")),
		// Replaced: the new rule counts.
		ruleChange(t, "jump", DeleteThenCreate, secgroupRule("ingress", "tcp", 2222, 2222, "0.0.0.0/0"), secgroupRule("ingress", "tcp", 20, 25, "0.0.0.0/0")),
	)
	got := denials(t, violating)
	mod := `module.ente["c_h501"].openstack_networking_secgroup_rule_v2.`
	assert.Equal(t, []string{
		mod + "all_tcp_v6 lets ::/0 reach SSH (port 22)",
		mod + "anything lets 0.0.0.0/0 reach SSH (port 22)",
		mod + `in["ssh"] lets 0.0.0.0/0 reach SSH (port 22)`,
		mod + "jump lets 0.0.0.0/0 reach SSH (port 22)",
		mod + "ssh_office lets 0.0.0.0/0 reach SSH (port 22)",
	}, got)

	raw, err := MarshalJSON(violating, nil, nil)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "hunter2", "the policy reads the plan without its secrets")
}
