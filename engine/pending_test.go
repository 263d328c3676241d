package engine

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// markingProvider is the null provider with ownership marks: it remembers
// the owner of every object it creates and finds them again.
type markingProvider struct {
	plugins.Provider
	mu     *sync.Mutex
	owners map[string]cty.Value // address -> object
	finds  *[]plugins.FindOwnedResourceRequest
	seen   *[]*plugins.Owner
}

func (p markingProvider) ApplyResourceChange(ctx context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	resp := p.Provider.ApplyResourceChange(ctx, req)
	p.mu.Lock()
	defer p.mu.Unlock()
	*p.seen = append(*p.seen, req.Owner)
	if req.Owner != nil && !resp.Diagnostics.HasErrors() {
		p.owners[req.Owner.Lineage+" "+req.Owner.Address] = resp.NewState
	}
	return resp
}

func (p markingProvider) FindOwnedResource(_ context.Context, req plugins.FindOwnedResourceRequest) plugins.FindOwnedResourceResponse {
	p.mu.Lock()
	defer p.mu.Unlock()
	*p.finds = append(*p.finds, req)
	v, ok := p.owners[req.Owner.Lineage+" "+req.Owner.Address]
	return plugins.FindOwnedResourceResponse{Found: ok, State: v}
}

func (p markingProvider) ListOwnedResources(_ context.Context, req plugins.ListOwnedResourcesRequest) plugins.ListOwnedResourcesResponse {
	p.mu.Lock()
	defer p.mu.Unlock()
	var resp plugins.ListOwnedResourcesResponse
	for k, v := range p.owners {
		lineage, addr, _ := strings.Cut(k, " ")
		if lineage == req.Lineage {
			resp.Objects = append(resp.Objects, plugins.OwnedObject{TypeName: "null_resource", ID: v.GetAttr("id").AsString(),
				Address: "#" + plugins.OwnerAddressHash(addr)})
		}
	}
	return resp
}

type creatingSink struct {
	mu       sync.Mutex
	creating []string
	puts     []string
}

func (s *creatingSink) Put(addr addrs.AbsResourceInstance, deposed string, obj *state.Object, provider string) func() error {
	s.mu.Lock()
	s.puts = append(s.puts, addr.String())
	s.mu.Unlock()
	return func() error { return nil }
}

func (s *creatingSink) Creating(addr addrs.AbsResourceInstance, provider string) func() error {
	s.mu.Lock()
	s.creating = append(s.creating, addr.String())
	s.mu.Unlock()
	return func() error { return nil }
}

func TestInterruptedCreateIsAdopted(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
resource "null_resource" "a" {
  triggers = { k = "v" }
}
resource "null_resource" "b" {}
`})
	mp := markingProvider{Provider: nullprov.New(), mu: &sync.Mutex{}, owners: map[string]cty.Value{},
		finds: &[]plugins.FindOwnedResourceRequest{}, seen: &[]*plugins.Owner{}}
	provs := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) { return mp, nil }}

	prior := state.New()
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: prior, Providers: provs})
	requireNoErrors(t, diags)
	sink := &creatingSink{}
	applied, diags := Apply(context.Background(), p, ApplyOptions{Config: cfg, Providers: provs, Sink: sink})
	requireNoErrors(t, diags)
	// Every create was recorded before it was sent, with its owner.
	assert.ElementsMatch(t, []string{"null_resource.a", "null_resource.b"}, sink.creating)
	require.Len(t, *mp.seen, 2)
	for _, o := range *mp.seen {
		require.NotNil(t, o)
		assert.Equal(t, prior.Lineage, o.Lineage)
	}
	assert.Empty(t, applied.PendingCreates, "finished creates are resolved")

	// A crash after a's create was sent and before its answer was
	// recorded: state has the pending note and no object.
	crashed := applied.DeepCopy()
	crashed.SetCurrent(mustInstance(t, "null_resource.a"), nil, "")
	crashed.AddPendingCreate("null_resource.a", `provider["registry.opentofu.org/hashicorp/null"]`)
	crashed.AddPendingCreate("null_resource.gone", `provider["registry.opentofu.org/hashicorp/null"]`)
	p, diags = Plan(context.Background(), PlanOptions{Config: cfg, PriorState: crashed, Providers: provs})
	requireNoErrors(t, diags)
	assert.Equal(t, 0, countActions(p)[plan.Create], "the object found by its mark is adopted, not created again")
	assert.True(t, p.PriorState.Instance(mustInstance(t, "null_resource.a")).Current != nil)
	assert.Empty(t, p.PriorState.PendingCreates)
	require.Len(t, *mp.finds, 1, "only the pending address is looked for")
	assert.Equal(t, "null_resource.a", (*mp.finds)[0].Owner.Address)
	var summaries []string
	for _, d := range diags {
		summaries = append(summaries, d.Summary)
	}
	assert.Contains(t, summaries, "Adopted an object whose create was interrupted")
	assert.Contains(t, summaries, "Interrupted create not resolved", "the address no longer configured")

	// Not found: the plan creates it, and the note is gone.
	delete(mp.owners, prior.Lineage+" null_resource.a")
	p, diags = Plan(context.Background(), PlanOptions{Config: cfg, PriorState: crashed, Providers: provs})
	requireNoErrors(t, diags)
	assert.Equal(t, 1, countActions(p)[plan.Create])
	assert.Empty(t, p.PriorState.PendingCreates)
}

func mustInstance(t *testing.T, s string) addrs.AbsResourceInstance {
	t.Helper()
	a, d := addrs.ParseAbsResourceInstanceStr(s)
	require.False(t, d.HasErrors())
	return a
}

func TestOrphans(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
resource "null_resource" "a" {}
resource "null_resource" "b" {}
`})
	mp := markingProvider{Provider: nullprov.New(), mu: &sync.Mutex{}, owners: map[string]cty.Value{},
		finds: &[]plugins.FindOwnedResourceRequest{}, seen: &[]*plugins.Owner{}}
	provs := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) { return mp, nil }}
	prior := state.New()
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: prior, Providers: provs})
	requireNoErrors(t, diags)
	applied, diags := Apply(context.Background(), p, ApplyOptions{Config: cfg, Providers: provs})
	requireNoErrors(t, diags)

	orphans, _, diags := Orphans(context.Background(), OrphansOptions{Config: cfg, State: applied, Providers: provs})
	requireNoErrors(t, diags)
	assert.Empty(t, orphans, "everything marked is in state")

	// b's object is in the cloud but state lost it.
	lost := applied.DeepCopy()
	bID := lost.Instance(mustInstance(t, "null_resource.b")).Current
	lost.SetCurrent(mustInstance(t, "null_resource.b"), nil, "")
	orphans, _, diags = Orphans(context.Background(), OrphansOptions{Config: cfg, State: lost, Providers: provs})
	requireNoErrors(t, diags)
	require.Len(t, orphans, 1)
	assert.Equal(t, "null_resource.b", orphans[0].Address, "the hash resolved to the configured address")
	assert.True(t, orphans[0].Resolved)
	assert.Contains(t, OrphanSummary(orphans[0]), "null_resource.b")

	orphans, adopted, diags := Orphans(context.Background(), OrphansOptions{Config: cfg, State: lost, Providers: provs, Adopt: true})
	requireNoErrors(t, diags)
	require.Len(t, orphans, 1)
	assert.Equal(t, "adopted", orphans[0].Outcome)
	require.NotNil(t, adopted.Instance(mustInstance(t, "null_resource.b")))
	assert.JSONEq(t, string(bID.AttrsJSON), string(adopted.Instance(mustInstance(t, "null_resource.b")).Current.AttrsJSON))

	orphans, _, diags = Orphans(context.Background(), OrphansOptions{Config: cfg, State: lost, Providers: provs, Delete: true})
	requireNoErrors(t, diags)
	require.Len(t, orphans, 1)
	assert.Equal(t, "deleted", orphans[0].Outcome)
}
