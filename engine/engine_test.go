package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

func testProviders() ProviderFactories {
	return ProviderFactories{
		"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) { return nullprov.New(), nil },
	}
}

func loadTestConfig(t *testing.T, files map[string]string) *configs.Config {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
	cfg, diags := configs.NewParser().LoadConfig(dir)
	require.False(t, diags.HasErrors(), "%s", diags)
	return cfg
}

func planApply(t *testing.T, cfg *configs.Config, prior *state.State, vars map[string]cty.Value) (*plan.Plan, *state.State) {
	t.Helper()
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: prior, Variables: vars, Providers: testProviders()})
	requireNoErrors(t, diags)
	s, diags := Apply(context.Background(), p, ApplyOptions{Config: cfg, Providers: testProviders()})
	requireNoErrors(t, diags)
	return p, s
}

func requireNoErrors(t *testing.T, diags hcl.Diagnostics) {
	t.Helper()
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %s", diags.Error())
	}
}

func countActions(p *plan.Plan) map[plan.Action]int {
	m := map[plan.Action]int{}
	for _, c := range p.Changes {
		m[c.Action]++
	}
	return m
}

func TestPlanApplyBasic(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
variable "n" { default = 3 }
locals { names = toset(["a", "b"]) }
resource "terraform_data" "a" {
  count = var.n
  input = "x-${count.index}"
}
resource "terraform_data" "b" {
  for_each = local.names
  input = terraform_data.a[0].output
}
resource "null_resource" "n" {
  triggers = { v = terraform_data.b["a"].id }
}
module "m" {
  source = "./mod"
  for_each = local.names
  in = each.key
}
output "ids" { value = [for k, v in terraform_data.b : v.id] }
output "mod" { value = module.m["a"].out }
`, "mod/main.tf": `
variable "in" {}
resource "terraform_data" "x" { input = "${var.in}-mod" }
output "out" { value = terraform_data.x.output }
`})
	p, s := planApply(t, cfg, nil, nil)
	require.Equal(t, 8, countActions(p)[plan.Create])
	require.Equal(t, 8, s.InstanceCount())
	require.Equal(t, "a-mod", s.Outputs["mod"].Value.AsString())

	p2, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Providers: testProviders()})
	requireNoErrors(t, diags)
	require.False(t, p2.HasChanges(), "second plan: %v", countActions(p2))

	// Shrink count: one delete with the count-index reason.
	p3, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Providers: testProviders(), Variables: map[string]cty.Value{"n": cty.NumberIntVal(2)}})
	requireNoErrors(t, diags)
	require.Equal(t, 1, countActions(p3)[plan.Delete])
	for _, c := range p3.Changes {
		if c.Action == plan.Delete {
			require.Equal(t, plan.ReasonDeleteCountIndex, c.Reason)
		}
	}
	s3, diags := Apply(context.Background(), p3, ApplyOptions{Config: cfg, Providers: testProviders()})
	requireNoErrors(t, diags)
	require.Equal(t, 7, s3.InstanceCount())

	pd, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s3, Providers: testProviders(), Mode: plan.DestroyMode})
	requireNoErrors(t, diags)
	sd, diags := Apply(context.Background(), pd, ApplyOptions{Config: cfg, Providers: testProviders()})
	requireNoErrors(t, diags)
	require.Equal(t, 0, sd.InstanceCount())
}
