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
