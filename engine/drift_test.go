package engine

import (
	"context"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// driftingNull reports every object's triggers changed outside nuvola, and
// objects with id "gone" deleted.
type driftingNull struct{ *nullprov.Provider }

func (d driftingNull) ReadResources(ctx context.Context, req plugins.ReadResourcesRequest) plugins.ReadResourcesResponse {
	resp := plugins.ReadResourcesResponse{}
	for _, o := range req.Objects {
		v := plugins.SetAttrs(o.PriorState, map[string]cty.Value{"triggers": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("changed-outside")})})
		resp.Results = append(resp.Results, plugins.ReadResourceResponse{NewState: v})
	}
	return resp
}

func TestRefreshOnlyRecordsDrift(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
resource "null_resource" "a" {
  triggers = { k = "configured" }
}
`})
	_, s := planApply(t, cfg, nil, nil)
	drifty := ProviderFactories{"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) {
		return driftingNull{nullprov.New()}, nil
	}}
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s, Mode: plan.RefreshOnlyMode, Providers: drifty})
	requireNoErrors(t, diags)
	require.True(t, p.HasChanges())
	require.Len(t, p.Changes, 1)
	require.Equal(t, plan.Update, p.Changes[0].Action)
	require.Equal(t, "changed-outside", p.Changes[0].After.GetAttr("triggers").Index(cty.StringVal("k")).AsString())

	s2, diags := Apply(context.Background(), p, ApplyOptions{Config: cfg, Providers: drifty})
	requireNoErrors(t, diags)
	require.Contains(t, string(s2.Resources["null_resource.a"].Instances[nil].Current.AttrsJSON), "changed-outside")

	// A normal plan then converges back on the configuration: triggers
	// force a replacement.
	p2, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: s2, Providers: testProviders()})
	requireNoErrors(t, diags)
	require.Equal(t, plan.DeleteThenCreate, p2.Changes[0].Action)
	require.Equal(t, plan.ReasonReplaceBecauseCannotUpdate, p2.Changes[0].Reason)
}
