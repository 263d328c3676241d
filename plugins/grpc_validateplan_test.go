package plugins

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// validating answers validation with warnings only, unless the name is
// "invalid", and counts the plans it makes.
type validating struct {
	*testProvider
	plans atomic.Int32
}

func (p *validating) ValidateResourceConfig(_ context.Context, req ValidateResourceConfigRequest) ValidateResourceConfigResponse {
	var resp ValidateResourceConfigResponse
	if req.Config.GetAttr("name").AsString() == "invalid" {
		resp.Diagnostics = resp.Diagnostics.Errorf(cty.GetAttrPath("rule").IndexInt(1).GetAttr("port"), "Bad port", "port 0 is reserved")
		return resp
	}
	resp.Diagnostics = append(resp.Diagnostics, Diagnostic{Severity: Warning, Summary: "Deprecated size", Attribute: cty.GetAttrPath("size")})
	return resp
}

func (p *validating) PlanResourceChange(ctx context.Context, req PlanResourceChangeRequest) PlanResourceChangeResponse {
	p.plans.Add(1)
	return p.testProvider.PlanResourceChange(ctx, req)
}

func TestGRPCValidateAndPlanInOneCall(t *testing.T) {
	ctx := context.Background()
	prov := &validating{testProvider: newTestProvider()}
	client, _ := connect(t, prov)
	_, ok := client.(ResourceValidatePlanner)
	require.True(t, ok, "the gRPC client validates and plans in one call")

	prior := cty.NullVal(testServerSchema.Block.ImpliedType())
	cfg := testServer("web")
	v, p := ValidateAndPlan(ctx, client, PlanResourceChangeRequest{TypeName: "test_server", PriorState: prior, ProposedNewState: cfg, Config: cfg})
	require.False(t, v.Diagnostics.HasErrors())
	require.Len(t, v.Diagnostics, 1, "the validation's warning comes back")
	assert.Equal(t, Warning, v.Diagnostics[0].Severity)
	assert.True(t, cty.GetAttrPath("size").Equals(v.Diagnostics[0].Attribute))
	require.False(t, p.Diagnostics.HasErrors(), "%v", p.Diagnostics.Err())
	assert.False(t, p.PlannedState.GetAttr("id").IsKnown(), "the plan was made")
	assert.Equal(t, int32(1), prov.plans.Load())

	bad := testServer("invalid")
	v, p = ValidateAndPlan(ctx, client, PlanResourceChangeRequest{TypeName: "test_server", PriorState: prior, ProposedNewState: bad, Config: bad})
	require.True(t, v.Diagnostics.HasErrors())
	assert.Equal(t, "Bad port", v.Diagnostics[0].Summary)
	assert.True(t, cty.GetAttrPath("rule").IndexInt(1).GetAttr("port").Equals(v.Diagnostics[0].Attribute), "the path survives")
	assert.Equal(t, cty.NilVal, p.PlannedState, "nothing is planned for an invalid configuration")
	assert.Equal(t, int32(1), prov.plans.Load(), "the provider was not asked to plan")
}

// A provider used in-process, which has no single call, gets the two calls.
func TestValidateAndPlanFallsBackToTwoCalls(t *testing.T) {
	ctx := context.Background()
	prov := &validating{testProvider: newTestProvider()}
	prior := cty.NullVal(testServerSchema.Block.ImpliedType())
	bad := testServer("invalid")
	v, p := ValidateAndPlan(ctx, prov, PlanResourceChangeRequest{TypeName: "test_server", PriorState: prior, ProposedNewState: bad, Config: bad})
	require.True(t, v.Diagnostics.HasErrors())
	assert.Equal(t, cty.NilVal, p.PlannedState)
	assert.Zero(t, prov.plans.Load())
	good := testServer("web")
	v, p = ValidateAndPlan(ctx, prov, PlanResourceChangeRequest{TypeName: "test_server", PriorState: prior, ProposedNewState: good, Config: unmarked(good)})
	require.False(t, v.Diagnostics.HasErrors())
	require.NotEqual(t, cty.NilVal, p.PlannedState)
	assert.Equal(t, int32(1), prov.plans.Load())
}
