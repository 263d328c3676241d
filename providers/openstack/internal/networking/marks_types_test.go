package networking

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// markCase is one marked Neutron type: a configuration (made with what
// prepare returns), the collection its creates go to, its body key, and
// an update of the description where the type has one in place.
type markCase struct {
	coll, key string
	cfg       func(deps map[string]string) map[string]any
	update    string
}

var markCases = map[string]markCase{
	"openstack_networking_network_v2": {coll: "networks", key: "network", update: "rete nuova",
		cfg: func(map[string]string) map[string]any {
			return map[string]any{"name": "rete", "description": "rete del comune"}
		}},
	"openstack_networking_subnet_v2": {coll: "subnets", key: "subnet", update: "altra",
		cfg: func(deps map[string]string) map[string]any {
			return map[string]any{"network_id": deps["net"], "cidr": "10.0.0.0/24", "name": "s", "description": "sottorete"}
		}},
	"openstack_networking_router_v2": {coll: "routers", key: "router", update: "altro",
		cfg: func(map[string]string) map[string]any { return map[string]any{"name": "r", "description": "router"} }},
	"openstack_networking_port_v2": {coll: "ports", key: "port", update: "altra",
		cfg: func(deps map[string]string) map[string]any {
			return map[string]any{"network_id": deps["net"], "name": "p", "description": "porta"}
		}},
	"openstack_networking_floatingip_v2": {coll: "floatingips", key: "floatingip", update: "altro",
		cfg: func(map[string]string) map[string]any {
			return map[string]any{"pool": "public", "description": "ip pubblico"}
		}},
	"openstack_networking_secgroup_v2": {coll: "security-groups", key: "security_group", update: "altro",
		cfg: func(map[string]string) map[string]any { return map[string]any{"name": "g", "description": "gruppo"} }},
	"openstack_networking_secgroup_rule_v2": {coll: "security-group-rules", key: "security_group_rule",
		cfg: func(deps map[string]string) map[string]any {
			return map[string]any{"security_group_id": deps["sg"], "direction": "ingress", "protocol": "tcp",
				"port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.0.0.0/8", "description": "ssh"}
		}},
}

// markSetup is a fake Neutron with what the types need: a network, the
// external network "public", a security group; none of them marked.
func markSetup(t *testing.T) (*osfwtest.Cloud, *fullFake, *osfw.Provider, map[string]string) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	deps := map[string]string{}
	net := osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "lan"}))
	deps["net"] = net.GetAttr("id").AsString()
	osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "public", "external": true}))
	sg := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": "base"}))
	deps["sg"] = sg.GetAttr("id").AsString()
	return cloud, f, p, deps
}

// storedDescription is the description Neutron keeps for an object.
func (f *fullFake) storedDescription(coll, id string) string {
	if coll == "networks" {
		f.nets.mu.Lock()
		defer f.nets.mu.Unlock()
		s, _ := f.nets.networks[id]["description"].(string)
		return s
	}
	s, _ := f.obj(coll, id)["description"].(string)
	return s
}

func (f *fullFake) countOf(coll string) int {
	if coll == "networks" {
		f.nets.mu.Lock()
		defer f.nets.mu.Unlock()
		return len(f.nets.networks)
	}
	return f.count(coll)
}

// Every marked Neutron type: the mark goes out with the create request and
// never shows in nuvola's state; a create whose answer is lost makes one
// object, found by its mark; the object is found for its owner only and
// listed with its lineage; an update of the description keeps the mark.
func TestOwnershipMarkEveryType(t *testing.T) {
	for typ, tc := range markCases {
		t.Run(typ, func(t *testing.T) {
			owner := plugins.Owner{Address: `module.comune["prato"].` + typ + `.x`, Lineage: lineage}
			hash := plugins.OwnerAddressHash(owner.Address)

			t.Run("marked", func(t *testing.T) {
				cloud, f, p, deps := markSetup(t)
				creates := cloud.WatchCreates("POST", "/v2.0/"+tc.coll)
				cfgMap := tc.cfg(deps)
				cfg := osfwtest.Object(t, p, typ, cfgMap)
				resp := osfwtest.ApplyOwned(t, p, typ, cfg, owner)
				require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
				id := resp.NewState.GetAttr("id").AsString()
				want := cfgMap["description"].(string)

				require.Equal(t, 1, creates.Count())
				sent, _ := creates.Body(0)[tc.key].(map[string]any)["description"].(string)
				assert.Equal(t, want+" [nuvola-owner:"+lineage+":"+hash+"]", sent, "the mark is in the create request")
				assert.Equal(t, sent, f.storedDescription(tc.coll, id))
				assert.Equal(t, want, resp.NewState.GetAttr("description").AsString(), "the state never shows it")
				got := osfwtest.Read(t, p, typ, resp.NewState)[0]
				assert.Equal(t, want, got.GetAttr("description").AsString())
				osfwtest.NoChange(t, p, typ, got, cfg)

				found := osfwtest.Find(t, p, typ, owner)
				require.True(t, found.Found)
				assert.Equal(t, id, found.State.GetAttr("id").AsString())
				assert.Equal(t, want, found.State.GetAttr("description").AsString())
				other := osfwtest.Find(t, p, typ, plugins.Owner{Address: owner.Address, Lineage: "another-lineage"})
				assert.False(t, other.Found, "another state's instance of the same address is not ours")
				assert.Equal(t, []plugins.OwnedObject{{TypeName: typ, ID: id, Address: "#" + hash, Name: nameOf(got)}},
					osfwtest.Owned(t, p, lineage, typ))

				if tc.update == "" {
					return
				}
				cfgMap["description"] = tc.update
				upd := osfwtest.Apply(t, p, typ, got, osfwtest.Object(t, p, typ, cfgMap))
				assert.Equal(t, tc.update, upd.GetAttr("description").AsString())
				assert.Equal(t, tc.update+" [nuvola-owner:"+lineage+":"+hash+"]", f.storedDescription(tc.coll, id), "an update keeps the mark")
				assert.Len(t, osfwtest.Owned(t, p, lineage, typ), 1)
			})

			t.Run("answer lost", func(t *testing.T) {
				cloud, f, p, deps := markSetup(t)
				before := f.countOf(tc.coll)
				creates := cloud.WatchCreates("POST", "/v2.0/"+tc.coll)
				creates.LoseNext()
				resp := osfwtest.ApplyOwned(t, p, typ, osfwtest.Object(t, p, typ, tc.cfg(deps)), owner)
				require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
				assert.Equal(t, 1, creates.Count(), "not sent again")
				assert.Equal(t, before+1, f.countOf(tc.coll), "one object")
				id := resp.NewState.GetAttr("id").AsString()
				assert.True(t, strings.HasSuffix(f.storedDescription(tc.coll, id), "[nuvola-owner:"+lineage+":"+hash+"]"), "the state has the object made")
				got := osfwtest.Read(t, p, typ, resp.NewState)[0]
				assert.True(t, got.RawEquals(resp.NewState), "no drift after the adoption:\n%#v\n%#v", got, resp.NewState)
			})
		})
	}
}

func nameOf(v cty.Value) string {
	if !v.Type().HasAttribute("name") || v.GetAttr("name").IsNull() {
		return ""
	}
	return v.GetAttr("name").AsString()
}

// A group made with delete_default_rules whose create answer was lost
// loses Neutron's default rules all the same.
func TestSecGroupAdoptedDeletesDefaultRules(t *testing.T) {
	cloud, f, p, _ := markSetup(t)
	creates := cloud.WatchCreates("POST", "/v2.0/security-groups")
	creates.LoseNext()
	resp := osfwtest.ApplyOwned(t, p, sgType, osfwtest.Object(t, p, sgType, map[string]any{"name": "vuoto", "delete_default_rules": true}),
		plugins.Owner{Address: "openstack_networking_secgroup_v2.vuoto", Lineage: lineage})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	id := resp.NewState.GetAttr("id").AsString()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.objs["security-group-rules"] {
		assert.NotEqual(t, id, r["security_group_id"], "rule %v left", r)
	}
}

// With subnet_ids, a floating IP whose create answer was lost on the first
// subnet is that one: the next subnet is not tried, which would allocate
// a second address.
func TestFloatingIPLostOnFirstSubnet(t *testing.T) {
	cloud, f, p, _ := markSetup(t)
	typ := "openstack_networking_floatingip_v2"
	creates := cloud.WatchCreates("POST", "/v2.0/floatingips")
	creates.LoseNext()
	resp := osfwtest.ApplyOwned(t, p, typ, osfwtest.Object(t, p, typ, map[string]any{"pool": "public", "subnet_ids": []string{"sub-a", "sub-b"}}),
		plugins.Owner{Address: "openstack_networking_floatingip_v2.ip", Lineage: lineage})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	assert.Equal(t, 1, creates.Count())
	assert.Equal(t, 1, f.count("floatingips"))
	assert.Equal(t, "sub-a", f.obj("floatingips", resp.NewState.GetAttr("id").AsString())["subnet_id"])
}
