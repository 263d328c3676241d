package acctest

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
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
// imports it back, and destroys it, timing apply and destroy. It does not
// run in parallel with the other tests: the timings are the cloud's alone.
func TestAccNetworkingSecGroupInline350(t *testing.T) {
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
	require.Equal(t, "347+3 rules", Unmarked(g.Description))
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
	// The bounds hold on an idle devcloud; other tests' load on its one
	// Neutron worker stretches them, so they are enforced on request.
	if os.Getenv("NUVOLA_ACC_STRICT_TIMINGS") != "" {
		if applied > 10*time.Second {
			t.Errorf("apply took %v, want under 10s", applied)
		}
		if destroyed > 3*time.Second {
			t.Errorf("destroy took %v, want under 3s", destroyed)
		}
	}
}

// estateHCL is one municipality's network: a network, a subnet, a router
// with its gateway on public and an interface on the subnet, and two
// security groups of five inline rules each. tenant, when set, places it
// in that project.
func estateHCL(key, prefix, tenant string, octet int, desc string) string {
	t := ""
	if tenant != "" {
		t = fmt.Sprintf("  tenant_id = %q\n", tenant)
	}
	var rules strings.Builder
	for i, port := range []int{22, 80, 443, 5432, 8080} {
		fmt.Fprintf(&rules, "  rule {\n    direction = \"ingress\"\n    protocol = \"tcp\"\n    port_range_min = %d\n    port_range_max = %d\n    remote_ip_prefix = \"10.%d.0.0/16\"\n    description = \"r%d\"\n  }\n", port, port, octet, i)
	}
	return fmt.Sprintf(`
resource "openstack_networking_network_v2" "%[1]s" {
  name = "%[2]s%[1]s"
%[3]s}

resource "openstack_networking_subnet_v2" "%[1]s" {
  name        = "%[2]s%[1]s"
  description = %[5]q
  network_id  = openstack_networking_network_v2.%[1]s.id
  cidr        = "10.%[4]d.0.0/24"
  dns_nameservers = ["1.1.1.1"]
%[3]s}

resource "openstack_networking_router_v2" "%[1]s" {
  name                = "%[2]s%[1]s"
  description         = %[5]q
  external_network_id = data.openstack_networking_network_v2.public.id
%[3]s}

resource "openstack_networking_router_interface_v2" "%[1]s" {
  router_id = openstack_networking_router_v2.%[1]s.id
  subnet_id = openstack_networking_subnet_v2.%[1]s.id
}

resource "openstack_networking_secgroup_v2" "%[1]s_web" {
  name                 = "%[2]s%[1]s-web"
  description          = %[5]q
  delete_default_rules = true
%[3]s%[6]s}

resource "openstack_networking_secgroup_v2" "%[1]s_db" {
  name = "%[2]s%[1]s-db"
%[3]s%[6]s}
`, key, prefix, t, octet, desc, rules.String())
}

const publicData = `
data "openstack_networking_network_v2" "public" {
  name     = "public"
  external = true
}
`

// TestAccNetworkingResources covers every networking resource type on the
// devcloud as the demo project: one municipality's estate plus a port with
// a floating IP associated, a standalone rule and the data sources;
// no-change plan, in-place updates, import round trips, destroy.
func TestAccNetworkingResources(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	w := e.NewWorkdir(CloudDemo)
	nc := e.Client(e.Cloud(CloudDemo).Network)
	p := e.Prefix
	extra := func(desc, portName string, pairs string) string {
		return fmt.Sprintf(`
resource "openstack_networking_port_v2" "vm" {
  name               = "%[1]s%[3]s"
  network_id         = openstack_networking_network_v2.m1.id
  security_group_ids = [openstack_networking_secgroup_v2.m1_web.id]
  fixed_ip {
    subnet_id  = openstack_networking_subnet_v2.m1.id
    ip_address = "10.1.0.50"
  }
%[4]s  tags = ["vm"]
}

resource "openstack_networking_floatingip_v2" "vm" {
  pool        = "public"
  description = "%[1]sfip %[2]s"
  depends_on  = [openstack_networking_router_interface_v2.m1]
}

resource "openstack_networking_floatingip_associate_v2" "vm" {
  floating_ip = openstack_networking_floatingip_v2.vm.address
  port_id     = openstack_networking_port_v2.vm.id
}

resource "openstack_networking_secgroup_v2" "free" {
  name = "%[1]sfree"
}

resource "openstack_networking_secgroup_rule_v2" "ssh" {
  security_group_id = openstack_networking_secgroup_v2.free.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 22
  port_range_max    = 22
  remote_ip_prefix  = "192.168.0.0/16"
}

data "openstack_networking_subnet_v2" "m1" {
  subnet_id = openstack_networking_subnet_v2.m1.id
}

data "openstack_networking_secgroup_v2" "web" {
  secgroup_id = openstack_networking_secgroup_v2.m1_web.id
}

output "subnet_cidr" {
  value = data.openstack_networking_subnet_v2.m1.cidr
}

output "web_id" {
  value = data.openstack_networking_secgroup_v2.web.id
}
`, p, desc, portName, pairs)
	}
	cfg1 := publicData + estateHCL("m1", p, "", 1, "first") + extra("first", "vm", "")
	start := time.Now()
	w.Apply(cfg1)
	t.Logf("apply: %v", time.Since(start).Round(time.Millisecond))

	ids := map[string]string{}
	for _, a := range []string{"openstack_networking_network_v2.m1", "openstack_networking_subnet_v2.m1", "openstack_networking_router_v2.m1",
		"openstack_networking_router_interface_v2.m1", "openstack_networking_secgroup_v2.m1_web", "openstack_networking_secgroup_v2.m1_db",
		"openstack_networking_port_v2.vm", "openstack_networking_floatingip_v2.vm", "openstack_networking_floatingip_associate_v2.vm",
		"openstack_networking_secgroup_v2.free", "openstack_networking_secgroup_rule_v2.ssh"} {
		ids[a] = w.ID(a)
	}
	// Checked on the cloud.
	sn, err := subnets.Get(ctx, nc, ids["openstack_networking_subnet_v2.m1"]).Extract()
	require.NoError(t, err)
	require.Equal(t, "10.1.0.0/24", sn.CIDR)
	rt, err := routers.Get(ctx, nc, ids["openstack_networking_router_v2.m1"]).Extract()
	require.NoError(t, err)
	require.NotEmpty(t, rt.GatewayInfo.NetworkID)
	gwIPs, _ := w.Attrs("openstack_networking_router_v2.m1")["external_fixed_ip"].([]any)
	require.Len(t, gwIPs, 1, "the gateway's address is read")
	require.Equal(t, rt.GatewayInfo.ExternalFixedIPs[0].IPAddress, gwIPs[0].(map[string]any)["ip_address"])
	ifport, err := ports.Get(ctx, nc, ids["openstack_networking_router_interface_v2.m1"]).Extract()
	require.NoError(t, err)
	require.Equal(t, rt.ID, ifport.DeviceID)
	web, err := groups.Get(ctx, nc, ids["openstack_networking_secgroup_v2.m1_web"]).Extract()
	require.NoError(t, err)
	require.Len(t, web.Rules, 5, "defaults deleted, five rules")
	db, err := groups.Get(ctx, nc, ids["openstack_networking_secgroup_v2.m1_db"]).Extract()
	require.NoError(t, err)
	require.Len(t, db.Rules, 5, "the default egress rules are not in the configuration: removed")
	vm, err := ports.Get(ctx, nc, ids["openstack_networking_port_v2.vm"]).Extract()
	require.NoError(t, err)
	require.Equal(t, "10.1.0.50", vm.FixedIPs[0].IPAddress)
	require.Equal(t, []string{web.ID}, vm.SecurityGroups)
	fip, err := floatingips.Get(ctx, nc, ids["openstack_networking_floatingip_v2.vm"]).Extract()
	require.NoError(t, err)
	require.Equal(t, vm.ID, fip.PortID, "associated")
	rule, err := rules.Get(ctx, nc, ids["openstack_networking_secgroup_rule_v2.ssh"]).Extract()
	require.NoError(t, err)
	require.Equal(t, "192.168.0.0/16", rule.RemoteIPPrefix)
	out := w.Must("output", "-raw", "subnet_cidr")
	require.Equal(t, "10.1.0.0/24", out)
	require.Equal(t, web.ID, w.Must("output", "-raw", "web_id"))

	start = time.Now()
	w.PlanNoChanges()
	t.Logf("no-change plan: %v", time.Since(start).Round(time.Millisecond))

	// In place: descriptions, the port's name and address pairs, a rule.
	cfg2 := publicData + strings.Replace(estateHCL("m1", p, "", 1, "second"), "port_range_min = 8080\n    port_range_max = 8080", "port_range_min = 8443\n    port_range_max = 8443", 2) +
		extra("second", "vm2", "  allowed_address_pairs {\n    ip_address = \"10.1.0.200\"\n  }\n")
	w.Apply(cfg2)
	for a, id := range ids {
		require.Equal(t, id, w.ID(a), "%s updated in place", a)
	}
	sn, err = subnets.Get(ctx, nc, sn.ID).Extract()
	require.NoError(t, err)
	require.Equal(t, "second", Unmarked(sn.Description))
	vm, err = ports.Get(ctx, nc, vm.ID).Extract()
	require.NoError(t, err)
	require.Equal(t, p+"vm2", vm.Name)
	require.Len(t, vm.AllowedAddressPairs, 1)
	web2, err := groups.Get(ctx, nc, web.ID).Extract()
	require.NoError(t, err)
	require.Len(t, web2.Rules, 5)
	kept := 0
	for _, r := range web2.Rules {
		for _, o := range web.Rules {
			if r.ID == o.ID {
				kept++
			}
		}
		if r.PortRangeMin == 8080 {
			t.Errorf("rule 8080 still there")
		}
	}
	require.Equal(t, 4, kept, "only the changed rule was replaced")
	w.PlanNoChanges()

	// Import round trips.
	for _, a := range []string{"openstack_networking_subnet_v2.m1", "openstack_networking_router_v2.m1", "openstack_networking_router_interface_v2.m1",
		"openstack_networking_port_v2.vm", "openstack_networking_floatingip_v2.vm", "openstack_networking_floatingip_associate_v2.vm",
		"openstack_networking_secgroup_v2.free", "openstack_networking_secgroup_rule_v2.ssh"} {
		w.StateRm(a)
		w.Import(a, ids[a])
	}
	w.PlanNoChanges()

	start = time.Now()
	w.Destroy()
	t.Logf("destroy: %v", time.Since(start).Round(time.Millisecond))
	for a, id := range ids {
		var err error
		switch {
		case strings.Contains(a, "subnet_v2"):
			_, err = subnets.Get(ctx, nc, id).Extract()
		case strings.Contains(a, "router_v2"):
			_, err = routers.Get(ctx, nc, id).Extract()
		case strings.Contains(a, "port_v2"), strings.Contains(a, "interface"):
			_, err = ports.Get(ctx, nc, id).Extract()
		case strings.Contains(a, "floatingip_v2"):
			_, err = floatingips.Get(ctx, nc, id).Extract()
		case strings.Contains(a, "secgroup_v2"):
			_, err = groups.Get(ctx, nc, id).Extract()
		case strings.Contains(a, "rule_v2"):
			_, err = rules.Get(ctx, nc, id).Extract()
		default:
			continue
		}
		require.True(t, notFound(err), "%s %s gone: %v", a, id, err)
	}
}

// TestAccNetworkingQuota sets a project's Neutron quotas, changes one in
// place, imports them and resets them to the defaults on destroy.
func TestAccNetworkingQuota(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	admin := e.Admin()
	p, err := projects.Create(ctx, e.Client(admin.Identity), projects.CreateOpts{Name: e.Name("quota")}).Extract()
	require.NoError(t, err)
	nc := e.Client(admin.Network)
	w := e.NewWorkdir(CloudAdmin)
	cfg := func(n int) string {
		return fmt.Sprintf(`resource "openstack_networking_quota_v2" "q" {
  project_id          = %q
  network             = %d
  security_group_rule = 700
}
`, p.ID, n)
	}
	w.Apply(cfg(20))
	q, err := quotas.Get(ctx, nc, p.ID).Extract()
	require.NoError(t, err)
	require.Equal(t, 20, q.Network)
	require.Equal(t, 700, q.SecurityGroupRule)
	w.PlanNoChanges()
	w.Apply(cfg(30))
	q, err = quotas.Get(ctx, nc, p.ID).Extract()
	require.NoError(t, err)
	require.Equal(t, 30, q.Network)
	w.StateRm("openstack_networking_quota_v2.q")
	w.Import("openstack_networking_quota_v2.q", p.ID)
	w.PlanNoChanges()
	w.Destroy()
	q, err = quotas.Get(ctx, nc, p.ID).Extract()
	require.NoError(t, err)
	require.Equal(t, 100, q.Network, "back to the default")
}

// TestAccNetworkingEstate20 applies 20 municipalities' networks (network,
// subnet, router with its gateway, interface, two security groups of five
// rules) in a project of the test's own, checks the no-change plan, and
// destroys them, timing each step.
func TestAccNetworkingEstate20(t *testing.T) {
	t.Parallel()
	e := New(t)
	project := netProject(t, e, 500)
	w := e.NewWorkdir(CloudAdmin)
	var b strings.Builder
	b.WriteString(publicData)
	for i := range 20 {
		b.WriteString(estateHCL(fmt.Sprintf("c%02d", i), e.Prefix, project, 100+i, "comune"))
	}
	w.Write(b.String())
	w.Must("init", "-input=false")
	start := time.Now()
	w.Must("apply", "-auto-approve", "-input=false", "-no-color")
	t.Logf("apply of 20 municipalities (120 objects, 200 rules): %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	w.PlanNoChanges()
	t.Logf("no-change plan: %v", time.Since(start).Round(time.Millisecond))
	nc := e.Client(e.Admin().Network)
	pages, err := routers.List(nc, routers.ListOpts{TenantID: project}).AllPages(e.Context())
	require.NoError(t, err)
	all, err := routers.ExtractRouters(pages)
	require.NoError(t, err)
	require.Len(t, all, 20)
	start = time.Now()
	w.Destroy()
	t.Logf("destroy: %v", time.Since(start).Round(time.Millisecond))
	pages, err = routers.List(nc, routers.ListOpts{TenantID: project}).AllPages(e.Context())
	require.NoError(t, err)
	all, err = routers.ExtractRouters(pages)
	require.NoError(t, err)
	require.Empty(t, all)
}
