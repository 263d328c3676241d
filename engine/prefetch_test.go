package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// countingNull counts ReadResources calls and the objects they carry, and
// answers objects whose id is in gone as deleted outside nuvola.
type countingNull struct {
	*nullprov.Provider
	mu      sync.Mutex
	calls   int
	objects int
	gone    map[string]bool
	fail    bool
}

func (c *countingNull) ReadResources(ctx context.Context, req plugins.ReadResourcesRequest) plugins.ReadResourcesResponse {
	c.mu.Lock()
	c.calls++
	c.objects += len(req.Objects)
	fail := c.fail && len(req.Objects) > 1
	c.mu.Unlock()
	if fail {
		return plugins.ReadResourcesResponse{Diagnostics: plugins.Diagnostics{{Severity: plugins.Error, Summary: "list failed"}}}
	}
	resp := c.Provider.ReadResources(ctx, req)
	for i, o := range req.Objects {
		if c.gone[o.PriorState.GetAttr("id").AsString()] {
			resp.Results[i].NewState = cty.NullVal(o.PriorState.Type())
		}
	}
	return resp
}

func TestPlanRefreshesInLargeBatches(t *testing.T) {
	const n = 1200
	var src strings.Builder
	for i := range n {
		fmt.Fprintf(&src, "resource \"null_resource\" \"r%d\" {\n  triggers = { v = \"v%d\" }\n}\n", i, i)
	}
	// Resources with count share the batches too.
	src.WriteString("resource \"null_resource\" \"many\" {\n  count = 3\n}\n")
	cfg := loadTestConfig(t, map[string]string{"main.tf": src.String()})
	_, s := planApply(t, cfg, nil, nil)

	prov := &countingNull{Provider: nullprov.New(), gone: map[string]bool{}}
	id := s.Instance(addrs.AbsResourceInstance{Resource: addrs.ResourceInstance{Resource: addrs.Resource{Mode: addrs.ManagedResourceMode, Type: "null_resource", Name: "r7"}}})
	require.NotNil(t, id)
	var attrs struct{ ID string }
	require.NoError(t, json.Unmarshal(id.Current.AttrsJSON, &attrs))
	prov.gone[attrs.ID] = true
	factories := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) { return prov, nil }}

	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Providers: factories})
	requireNoErrors(t, diags)
	// n+3 objects in chunks of at most prefetchChunk: a handful of calls,
	// not one per resource.
	require.Equal(t, n+3, prov.objects, "every object is read once")
	require.LessOrEqual(t, prov.calls, (n+3)/prefetchChunk+2)
	acts := countActions(p)
	require.Equal(t, 1, acts[plan.Create], "the object deleted outside nuvola is planned again")
	require.Equal(t, n+2, acts[plan.NoOp])

	// A failed batch falls back to reading resource by resource, and the
	// error is reported where the resource is.
	prov2 := &countingNull{Provider: nullprov.New(), fail: true}
	factories2 := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) { return prov2, nil }}
	p2, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Providers: factories2})
	require.True(t, diags.HasErrors())
	require.Contains(t, diags.Error(), "list failed")
	require.True(t, p2.Errored)
	require.Greater(t, prov2.calls, n, "after the failed batches, each resource is read alone")

	// Without refresh, nothing is read.
	prov3 := &countingNull{Provider: nullprov.New()}
	factories3 := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) { return prov3, nil }}
	_, diags = Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Providers: factories3, SkipRefresh: true})
	requireNoErrors(t, diags)
	require.Zero(t, prov3.calls)
}
