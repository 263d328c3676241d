package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/require"
)

// A plan starts one instance per provider configuration: the first
// configuration takes over the instance that answered the schema request.
func TestOneProviderInstancePerConfiguration(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
provider "null" {}
provider "null" {
  alias = "other"
}
resource "null_resource" "a" {}
resource "null_resource" "b" {
  provider = null.other
}
`})
	var started atomic.Int32
	factories := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) {
		started.Add(1)
		return nullprov.New(), nil
	}}
	_, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: factories})
	requireNoErrors(t, diags)
	require.Equal(t, int32(2), started.Load(), "two configurations, two instances, none for the schema alone")
}

type countingMetrics struct {
	*nullprov.Provider
}

func (countingMetrics) Metrics(context.Context) map[string]int64 {
	return map[string]int64{"network": 3, "compute": 1}
}

type metricsRecorder struct {
	NoHooks
	got map[string]map[string]int64
}

func (m *metricsRecorder) ProviderMetrics(provider string, counters map[string]int64) {
	m.got[provider] = counters
}

// When an operation ends, each configured provider's counters reach hooks
// that take them.
func TestProviderMetricsReported(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `resource "null_resource" "a" {}`})
	factories := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) {
		return countingMetrics{nullprov.New()}, nil
	}}
	rec := &metricsRecorder{got: map[string]map[string]int64{}}
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: factories, Hooks: rec})
	requireNoErrors(t, diags)
	require.Equal(t, map[string]map[string]int64{`provider["registry.opentofu.org/hashicorp/null"]`: {"network": 3, "compute": 1}}, rec.got)

	rec.got = map[string]map[string]int64{}
	_, diags = Apply(context.Background(), p, ApplyOptions{Config: cfg, Providers: factories, Hooks: rec})
	requireNoErrors(t, diags)
	require.Len(t, rec.got, 1)
}

// brokenSchema is a null provider whose GetSchema fails.
type brokenSchema struct {
	*nullprov.Provider
}

func (brokenSchema) GetSchema(context.Context, plugins.GetSchemaRequest) plugins.GetSchemaResponse {
	var resp plugins.GetSchemaResponse
	resp.Diagnostics = resp.Diagnostics.FromErr(errors.New("schema exploded"), nil)
	return resp
}

// A provider that cannot be started, or cannot tell its schema, is
// started once per operation and reported once, however many resources
// use it; the report names the provider and the cause.
func TestProviderFailureReportedOnce(t *testing.T) {
	var src strings.Builder
	for i := range 30 {
		fmt.Fprintf(&src, "resource \"null_resource\" \"r%d\" {}\n", i)
	}
	src.WriteString("data \"null_data_source\" \"d\" {}\n")
	cfg := loadTestConfig(t, map[string]string{"main.tf": src.String()})
	for name, start := range map[string]func() (plugins.Provider, error){
		"start": func() (plugins.Provider, error) {
			return nil, errors.New("the provider null could not be started: exec format error")
		},
		"schema": func() (plugins.Provider, error) { return brokenSchema{nullprov.New()}, nil },
	} {
		t.Run(name, func(t *testing.T) {
			var started atomic.Int32
			factories := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) {
				started.Add(1)
				return start()
			}}
			for _, mode := range []plan.Mode{plan.NormalMode, plan.RefreshOnlyMode} {
				started.Store(0)
				_, diags := Plan(context.Background(), PlanOptions{Config: cfg, Mode: mode, Providers: factories})
				require.Len(t, diags, 1, "%s", diags)
				require.Equal(t, "Failed to load plugin schemas", diags[0].Summary)
				require.Contains(t, diags[0].Detail, "registry.opentofu.org/hashicorp/null")
				require.Contains(t, diags[0].Detail, map[string]string{"start": "exec format error", "schema": "schema exploded"}[name])
				require.Equal(t, int32(1), started.Load(), "one start per operation")
			}
			started.Store(0)
			diags := Validate(context.Background(), cfg, factories)
			require.Len(t, diags, 1, "%s", diags)
			require.Equal(t, int32(1), started.Load())
		})
	}
}

// Objects in state whose provider cannot be loaded cannot be planned for
// deletion: a destroy plan, or a plan whose configuration dropped them,
// fails instead of showing deletions of objects it cannot read.
func TestDeleteNeedsItsProvider(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
resource "null_resource" "a" {}
resource "null_resource" "b" {}
`})
	_, s := planApply(t, cfg, nil, nil)
	broken := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) {
		return nil, errors.New("provider executable not found")
	}}
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Mode: plan.DestroyMode, Providers: broken})
	require.Len(t, diags, 1, "%s", diags)
	require.Equal(t, "Failed to load plugin schemas", diags[0].Summary)
	require.True(t, p.Errored)

	empty := loadTestConfig(t, map[string]string{"main.tf": "\n"})
	p, diags = Plan(context.Background(), PlanOptions{Config: empty, PriorState: s, Providers: broken})
	require.Len(t, diags, 1, "%s", diags)
	require.Contains(t, diags[0].Detail, "provider executable not found")
	require.True(t, p.Errored)

	// With the provider there, the same plans delete both objects.
	p, diags = Plan(context.Background(), PlanOptions{Config: empty, PriorState: s, Providers: testProviders()})
	requireNoErrors(t, diags)
	require.Equal(t, 2, countActions(p)[plan.Delete])
	for _, c := range p.Changes {
		require.True(t, c.Before.Type().IsObjectType(), "the object is read with its schema: %#v", c.Before)
	}
}
