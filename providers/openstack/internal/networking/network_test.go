package networking

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// fakeNeutron keeps networks in memory.
type fakeNeutron struct {
	mu       sync.Mutex
	networks map[string]map[string]any
	next     int
}

func newFakeNeutron(c *osfwtest.Cloud, t *testing.T) *fakeNeutron {
	f := &fakeNeutron{networks: map[string]map[string]any{}}
	base := osfwtest.NetworkPath + "v2.0/"
	c.Handle("POST "+base+"networks", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)["network"].(map[string]any)
		f.mu.Lock()
		f.next++
		id := fmt.Sprintf("net-%d", f.next)
		n := map[string]any{"id": id, "name": body["name"], "description": body["description"], "admin_state_up": true,
			"shared": false, "router:external": body["router:external"] == true, "tenant_id": osfwtest.ProjectID, "project_id": osfwtest.ProjectID,
			"mtu": 1450, "status": "ACTIVE", "availability_zone_hints": []any{}, "tags": []any{}}
		if m, ok := body["mtu"]; ok {
			n["mtu"] = m
		}
		f.networks[id] = n
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusCreated, map[string]any{"network": n})
	})
	c.Handle("GET "+base+"networks/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		n, ok := f.networks[r.PathValue("id")]
		f.mu.Unlock()
		if !ok {
			osfwtest.NotFound(w, "Network")
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"network": n})
	})
	c.Handle("GET "+base+"networks", func(w http.ResponseWriter, r *http.Request) {
		ids := r.URL.Query()["id"]
		name := r.URL.Query().Get("name")
		f.mu.Lock()
		out := []any{}
		for id, n := range f.networks {
			if (len(ids) == 0 || contains(ids, id)) && (name == "" || n["name"] == name) {
				out = append(out, onlyFields(n, r.URL.Query()["fields"]))
			}
		}
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"networks": out})
	})
	c.Handle("PUT "+base+"networks/{id}", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)["network"].(map[string]any)
		f.mu.Lock()
		n, ok := f.networks[r.PathValue("id")]
		if ok {
			for k, v := range body {
				n[k] = v
			}
		}
		f.mu.Unlock()
		if !ok {
			osfwtest.NotFound(w, "Network")
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"network": n})
	})
	c.Handle("PUT "+base+"networks/{id}/tags", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)
		f.mu.Lock()
		if n, ok := f.networks[r.PathValue("id")]; ok {
			n["tags"] = body["tags"]
		}
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"tags": body["tags"]})
	})
	c.Handle("DELETE "+base+"networks/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		_, ok := f.networks[r.PathValue("id")]
		delete(f.networks, r.PathValue("id"))
		f.mu.Unlock()
		if !ok {
			osfwtest.NotFound(w, "Network")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return f
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const netType = "openstack_networking_network_v2"

func TestNetworkLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNeutron(cloud, t)
	p := cloud.Provider(t, []*osfw.Resource{Network()}, nil, map[string]string{"ente": "c_a662"})

	cfg := osfwtest.Object(t, p, netType, map[string]any{"name": "lan", "tags": []string{"web"}})
	cloud.ResetRequests()
	st := osfwtest.Apply(t, p, netType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	// The create's answer is the whole network: no read after it. The
	// endpoint comes from the catalog without a version discovery.
	assert.Equal(t, []string{"POST /network/v2.0/networks", "PUT /network/v2.0/networks/" + id + "/tags"}, cloud.Requests(),
		"create, tags")
	assert.Equal(t, "lan", st.GetAttr("name").AsString())
	assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("web")}), st.GetAttr("tags"), "the object's own tags")
	assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("ente=c_a662"), cty.StringVal("web")}), st.GetAttr("all_tags"), "default tags applied")
	assert.ElementsMatch(t, []any{"ente=c_a662", "web"}, fake.networks[id]["tags"])

	// Refresh, then a plan with no changes.
	st = osfwtest.Read(t, p, netType, st)[0]
	osfwtest.NoChange(t, p, netType, st, cfg)

	// In-place update.
	cfg2 := osfwtest.Object(t, p, netType, map[string]any{"name": "lan2", "tags": []string{"web"}})
	st2 := osfwtest.Apply(t, p, netType, st, cfg2)
	assert.Equal(t, id, st2.GetAttr("id").AsString(), "updated in place")
	assert.Equal(t, "lan2", fake.networks[id]["name"])

	// Import gives the same object.
	imp := osfwtest.Import(t, p, netType, id)
	assert.Equal(t, "lan2", imp.GetAttr("name").AsString())
	assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("web")}), imp.GetAttr("tags"))

	// Gone outside nuvola: a refresh says so.
	osfwtest.Destroy(t, p, netType, st2)
	assert.Empty(t, fake.networks)
	got := osfwtest.Read(t, p, netType, st2)[0]
	assert.True(t, got.IsNull())
	// Deleting what is gone is no error.
	osfwtest.Destroy(t, p, netType, st2)
}

func TestNetworkRefreshIsOneListRequest(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFakeNeutron(cloud, t)
	p := cloud.Provider(t, []*osfw.Resource{Network()}, nil, nil)
	var states []cty.Value
	for i := range 40 {
		states = append(states, osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": fmt.Sprintf("n%d", i)})))
	}
	osfwtest.Destroy(t, p, netType, states[7])
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, netType, states...)
	require.Len(t, cloud.Requests(), 1, "%v", cloud.Requests())
	assert.True(t, strings.HasPrefix(cloud.Requests()[0], "GET /network/v2.0/networks"))
	for i, v := range got {
		if i == 7 {
			assert.True(t, v.IsNull(), "the deleted network is gone")
			continue
		}
		assert.Equal(t, fmt.Sprintf("n%d", i), v.GetAttr("name").AsString())
	}
}

// A create whose answer is lost (the connection drops after the network
// was made) adopts the network rather than making a second one.
func TestNetworkLostCreateAdopted(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNeutron(cloud, t)
	var posts atomic.Int32
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/networks") && posts.Add(1) == 1 {
			rec := &discard{header: http.Header{}}
			inner.ServeHTTP(rec, r) // the network is made...
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close() // ...and the answer lost
			}
			return
		}
		inner.ServeHTTP(w, r)
	})
	p := cloud.Provider(t, []*osfw.Resource{Network()}, nil, nil)
	st := osfwtest.Apply(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "adopt-me"}))
	require.Len(t, fake.networks, 1, "no duplicate")
	assert.Equal(t, int32(1), posts.Load(), "not created twice")
	assert.Equal(t, "net-1", st.GetAttr("id").AsString())
}

func TestNetworkQuotaError(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	cloud.Handle("POST "+osfwtest.NetworkPath+"v2.0/networks", func(w http.ResponseWriter, r *http.Request) {
		osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"NeutronError": map[string]any{"type": "OverQuota",
			"message": "Quota exceeded for resources: ['network'].", "detail": ""}})
	})
	p := cloud.Provider(t, []*osfw.Resource{Network()}, nil, nil)
	resp := osfwtest.ApplyResp(t, p, netType, cty.NilVal, osfwtest.Object(t, p, netType, map[string]any{"name": "x"}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Equal(t, "Quota exceeded", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, `the "network" quota of project `+osfwtest.ProjectID)
	assert.True(t, resp.NewState.IsNull())
}

type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
