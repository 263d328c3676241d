package plugins

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty-debug/ctydebug"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// testProvider has one resource type with a nested block of every nesting
// mode, a sensitive and a computed attribute, and one data source. It
// records the last request of each method, so a test can check what crossed
// the wire in both directions.
type testProvider struct {
	schemaCalls atomic.Int32
	stopCalls   atomic.Int32

	mu   sync.Mutex
	last map[string]any
}

func newTestProvider() *testProvider {
	return &testProvider{last: map[string]any{}}
}

func (p *testProvider) record(method string, req any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last[method] = req
}

func (p *testProvider) lastRequest(method string) any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last[method]
}

var testServerSchema = Schema{
	Version: 2,
	Block: &Block{
		Description: "A server.",
		Attributes: map[string]*Attribute{
			"id":          {Type: cty.String, Computed: true},
			"name":        {Type: cty.String, Required: true, ForceNew: true, Description: "Name of the server."},
			"password":    {Type: cty.String, Optional: true, Sensitive: true},
			"size":        {Type: cty.Number, Optional: true, Default: cty.NumberIntVal(1)},
			"tags":        {Type: cty.Map(cty.String), Optional: true},
			"fingerprint": {Type: cty.String, Computed: true, Deprecated: true},
		},
		BlockTypes: map[string]*NestedBlock{
			"network": {
				Nesting:  NestingSingle,
				MinItems: 1,
				MaxItems: 1,
				Block: Block{Attributes: map[string]*Attribute{
					"name":     {Type: cty.String, Required: true},
					"fixed_ip": {Type: cty.String, Optional: true, Computed: true},
				}},
			},
			"rule": {
				Nesting:  NestingList,
				MaxItems: 10,
				Block: Block{Attributes: map[string]*Attribute{
					"port":    {Type: cty.Number, Required: true},
					"cidr":    {Type: cty.String, Optional: true},
					"rule_id": {Type: cty.String, Computed: true},
				}},
			},
			"volume": {
				Nesting: NestingSet,
				Block: Block{Attributes: map[string]*Attribute{
					"size": {Type: cty.Number, Required: true},
				}},
			},
			"env": {
				Nesting: NestingMap,
				Block: Block{
					Deprecated: true,
					Attributes: map[string]*Attribute{
						"value":  {Type: cty.String, Optional: true},
						"secret": {Type: cty.String, Optional: true, Sensitive: true},
					},
				},
			},
		},
	},
}

var testImageSchema = Schema{
	Block: &Block{Attributes: map[string]*Attribute{
		"name":     {Type: cty.String, Required: true},
		"id":       {Type: cty.String, Computed: true},
		"min_disk": {Type: cty.Number, Computed: true},
	}},
}

var testProviderSchema = Schema{
	Block: &Block{Attributes: map[string]*Attribute{
		"endpoint": {Type: cty.String, Optional: true},
		"token":    {Type: cty.String, Optional: true, Sensitive: true},
	}},
}

var testServerType = testServerSchema.Block.ImpliedType()

func (p *testProvider) GetSchema(context.Context, GetSchemaRequest) GetSchemaResponse {
	p.schemaCalls.Add(1)
	return GetSchemaResponse{
		Provider:      testProviderSchema,
		ResourceTypes: map[string]Schema{"test_server": testServerSchema},
		DataSources:   map[string]Schema{"test_image": testImageSchema},
	}
}

func (p *testProvider) ValidateProviderConfig(_ context.Context, req ValidateProviderConfigRequest) ValidateProviderConfigResponse {
	p.record("ValidateProviderConfig", req)
	var resp ValidateProviderConfigResponse
	if v := req.Config.GetAttr("endpoint"); v.IsKnown() && !v.IsNull() && v.AsString() == "bad" {
		resp.Diagnostics = resp.Diagnostics.Errorf(cty.GetAttrPath("endpoint"), "Invalid endpoint", "%q is no URL.", "bad")
	}
	return resp
}

// ValidateResourceConfig reports problems at an attribute, at a list
// element and at a map element, so paths of every kind cross the wire.
func (p *testProvider) ValidateResourceConfig(_ context.Context, req ValidateResourceConfigRequest) ValidateResourceConfigResponse {
	p.record("ValidateResourceConfig", req)
	var resp ValidateResourceConfigResponse
	resp.Diagnostics = resp.Diagnostics.Errorf(cty.GetAttrPath("name"), "Bad name", "names may not contain %q", "_")
	resp.Diagnostics = resp.Diagnostics.Errorf(cty.GetAttrPath("rule").IndexInt(1).GetAttr("port"), "Bad port", "port 0 is reserved")
	resp.Diagnostics = append(resp.Diagnostics, Diagnostic{
		Severity:  Warning,
		Summary:   "Empty value",
		Attribute: cty.GetAttrPath("env").IndexString("prod").GetAttr("value"),
	})
	return resp
}

func (p *testProvider) ValidateDataSourceConfig(_ context.Context, req ValidateDataSourceConfigRequest) ValidateDataSourceConfigResponse {
	p.record("ValidateDataSourceConfig", req)
	return ValidateDataSourceConfigResponse{Diagnostics: Diagnostics{{Severity: Warning, Summary: "Image names are not unique", Attribute: cty.GetAttrPath("name")}}}
}

func (p *testProvider) ConfigureProvider(_ context.Context, req ConfigureProviderRequest) ConfigureProviderResponse {
	p.record("ConfigureProvider", req)
	return ConfigureProviderResponse{}
}

func (p *testProvider) UpgradeResourceState(_ context.Context, req UpgradeResourceStateRequest) UpgradeResourceStateResponse {
	p.record("UpgradeResourceState", req)
	v, err := ctyjson.Unmarshal(req.RawJSON, testServerType)
	var resp UpgradeResourceStateResponse
	resp.Diagnostics = resp.Diagnostics.FromErr(err, nil)
	resp.UpgradedState = v
	return resp
}

// ReadResource reports an object named "gone" as deleted and stamps the
// others, so the test can tell a read object from the prior state.
func (p *testProvider) ReadResource(_ context.Context, req ReadResourceRequest) ReadResourceResponse {
	p.record("ReadResource", req)
	if req.PriorState.GetAttr("name").AsString() == "gone" {
		return ReadResourceResponse{NewState: cty.NullVal(testServerType)}
	}
	return ReadResourceResponse{
		NewState: SetAttrs(req.PriorState, map[string]cty.Value{"fingerprint": cty.StringVal("read")}),
		Private:  append([]byte("read:"), req.Private...),
	}
}

func (p *testProvider) ReadResources(ctx context.Context, req ReadResourcesRequest) ReadResourcesResponse {
	p.record("ReadResources", req)
	resp := ReadResourcesResponse{Diagnostics: Diagnostics{{Severity: Warning, Summary: fmt.Sprintf("read %d objects in one call", len(req.Objects))}}}
	for _, o := range req.Objects {
		resp.Results = append(resp.Results, p.ReadResource(ctx, o))
	}
	return resp
}

// PlanResourceChange leaves every computed attribute unknown that the prior
// state does not know, nested ones included, and panics for a server named
// "boom".
func (p *testProvider) PlanResourceChange(_ context.Context, req PlanResourceChangeRequest) PlanResourceChangeResponse {
	p.record("PlanResourceChange", req)
	if req.ProposedNewState.IsNull() {
		return PlanResourceChangeResponse{PlannedState: req.ProposedNewState}
	}
	if req.ProposedNewState.GetAttr("name").AsString() == "boom" {
		var m map[string]int
		m["boom"]++ // a provider bug: write to a nil map
	}
	planned, _ := cty.Transform(req.ProposedNewState, func(path cty.Path, v cty.Value) (cty.Value, error) {
		if !v.IsNull() || len(path) == 0 {
			return v, nil
		}
		switch last := path[len(path)-1].(cty.GetAttrStep); last.Name {
		case "id":
			return cty.UnknownVal(cty.String).RefineNotNull(), nil
		case "fingerprint", "rule_id", "fixed_ip":
			return cty.UnknownVal(cty.String), nil
		}
		return v, nil
	})
	return PlanResourceChangeResponse{
		PlannedState:    planned,
		RequiresReplace: testServerSchema.Block.ForceNewPaths(req.PriorState, planned),
		PlannedPrivate:  []byte("planned"),
	}
}

// ApplyResourceChange makes every unknown known.
func (p *testProvider) ApplyResourceChange(_ context.Context, req ApplyResourceChangeRequest) ApplyResourceChangeResponse {
	p.record("ApplyResourceChange", req)
	if req.PlannedState.IsNull() {
		return ApplyResourceChangeResponse{NewState: req.PlannedState}
	}
	n := 0
	state, _ := cty.Transform(req.PlannedState, func(path cty.Path, v cty.Value) (cty.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		n++
		return cty.StringVal(fmt.Sprintf("%s-%d", path[len(path)-1].(cty.GetAttrStep).Name, n)), nil
	})
	return ApplyResourceChangeResponse{NewState: state, Private: req.PlannedPrivate}
}

// ImportResourceState finds two objects, one of a type without a schema, so
// the dynamic fallback is exercised on the way back.
func (p *testProvider) ImportResourceState(_ context.Context, req ImportResourceStateRequest) ImportResourceStateResponse {
	p.record("ImportResourceState", req)
	server := cty.ObjectVal(map[string]cty.Value{
		"id":          cty.StringVal(req.ID),
		"name":        cty.StringVal("imported"),
		"password":    cty.NullVal(cty.String),
		"size":        cty.NumberIntVal(2),
		"tags":        cty.NullVal(cty.Map(cty.String)),
		"fingerprint": cty.NullVal(cty.String),
		"network":     cty.NullVal(testServerType.AttributeType("network")),
		"rule":        cty.ListValEmpty(testServerType.AttributeType("rule").ElementType()),
		"volume":      cty.SetValEmpty(testServerType.AttributeType("volume").ElementType()),
		"env":         cty.MapValEmpty(testServerType.AttributeType("env").ElementType()),
	})
	return ImportResourceStateResponse{Imported: []ImportedResource{
		{TypeName: "test_server", State: server, Private: []byte("imported")},
		{TypeName: "test_port", State: cty.ObjectVal(map[string]cty.Value{"port_id": cty.StringVal(req.ID + "-port")})},
	}}
}

// ReadDataSource answers test_image; test_block, which has no schema, blocks
// until its context ends, so a test can watch cancellation arrive.
func (p *testProvider) ReadDataSource(ctx context.Context, req ReadDataSourceRequest) ReadDataSourceResponse {
	p.record("ReadDataSource", req)
	switch req.TypeName {
	case "test_image":
		name := req.Config.GetAttr("name").AsString()
		return ReadDataSourceResponse{State: SetAttrs(req.Config, map[string]cty.Value{
			"id":       cty.StringVal("img-" + name),
			"min_disk": cty.NumberIntVal(10),
		})}
	case "test_block":
		<-ctx.Done()
		var resp ReadDataSourceResponse
		resp.Diagnostics = resp.Diagnostics.FromErr(context.Cause(ctx), nil)
		return resp
	}
	return ReadDataSourceResponse{Diagnostics: UnsupportedType("data source", req.TypeName)}
}

func (p *testProvider) Stop(context.Context) error {
	p.stopCalls.Add(1)
	return nil
}

func (p *testProvider) Close() error { return nil }

// connect serves prov over an in-process gRPC connection and returns the
// host's client for it.
func connect(t testing.TB, prov Provider) (Provider, *plugin.GRPCClient) {
	t.Helper()
	client, server := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{
		ProviderPluginName: &GRPCProviderPlugin{Provider: func() Provider { return prov }},
	})
	t.Cleanup(func() {
		// Close shuts the server down through go-plugin's controller; only
		// when the test broke the connection first must the server be
		// stopped here (stopping it twice at once races inside go-plugin).
		if err := client.Close(); err != nil {
			server.Stop()
		}
	})
	raw, err := client.Dispense(ProviderPluginName)
	require.NoError(t, err)
	p, ok := raw.(Provider)
	require.True(t, ok, "dispensed %T", raw)
	return p, client
}

// testServer is a configured server object: two rules, two volumes, two env
// entries, with computed attributes still null.
func testServer(name string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id":          cty.NullVal(cty.String),
		"name":        cty.StringVal(name),
		"password":    cty.StringVal("s3cret").Mark("sensitive"),
		"size":        cty.NumberIntVal(4),
		"tags":        cty.MapVal(map[string]cty.Value{"ente": cty.StringVal("c_a662")}),
		"fingerprint": cty.NullVal(cty.String),
		"network": cty.ObjectVal(map[string]cty.Value{
			"name":     cty.StringVal("lan"),
			"fixed_ip": cty.NullVal(cty.String),
		}),
		"rule": cty.ListVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(22), "cidr": cty.StringVal("10.0.0.0/8"), "rule_id": cty.NullVal(cty.String)}),
			cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(443), "cidr": cty.NullVal(cty.String), "rule_id": cty.NullVal(cty.String)}),
		}),
		"volume": cty.SetVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"size": cty.NumberIntVal(10)}),
			cty.ObjectVal(map[string]cty.Value{"size": cty.NumberIntVal(20)}),
		}),
		"env": cty.MapVal(map[string]cty.Value{
			"prod": cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal("p"), "secret": cty.NullVal(cty.String)}),
			"test": cty.ObjectVal(map[string]cty.Value{"value": cty.NullVal(cty.String), "secret": cty.StringVal("x")}),
		}),
	})
}

func unmarked(v cty.Value) cty.Value {
	v, _ = v.UnmarkDeep()
	return v
}

// assertValue compares cty values exactly: unknowns, refinements and nulls
// included.
func assertValue(t *testing.T, want, got cty.Value, msgAndArgs ...any) {
	t.Helper()
	if !want.RawEquals(got) {
		assert.Fail(t, "values differ:\n"+ctydebug.DiffValues(want, got), msgAndArgs...)
	}
}

func assertDiags(t *testing.T, want, got Diagnostics) {
	t.Helper()
	if diff := cmp.Diff(want, got, ctydebug.CmpOptions); diff != "" {
		t.Errorf("diagnostics differ (-want +got):\n%s", diff)
	}
}

func TestGRPCGetSchema(t *testing.T) {
	prov := newTestProvider()
	client, _ := connect(t, prov)

	resp := client.GetSchema(context.Background(), GetSchemaRequest{})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	want := prov.GetSchema(context.Background(), GetSchemaRequest{})
	if diff := cmp.Diff(want, resp, ctydebug.CmpOptions); diff != "" {
		t.Errorf("schema changed on the wire (-want +got):\n%s", diff)
	}

	// Asked again, the client answers from what it has.
	calls := prov.schemaCalls.Load()
	client.GetSchema(context.Background(), GetSchemaRequest{})
	assert.Equal(t, calls, prov.schemaCalls.Load())
}

// TestGRPCSchemaFetchedLazily calls a method before GetSchema: the client
// must fetch the schema itself to encode the request.
func TestGRPCSchemaFetchedLazily(t *testing.T) {
	prov := newTestProvider()
	_, conn := connect(t, prov)
	client := newGRPCClient(conn.Conn)

	cfg := testServer("web")
	resp := client.PlanResourceChange(context.Background(), PlanResourceChangeRequest{
		TypeName:         "test_server",
		PriorState:       cty.NullVal(testServerType),
		ProposedNewState: cfg,
		Config:           cfg,
	})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	assert.Equal(t, "web", resp.PlannedState.GetAttr("name").AsString())
}

func TestGRPCRoundTrip(t *testing.T) {
	ctx := context.Background()
	prov := newTestProvider()
	client, _ := connect(t, prov)
	server := testServer("web")
	providerCfg := cty.ObjectVal(map[string]cty.Value{
		"endpoint": cty.StringVal("bad"),
		"token":    cty.StringVal("t0k").Mark("sensitive"),
	})

	t.Run("ValidateProviderConfig", func(t *testing.T) {
		resp := client.ValidateProviderConfig(ctx, ValidateProviderConfigRequest{Config: providerCfg})
		assertValue(t, unmarked(providerCfg), prov.lastRequest("ValidateProviderConfig").(ValidateProviderConfigRequest).Config)
		assertDiags(t, Diagnostics{{Severity: Error, Summary: "Invalid endpoint", Detail: `"bad" is no URL.`, Attribute: cty.GetAttrPath("endpoint")}}, resp.Diagnostics)
	})

	t.Run("ConfigureProvider", func(t *testing.T) {
		resp := client.ConfigureProvider(ctx, ConfigureProviderRequest{Config: providerCfg, TerraformVersion: "1.8.0"})
		assert.Empty(t, resp.Diagnostics)
		got := prov.lastRequest("ConfigureProvider").(ConfigureProviderRequest)
		assertValue(t, unmarked(providerCfg), got.Config)
		assert.Equal(t, "1.8.0", got.TerraformVersion)
	})

	t.Run("ValidateResourceConfig", func(t *testing.T) {
		// A configuration holds unknowns where it refers to objects not
		// yet created.
		cfg := SetAttrs(server, map[string]cty.Value{"size": cty.UnknownVal(cty.Number)})
		resp := client.ValidateResourceConfig(ctx, ValidateResourceConfigRequest{TypeName: "test_server", Config: cfg})
		got := prov.lastRequest("ValidateResourceConfig").(ValidateResourceConfigRequest)
		assert.Equal(t, "test_server", got.TypeName)
		assertValue(t, unmarked(cfg), got.Config)
		assertDiags(t, Diagnostics{
			{Severity: Error, Summary: "Bad name", Detail: `names may not contain "_"`, Attribute: cty.GetAttrPath("name")},
			{Severity: Error, Summary: "Bad port", Detail: "port 0 is reserved", Attribute: cty.GetAttrPath("rule").IndexInt(1).GetAttr("port")},
			{Severity: Warning, Summary: "Empty value", Attribute: cty.GetAttrPath("env").IndexString("prod").GetAttr("value")},
		}, resp.Diagnostics)
	})

	t.Run("ValidateDataSourceConfig", func(t *testing.T) {
		cfg := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("debian-12"), "id": cty.NullVal(cty.String), "min_disk": cty.NullVal(cty.Number)})
		resp := client.ValidateDataSourceConfig(ctx, ValidateDataSourceConfigRequest{TypeName: "test_image", Config: cfg})
		got := prov.lastRequest("ValidateDataSourceConfig").(ValidateDataSourceConfigRequest)
		assertValue(t, cfg, got.Config)
		assertDiags(t, Diagnostics{{Severity: Warning, Summary: "Image names are not unique", Attribute: cty.GetAttrPath("name")}}, resp.Diagnostics)
	})

	t.Run("UpgradeResourceState", func(t *testing.T) {
		raw, err := ctyjson.Marshal(unmarked(server), testServerType)
		require.NoError(t, err)
		resp := client.UpgradeResourceState(ctx, UpgradeResourceStateRequest{TypeName: "test_server", Version: 1, RawJSON: raw})
		require.Empty(t, resp.Diagnostics)
		assert.Equal(t, UpgradeResourceStateRequest{TypeName: "test_server", Version: 1, RawJSON: raw}, prov.lastRequest("UpgradeResourceState"))
		assertValue(t, unmarked(server), resp.UpgradedState)
	})

	t.Run("ReadResource", func(t *testing.T) {
		meta := cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal("net")})
		resp := client.ReadResource(ctx, ReadResourceRequest{TypeName: "test_server", PriorState: server, Private: []byte("p"), ProviderMeta: meta})
		require.Empty(t, resp.Diagnostics)
		got := prov.lastRequest("ReadResource").(ReadResourceRequest)
		assertValue(t, unmarked(server), got.PriorState)
		assertValue(t, meta, got.ProviderMeta, "provider_meta travels with its own type")
		assert.Equal(t, []byte("p"), got.Private)
		assertValue(t, SetAttrs(unmarked(server), map[string]cty.Value{"fingerprint": cty.StringVal("read")}), resp.NewState)
		assert.Equal(t, []byte("read:p"), resp.Private)
	})

	t.Run("ReadResource without provider_meta", func(t *testing.T) {
		client.ReadResource(ctx, ReadResourceRequest{TypeName: "test_server", PriorState: server})
		got := prov.lastRequest("ReadResource").(ReadResourceRequest)
		assert.True(t, got.ProviderMeta == cty.NilVal, "no value stays no value, not null: %#v", got.ProviderMeta)
	})

	t.Run("ReadResource gone", func(t *testing.T) {
		resp := client.ReadResource(ctx, ReadResourceRequest{TypeName: "test_server", PriorState: SetAttrs(server, map[string]cty.Value{"name": cty.StringVal("gone")})})
		require.Empty(t, resp.Diagnostics)
		assertValue(t, cty.NullVal(testServerType), resp.NewState)
	})

	t.Run("ReadResources", func(t *testing.T) {
		names := []string{"a", "gone", "c", "d"}
		req := ReadResourcesRequest{TypeName: "test_server"}
		for i, n := range names {
			req.Objects = append(req.Objects, ReadResourceRequest{PriorState: SetAttrs(server, map[string]cty.Value{"name": cty.StringVal(n)}), Private: []byte{byte('0' + i)}})
		}
		resp := client.ReadResources(ctx, req)
		assertDiags(t, Diagnostics{{Severity: Warning, Summary: "read 4 objects in one call"}}, resp.Diagnostics)
		require.Len(t, resp.Results, len(names))
		got := prov.lastRequest("ReadResources").(ReadResourcesRequest)
		require.Len(t, got.Objects, len(names))
		for i, n := range names {
			assertValue(t, unmarked(req.Objects[i].PriorState), got.Objects[i].PriorState)
			r := resp.Results[i]
			if n == "gone" {
				assertValue(t, cty.NullVal(testServerType), r.NewState)
				continue
			}
			assert.Equal(t, n, r.NewState.GetAttr("name").AsString(), "results in request order")
			assert.Equal(t, "read", r.NewState.GetAttr("fingerprint").AsString())
			assert.Equal(t, []byte{'r', 'e', 'a', 'd', ':', byte('0' + i)}, r.Private)
		}
	})

	var planned cty.Value
	t.Run("PlanResourceChange create", func(t *testing.T) {
		resp := client.PlanResourceChange(ctx, PlanResourceChangeRequest{
			TypeName:         "test_server",
			PriorState:       cty.NullVal(testServerType),
			ProposedNewState: server,
			Config:           server,
			PriorPrivate:     []byte("prior"),
		})
		require.Empty(t, resp.Diagnostics)
		got := prov.lastRequest("PlanResourceChange").(PlanResourceChangeRequest)
		assertValue(t, cty.NullVal(testServerType), got.PriorState)
		assertValue(t, unmarked(server), got.ProposedNewState)
		assert.Equal(t, []byte("prior"), got.PriorPrivate)

		// Unknowns survive at every depth, refinements included.
		planned = resp.PlannedState
		want, _ := cty.Transform(unmarked(server), func(path cty.Path, v cty.Value) (cty.Value, error) {
			switch {
			case path.Equals(cty.GetAttrPath("id")):
				return cty.UnknownVal(cty.String).RefineNotNull(), nil
			case path.Equals(cty.GetAttrPath("fingerprint")),
				path.Equals(cty.GetAttrPath("network").GetAttr("fixed_ip")),
				path.Equals(cty.GetAttrPath("rule").IndexInt(0).GetAttr("rule_id")),
				path.Equals(cty.GetAttrPath("rule").IndexInt(1).GetAttr("rule_id")):
				return cty.UnknownVal(cty.String), nil
			}
			return v, nil
		})
		assertValue(t, want, planned)
		assert.False(t, planned.GetAttr("network").GetAttr("fixed_ip").IsKnown())
		assert.False(t, planned.GetAttr("rule").Index(cty.NumberIntVal(1)).GetAttr("rule_id").IsKnown())
		assert.Equal(t, []byte("planned"), resp.PlannedPrivate)
		assert.Empty(t, resp.RequiresReplace)
	})

	t.Run("PlanResourceChange replace", func(t *testing.T) {
		prior := SetAttrs(unmarked(server), map[string]cty.Value{"id": cty.StringVal("srv-1")})
		proposed := SetAttrs(prior, map[string]cty.Value{"name": cty.StringVal("web2")})
		resp := client.PlanResourceChange(ctx, PlanResourceChangeRequest{TypeName: "test_server", PriorState: prior, ProposedNewState: proposed, Config: proposed})
		require.Empty(t, resp.Diagnostics)
		if diff := cmp.Diff([]cty.Path{cty.GetAttrPath("name")}, resp.RequiresReplace, ctydebug.CmpOptions); diff != "" {
			t.Errorf("requires_replace (-want +got):\n%s", diff)
		}
	})

	t.Run("PlanResourceChange delete", func(t *testing.T) {
		resp := client.PlanResourceChange(ctx, PlanResourceChangeRequest{TypeName: "test_server", PriorState: server, ProposedNewState: cty.NullVal(testServerType), Config: cty.NullVal(testServerType)})
		require.Empty(t, resp.Diagnostics)
		assertValue(t, cty.NullVal(testServerType), resp.PlannedState)
	})

	t.Run("ApplyResourceChange", func(t *testing.T) {
		require.NotEqual(t, cty.NilVal, planned, "needs the planned value")
		resp := client.ApplyResourceChange(ctx, ApplyResourceChangeRequest{
			TypeName:       "test_server",
			PriorState:     cty.NullVal(testServerType),
			PlannedState:   planned,
			Config:         server,
			PlannedPrivate: []byte("planned"),
		})
		require.Empty(t, resp.Diagnostics)
		got := prov.lastRequest("ApplyResourceChange").(ApplyResourceChangeRequest)
		assertValue(t, planned, got.PlannedState)
		assertValue(t, unmarked(server), got.Config)
		assert.True(t, resp.NewState.IsWhollyKnown())
		assert.Equal(t, "web", resp.NewState.GetAttr("name").AsString())
		assert.Equal(t, []byte("planned"), resp.Private)
	})

	t.Run("ImportResourceState", func(t *testing.T) {
		resp := client.ImportResourceState(ctx, ImportResourceStateRequest{TypeName: "test_server", ID: "srv-9"})
		require.Empty(t, resp.Diagnostics)
		assert.Equal(t, ImportResourceStateRequest{TypeName: "test_server", ID: "srv-9"}, prov.lastRequest("ImportResourceState"))
		require.Len(t, resp.Imported, 2)
		assert.Equal(t, "test_server", resp.Imported[0].TypeName)
		assert.True(t, resp.Imported[0].State.Type().Equals(testServerType))
		assert.Equal(t, "srv-9", resp.Imported[0].State.GetAttr("id").AsString())
		assert.Equal(t, []byte("imported"), resp.Imported[0].Private)
		assert.Equal(t, "test_port", resp.Imported[1].TypeName)
		assertValue(t, cty.ObjectVal(map[string]cty.Value{"port_id": cty.StringVal("srv-9-port")}), resp.Imported[1].State)
	})

	t.Run("ReadDataSource", func(t *testing.T) {
		cfg := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("debian-12"), "id": cty.NullVal(cty.String), "min_disk": cty.NullVal(cty.Number)})
		resp := client.ReadDataSource(ctx, ReadDataSourceRequest{TypeName: "test_image", Config: cfg})
		require.Empty(t, resp.Diagnostics)
		assertValue(t, cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("debian-12"), "id": cty.StringVal("img-debian-12"), "min_disk": cty.NumberIntVal(10)}), resp.State)
	})

	t.Run("ReadDataSource unsupported", func(t *testing.T) {
		// A type the schema lacks still reaches the provider, whose own
		// diagnostic comes back.
		resp := client.ReadDataSource(ctx, ReadDataSourceRequest{TypeName: "test_nope", Config: cty.EmptyObjectVal})
		assertDiags(t, UnsupportedType("data source", "test_nope"), resp.Diagnostics)
	})

	t.Run("Stop", func(t *testing.T) {
		require.NoError(t, client.Stop(ctx))
		assert.Equal(t, int32(1), prov.stopCalls.Load())
	})

	t.Run("Close", func(t *testing.T) {
		assert.NoError(t, client.Close())
	})
}

// panicky panics in every method, to show that each handler recovers.
type panicky struct{ *testProvider }

func (p *panicky) ReadResource(context.Context, ReadResourceRequest) ReadResourceResponse {
	panic("read exploded")
}

func (p *panicky) ValidateProviderConfig(context.Context, ValidateProviderConfigRequest) ValidateProviderConfigResponse {
	panic(errors.New("validate exploded"))
}

func (p *panicky) ReadResources(context.Context, ReadResourcesRequest) ReadResourcesResponse {
	panic("batch exploded")
}

func (p *panicky) Stop(context.Context) error { panic("stop exploded") }

func TestGRPCProviderPanics(t *testing.T) {
	ctx := context.Background()
	prov := newTestProvider()
	client, _ := connect(t, prov)
	server := testServer("boom")

	resp := client.PlanResourceChange(ctx, PlanResourceChangeRequest{TypeName: "test_server", PriorState: cty.NullVal(testServerType), ProposedNewState: server, Config: server})
	require.Len(t, resp.Diagnostics, 1)
	d := resp.Diagnostics[0]
	assert.Equal(t, Error, d.Severity)
	assert.Contains(t, d.Summary, "provider panicked: assignment to entry in nil map")
	assert.Contains(t, d.Detail, "PlanResourceChange")
	assert.True(t, resp.PlannedState == cty.NilVal)

	// The connection is still usable.
	ok := client.PlanResourceChange(ctx, PlanResourceChangeRequest{TypeName: "test_server", PriorState: cty.NullVal(testServerType), ProposedNewState: testServer("web"), Config: testServer("web")})
	require.Empty(t, ok.Diagnostics)
	assert.Equal(t, "web", ok.PlannedState.GetAttr("name").AsString())

	t.Run("other methods", func(t *testing.T) {
		pp := &panicky{testProvider: newTestProvider()}
		client, _ := connect(t, pp)
		r := client.ReadResource(ctx, ReadResourceRequest{TypeName: "test_server", PriorState: testServer("a")})
		require.Len(t, r.Diagnostics, 1)
		assert.Equal(t, "provider panicked: read exploded", r.Diagnostics[0].Summary)
		v := client.ValidateProviderConfig(ctx, ValidateProviderConfigRequest{Config: cty.NullVal(testProviderSchema.Block.ImpliedType())})
		require.Len(t, v.Diagnostics, 1)
		assert.Equal(t, "provider panicked: validate exploded", v.Diagnostics[0].Summary)
		assert.EqualError(t, client.Stop(ctx), "provider panicked: stop exploded")
		rs := client.ReadResources(ctx, ReadResourcesRequest{TypeName: "test_server", Objects: []ReadResourceRequest{{PriorState: testServer("a")}}})
		require.Len(t, rs.Diagnostics, 1)
		assert.Equal(t, "provider panicked: batch exploded", rs.Diagnostics[0].Summary)
	})
}

// TestGRPCStopCancelsCalls blocks a call in the provider until its context
// ends and checks that Stop ends it.
func TestGRPCStopCancelsCalls(t *testing.T) {
	prov := newTestProvider()
	client, _ := connect(t, prov)
	ctx := context.Background()
	require.False(t, client.GetSchema(ctx, GetSchemaRequest{}).Diagnostics.HasErrors())

	done := make(chan ReadDataSourceResponse, 1)
	go func() {
		done <- client.ReadDataSource(ctx, ReadDataSourceRequest{TypeName: "test_block", Config: cty.EmptyObjectVal})
	}()
	require.Eventually(t, func() bool { return prov.lastRequest("ReadDataSource") != nil }, 5*time.Second, time.Millisecond)
	require.NoError(t, client.Stop(ctx))

	select {
	case resp := <-done:
		require.Len(t, resp.Diagnostics, 1)
		assert.Equal(t, "provider stopped by the host", resp.Diagnostics[0].Summary)
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not end the call in flight")
	}

	// Calls after Stop run normally.
	resp := client.ReadDataSource(ctx, ReadDataSourceRequest{TypeName: "test_image", Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("x"), "id": cty.NullVal(cty.String), "min_disk": cty.NullVal(cty.Number)})})
	assert.Empty(t, resp.Diagnostics)
}

// TestGRPCHostCancels cancels the host's context during a call: the
// provider sees its context end and the host gets an error naming the RPC.
func TestGRPCHostCancels(t *testing.T) {
	prov := newTestProvider()
	client, _ := connect(t, prov)
	require.False(t, client.GetSchema(context.Background(), GetSchemaRequest{}).Diagnostics.HasErrors())

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for prov.lastRequest("ReadDataSource") == nil {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	resp := client.ReadDataSource(ctx, ReadDataSourceRequest{TypeName: "test_block", Config: cty.EmptyObjectVal})
	require.Len(t, resp.Diagnostics, 1)
	assert.Equal(t, Error, resp.Diagnostics[0].Severity)
	assert.Contains(t, resp.Diagnostics[0].Summary, "ReadDataSource")
	assert.Contains(t, resp.Diagnostics[0].Detail, "Canceled")
}

// TestGRPCTransportErrors breaks the connection: every method must answer
// with an error diagnostic naming its RPC, and none may panic.
func TestGRPCTransportErrors(t *testing.T) {
	ctx := context.Background()
	_, conn := connect(t, newTestProvider())
	// A client that has not asked for the schema yet.
	client := newGRPCClient(conn.Conn)
	require.NoError(t, conn.Conn.Close())

	cfg := testServer("web")
	tests := map[string]func() Diagnostics{
		"GetSchema": func() Diagnostics { return client.GetSchema(ctx, GetSchemaRequest{}).Diagnostics },
		"ValidateProviderConfig": func() Diagnostics {
			return client.ValidateProviderConfig(ctx, ValidateProviderConfigRequest{Config: cty.EmptyObjectVal}).Diagnostics
		},
		"ValidateResourceConfig": func() Diagnostics {
			return client.ValidateResourceConfig(ctx, ValidateResourceConfigRequest{TypeName: "test_server", Config: cfg}).Diagnostics
		},
		"ValidateDataSourceConfig": func() Diagnostics {
			return client.ValidateDataSourceConfig(ctx, ValidateDataSourceConfigRequest{TypeName: "test_image"}).Diagnostics
		},
		"ConfigureProvider": func() Diagnostics {
			return client.ConfigureProvider(ctx, ConfigureProviderRequest{}).Diagnostics
		},
		"UpgradeResourceState": func() Diagnostics {
			return client.UpgradeResourceState(ctx, UpgradeResourceStateRequest{TypeName: "test_server"}).Diagnostics
		},
		"ReadResource": func() Diagnostics {
			return client.ReadResource(ctx, ReadResourceRequest{TypeName: "test_server", PriorState: cfg}).Diagnostics
		},
		"ReadResources": func() Diagnostics {
			return client.ReadResources(ctx, ReadResourcesRequest{TypeName: "test_server"}).Diagnostics
		},
		"PlanResourceChange": func() Diagnostics {
			return client.PlanResourceChange(ctx, PlanResourceChangeRequest{TypeName: "test_server", ProposedNewState: cfg}).Diagnostics
		},
		"ApplyResourceChange": func() Diagnostics {
			return client.ApplyResourceChange(ctx, ApplyResourceChangeRequest{TypeName: "test_server", PlannedState: cfg}).Diagnostics
		},
		"ImportResourceState": func() Diagnostics {
			return client.ImportResourceState(ctx, ImportResourceStateRequest{TypeName: "test_server", ID: "x"}).Diagnostics
		},
		"ReadDataSource": func() Diagnostics {
			return client.ReadDataSource(ctx, ReadDataSourceRequest{TypeName: "test_image"}).Diagnostics
		},
	}
	for name, call := range tests {
		t.Run(name, func(t *testing.T) {
			var diags Diagnostics
			require.NotPanics(t, func() { diags = call() })
			require.Len(t, diags, 1)
			assert.Equal(t, Error, diags[0].Severity)
			// Before the schema arrives, every call fails on GetSchema;
			// the methods that need no schema fail on their own RPC.
			assert.Regexp(t, "Provider plugin call ("+name+"|GetSchema) failed", diags[0].Summary)
		})
	}
	t.Run("Stop", func(t *testing.T) {
		err := client.Stop(ctx)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Stop")
	})
}

// TestGRPCTransportErrorNamesRPC breaks the connection after the schema
// arrived, so the error is the method's own RPC's.
func TestGRPCTransportErrorNamesRPC(t *testing.T) {
	ctx := context.Background()
	client, conn := connect(t, newTestProvider())
	require.False(t, client.GetSchema(ctx, GetSchemaRequest{}).Diagnostics.HasErrors())
	require.NoError(t, conn.Conn.Close())

	cfg := testServer("web")
	resp := client.PlanResourceChange(ctx, PlanResourceChangeRequest{TypeName: "test_server", PriorState: cty.NullVal(testServerType), ProposedNewState: cfg, Config: cfg})
	require.Len(t, resp.Diagnostics, 1)
	assert.Equal(t, "Provider plugin call PlanResourceChange failed", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, "Canceled")
}

// TestGRPCValueNotFittingSchema sends a value of the wrong type: the client
// reports it, with the attribute's path, instead of sending garbage.
func TestGRPCValueNotFittingSchema(t *testing.T) {
	ctx := context.Background()
	client, _ := connect(t, newTestProvider())
	bad := SetAttrs(testServer("web"), map[string]cty.Value{"size": cty.StringVal("large")})
	resp := client.ValidateResourceConfig(ctx, ValidateResourceConfigRequest{TypeName: "test_server", Config: bad})
	require.Len(t, resp.Diagnostics, 1)
	assert.Equal(t, "Invalid value in request to provider", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, "ValidateResourceConfig: config")
	assert.True(t, cty.GetAttrPath("size").Equals(resp.Diagnostics[0].Attribute), "%#v", resp.Diagnostics[0].Attribute)
}

// flakySchema fails GetSchema until healed, as a provider might whose
// schema depends on something not yet there.
type flakySchema struct {
	*testProvider
	healed atomic.Bool
}

func (p *flakySchema) GetSchema(ctx context.Context, req GetSchemaRequest) GetSchemaResponse {
	if !p.healed.Load() {
		return GetSchemaResponse{Diagnostics: Diagnostics{{Severity: Error, Summary: "schema unavailable"}}}
	}
	return p.testProvider.GetSchema(ctx, req)
}

// TestGRPCSchemaErrors checks that a schema with errors is neither used
// nor kept: calls fail with its errors until a good schema arrives.
func TestGRPCSchemaErrors(t *testing.T) {
	ctx := context.Background()
	prov := &flakySchema{testProvider: newTestProvider()}
	client, _ := connect(t, prov)
	cfg := testServer("web")
	plan := func() PlanResourceChangeResponse {
		return client.PlanResourceChange(ctx, PlanResourceChangeRequest{TypeName: "test_server", PriorState: cty.NullVal(testServerType), ProposedNewState: cfg, Config: cfg})
	}

	assertDiags(t, Diagnostics{{Severity: Error, Summary: "schema unavailable"}}, client.GetSchema(ctx, GetSchemaRequest{}).Diagnostics)
	assertDiags(t, Diagnostics{{Severity: Error, Summary: "schema unavailable"}}, plan().Diagnostics)
	assert.Nil(t, prov.lastRequest("PlanResourceChange"), "the provider was not called with a value it could not decode")

	prov.healed.Store(true)
	resp := plan()
	require.Empty(t, resp.Diagnostics)
	assert.Equal(t, "web", resp.PlannedState.GetAttr("name").AsString())
}

func BenchmarkGRPCPlanResourceChange(b *testing.B) {
	ctx := context.Background()
	client, _ := connect(b, newTestProvider())
	cfg := testServer("web")
	req := PlanResourceChangeRequest{TypeName: "test_server", PriorState: cty.NullVal(testServerType), ProposedNewState: cfg, Config: cfg}
	if resp := client.PlanResourceChange(ctx, req); resp.Diagnostics.HasErrors() {
		b.Fatal(resp.Diagnostics.Err())
	}

	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if resp := client.PlanResourceChange(ctx, req); len(resp.Diagnostics) > 0 {
				b.Fatal(resp.Diagnostics.Err())
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if resp := client.PlanResourceChange(ctx, req); len(resp.Diagnostics) > 0 {
					b.Error(resp.Diagnostics.Err())
					return
				}
			}
		})
	})
	b.Run("null values", func(b *testing.B) {
		// Null values cost nothing to encode, so this is the fixed cost
		// of a call: gRPC, protobuf and the plugin plumbing.
		null := PlanResourceChangeRequest{TypeName: "test_server", PriorState: cty.NullVal(testServerType), ProposedNewState: cty.NullVal(testServerType), Config: cty.NullVal(testServerType)}
		b.ReportAllocs()
		for b.Loop() {
			if resp := client.PlanResourceChange(ctx, null); len(resp.Diagnostics) > 0 {
				b.Fatal(resp.Diagnostics.Err())
			}
		}
	})
	b.Run("in-process", func(b *testing.B) {
		// The same call without gRPC, for the transport's share.
		prov := newTestProvider()
		b.ReportAllocs()
		for b.Loop() {
			prov.PlanResourceChange(ctx, req)
		}
	})
}
