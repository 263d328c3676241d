package null

import (
	"context"
	"crypto/rand"
	"math/big"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// Provider is the null provider.
type Provider struct {
	plugins.Base
}

// New returns the null provider.
func New() *Provider {
	p := &Provider{}
	p.Base.Self = p
	return p
}

var resourceSchema = plugins.Schema{Block: &plugins.Block{
	Description: "A resource that does nothing; replaced when any of its triggers change.",
	Attributes: map[string]*plugins.Attribute{
		"id": {Type: cty.String, Computed: true, Description: "A random value set when the resource is created."},
		"triggers": {Type: cty.Map(cty.String), Optional: true, ForceNew: true,
			Description: "Arbitrary values; a change to any of them replaces the resource."},
	},
}}

// GetSchema describes null_resource.
func (p *Provider) GetSchema(context.Context, plugins.GetSchemaRequest) plugins.GetSchemaResponse {
	return plugins.GetSchemaResponse{
		Provider:      plugins.Schema{Block: &plugins.Block{}},
		ResourceTypes: map[string]plugins.Schema{"null_resource": resourceSchema},
		DataSources:   map[string]plugins.Schema{},
	}
}

// PlanResourceChange plans a create with an unknown id, or a replacement
// when triggers changed.
func (p *Provider) PlanResourceChange(_ context.Context, req plugins.PlanResourceChangeRequest) plugins.PlanResourceChangeResponse {
	var resp plugins.PlanResourceChangeResponse
	if req.TypeName != "null_resource" {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	if req.ProposedNewState.IsNull() {
		resp.PlannedState = req.ProposedNewState
		return resp
	}
	if req.PriorState.IsNull() {
		resp.PlannedState = plugins.SetAttrs(req.ProposedNewState, map[string]cty.Value{"id": cty.UnknownVal(cty.String).RefineNotNull()})
		return resp
	}
	resp.RequiresReplace = resourceSchema.Block.ForceNewPaths(req.PriorState, req.ProposedNewState)
	if len(resp.RequiresReplace) > 0 {
		resp.PlannedState = plugins.SetAttrs(req.ProposedNewState, map[string]cty.Value{"id": cty.UnknownVal(cty.String).RefineNotNull()})
		return resp
	}
	resp.PlannedState = req.ProposedNewState
	return resp
}

// ApplyResourceChange creates (a random id) or deletes (nothing to do).
func (p *Provider) ApplyResourceChange(_ context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	var resp plugins.ApplyResourceChangeResponse
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return resp
	}
	id := req.PlannedState.GetAttr("id")
	if !id.IsKnown() {
		n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
		if err != nil {
			resp.Diagnostics = resp.Diagnostics.FromErr(err, nil)
			return resp
		}
		id = cty.StringVal(n.String())
	}
	resp.NewState = plugins.SetAttrs(req.PlannedState, map[string]cty.Value{"id": id})
	return resp
}

// ImportResourceState adopts any ID: a null_resource has nothing remote.
func (p *Provider) ImportResourceState(_ context.Context, req plugins.ImportResourceStateRequest) plugins.ImportResourceStateResponse {
	return plugins.ImportResourceStateResponse{Imported: []plugins.ImportedResource{{
		TypeName: req.TypeName,
		State:    cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal(req.ID), "triggers": cty.NullVal(cty.Map(cty.String))}),
	}}}
}
