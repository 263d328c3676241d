package networking

import (
	"context"
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

const lineage = "6a1f0c3e-0000-4000-8000-00000000abcd"

func TestNetworkOwnershipMark(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNeutron(cloud, t)
	p := cloud.Provider(t, []*osfw.Resource{Network()}, nil, nil)
	owner := plugins.Owner{Address: `module.comune["prato"].openstack_networking_network_v2.net`, Lineage: lineage}
	resp := osfwtest.ApplyOwned(t, p, netType, osfwtest.Object(t, p, netType, map[string]any{"name": "net", "description": "rete del comune"}), owner)
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())

	// The mark went out with the create request itself.
	stored := fake.networks["net-1"]["description"].(string)
	desc, mark := osfw.SplitDescriptionMark(stored)
	assert.Equal(t, "rete del comune", desc)
	assert.True(t, strings.HasPrefix(mark, lineage+":"), stored)
	// ...and nuvola never shows it.
	assert.Equal(t, "rete del comune", resp.NewState.GetAttr("description").AsString())
	got := osfwtest.Read(t, p, netType, resp.NewState)[0]
	assert.Equal(t, "rete del comune", got.GetAttr("description").AsString())
	osfwtest.NoChange(t, p, netType, got, osfwtest.Object(t, p, netType, map[string]any{"name": "net", "description": "rete del comune"}))

	var finder plugins.OwnedResourceFinder = p
	found := finder.FindOwnedResource(context.Background(), plugins.FindOwnedResourceRequest{TypeName: netType, Owner: owner})
	require.False(t, found.Diagnostics.HasErrors(), "%v", found.Diagnostics.Err())
	require.True(t, found.Found)
	assert.Equal(t, "net-1", found.State.GetAttr("id").AsString())
	assert.Equal(t, "rete del comune", found.State.GetAttr("description").AsString())

	other := finder.FindOwnedResource(context.Background(), plugins.FindOwnedResourceRequest{TypeName: netType,
		Owner: plugins.Owner{Address: owner.Address, Lineage: "another-lineage"}})
	assert.False(t, other.Found, "another state's instance of the same address is not ours")

	list := finder.ListOwnedResources(context.Background(), plugins.ListOwnedResourcesRequest{Lineage: lineage})
	require.False(t, list.Diagnostics.HasErrors(), "%v", list.Diagnostics.Err())
	require.Len(t, list.Objects, 1)
	assert.Equal(t, plugins.OwnedObject{TypeName: netType, ID: "net-1", Address: "#" + mark[len(lineage)+1:], Name: "net"}, list.Objects[0])
}

func TestNetworkLostCreateFoundByMark(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNeutron(cloud, t)
	var posts atomic.Int32
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/networks") && posts.Add(1) == 1 {
			inner.ServeHTTP(&discard{header: http.Header{}}, r) // made...
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close() // ...and the answer lost
			}
			return
		}
		inner.ServeHTTP(w, r)
	})
	p := cloud.Provider(t, []*osfw.Resource{Network()}, nil, map[string]string{"ente": "c_d612"})
	// Two networks of the same name exist already: the name cannot tell
	// which one is ours, the mark can.
	for range 2 {
		osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "dup"}))
	}
	posts.Store(0)
	resp := osfwtest.ApplyOwned(t, p, netType, osfwtest.Object(t, p, netType, map[string]any{"name": "dup"}),
		plugins.Owner{Address: "openstack_networking_network_v2.dup", Lineage: lineage})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	assert.Equal(t, int32(1), posts.Load(), "not created twice")
	assert.Len(t, fake.networks, 3)
	assert.Equal(t, "net-3", resp.NewState.GetAttr("id").AsString())
	assert.True(t, resp.NewState.GetAttr("description").IsNull() || resp.NewState.GetAttr("description").AsString() == "")
	// The create's later steps, lost with its answer, are made up for:
	// the tags, set after the network is made, are there.
	assert.Equal(t, []any{"ente=c_d612"}, fake.networks["net-3"]["tags"])
	got := osfwtest.Read(t, p, netType, resp.NewState)[0]
	assert.True(t, got.GetAttr("all_tags").RawEquals(resp.NewState.GetAttr("all_tags")), "no drift after the adoption")
}

// A server error after the network was made (a proxy that lost the
// answer) and one before anything was made: the first is adopted by its
// mark, the second sent again; either way one network.
func TestNetworkCreateAfterServerErrors(t *testing.T) {
	for name, madeFirst := range map[string]bool{"made then 503": true, "503 before": false} {
		t.Run(name, func(t *testing.T) {
			cloud := osfwtest.NewCloud(t)
			fake := newFakeNeutron(cloud, t)
			var posts atomic.Int32
			inner := cloud.Server.Config.Handler
			cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/networks") && posts.Add(1) <= 2 {
					if madeFirst && posts.Load() == 1 {
						inner.ServeHTTP(&discard{header: http.Header{}}, r)
					}
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				inner.ServeHTTP(w, r)
			})
			p := cloud.Provider(t, []*osfw.Resource{Network()}, nil, nil)
			resp := osfwtest.ApplyOwned(t, p, netType, osfwtest.Object(t, p, netType, map[string]any{"name": "n"}),
				plugins.Owner{Address: "openstack_networking_network_v2.n", Lineage: lineage})
			require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
			assert.Len(t, fake.networks, 1)
			if madeFirst {
				assert.Equal(t, int32(1), posts.Load(), "adopted, not sent again")
			} else {
				assert.Equal(t, int32(3), posts.Load(), "sent again until it was made")
			}
		})
	}
}

// A rule whose create answer was lost is found by its mark when Neutron
// says it exists; so is one of a security group whose collection name has
// dashes in URLs and underscores in answers.
func TestSecGroupRuleConflictAdoptedByMark(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	sg := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": "g"}))
	typ := "openstack_networking_secgroup_rule_v2"
	cfg := osfwtest.Object(t, p, typ, map[string]any{"security_group_id": sg.GetAttr("id").AsString(), "direction": "ingress",
		"protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.0.0.0/8"})
	owner := plugins.Owner{Address: "openstack_networking_secgroup_rule_v2.ssh", Lineage: lineage}
	first := osfwtest.ApplyOwned(t, p, typ, cfg, owner)
	require.False(t, first.Diagnostics.HasErrors(), "%v", first.Diagnostics.Err())
	id := first.NewState.GetAttr("id").AsString()

	// The next run did not hear of it: Neutron refuses the duplicate.
	var conflicts atomic.Int32
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/security-group-rules") {
			conflicts.Add(1)
			osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"NeutronError": map[string]any{"type": "SecurityGroupRuleExists",
				"message": "Security group rule already exists. Rule id is " + id + "."}})
			return
		}
		inner.ServeHTTP(w, r)
	})
	again := osfwtest.ApplyOwned(t, p, typ, cfg, owner)
	require.False(t, again.Diagnostics.HasErrors(), "%v", again.Diagnostics.Err())
	assert.Equal(t, id, again.NewState.GetAttr("id").AsString())
	assert.Equal(t, int32(1), conflicts.Load())

	// Another state's rule is not adopted.
	other := osfwtest.ApplyOwned(t, p, typ, cfg, plugins.Owner{Address: owner.Address, Lineage: "other-lineage"})
	assert.True(t, other.Diagnostics.HasErrors())

	var finder plugins.OwnedResourceFinder = p
	found := finder.FindOwnedResource(context.Background(), plugins.FindOwnedResourceRequest{TypeName: sgType,
		Owner: plugins.Owner{Address: "x", Lineage: lineage}})
	require.False(t, found.Diagnostics.HasErrors(), "%v", found.Diagnostics.Err())
	_ = f
}

// An interface added again (its first answer lost, or made by a run that
// did not hear back) is the router's port on the subnet.
func TestRouterInterfaceAlreadyThere(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	rt := osfwtest.Apply(t, p, "openstack_networking_router_v2", cty.NilVal, osfwtest.Object(t, p, "openstack_networking_router_v2", map[string]any{"name": "r"}))
	rid := rt.GetAttr("id").AsString()
	ityp := "openstack_networking_router_interface_v2"
	cfg := osfwtest.Object(t, p, ityp, map[string]any{"router_id": rid, "subnet_id": "subnet-9"})
	first := osfwtest.Apply(t, p, ityp, cty.NilVal, cfg)
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/add_router_interface") {
			osfwtest.WriteJSON(w, http.StatusBadRequest, map[string]any{"NeutronError": map[string]any{"type": "BadRequest",
				"message": "Bad router request: Router already has a port on subnet subnet-9."}})
			return
		}
		inner.ServeHTTP(w, r)
	})
	again := osfwtest.Apply(t, p, ityp, cty.NilVal, cfg)
	assert.Equal(t, first.GetAttr("id"), again.GetAttr("id"))
	// A subnet the router has no port on is still an error.
	resp := osfwtest.ApplyResp(t, p, ityp, cty.NilVal, osfwtest.Object(t, p, ityp, map[string]any{"router_id": rid, "subnet_id": "subnet-8"}))
	assert.True(t, resp.Diagnostics.HasErrors())
	_ = f
}

// A change of the provider's default_tags alone updates the object's tags.
func TestDefaultTagsChangeUpdatesTags(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNeutron(cloud, t)
	before := cloud.Provider(t, []*osfw.Resource{Network()}, nil, map[string]string{"ente": "c_a662"})
	cfg := map[string]any{"name": "n"}
	st := osfwtest.Apply(t, before, netType, cty.NilVal, osfwtest.Object(t, before, netType, cfg))
	assert.Equal(t, []any{"ente=c_a662"}, fake.networks["net-1"]["tags"])

	after := cloud.Provider(t, []*osfw.Resource{Network()}, nil, map[string]string{"ente": "c_a662", "classification": "critico"})
	st = osfwtest.Apply(t, after, netType, st, osfwtest.Object(t, after, netType, cfg))
	assert.ElementsMatch(t, []any{"ente=c_a662", "classification=critico"}, fake.networks["net-1"]["tags"])
	osfwtest.NoChange(t, after, netType, osfwtest.Read(t, after, netType, st)[0], osfwtest.Object(t, after, netType, cfg))
}

// A create held up past the client's timeout still reaches the cloud after
// the client gave up: the client waits as long again before it searches
// for the object, finds it by its mark, and does not make a second one.
func TestNetworkCreateArrivingAfterTimeout(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNeutron(cloud, t)
	var posts atomic.Int32
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/networks") && posts.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond) // the client waits 200ms
			inner.ServeHTTP(&discard{header: http.Header{}}, r)
			return
		}
		inner.ServeHTTP(w, r)
	})
	cfg := osfw.NewData(osfw.ProviderBlock(), cloud.Config(nil))
	cfg.Set("request_timeout", "200ms")
	p := osfw.NewProvider(osfw.ProviderBlock(), func(ctx context.Context, d *osfw.Data) (*osfw.Client, error) {
		return osfw.ConfigureWith(ctx, d, func(string) string { return "" })
	}, []*osfw.Resource{Network()}, nil)
	cr := p.ConfigureProvider(context.Background(), plugins.ConfigureProviderRequest{Config: cfg.Value()})
	require.False(t, cr.Diagnostics.HasErrors(), "%v", cr.Diagnostics.Err())
	resp := osfwtest.ApplyOwned(t, p, netType, osfwtest.Object(t, p, netType, map[string]any{"name": "late"}),
		plugins.Owner{Address: "openstack_networking_network_v2.late", Lineage: lineage})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	assert.Equal(t, int32(1), posts.Load(), "not sent again")
	assert.Len(t, fake.networks, 1)
}

// The create of a run that was killed can still be on its way through the
// API when the next run looks for it: the search looks again after a pause,
// and finds the network that lands meanwhile instead of letting the next
// run create a second one.
func TestNetworkInterruptedCreateLandsLate(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNeutron(cloud, t)
	var lists atomic.Int32
	landed := make(chan struct{})
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/networks") && lists.Add(1) == 2 {
			// The second search waits for the late create to land.
			<-landed
		}
		inner.ServeHTTP(w, r)
	})
	p := cloud.Provider(t, []*osfw.Resource{Network()}, nil, nil)
	pauses := []time.Duration{20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond}
	p.SetOwnedSearchPauses(pauses)
	owner := plugins.Owner{Address: `module.comune["c00"].openstack_networking_network_v2.net`, Lineage: lineage}
	var finder plugins.OwnedResourceFinder = p
	done := make(chan plugins.FindOwnedResourceResponse)
	go func() {
		done <- finder.FindOwnedResource(context.Background(), plugins.FindOwnedResourceRequest{TypeName: netType, Owner: owner})
	}()
	// The killed run's create lands after the first search.
	require.Eventually(t, func() bool { return lists.Load() >= 2 }, 5*time.Second, time.Millisecond)
	made := osfwtest.ApplyOwned(t, p, netType, osfwtest.Object(t, p, netType, map[string]any{"name": "net"}), owner)
	require.False(t, made.Diagnostics.HasErrors(), "%v", made.Diagnostics.Err())
	close(landed)
	found := <-done
	require.False(t, found.Diagnostics.HasErrors(), "%v", found.Diagnostics.Err())
	require.True(t, found.Found, "the network that landed late is found")
	assert.Equal(t, made.NewState.GetAttr("id").AsString(), found.State.GetAttr("id").AsString())
	assert.Len(t, fake.networks, 1)

	// Nothing lands: the search looks once after every pause, then gives
	// up.
	before := lists.Load()
	none := finder.FindOwnedResource(context.Background(), plugins.FindOwnedResourceRequest{TypeName: netType,
		Owner: plugins.Owner{Address: "openstack_networking_network_v2.other", Lineage: lineage}})
	require.False(t, none.Diagnostics.HasErrors(), "%v", none.Diagnostics.Err())
	assert.False(t, none.Found)
	assert.Equal(t, int32(1+len(pauses)), lists.Load()-before)
}
