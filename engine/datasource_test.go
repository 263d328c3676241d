package engine

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// echoNull adds a data source, null_echo, that returns its input and
// counts its reads.
type echoNull struct {
	*nullprov.Provider
	reads *atomic.Int32
}

var echoSchema = plugins.Schema{Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
	"input":  {Type: cty.String, Optional: true},
	"output": {Type: cty.String, Computed: true},
}}}

func (e echoNull) GetSchema(ctx context.Context, req plugins.GetSchemaRequest) plugins.GetSchemaResponse {
	resp := e.Provider.GetSchema(ctx, req)
	resp.DataSources = map[string]plugins.Schema{"null_echo": echoSchema}
	return resp
}

func (e echoNull) ReadDataSource(_ context.Context, req plugins.ReadDataSourceRequest) plugins.ReadDataSourceResponse {
	e.reads.Add(1)
	return plugins.ReadDataSourceResponse{State: cty.ObjectVal(map[string]cty.Value{
		"input": req.Config.GetAttr("input"), "output": req.Config.GetAttr("input"),
	})}
}

// A data source whose depends_on names a resource with a change planned is
// read at apply, after that change, as OpenTofu does; with nothing pending
// it is read while planning.
func TestDataSourceDeferredByPendingDependsOn(t *testing.T) {
	for _, viaModule := range []bool{false, true} {
		files := map[string]string{"main.tf": `
resource "null_resource" "project" {}

data "null_echo" "lookup" {
  input      = "fixed"
  depends_on = [null_resource.project]
}
`}
		if viaModule {
			files = map[string]string{
				"main.tf": `
resource "null_resource" "project" {}

module "m" {
  source     = "./m"
  depends_on = [null_resource.project]
}
`,
				"m/main.tf": `
data "null_echo" "lookup" {
  input = "fixed"
}
`}
		}
		cfg := loadTestConfig(t, files)
		var reads atomic.Int32
		factories := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) {
			return echoNull{nullprov.New(), &reads}, nil
		}}
		p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: factories})
		requireNoErrors(t, diags)
		var read *plan.ResourceChange
		for _, c := range p.Changes {
			if c.Action == plan.Read {
				read = c
			}
		}
		require.NotNil(t, read, "the read is deferred to apply (module %v)", viaModule)
		require.Equal(t, plan.ReasonReadBecauseDependencyChange, read.Reason)
		require.Zero(t, reads.Load(), "nothing read while planning")

		s, diags := Apply(context.Background(), p, ApplyOptions{Config: cfg, Providers: factories})
		requireNoErrors(t, diags)
		require.Equal(t, int32(1), reads.Load(), "read at apply")

		// Nothing pending: read while planning, no change.
		reads.Store(0)
		p2, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Providers: factories})
		requireNoErrors(t, diags)
		require.False(t, p2.HasChanges())
		require.Equal(t, int32(1), reads.Load())
	}
}

// An imported object records the dependencies its configuration gives it,
// so that destroy deletes its dependents first.
func TestImportRecordsDependencies(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
resource "null_resource" "a" {}
resource "null_resource" "b" {
  triggers = { a = null_resource.a.id }
}
`})
	_, s := planApply(t, cfg, nil, nil)
	addr := s.Resources["null_resource.b"].Addr.Instance(nil)
	s.SetCurrent(addr, nil, "")
	s2, diags := Import(context.Background(), ImportOptions{Config: cfg, State: s, Addr: addr, ID: "x", Providers: testProviders()})
	requireNoErrors(t, diags)
	obj := s2.Instance(addr).Current
	require.Len(t, obj.Dependencies, 1)
	require.Equal(t, "null_resource.a", obj.Dependencies[0].String())
}
