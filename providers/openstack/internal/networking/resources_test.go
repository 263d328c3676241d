package networking

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// fullFake is the fake Neutron with networks, the other collections, and
// what routers, ports and quotas do beyond the generic.
type fullFake struct {
	*fakeNet
	nets   *fakeNeutron
	quotas map[string]map[string]any
}

func newFullFake(t *testing.T, cloud *osfwtest.Cloud) *fullFake {
	f := &fullFake{fakeNet: newFakeNet(cloud, t), nets: newFakeNeutron(cloud, t), quotas: map[string]map[string]any{}}
	ip := 10
	f.onCreate["subnets"] = func(o map[string]any) {
		if _, ok := o["gateway_ip"]; !ok {
			o["gateway_ip"] = "10.0.0.1"
		}
		if _, ok := o["enable_dhcp"]; !ok {
			o["enable_dhcp"] = true
		}
		if _, ok := o["allocation_pools"]; !ok {
			o["allocation_pools"] = []any{map[string]any{"start": "10.0.0.2", "end": "10.0.0.254"}}
		}
		for _, k := range []string{"host_routes", "dns_nameservers", "service_types"} {
			if _, ok := o[k]; !ok {
				o[k] = []any{}
			}
		}
		if _, ok := o["description"]; !ok {
			o["description"] = ""
		}
	}
	f.onCreate["routers"] = func(o map[string]any) {
		o["status"] = "ACTIVE"
		if _, ok := o["admin_state_up"]; !ok {
			o["admin_state_up"] = true
		}
		if gw, ok := o["external_gateway_info"].(map[string]any); ok {
			if _, ok := gw["enable_snat"]; !ok {
				gw["enable_snat"] = true
			}
			gw["external_fixed_ips"] = []any{map[string]any{"subnet_id": "public-subnet", "ip_address": "172.24.4.5"}}
		}
		o["distributed"] = false
		o["availability_zone_hints"] = []any{}
	}
	f.onCreate["ports"] = func(o map[string]any) {
		ip++
		o["status"] = "ACTIVE"
		if _, ok := o["admin_state_up"]; !ok {
			o["admin_state_up"] = true
		}
		if _, ok := o["mac_address"]; !ok {
			o["mac_address"] = fmt.Sprintf("fa:16:3e:00:00:%02x", ip)
		}
		if ips, ok := o["fixed_ips"].([]any); ok {
			for _, e := range ips {
				m := e.(map[string]any)
				if _, ok := m["ip_address"]; !ok {
					m["ip_address"] = fmt.Sprintf("10.0.0.%d", ip)
				}
			}
		} else {
			o["fixed_ips"] = []any{map[string]any{"subnet_id": "subnet-x", "ip_address": fmt.Sprintf("10.0.0.%d", ip)}}
		}
		if _, ok := o["security_groups"]; !ok {
			o["security_groups"] = []any{"default-sg"}
		}
		for _, k := range []string{"device_owner", "device_id", "description", "name"} {
			if _, ok := o[k]; !ok {
				o[k] = ""
			}
		}
		if _, ok := o["allowed_address_pairs"]; !ok {
			o["allowed_address_pairs"] = []any{}
		}
		o["port_security_enabled"] = true
	}
	f.onCreate["floatingips"] = func(o map[string]any) {
		ip++
		o["status"] = "DOWN"
		if _, ok := o["floating_ip_address"]; !ok {
			o["floating_ip_address"] = fmt.Sprintf("172.24.4.%d", ip)
		}
		if _, ok := o["port_id"]; !ok {
			o["port_id"] = nil
		}
		o["fixed_ip_address"] = nil
		if o["port_id"] != nil {
			o["status"] = "ACTIVE"
			o["fixed_ip_address"] = "10.0.0.99"
		}
		if _, ok := o["description"]; !ok {
			o["description"] = ""
		}
	}
	base := osfwtest.NetworkPath + "v2.0/"
	cloud.Handle("PUT "+base+"routers/{id}/add_router_interface", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)
		f.mu.Lock()
		_, ok := f.objs["routers"][r.PathValue("id")]
		var p map[string]any
		if ok {
			p = f.add("ports", map[string]any{"network_id": "net-x", "device_id": r.PathValue("id"), "device_owner": "network:router_interface",
				"fixed_ips": []any{map[string]any{"subnet_id": body["subnet_id"]}}})
		}
		f.mu.Unlock()
		if !ok {
			osfwtest.NotFound(w, "Router")
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "port_id": p["id"], "subnet_id": body["subnet_id"]})
	})
	cloud.Handle("PUT "+base+"routers/{id}/remove_router_interface", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)
		f.mu.Lock()
		p, ok := f.objs["ports"][fmt.Sprint(body["port_id"])]
		if ok && p["device_id"] == r.PathValue("id") {
			delete(f.objs["ports"], p["id"].(string))
		} else {
			ok = false
		}
		f.mu.Unlock()
		if !ok {
			osfwtest.NotFound(w, "RouterInterface")
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "port_id": body["port_id"]})
	})
	defaults := map[string]any{"network": 100.0, "subnet": 100.0, "port": 500.0, "router": 10.0, "floatingip": 50.0,
		"security_group": 10.0, "security_group_rule": 100.0, "rbac_policy": 10.0, "subnetpool": -1.0}
	cloud.Handle("GET "+base+"quotas/{project}", func(w http.ResponseWriter, r *http.Request) {
		q := map[string]any{}
		for k, v := range defaults {
			q[k] = v
		}
		f.mu.Lock()
		for k, v := range f.quotas[r.PathValue("project")] {
			q[k] = v
		}
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"quota": q})
	})
	cloud.Handle("PUT "+base+"quotas/{project}", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)["quota"].(map[string]any)
		f.mu.Lock()
		if f.quotas[r.PathValue("project")] == nil {
			f.quotas[r.PathValue("project")] = map[string]any{}
		}
		for k, v := range body {
			f.quotas[r.PathValue("project")][k] = v
		}
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"quota": body})
	})
	cloud.Handle("DELETE "+base+"quotas/{project}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		delete(f.quotas, r.PathValue("project"))
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	return f
}

// lifecycle runs create, batched refresh, no-change plan, an update in
// place, import and destroy of one type; it returns the created state's
// id.
func lifecycle(t *testing.T, cloud *osfwtest.Cloud, p *osfw.Provider, typ string, cfg, cfg2 map[string]any, check func(phase string, st cty.Value)) string {
	t.Helper()
	c1 := osfwtest.Object(t, p, typ, cfg)
	st := osfwtest.Apply(t, p, typ, cty.NilVal, c1)
	id := st.GetAttr("id").AsString()
	require.NotEmpty(t, id)
	check("create", st)
	// Batched refresh: two objects, one list request.
	st2 := osfwtest.Apply(t, p, typ, cty.NilVal, c1)
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, typ, st, st2)
	require.Len(t, cloud.Requests(), 1, "%v", cloud.Requests())
	st = got[0]
	osfwtest.NoChange(t, p, typ, st, c1)
	osfwtest.Destroy(t, p, typ, st2)
	if cfg2 != nil {
		c2 := osfwtest.Object(t, p, typ, cfg2)
		st = osfwtest.Apply(t, p, typ, st, c2)
		require.Equal(t, id, st.GetAttr("id").AsString(), "updated in place")
		check("update", st)
		st = osfwtest.Read(t, p, typ, st)[0]
		osfwtest.NoChange(t, p, typ, st, c2)
	}
	imp := osfwtest.Import(t, p, typ, id)
	check("import", imp)
	osfwtest.Destroy(t, p, typ, st)
	gone := osfwtest.Read(t, p, typ, st)[0]
	require.True(t, gone.IsNull(), "gone after destroy")
	osfwtest.Destroy(t, p, typ, st) // a 404 is no error
	return id
}

func provider(t *testing.T, cloud *osfwtest.Cloud) *osfw.Provider {
	return cloud.Provider(t, Resources(), DataSources(), map[string]string{"ente": "c_a662"})
}

func TestSubnetLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	typ := "openstack_networking_subnet_v2"
	lifecycle(t, cloud, p, typ,
		map[string]any{"network_id": "net-1", "cidr": "10.0.0.0/24", "name": "s", "dns_nameservers": []string{"1.1.1.1"}},
		map[string]any{"network_id": "net-1", "cidr": "10.0.0.0/24", "name": "s2", "no_gateway": true, "dns_nameservers": []string{"8.8.8.8"},
			"allocation_pool": []map[string]any{{"start": "10.0.0.10", "end": "10.0.0.20"}}},
		func(phase string, st cty.Value) {
			id := st.GetAttr("id").AsString()
			switch phase {
			case "create":
				assert.Equal(t, "10.0.0.1", st.GetAttr("gateway_ip").AsString())
				assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("ente=c_a662")}), st.GetAttr("all_tags"))
				assert.Equal(t, 1, st.GetAttr("allocation_pool").LengthInt(), "Neutron's pool is read")
			case "update":
				o := f.obj("subnets", id)
				assert.Nil(t, o["gateway_ip"])
				assert.Equal(t, "s2", o["name"])
				assert.Equal(t, []any{map[string]any{"start": "10.0.0.10", "end": "10.0.0.20"}}, o["allocation_pools"])
			}
		})
}

func TestRouterAndInterfaceLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	typ := "openstack_networking_router_v2"
	lifecycle(t, cloud, p, typ,
		map[string]any{"name": "r", "external_network_id": "public-net"},
		map[string]any{"name": "r2", "external_network_id": "public-net", "enable_snat": false},
		func(phase string, st cty.Value) {
			switch phase {
			case "create":
				assert.Equal(t, "public-net", st.GetAttr("external_network_id").AsString())
				assert.True(t, st.GetAttr("enable_snat").True())
				assert.Equal(t, "172.24.4.5", st.GetAttr("external_fixed_ip").Index(cty.NumberIntVal(0)).GetAttr("ip_address").AsString())
			case "update":
				gw := f.obj("routers", st.GetAttr("id").AsString())["external_gateway_info"].(map[string]any)
				assert.Equal(t, false, gw["enable_snat"])
			}
		})

	rt := osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, map[string]any{"name": "r"}))
	rid := rt.GetAttr("id").AsString()
	ityp := "openstack_networking_router_interface_v2"
	id := lifecycle(t, cloud, p, ityp, map[string]any{"router_id": rid, "subnet_id": "subnet-9"}, nil, func(phase string, st cty.Value) {
		assert.Equal(t, rid, st.GetAttr("router_id").AsString(), phase)
		assert.Equal(t, "subnet-9", st.GetAttr("subnet_id").AsString(), phase)
		assert.Equal(t, st.GetAttr("id"), st.GetAttr("port_id"), phase)
	})
	assert.Nil(t, f.obj("ports", id))

	// A port moved to another router: the interface is gone.
	st := osfwtest.Apply(t, p, ityp, cty.NilVal, osfwtest.Object(t, p, ityp, map[string]any{"router_id": rid, "subnet_id": "subnet-9"}))
	f.mu.Lock()
	f.objs["ports"][st.GetAttr("id").AsString()]["device_id"] = "other"
	f.mu.Unlock()
	assert.True(t, osfwtest.Read(t, p, ityp, st)[0].IsNull())

	// "<router>:<port>" import.
	st = osfwtest.Apply(t, p, ityp, cty.NilVal, osfwtest.Object(t, p, ityp, map[string]any{"router_id": rid, "subnet_id": "subnet-7"}))
	imp := osfwtest.Import(t, p, ityp, rid+":"+st.GetAttr("id").AsString())
	assert.Equal(t, rid, imp.GetAttr("router_id").AsString())
}

func TestPortLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	typ := "openstack_networking_port_v2"
	lifecycle(t, cloud, p, typ,
		map[string]any{"network_id": "net-1", "name": "p", "fixed_ip": []map[string]any{{"subnet_id": "sub-1", "ip_address": "10.0.0.50"}},
			"security_group_ids": []string{"sg-a"}},
		map[string]any{"network_id": "net-1", "name": "p2", "fixed_ip": []map[string]any{{"subnet_id": "sub-1", "ip_address": "10.0.0.50"}},
			"no_security_groups": true, "allowed_address_pairs": []map[string]any{{"ip_address": "10.0.0.200"}}},
		func(phase string, st cty.Value) {
			id := st.GetAttr("id").AsString()
			switch phase {
			case "create":
				assert.Equal(t, cty.ListVal([]cty.Value{cty.StringVal("10.0.0.50")}), st.GetAttr("all_fixed_ips"))
				assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("sg-a")}), st.GetAttr("all_security_group_ids"))
				assert.False(t, st.GetAttr("mac_address").IsNull())
			case "update":
				o := f.obj("ports", id)
				assert.Equal(t, []any{}, o["security_groups"])
				assert.Equal(t, []any{map[string]any{"ip_address": "10.0.0.200"}}, o["allowed_address_pairs"])
				assert.Equal(t, 0, st.GetAttr("all_security_group_ids").LengthInt())
			}
		})
}

// Neutron's IpAddressGenerationFailure (409) passes once addresses free up:
// the transport retries it, so a port create that meets it succeeds.
func TestPortCreateRetriesIPExhaustion(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	var fails atomic.Int32
	f.fail = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/ports") && fails.Add(1) <= 2 {
			osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"NeutronError": map[string]any{"type": "IpAddressGenerationFailure",
				"message": "No more IP addresses available on network net-1.", "detail": ""}})
			return true
		}
		return false
	}
	p := provider(t, cloud)
	typ := "openstack_networking_port_v2"
	start := time.Now()
	st := osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, map[string]any{"network_id": "net-1", "name": "p"}))
	assert.NotEmpty(t, st.GetAttr("id").AsString())
	assert.Equal(t, int32(3), fails.Load(), "two refusals, then the create")
	assert.Equal(t, 1, f.count("ports"))
	t.Logf("created after %v", time.Since(start))
}

func TestFloatingIPAndAssociateLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	pub := osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "public", "external": true}))
	pubID := pub.GetAttr("id").AsString()
	typ := "openstack_networking_floatingip_v2"
	lifecycle(t, cloud, p, typ,
		map[string]any{"pool": "public", "description": "fip"},
		map[string]any{"pool": "public", "description": "fip2", "port_id": "port-77"},
		func(phase string, st cty.Value) {
			id := st.GetAttr("id").AsString()
			assert.Equal(t, "public", st.GetAttr("pool").AsString(), phase)
			assert.True(t, strings.HasPrefix(st.GetAttr("address").AsString(), "172.24.4."), phase)
			if phase == "create" {
				assert.Equal(t, pubID, f.obj("floatingips", id)["floating_network_id"])
			}
			if phase == "update" {
				assert.Equal(t, "port-77", f.obj("floatingips", id)["port_id"])
			}
		})

	fip := osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, map[string]any{"pool": "public"}))
	addr := fip.GetAttr("address").AsString()
	atyp := "openstack_networking_floatingip_associate_v2"
	st := osfwtest.Apply(t, p, atyp, cty.NilVal, osfwtest.Object(t, p, atyp, map[string]any{"floating_ip": addr, "port_id": "port-1"}))
	id := st.GetAttr("id").AsString()
	assert.Equal(t, fip.GetAttr("id").AsString(), id)
	assert.Equal(t, "port-1", f.obj("floatingips", id)["port_id"])
	st = osfwtest.Read(t, p, atyp, st)[0]
	assert.Equal(t, addr, st.GetAttr("floating_ip").AsString())
	imp := osfwtest.Import(t, p, atyp, id)
	assert.Equal(t, "port-1", imp.GetAttr("port_id").AsString())
	osfwtest.Destroy(t, p, atyp, st)
	assert.Nil(t, f.obj("floatingips", id)["port_id"], "dissociated, the floating IP stays")
	assert.True(t, osfwtest.Read(t, p, atyp, st)[0].IsNull(), "not associated: gone")
}

func TestSecGroupRuleLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	sg := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": "g"}))
	sgID := sg.GetAttr("id").AsString()
	typ := "openstack_networking_secgroup_rule_v2"
	lifecycle(t, cloud, p, typ,
		map[string]any{"security_group_id": sgID, "direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"},
		nil,
		func(phase string, st cty.Value) {
			assert.Equal(t, "IPv4", st.GetAttr("ethertype").AsString(), phase)
			assert.Equal(t, "tcp", st.GetAttr("protocol").AsString(), phase)
		})
	// A rule with no ports reads back 0, as configured the reference way.
	st := osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, map[string]any{"security_group_id": sgID, "direction": "egress",
		"port_range_min": 0, "port_range_max": 0}))
	o := f.obj("security-group-rules", st.GetAttr("id").AsString())
	assert.Nil(t, o["port_range_min"])
	st = osfwtest.Read(t, p, typ, st)[0]
	osfwtest.NoChange(t, p, typ, st, osfwtest.Object(t, p, typ, map[string]any{"security_group_id": sgID, "direction": "egress",
		"port_range_min": 0, "port_range_max": 0}))
	// Every argument forces a new rule.
	pr := osfwtest.Plan(t, p, typ, st, osfwtest.Object(t, p, typ, map[string]any{"security_group_id": sgID, "direction": "ingress",
		"port_range_min": 0, "port_range_max": 0}))
	assert.NotEmpty(t, pr.RequiresReplace)
}

func TestQuotaLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	typ := "openstack_networking_quota_v2"
	c1 := osfwtest.Object(t, p, typ, map[string]any{"project_id": "proj-1", "network": 20, "security_group_rule": 500})
	st := osfwtest.Apply(t, p, typ, cty.NilVal, c1)
	assert.Equal(t, "proj-1", st.GetAttr("id").AsString())
	assert.Equal(t, map[string]any{"network": 20.0, "security_group_rule": 500.0}, f.quotas["proj-1"], "only the configured quotas are sent")
	assert.Equal(t, int64(10), bigInt(st.GetAttr("router")))
	st = osfwtest.Read(t, p, typ, st)[0]
	osfwtest.NoChange(t, p, typ, st, c1)
	st = osfwtest.Apply(t, p, typ, st, osfwtest.Object(t, p, typ, map[string]any{"project_id": "proj-1", "network": 30, "security_group_rule": 500}))
	assert.Equal(t, 30.0, f.quotas["proj-1"]["network"])
	imp := osfwtest.Import(t, p, typ, "proj-1/RegionOne")
	assert.Equal(t, "proj-1", imp.GetAttr("project_id").AsString())
	osfwtest.Destroy(t, p, typ, st)
	assert.Nil(t, f.quotas["proj-1"], "back to the defaults")
}

func bigInt(v cty.Value) int64 {
	i, _ := v.AsBigFloat().Int64()
	return i
}

// A 409 OverQuota on any networking create names the quota and the
// project.
func TestNetworkingQuotaErrors(t *testing.T) {
	for _, tc := range []struct {
		typ, coll, quota string
		cfg              map[string]any
	}{
		{"openstack_networking_subnet_v2", "subnets", "subnet", map[string]any{"network_id": "n", "cidr": "10.0.0.0/24"}},
		{"openstack_networking_router_v2", "routers", "router", map[string]any{"name": "r"}},
		{"openstack_networking_port_v2", "ports", "port", map[string]any{"network_id": "n"}},
		{"openstack_networking_secgroup_v2", "security-groups", "security_group", map[string]any{"name": "g"}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			cloud := osfwtest.NewCloud(t)
			f := newFullFake(t, cloud)
			f.fail = func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/"+tc.coll) {
					osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"NeutronError": map[string]any{"type": "OverQuota",
						"message": fmt.Sprintf("Quota exceeded for resources: ['%s'].", tc.quota), "detail": ""}})
					return true
				}
				return false
			}
			p := provider(t, cloud)
			resp := osfwtest.ApplyResp(t, p, tc.typ, cty.NilVal, osfwtest.Object(t, p, tc.typ, tc.cfg))
			require.True(t, resp.Diagnostics.HasErrors())
			assert.Equal(t, "Quota exceeded", resp.Diagnostics[0].Summary)
			assert.Contains(t, resp.Diagnostics[0].Detail, fmt.Sprintf("the %q quota of project %s", tc.quota, osfwtest.ProjectID))
		})
	}
}

func TestDataSources(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFullFake(t, cloud)
	p := provider(t, cloud)
	osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "public", "external": true}))
	osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "lan"}))
	osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "lan"}))
	sub := osfwtest.Apply(t, p, "openstack_networking_subnet_v2", cty.NilVal, osfwtest.Object(t, p, "openstack_networking_subnet_v2",
		map[string]any{"network_id": "net-1", "cidr": "172.24.4.0/24", "name": "public-subnet"}))
	sg := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": "web"}))

	read := func(typ string, attrs map[string]any) plugins.ReadDataSourceResponse {
		b := p.GetSchema(t.Context(), plugins.GetSchemaRequest{}).DataSources[typ].Block
		d := osfw.NewData(b, cty.NullVal(b.ImpliedType()))
		for k, v := range attrs {
			d.Set(k, v)
		}
		return p.ReadDataSource(t.Context(), plugins.ReadDataSourceRequest{TypeName: typ, Config: d.Value()})
	}
	r := read("openstack_networking_network_v2", map[string]any{"name": "public"})
	require.False(t, r.Diagnostics.HasErrors(), "%v", r.Diagnostics.Err())
	assert.Equal(t, "net-1", r.State.GetAttr("id").AsString())
	assert.True(t, r.State.GetAttr("external").True())
	r = read("openstack_networking_network_v2", map[string]any{"name": "lan"})
	require.True(t, r.Diagnostics.HasErrors())
	assert.Contains(t, r.Diagnostics[0].Detail, "2 networks match")

	r = read("openstack_networking_subnet_v2", map[string]any{"name": "public-subnet"})
	require.False(t, r.Diagnostics.HasErrors(), "%v", r.Diagnostics.Err())
	assert.Equal(t, sub.GetAttr("id"), r.State.GetAttr("subnet_id"))
	assert.Equal(t, "172.24.4.0/24", r.State.GetAttr("cidr").AsString())

	r = read("openstack_networking_secgroup_v2", map[string]any{"name": "web"})
	require.False(t, r.Diagnostics.HasErrors(), "%v", r.Diagnostics.Err())
	assert.Equal(t, sg.GetAttr("id"), r.State.GetAttr("secgroup_id"))
	r = read("openstack_networking_secgroup_v2", map[string]any{"name": "nope"})
	require.True(t, r.Diagnostics.HasErrors())
}

// An estate of 20 municipalities (network, subnet, router with gateway,
// interface, two security groups of five rules): its creation takes few
// requests, and its refresh one list request per type.
func TestEstateRequestCounts(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFullFake(t, cloud)
	p := cloud.Provider(t, Resources(), DataSources(), nil)
	var rules []map[string]any
	for _, port := range []int{22, 80, 443, 5432, 8080} {
		rules = append(rules, rule("ingress", "tcp", port, "10.0.0.0/8"))
	}
	states := map[string][]cty.Value{}
	cloud.ResetRequests()
	for i := range 20 {
		add := func(typ string, attrs map[string]any) cty.Value {
			st := osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, attrs))
			states[typ] = append(states[typ], st)
			return st
		}
		n := add(netType, map[string]any{"name": fmt.Sprintf("c%02d", i)})
		s := add("openstack_networking_subnet_v2", map[string]any{"network_id": n.GetAttr("id").AsString(), "cidr": fmt.Sprintf("10.%d.0.0/24", i)})
		r := add("openstack_networking_router_v2", map[string]any{"name": fmt.Sprintf("c%02d", i), "external_network_id": "public-net"})
		add("openstack_networking_router_interface_v2", map[string]any{"router_id": r.GetAttr("id").AsString(), "subnet_id": s.GetAttr("id").AsString()})
		add(sgType, map[string]any{"name": fmt.Sprintf("c%02d-web", i), "delete_default_rules": true, "rule": rules})
		add(sgType, map[string]any{"name": fmt.Sprintf("c%02d-db", i), "rule": rules})
	}
	created := len(cloud.Requests())
	if testing.Verbose() {
		t.Log(strings.Join(cloud.Requests()[:25], "\n"))
	}
	t.Logf("creating 120 objects and 200 rules: %d requests", created)
	assert.LessOrEqual(t, created, 1+20*18, "per municipality: 2 network, 2 subnet, 2 router, 2 interface, 2×5 security group (POST group, POST rules, 2 DELETE defaults, GET)")
	for typ, sts := range states {
		cloud.ResetRequests()
		got := osfwtest.Read(t, p, typ, sts...)
		assert.Len(t, cloud.Requests(), 1, "%s: %v", typ, cloud.Requests())
		for _, g := range got {
			assert.False(t, g.IsNull(), typ)
		}
	}
}

// A create whose answer is the whole object, tags set by the request that
// follows it, reads nothing back: on a busy Neutron every GET counts.
func TestCreatesReadNothingBack(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFullFake(t, cloud)
	p := cloud.Provider(t, Resources(), DataSources(), map[string]string{"classification": "ordinario"})
	create := func(typ string, attrs map[string]any) cty.Value {
		t.Helper()
		cloud.ResetRequests()
		st := osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, attrs))
		for _, r := range cloud.Requests() {
			assert.False(t, strings.HasPrefix(r, "GET /network/v2.0/"), "%s: %v", typ, cloud.Requests())
		}
		return st
	}
	rt := create("openstack_networking_router_v2", map[string]any{"name": "r", "external_network_id": "public-net"})
	assert.Equal(t, "public-net", rt.GetAttr("external_network_id").AsString())
	assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("classification=ordinario")}), rt.GetAttr("all_tags"))
	assert.Equal(t, "r", rt.GetAttr("name").AsString())

	it := create("openstack_networking_router_interface_v2", map[string]any{"router_id": rt.GetAttr("id").AsString(), "subnet_id": "subnet-9"})
	assert.Equal(t, it.GetAttr("id"), it.GetAttr("port_id"))
	assert.Equal(t, "subnet-9", it.GetAttr("subnet_id").AsString())
	assert.Equal(t, rt.GetAttr("id"), it.GetAttr("router_id"))

	for _, attrs := range []map[string]any{{"name": "g"}, {"name": "bare", "delete_default_rules": true}} {
		sg := create(sgType, attrs)
		assert.Equal(t, attrs["name"], sg.GetAttr("name").AsString())
		assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("classification=ordinario")}), sg.GetAttr("all_tags"))
	}

	// What was kept from the answers is what a read finds.
	for typ, st := range map[string]cty.Value{"openstack_networking_router_v2": rt, "openstack_networking_router_interface_v2": it} {
		got := osfwtest.Read(t, p, typ, st)[0]
		assert.True(t, got.RawEquals(st), "%s: read\n%#v\nkept\n%#v", typ, got, st)
	}
}
