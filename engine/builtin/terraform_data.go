package builtin

import (
	"context"

	"github.com/google/uuid"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// ProviderSource is the built-in provider's source address.
const ProviderSource = "terraform.io/builtin/terraform"

// Provider is the built-in provider.
type Provider struct {
	plugins.Base
}

// New returns the built-in provider.
func New() *Provider {
	p := &Provider{}
	p.Base.Self = p
	return p
}

var dataSchema = plugins.Schema{Block: &plugins.Block{
	Description: "Stores a value and follows the resource lifecycle: output mirrors input after apply; a change of triggers_replace replaces it.",
	Attributes: map[string]*plugins.Attribute{
		"id":               {Type: cty.String, Computed: true},
		"input":            {Type: cty.DynamicPseudoType, Optional: true},
		"output":           {Type: cty.DynamicPseudoType, Computed: true},
		"triggers_replace": {Type: cty.DynamicPseudoType, Optional: true},
	},
}}

// GetSchema describes terraform_data.
func (p *Provider) GetSchema(context.Context, plugins.GetSchemaRequest) plugins.GetSchemaResponse {
	return plugins.GetSchemaResponse{
		Provider:      plugins.Schema{Block: &plugins.Block{}},
		ResourceTypes: map[string]plugins.Schema{"terraform_data": dataSchema},
		DataSources:   map[string]plugins.Schema{},
	}
}

// PlanResourceChange follows OpenTofu's terraform_data: a new id on create
// or replacement, output unknown whenever input changes.
func (p *Provider) PlanResourceChange(_ context.Context, req plugins.PlanResourceChangeRequest) plugins.PlanResourceChangeResponse {
	var resp plugins.PlanResourceChangeResponse
	if req.TypeName != "terraform_data" {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	if req.ProposedNewState.IsNull() {
		resp.PlannedState = req.ProposedNewState
		return resp
	}
	input := req.ProposedNewState.GetAttr("input")
	trigger := req.ProposedNewState.GetAttr("triggers_replace")
	newOutput := input
	if !input.IsNull() {
		newOutput = cty.UnknownVal(input.Type())
	}
	switch {
	case req.PriorState.IsNull():
		resp.PlannedState = plugins.SetAttrs(req.ProposedNewState, map[string]cty.Value{
			"id": cty.UnknownVal(cty.String).RefineNotNull(), "output": newOutput})
	case !req.PriorState.GetAttr("triggers_replace").RawEquals(trigger):
		resp.RequiresReplace = []cty.Path{cty.GetAttrPath("triggers_replace")}
		resp.PlannedState = plugins.SetAttrs(req.ProposedNewState, map[string]cty.Value{
			"id": cty.UnknownVal(cty.String).RefineNotNull(), "output": newOutput})
	case !req.PriorState.GetAttr("input").RawEquals(input):
		resp.PlannedState = plugins.SetAttrs(req.ProposedNewState, map[string]cty.Value{"output": cty.UnknownVal(input.Type())})
	default:
		resp.PlannedState = req.ProposedNewState
	}
	return resp
}

// ApplyResourceChange fills in the id and copies input to output.
func (p *Provider) ApplyResourceChange(_ context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	var resp plugins.ApplyResourceChangeResponse
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return resp
	}
	id := req.PlannedState.GetAttr("id")
	if !id.IsKnown() {
		id = cty.StringVal(uuid.NewString())
	}
	resp.NewState = plugins.SetAttrs(req.PlannedState, map[string]cty.Value{
		"id": id, "output": req.PlannedState.GetAttr("input")})
	return resp
}

// ImportResourceState adopts an id with null input, as OpenTofu does.
func (p *Provider) ImportResourceState(_ context.Context, req plugins.ImportResourceStateRequest) plugins.ImportResourceStateResponse {
	return plugins.ImportResourceStateResponse{Imported: []plugins.ImportedResource{{
		TypeName: req.TypeName,
		State: cty.ObjectVal(map[string]cty.Value{
			"id": cty.StringVal(req.ID), "input": cty.NullVal(cty.DynamicPseudoType),
			"output": cty.NullVal(cty.DynamicPseudoType), "triggers_replace": cty.NullVal(cty.DynamicPseudoType),
		}),
	}}}
}
