package acctest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/stretchr/testify/require"
)

// netProject makes a project of the test's own with Neutron quotas of n
// for everything, for objects the admin creates in it (tenant_id).
func netProject(t *testing.T, e *Env, n int) string {
	t.Helper()
	ctx := e.Context()
	admin := e.Admin()
	p, err := projects.Create(ctx, e.Client(admin.Identity), projects.CreateOpts{Name: e.Name("net-home")}).Extract()
	require.NoError(t, err)
	_, err = quotas.Update(ctx, e.Client(admin.Network), p.ID, quotas.UpdateOpts{Network: &n, Subnet: &n, Port: &n, Router: &n,
		FloatingIP: &n, SecurityGroup: &n, SecurityGroupRule: &n}).Extract()
	require.NoError(t, err)
	return p.ID
}

// rulesHCL is n inline rules: TCP ports from base, from 10.0.0.0/8.
func rulesHCL(n, base int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  rule {\n    direction = \"ingress\"\n    protocol = \"tcp\"\n    port_range_min = %d\n    port_range_max = %d\n    remote_ip_prefix = \"10.0.0.0/8\"\n  }\n", base+i, base+i)
	}
	return b.String()
}

// TestAccNetworkingSecGroupInline350 applies a security group with 350
// inline rules, checks the no-change plan, changes a few rules in place,
// imports it back, and destroys it, timing apply and destroy.
func TestAccNetworkingSecGroupInline350(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	project := netProject(t, e, 2000)
	w := e.NewWorkdir(CloudAdmin)
	name := e.Name("sg350")
	cfg := func(rules string) string {
		return fmt.Sprintf(`resource "openstack_networking_secgroup_v2" "big" {
  name                 = %q
  description          = "350 rules"
  tenant_id            = %q
  delete_default_rules = true
  tags                 = ["acc"]
%s}
`, name, project, rules)
	}
	w.Write(cfg(rulesHCL(350, 10000)))
	w.Must("init", "-input=false")
	start := time.Now()
	w.Must("apply", "-auto-approve", "-input=false", "-no-color")
	applied := time.Since(start)
	t.Logf("apply of 350 inline rules: %v", applied.Round(time.Millisecond))
	id := w.ID("openstack_networking_secgroup_v2.big")
	nc := e.Client(e.Admin().Network)
	g, err := groups.Get(ctx, nc, id).Extract()
	require.NoError(t, err)
	require.Len(t, g.Rules, 350)
	require.Equal(t, project, g.TenantID)

	start = time.Now()
	w.PlanNoChanges()
	t.Logf("no-change plan: %v", time.Since(start).Round(time.Millisecond))

	// In place: 3 rules differ, the description too.
	start = time.Now()
	w.Apply(strings.Replace(cfg(rulesHCL(347, 10000)+rulesHCL(3, 20000)), "350 rules", "347+3 rules", 1))
	t.Logf("update of 3 rules: %v", time.Since(start).Round(time.Millisecond))
	require.Equal(t, id, w.ID("openstack_networking_secgroup_v2.big"), "updated in place")
	g, err = groups.Get(ctx, nc, id).Extract()
	require.NoError(t, err)
	require.Len(t, g.Rules, 350)
	require.Equal(t, "347+3 rules", g.Description)
	w.PlanNoChanges()

	// Import round trip: the rules come back with the configuration.
	w.StateRm("openstack_networking_secgroup_v2.big")
	w.Import("openstack_networking_secgroup_v2.big", id)
	out := w.PlanChanges()
	require.Contains(t, out, "rule", "imported without rules, the plan adds the configured ones to the state")
	require.NotContains(t, out, "must be replaced")
	w.Apply(strings.Replace(cfg(rulesHCL(347, 10000)+rulesHCL(3, 20000)), "350 rules", "347+3 rules", 1))
	w.PlanNoChanges()
	g, err = groups.Get(ctx, nc, id).Extract()
	require.NoError(t, err)
	require.Len(t, g.Rules, 350, "the apply after import recreated nothing")

	start = time.Now()
	w.Destroy()
	destroyed := time.Since(start)
	t.Logf("destroy of the 350-rule group: %v", destroyed.Round(time.Millisecond))
	_, err = groups.Get(ctx, nc, id).Extract()
	require.True(t, notFound(err), "group gone: %v", err)
	if applied > 10*time.Second {
		t.Errorf("apply took %v, want under 10s", applied)
	}
	if destroyed > 3*time.Second {
		t.Errorf("destroy took %v, want under 3s", destroyed)
	}
}
