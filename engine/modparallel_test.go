package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/require"
)

// gatherNull holds each apply (and plan) until want of them are in flight
// at once, or ten seconds have passed, and records the most seen together:
// run one after the other, the instances take ten seconds each and the
// count stays at one.
type gatherNull struct {
	*nullprov.Provider
	want int

	// planning gates PlanResourceChange; off while applying, which plans
	// again too.
	planning bool

	mu                sync.Mutex
	inApply, inPlan   int
	maxApply, maxPlan int
	cond              *sync.Cond
}

func newGatherNull(want int) *gatherNull {
	g := &gatherNull{Provider: nullprov.New(), want: want}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *gatherNull) gather(in, max *int) {
	g.mu.Lock()
	*in++
	*max = maxInt(*max, *in)
	g.cond.Broadcast()
	deadline := time.Now().Add(10 * time.Second)
	for *max < g.want && time.Now().Before(deadline) {
		g.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		g.mu.Lock()
	}
	g.mu.Unlock()
}

func (g *gatherNull) done(in *int) {
	g.mu.Lock()
	*in--
	g.mu.Unlock()
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func (g *gatherNull) PlanResourceChange(ctx context.Context, req plugins.PlanResourceChangeRequest) plugins.PlanResourceChangeResponse {
	if !g.planning || !req.PriorState.IsNull() || req.ProposedNewState.IsNull() {
		return g.Provider.PlanResourceChange(ctx, req)
	}
	g.gather(&g.inPlan, &g.maxPlan)
	defer g.done(&g.inPlan)
	return g.Provider.PlanResourceChange(ctx, req)
}

func (g *gatherNull) ApplyResourceChange(ctx context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	g.gather(&g.inApply, &g.maxApply)
	defer g.done(&g.inApply)
	return g.Provider.ApplyResourceChange(ctx, req)
}

// The instances of a resource in a module called with for_each are planned
// and applied side by side, not one module instance after the other.
func TestModuleInstancesInParallel(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{
		"main.tf": `
module "comune" {
  source   = "./comune"
  for_each = toset(["a", "b", "c", "d"])
  name     = each.key
}
`,
		"comune/main.tf": `
variable "name" { type = string }
resource "null_resource" "router" {
  triggers = { name = var.name }
}
`})
	g := newGatherNull(4)
	g.planning = true
	factories := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) { return g, nil }}
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: factories})
	requireNoErrors(t, diags)
	g.planning = false
	_, diags = Apply(context.Background(), p, ApplyOptions{Config: cfg, Providers: factories})
	requireNoErrors(t, diags)
	require.Equal(t, 4, g.maxPlan, "the four module instances planned together")
	require.Equal(t, 4, g.maxApply, "the four module instances applied together")
}
