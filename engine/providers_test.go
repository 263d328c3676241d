package engine

import (
	"context"
	"sync/atomic"
	"testing"

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
