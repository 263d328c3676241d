package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/require"
)

// configuringNull counts its configurations, which answer with diags, and
// its reads; read, when set, replaces ReadResources.
type configuringNull struct {
	*nullprov.Provider
	mu         sync.Mutex
	configures int
	reads      int
	diags      plugins.Diagnostics
	read       func(ctx context.Context, req plugins.ReadResourcesRequest) plugins.ReadResourcesResponse
}

func (c *configuringNull) ConfigureProvider(ctx context.Context, req plugins.ConfigureProviderRequest) plugins.ConfigureProviderResponse {
	c.mu.Lock()
	c.configures++
	c.mu.Unlock()
	if c.diags.HasErrors() {
		return plugins.ConfigureProviderResponse{Diagnostics: c.diags}
	}
	resp := c.Provider.ConfigureProvider(ctx, req)
	resp.Diagnostics = append(resp.Diagnostics, c.diags...)
	return resp
}

func (c *configuringNull) ReadResources(ctx context.Context, req plugins.ReadResourcesRequest) plugins.ReadResourcesResponse {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	if c.read != nil {
		return c.read(ctx, req)
	}
	return c.Provider.ReadResources(ctx, req)
}

func (c *configuringNull) factories() ProviderFactories {
	return ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) { return c, nil }}
}

func nullResources(n int) string {
	var src strings.Builder
	for i := range n {
		fmt.Fprintf(&src, "resource \"null_resource\" \"r%d\" {}\n", i)
	}
	return src.String()
}

func countSummaries(diags []string, summary string) int {
	n := 0
	for _, s := range diags {
		if strings.Contains(s, summary) {
			n++
		}
	}
	return n
}

// A provider without a configuration block is configured once, however many
// resources need it: a configuration that fails is neither tried again nor
// reported again by each resource.
func TestImpliedProviderConfiguredOnce(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": nullResources(6)})
	prov := &configuringNull{Provider: nullprov.New(),
		diags: plugins.Diagnostics{{Severity: plugins.Error, Summary: "no cloud to talk to"}}}
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: prov.factories()})
	require.True(t, diags.HasErrors())
	require.True(t, p.Errored)
	require.Equal(t, 1, prov.configures)
	var summaries []string
	for _, d := range diags {
		summaries = append(summaries, d.Summary+": "+d.Detail)
	}
	require.Equal(t, 1, countSummaries(summaries, "no cloud to talk to"), "%s", diags)
}

// The implied configuration of a provider that manages objects in state is
// made while the graph is built, and its warnings are still reported, once.
func TestEarlyImpliedConfigurationWarnsOnce(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": nullResources(4)})
	_, s := planApply(t, cfg, nil, nil)
	prov := &configuringNull{Provider: nullprov.New(),
		diags: plugins.Diagnostics{{Severity: plugins.Warning, Summary: "endpoint deprecated"}}}
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Providers: prov.factories()})
	requireNoErrors(t, diags)
	require.Len(t, p.Changes, 4)
	require.Equal(t, 1, prov.configures)
	require.Equal(t, 1, prov.reads, "the four objects are read in one call")
	require.Len(t, diags, 1, "%s", diags)
	require.Equal(t, "endpoint deprecated", diags[0].Summary)
}

// The refresh of a provider without a configuration block starts before the
// walk: a configuration whose graph cannot be built still sees the read
// begin, and the plan ends without waiting for it, cancelling it.
func TestPlanRefreshStartsBeforeTheWalk(t *testing.T) {
	ok := loadTestConfig(t, map[string]string{"main.tf": nullResources(2)})
	_, s := planApply(t, ok, nil, nil)
	cycle := loadTestConfig(t, map[string]string{"main.tf": `
resource "null_resource" "r0" {
  triggers = { v = null_resource.r1.id }
}
resource "null_resource" "r1" {
  triggers = { v = null_resource.r0.id }
}
`})
	cancelled := make(chan struct{})
	var once sync.Once
	prov := &configuringNull{Provider: nullprov.New()}
	prov.read = func(ctx context.Context, req plugins.ReadResourcesRequest) plugins.ReadResourcesResponse {
		<-ctx.Done()
		once.Do(func() { close(cancelled) })
		return plugins.ReadResourcesResponse{Diagnostics: plugins.Diagnostics{}.FromErr(ctx.Err(), nil)}
	}
	done := make(chan struct{})
	var diags []string
	go func() {
		defer close(done)
		_, d := Plan(context.Background(), PlanOptions{Config: cycle, PriorState: s, Providers: prov.factories()})
		for _, x := range d {
			diags = append(diags, x.Summary)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the plan waited for a read nobody needs")
	}
	require.Equal(t, 1, countSummaries(diags, "Cycle"), "%s", diags)
	require.Equal(t, 1, prov.reads, "the objects in state were read before the graph was built")
	select {
	case <-cancelled:
	default:
		t.Fatal("the read was not cancelled when the plan ended")
	}
}

// Only providers without a configuration block start early: one whose block
// may depend on anything the walk evaluates is configured by the walk.
func TestEarlyStartLeavesConfiguredProviders(t *testing.T) {
	ok := loadTestConfig(t, map[string]string{"main.tf": nullResources(2)})
	_, s := planApply(t, ok, nil, nil)
	withBlock := loadTestConfig(t, map[string]string{"main.tf": `provider "null" {}
` + `
resource "null_resource" "r0" {
  triggers = { v = null_resource.r1.id }
}
resource "null_resource" "r1" {
  triggers = { v = null_resource.r0.id }
}
`})
	prov := &configuringNull{Provider: nullprov.New()}
	_, diags := Plan(context.Background(), PlanOptions{Config: withBlock, PriorState: s, Providers: prov.factories()})
	require.True(t, diags.HasErrors())
	require.Zero(t, prov.configures, "the graph failed, so the walk configured nothing")
	require.Zero(t, prov.reads)
}

// The warnings of an implied configuration reach the user when the
// provider only deletes objects too, once however many it deletes.
func TestImpliedConfigurationWarnsOnceOnDestroy(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": nullResources(3)})
	_, s := planApply(t, cfg, nil, nil)
	empty := loadTestConfig(t, map[string]string{"main.tf": ""})
	prov := &configuringNull{Provider: nullprov.New(),
		diags: plugins.Diagnostics{{Severity: plugins.Warning, Summary: "endpoint deprecated"}}}
	p, diags := Plan(context.Background(), PlanOptions{Config: empty, PriorState: s, Providers: prov.factories()})
	requireNoErrors(t, diags)
	require.Len(t, p.Changes, 3)
	_, diags = Apply(context.Background(), p, ApplyOptions{Config: empty, Providers: prov.factories()})
	requireNoErrors(t, diags)
	require.Len(t, diags, 1, "%s", diags)
	require.Equal(t, "endpoint deprecated", diags[0].Summary)
}
