package osfwtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// ProjectID is the project the fake's tokens are scoped to.
const ProjectID = "8a7e1fb1c8b54a2b9cdd7a6b1e0c0001"

// Service path prefixes of the fake's catalog.
const (
	IdentityPath = "/identity/v3/"
	NetworkPath  = "/network/"
	VolumePath   = "/volume/v3/" + ProjectID + "/"
	SwiftPath    = "/swift/v1/AUTH_" + ProjectID + "/"
	ComputePath  = "/compute/v2.1/"
	ImagePath    = "/image/"
)

// Cloud is a fake cloud.
type Cloud struct {
	Server *httptest.Server
	mux    *http.ServeMux

	mu            sync.Mutex
	requests      []string // "METHOD /path"
	tokenRequests []map[string]any
}

// TokenRequests returns the bodies of the token requests so far.
func (c *Cloud) TokenRequests() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.tokenRequests...)
}

// NewCloud starts a fake cloud, closed when the test ends.
func NewCloud(t testing.TB) *Cloud {
	c := &Cloud{mux: http.NewServeMux()}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.requests = append(c.requests, r.Method+" "+r.URL.Path)
		c.mu.Unlock()
		c.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(c.Server.Close)
	c.mux.HandleFunc("POST "+IdentityPath+"auth/tokens", c.token)
	// Version discovery of the services whose endpoint has no version.
	c.mux.HandleFunc("GET "+NetworkPath+"{$}", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]any{"versions": []any{map[string]any{"id": "v2.0", "status": "CURRENT"}}})
	})
	c.mux.HandleFunc("GET "+ImagePath+"{$}", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusMultipleChoices, map[string]any{"versions": []any{map[string]any{"id": "v2.9", "status": "CURRENT"}}})
	})
	return c
}

func (c *Cloud) token(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if json.NewDecoder(r.Body).Decode(&body) == nil {
		c.mu.Lock()
		c.tokenRequests = append(c.tokenRequests, body)
		c.mu.Unlock()
	}
	endpoint := func(id, path string) map[string]any {
		return map[string]any{"id": id, "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": c.Server.URL + strings.TrimSuffix(path, "/")}
	}
	catalog := []map[string]any{
		{"type": "identity", "name": "keystone", "endpoints": []any{endpoint("e1", IdentityPath)}},
		{"type": "network", "name": "neutron", "endpoints": []any{endpoint("e2", NetworkPath)}},
		{"type": "volumev3", "name": "cinderv3", "endpoints": []any{endpoint("e3", VolumePath)}},
		{"type": "object-store", "name": "swift", "endpoints": []any{endpoint("e4", SwiftPath)}},
		{"type": "compute", "name": "nova", "endpoints": []any{endpoint("e5", ComputePath)}},
		{"type": "image", "name": "glance", "endpoints": []any{endpoint("e6", ImagePath)}},
	}
	w.Header().Set("X-Subject-Token", "fake-token")
	WriteJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
		"expires_at": "2099-01-01T00:00:00.000000Z",
		"project":    map[string]any{"id": ProjectID, "name": "comune-test", "domain": map[string]any{"id": "default", "name": "Default"}},
		"user":       map[string]any{"id": "u1", "name": "tester", "domain": map[string]any{"id": "default", "name": "Default"}},
		"roles":      []any{map[string]any{"id": "r1", "name": "member"}},
		"catalog":    catalog,
	}})
}

// Handle registers a handler: pattern as http.ServeMux takes it, e.g.
// "GET /network/v2.0/networks/{id}".
func (c *Cloud) Handle(pattern string, h http.HandlerFunc) { c.mux.HandleFunc(pattern, h) }

// Requests returns the requests served so far, "METHOD /path", the token
// requests left out.
func (c *Cloud) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.requests {
		if !strings.HasSuffix(r, "/auth/tokens") {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the requests served so far.
func (c *Cloud) ResetRequests() {
	c.mu.Lock()
	c.requests = nil
	c.mu.Unlock()
}

// Config is a provider configuration for the fake, with default tags.
func (c *Cloud) Config(defaultTags map[string]string) cty.Value {
	b := osfw.ProviderBlock()
	d := osfw.NewData(b, cty.NullVal(b.ImpliedType()))
	d.Set("auth_url", c.Server.URL+IdentityPath)
	d.Set("user_name", "tester")
	d.Set("password", "secret")
	d.Set("tenant_name", "comune-test")
	d.Set("user_domain_name", "Default")
	d.Set("project_domain_name", "Default")
	d.Set("max_retries", 2)
	if defaultTags != nil {
		d.SetBlocks("default_tags", []map[string]any{{"tags": defaultTags}})
	}
	return d.Value()
}

// Provider returns a provider with the given resources and data sources,
// configured against the fake.
func (c *Cloud) Provider(t testing.TB, resources []*osfw.Resource, dataSources []*osfw.DataSource, defaultTags map[string]string) *osfw.Provider {
	t.Helper()
	p := osfw.NewProvider(osfw.ProviderBlock(), func(ctx context.Context, d *osfw.Data) (*osfw.Client, error) {
		return osfw.ConfigureWith(ctx, d, func(string) string { return "" })
	}, resources, dataSources)
	// Nothing is ever on its way in the fake cloud: one short look again
	// is enough to keep that path run.
	p.SetOwnedSearchPauses([]time.Duration{time.Millisecond})
	resp := p.ConfigureProvider(context.Background(), plugins.ConfigureProviderRequest{Config: c.Config(defaultTags)})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	return p
}

// WriteJSON writes v as a JSON answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ReadJSON decodes a request's JSON body.
func ReadJSON(t testing.TB, r *http.Request) map[string]any {
	t.Helper()
	body, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m), "body: %s", body)
	return m
}

// NotFound answers 404 the way OpenStack APIs do.
func NotFound(w http.ResponseWriter, what string) {
	WriteJSON(w, http.StatusNotFound, map[string]any{"itemNotFound": map[string]any{"code": 404, "message": fmt.Sprintf("%s could not be found.", what)}})
}

// Schema returns a resource type's schema from the provider.
func Schema(p plugins.Provider, typ string) *plugins.Block {
	return p.GetSchema(context.Background(), plugins.GetSchemaRequest{}).ResourceTypes[typ].Block
}

// Object builds an object of the type's schema from the attributes given,
// everything else null: a configuration.
func Object(t testing.TB, p plugins.Provider, typ string, attrs map[string]any) cty.Value {
	t.Helper()
	b := Schema(p, typ)
	require.NotNil(t, b, "no resource type %s", typ)
	d := osfw.NewData(b, cty.NullVal(b.ImpliedType()))
	for k, v := range attrs {
		if nb, ok := b.BlockTypes[k]; ok {
			if elems, ok := v.([]map[string]any); ok {
				_ = nb
				d.SetBlocks(k, elems)
				continue
			}
		}
		d.Set(k, v)
	}
	return d.Value()
}

// Proposed is the engine's proposed new state, simply: the configuration
// with the prior's values for computed attributes the configuration leaves
// null.
func Proposed(b *plugins.Block, prior, config cty.Value) cty.Value {
	if prior.IsNull() {
		return config
	}
	attrs := config.AsValueMap()
	for name, a := range b.Attributes {
		if a.Computed && attrs[name].IsNull() {
			attrs[name] = prior.GetAttr(name)
		}
	}
	return cty.ObjectVal(attrs)
}

// Plan plans config against prior.
func Plan(t testing.TB, p plugins.Provider, typ string, prior, config cty.Value) plugins.PlanResourceChangeResponse {
	t.Helper()
	b := Schema(p, typ)
	if prior == cty.NilVal {
		prior = cty.NullVal(b.ImpliedType())
	}
	v := p.ValidateResourceConfig(context.Background(), plugins.ValidateResourceConfigRequest{TypeName: typ, Config: config})
	require.False(t, v.Diagnostics.HasErrors(), "%v", v.Diagnostics.Err())
	return p.PlanResourceChange(context.Background(), plugins.PlanResourceChangeRequest{
		TypeName: typ, PriorState: prior, ProposedNewState: Proposed(b, prior, config), Config: config})
}

// Apply plans and applies config against prior and returns the new state;
// errors fail the test.
func Apply(t testing.TB, p plugins.Provider, typ string, prior, config cty.Value) cty.Value {
	t.Helper()
	resp := ApplyResp(t, p, typ, prior, config)
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	return resp.NewState
}

// ApplyResp plans and applies, returning the apply's response.
func ApplyResp(t testing.TB, p plugins.Provider, typ string, prior, config cty.Value) plugins.ApplyResourceChangeResponse {
	t.Helper()
	b := Schema(p, typ)
	if prior == cty.NilVal {
		prior = cty.NullVal(b.ImpliedType())
	}
	pr := Plan(t, p, typ, prior, config)
	require.False(t, pr.Diagnostics.HasErrors(), "%v", pr.Diagnostics.Err())
	if len(pr.RequiresReplace) > 0 && !prior.IsNull() {
		t.Fatalf("the plan replaces the object (%v); use Replace", pr.RequiresReplace)
	}
	return p.ApplyResourceChange(context.Background(), plugins.ApplyResourceChangeRequest{
		TypeName: typ, PriorState: prior, PlannedState: pr.PlannedState, Config: config})
}

// Destroy deletes the object.
func Destroy(t testing.TB, p plugins.Provider, typ string, prior cty.Value) {
	t.Helper()
	b := Schema(p, typ)
	resp := p.ApplyResourceChange(context.Background(), plugins.ApplyResourceChangeRequest{
		TypeName: typ, PriorState: prior, PlannedState: cty.NullVal(b.ImpliedType()), Config: cty.NullVal(b.ImpliedType())})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
}

// Read refreshes objects in one batch.
func Read(t testing.TB, p plugins.Provider, typ string, priors ...cty.Value) []cty.Value {
	t.Helper()
	req := plugins.ReadResourcesRequest{TypeName: typ}
	for _, v := range priors {
		req.Objects = append(req.Objects, plugins.ReadResourceRequest{TypeName: typ, PriorState: v})
	}
	resp := p.ReadResources(context.Background(), req)
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	out := make([]cty.Value, len(resp.Results))
	for i, r := range resp.Results {
		require.False(t, r.Diagnostics.HasErrors(), "%v", r.Diagnostics.Err())
		out[i] = r.NewState
	}
	return out
}

// Import imports the object with the ID.
func Import(t testing.TB, p plugins.Provider, typ, id string) cty.Value {
	t.Helper()
	resp := p.ImportResourceState(context.Background(), plugins.ImportResourceStateRequest{TypeName: typ, ID: id})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	require.Len(t, resp.Imported, 1)
	return resp.Imported[0].State
}

// NoChange asserts a plan of config against state changes nothing.
func NoChange(t testing.TB, p plugins.Provider, typ string, state, config cty.Value) {
	t.Helper()
	pr := Plan(t, p, typ, state, config)
	require.False(t, pr.Diagnostics.HasErrors(), "%v", pr.Diagnostics.Err())
	require.Empty(t, pr.RequiresReplace)
	require.True(t, pr.PlannedState.RawEquals(state), "planned %#v\nstate   %#v", pr.PlannedState, state)
}

// ApplyOwned plans and applies a create of config as the engine does for a
// resource instance of a state: with its owner, to be marked.
func ApplyOwned(t testing.TB, p plugins.Provider, typ string, config cty.Value, owner plugins.Owner) plugins.ApplyResourceChangeResponse {
	t.Helper()
	b := Schema(p, typ)
	prior := cty.NullVal(b.ImpliedType())
	pr := Plan(t, p, typ, prior, config)
	require.False(t, pr.Diagnostics.HasErrors(), "%v", pr.Diagnostics.Err())
	return p.ApplyResourceChange(context.Background(), plugins.ApplyResourceChangeRequest{
		TypeName: typ, PriorState: prior, PlannedState: pr.PlannedState, Config: config, Owner: &owner})
}
