package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/baseline"
)

// launchBuiltin starts a built-in provider as nuvola does, by re-executing
// this binary (TestMain serves it).
func launchBuiltin(t *testing.T, name string) plugins.Provider {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	p, err := plugins.Launch(context.Background(), plugins.LaunchConfig{
		Name: name, Cmd: exec.Command(self, "provider", "serve", name), CallTimeout: time.Minute,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// TestBuiltinBaselineProviderChecksPlans starts the built-in baseline
// provider as a plugin: the host's client checks plans, and findings come
// back with their paths, an inline rule's set element included.
func TestBuiltinBaselineProviderChecksPlans(t *testing.T) {
	ctx := context.Background()
	b, ok := builtinProviders[baseline.Source]
	require.True(t, ok, "the baseline provider is built in")
	assert.Equal(t, "baseline", b.name)

	p := launchBuiltin(t, "baseline")
	pc, ok := p.(plugins.PolicyChecker)
	require.True(t, ok, "the launched baseline provider checks plans")
	schema := p.GetSchema(ctx, plugins.GetSchemaRequest{})
	require.Empty(t, schema.Diagnostics)
	assert.Empty(t, schema.ResourceTypes)

	rules := pc.GetPolicyRules(ctx)
	require.Empty(t, rules.Diagnostics)
	assert.Equal(t, baseline.New().(plugins.PolicyChecker).GetPolicyRules(ctx).Rules, rules.Rules)

	rule := cty.ObjectVal(map[string]cty.Value{
		"direction": cty.StringVal("ingress"), "ethertype": cty.StringVal("IPv4"), "protocol": cty.StringVal("tcp"),
		"port_range_min": cty.NumberIntVal(22), "port_range_max": cty.NumberIntVal(22),
		"remote_ip_prefix": cty.StringVal("0.0.0.0/0"), "remote_group_id": cty.NullVal(cty.String), "description": cty.NullVal(cty.String),
	})
	group := cty.ObjectVal(map[string]cty.Value{
		"id": cty.UnknownVal(cty.String), "name": cty.StringVal("web"), "description": cty.StringVal("web"),
		"region": cty.UnknownVal(cty.String), "rule": cty.SetVal([]cty.Value{rule}),
	})
	resp := pc.CheckPlan(ctx, plugins.CheckPlanRequest{
		Baseline: "ente",
		Settings: cty.ObjectVal(map[string]cty.Value{
			"profile":     cty.StringVal("critico"),
			"admin_cidrs": cty.TupleVal([]cty.Value{cty.StringVal("10.20.0.0/16")}),
		}),
		Resources: []plugins.PolicyResource{{
			Address: "openstack_networking_secgroup_v2.web", Mode: "managed", Type: "openstack_networking_secgroup_v2",
			ProviderName: "openstack", Action: plugins.PolicyActionCreate, Before: cty.NullVal(group.Type()), After: group, Config: group,
		}},
	})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	require.Len(t, resp.Findings, 1)
	f := resp.Findings[0]
	assert.Equal(t, "NV-NET-001", f.RuleID)
	assert.Equal(t, plugins.PolicySeverityError, f.Severity)
	assert.True(t, cty.GetAttrPath("rule").Index(rule).GetAttr("remote_ip_prefix").Equals(f.Path), "%#v", f.Path)

	// A provider that checks no plans is not handed out as one.
	_, ok = launchBuiltin(t, "null").(plugins.PolicyChecker)
	assert.False(t, ok)
}

// The built-in openstack provider, launched as a plugin, marks what it
// creates and answers the ownership calls; the null provider does neither,
// and neither checks plans unless it is the baseline provider.
func TestBuiltinProvidersCapabilities(t *testing.T) {
	ostack := launchBuiltin(t, "openstack")
	_, ok := ostack.(plugins.OwnedResourceFinder)
	assert.True(t, ok, "openstack finds its marked objects")
	_, ok = ostack.(plugins.PolicyChecker)
	assert.False(t, ok)
	null := launchBuiltin(t, "null")
	_, ok = null.(plugins.OwnedResourceFinder)
	assert.False(t, ok)
	// Without a configured client the call answers with a diagnostic, not a
	// crash.
	resp := ostack.(plugins.OwnedResourceFinder).ListOwnedResources(context.Background(), plugins.ListOwnedResourcesRequest{Lineage: "x"})
	assert.True(t, resp.Diagnostics.HasErrors())
}
