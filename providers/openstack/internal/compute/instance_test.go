package compute

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

func instanceConfig(t *testing.T, p *osfw.Provider, attrs map[string]any) cty.Value {
	base := map[string]any{
		"name": "web", "image_id": "img-1", "flavor_name": "m1.tiny",
		"network": []map[string]any{{"uuid": "net-lan"}},
	}
	for k, v := range attrs {
		base[k] = v
	}
	return osfwtest.Object(t, p, instanceType, base)
}

func TestInstanceLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), DataSources(), map[string]string{"ente": "c_a662"})

	cfg := instanceConfig(t, p, map[string]any{
		"metadata":        map[string]string{"ruolo": "web"},
		"tags":            []string{"pubblico"},
		"security_groups": []string{"default"},
		"user_data":       "#cloud-config\n",
	})
	st := osfwtest.Apply(t, p, instanceType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	s := fake.servers[id]
	require.NotNil(t, s)
	assert.Equal(t, "ACTIVE", s["status"], "waited for ACTIVE")
	assert.Equal(t, map[string]any{"ruolo": "web", "ente": "c_a662"}, s["metadata"], "default tags in the metadata")
	assert.ElementsMatch(t, []any{"pubblico", "ente=c_a662"}, s["tags"])
	assert.Equal(t, "I2Nsb3VkLWNvbmZpZwo=", s["user_data"], "the user data itself is sent")
	assert.Equal(t, userDataHash("#cloud-config\n"), st.GetAttr("user_data").AsString(), "the state keeps its digest")
	assert.Equal(t, "f1", st.GetAttr("flavor_id").AsString())
	assert.Equal(t, "cirros", st.GetAttr("image_name").AsString())
	assert.Equal(t, "active", st.GetAttr("power_state").AsString())
	net := st.GetAttr("network").Index(cty.NumberIntVal(0))
	assert.Equal(t, "net-lan", net.GetAttr("uuid").AsString())
	assert.Equal(t, "lan", net.GetAttr("name").AsString())
	assert.Equal(t, "port-"+id+"-0", net.GetAttr("port").AsString())
	assert.NotEmpty(t, net.GetAttr("mac").AsString())
	assert.Equal(t, net.GetAttr("fixed_ip_v4").AsString(), st.GetAttr("access_ip_v4").AsString())
	assert.Equal(t, cty.MapVal(map[string]cty.Value{"ruolo": cty.StringVal("web")}), st.GetAttr("metadata"))

	// Refresh, then no changes.
	st = osfwtest.Read(t, p, instanceType, st)[0]
	osfwtest.NoChange(t, p, instanceType, st, cfg)

	// Name and metadata change in place.
	cloud.ResetRequests()
	cfg2 := instanceConfig(t, p, map[string]any{
		"name":            "web2",
		"metadata":        map[string]string{"ambiente": "prod"},
		"tags":            []string{"pubblico"},
		"security_groups": []string{"default"},
		"user_data":       "#cloud-config\n",
	})
	st2 := osfwtest.Apply(t, p, instanceType, st, cfg2)
	assert.Equal(t, id, st2.GetAttr("id").AsString(), "updated in place")
	assert.Equal(t, "web2", fake.servers[id]["name"])
	assert.Equal(t, map[string]any{"ambiente": "prod", "ente": "c_a662"}, fake.servers[id]["metadata"], "removed key deleted, default tag kept")
	for _, r := range cloud.Requests() {
		assert.NotContains(t, r, "POST /compute/v2.1/servers ", "no new server")
	}

	// Import gives the same server, networks included.
	imp := osfwtest.Import(t, p, instanceType, id)
	assert.Equal(t, "web2", imp.GetAttr("name").AsString())
	assert.Equal(t, "net-lan", imp.GetAttr("network").Index(cty.NumberIntVal(0)).GetAttr("uuid").AsString())
	assert.Equal(t, "img-1", imp.GetAttr("image_id").AsString())

	// Security groups change in place.
	cfg3 := instanceConfig(t, p, map[string]any{
		"name":            "web2",
		"metadata":        map[string]string{"ambiente": "prod"},
		"tags":            []string{"pubblico"},
		"security_groups": []string{"web"},
		"user_data":       "#cloud-config\n",
	})
	st3 := osfwtest.Apply(t, p, instanceType, st2, cfg3)
	assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("web")}), st3.GetAttr("security_groups"))
	assert.Contains(t, fake.actions, "addSecurityGroup")
	assert.Contains(t, fake.actions, "removeSecurityGroup")

	// A different network replaces the server.
	pr := osfwtest.Plan(t, p, instanceType, st3, instanceConfig(t, p, map[string]any{"network": []map[string]any{{"uuid": "net-other"}},
		"name": "web2", "metadata": map[string]string{"ambiente": "prod"}, "tags": []string{"pubblico"}, "security_groups": []string{"web"}, "user_data": "#cloud-config\n"}))
	assert.NotEmpty(t, pr.RequiresReplace)

	// Deleted; then gone on refresh; deleting again is no error.
	osfwtest.Destroy(t, p, instanceType, st3)
	assert.Empty(t, fake.servers)
	assert.True(t, osfwtest.Read(t, p, instanceType, st3)[0].IsNull())
	osfwtest.Destroy(t, p, instanceType, st3)
}

func TestInstanceErrorReportsFault(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	fake.failWith = "No valid host was found. There are not enough hosts available."
	p := cloud.Provider(t, Resources(), nil, nil)
	resp := osfwtest.ApplyResp(t, p, instanceType, cty.NilVal, instanceConfig(t, p, nil))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "went into status ERROR: No valid host was found")
	require.False(t, resp.NewState.IsNull(), "the server exists and is recorded, to be replaced")
	assert.Len(t, fake.servers, 1)
}

func TestInstanceResizeConfirms(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, nil))
	id := st.GetAttr("id").AsString()

	cfg := instanceConfig(t, p, map[string]any{"flavor_name": "m1.small"})
	pr := osfwtest.Plan(t, p, instanceType, st, cfg)
	require.Empty(t, pr.RequiresReplace, "a flavor change is a resize")
	assert.False(t, pr.PlannedState.GetAttr("flavor_id").IsKnown(), "the new flavor's ID is learnt in the apply")
	st2 := osfwtest.Apply(t, p, instanceType, st, cfg)
	assert.Equal(t, id, st2.GetAttr("id").AsString())
	assert.Equal(t, []string{"resize", "confirmResize"}, fake.actions)
	assert.Equal(t, "f2", st2.GetAttr("flavor_id").AsString())
	assert.Equal(t, "m1.small", st2.GetAttr("flavor_name").AsString())
	assert.Equal(t, "ACTIVE", fake.servers[id]["status"])
	osfwtest.NoChange(t, p, instanceType, osfwtest.Read(t, p, instanceType, st2)[0], cfg)
}

func TestInstancePowerState(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, map[string]any{"power_state": "shutoff"}))
	id := st.GetAttr("id").AsString()
	assert.Equal(t, "SHUTOFF", fake.servers[id]["status"])
	st = osfwtest.Apply(t, p, instanceType, st, instanceConfig(t, p, nil))
	assert.Equal(t, "ACTIVE", fake.servers[id]["status"])
	assert.Equal(t, "active", st.GetAttr("power_state").AsString())
}

func TestInstanceRefreshIsOneListRequest(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	fake.buildPolls = 0
	p := cloud.Provider(t, Resources(), nil, nil)
	var states []cty.Value
	for i := range 20 {
		states = append(states, osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, map[string]any{"name": fmt.Sprintf("vm%d", i)})))
	}
	gone := states[5].GetAttr("id").AsString()
	fake.mu.Lock()
	delete(fake.servers, gone)
	fake.mu.Unlock()
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, instanceType, states...)
	var lists, others []string
	for _, r := range cloud.Requests() {
		switch {
		case r == "GET /compute/v2.1/servers/detail":
			lists = append(lists, r)
		case r == "GET /compute/v2.1/servers/"+gone:
			// the one the list lacks is looked for alone: 404
		default:
			others = append(others, r)
		}
	}
	assert.Len(t, lists, 1, "%v", cloud.Requests())
	assert.Empty(t, others, "no request per server, no port lookups")
	for i, v := range got {
		if i == 5 {
			assert.True(t, v.IsNull(), "the deleted server is gone")
			continue
		}
		assert.Equal(t, fmt.Sprintf("vm%d", i), v.GetAttr("name").AsString())
		assert.True(t, v.RawEquals(states[i]), "server %d unchanged:\n%#v\n%#v", i, v, states[i])
	}
}

func TestInstanceFlavorByNameUnknown(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), nil, nil)
	resp := osfwtest.ApplyResp(t, p, instanceType, cty.NilVal, instanceConfig(t, p, map[string]any{"flavor_name": "m9.huge"}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.True(t, strings.Contains(resp.Diagnostics[0].Detail, `no flavor named "m9.huge"`), resp.Diagnostics[0].Detail)
}

func TestInstanceResizeRefused(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	fake.refuseResize = true
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, nil))
	resp := osfwtest.ApplyResp(t, p, instanceType, st, instanceConfig(t, p, map[string]any{"flavor_name": "m1.small"}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "did not resize the server")
	assert.Equal(t, "m1.tiny", resp.NewState.GetAttr("flavor_name").AsString(), "the state keeps the flavor the server has")
}

// A create whose answer is lost (the connection drops after Nova accepted
// the server) adopts the server rather than booting a second one.
func TestInstanceLostCreateAdopted(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	var posts atomic.Int32
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == cp+"servers" && posts.Add(1) == 1 {
			inner.ServeHTTP(httptest.NewRecorder(), r) // the server is made...
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close() // ...and the answer lost
			}
			return
		}
		inner.ServeHTTP(w, r)
	})
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, nil))
	assert.Len(t, fake.servers, 1, "no second server")
	assert.Equal(t, int32(1), posts.Load())
	assert.Equal(t, "ACTIVE", fake.servers[st.GetAttr("id").AsString()]["status"])
}

func TestInstanceQuotaError(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	fake.rejectCreate = func(w http.ResponseWriter) {
		osfwtest.WriteJSON(w, http.StatusForbidden, map[string]any{"forbidden": map[string]any{"code": 403,
			"message": "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"}})
	}
	p := cloud.Provider(t, Resources(), nil, nil)
	resp := osfwtest.ApplyResp(t, p, instanceType, cty.NilVal, instanceConfig(t, p, nil))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Equal(t, "Quota exceeded", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, `the "instances" quota`)
	assert.True(t, resp.NewState.IsNull())
}

// A default tag Nova cannot take as a server tag goes into the metadata
// only.
func TestInstanceDefaultTagNovaRejects(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	fake.buildPolls = 0
	p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662", "centro_costo": "AOO/12"})
	cfg := instanceConfig(t, p, nil)
	st := osfwtest.Apply(t, p, instanceType, cty.NilVal, cfg)
	s := fake.servers[st.GetAttr("id").AsString()]
	assert.Equal(t, []any{"ente=c_a662"}, s["tags"])
	assert.Equal(t, map[string]any{"ente": "c_a662", "centro_costo": "AOO/12"}, s["metadata"])
	osfwtest.NoChange(t, p, instanceType, osfwtest.Read(t, p, instanceType, st)[0], cfg)
}

func TestInstanceDetachPortsBeforeDestroy(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	fake.buildPolls = 0
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, map[string]any{
		"vendor_options": []map[string]any{{"detach_ports_before_destroy": true}}}))
	id := st.GetAttr("id").AsString()
	osfwtest.Destroy(t, p, instanceType, st)
	assert.Equal(t, []string{"port-" + id + "-0"}, fake.detached)
	assert.Empty(t, fake.servers)
}
