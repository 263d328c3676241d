package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/plugins/sdk"
)

const (
	registrationType = "ente_registration"
	levelsType       = "ente_classification_levels"
)

// levels are the classifications a registration may have, in increasing
// order of importance.
var levels = []string{"ordinario", "critico", "strategico"}

var registrationSchema = plugins.Schema{Block: &plugins.Block{
	Description: "The registration of a public body, identified by its IPA code.",
	Attributes: sdk.Attrs{
		"ipa_code": sdk.Describe(sdk.ForceNew(sdk.Required(cty.String)),
			"The body's code in the IPA index; changing it registers a new body."),
		"name": sdk.Describe(sdk.Required(cty.String), "The body's name."),
		"classification": sdk.Describe(sdk.Default(sdk.Optional(cty.String), cty.StringVal("ordinario")),
			"One of "+strings.Join(levels, ", ")+"; ordinario when not set."),
		"contact_email": sdk.Describe(sdk.Sensitive(sdk.Optional(cty.String)), "Where to reach the body's contact person."),
		"id":            sdk.Describe(sdk.Computed(cty.String), "The registration's ID, derived from the IPA code."),
	},
}}

var levelsSchema = plugins.Schema{Block: &plugins.Block{
	Description: "The classification levels a registration may have.",
	Attributes: sdk.Attrs{
		"id":     sdk.Computed(cty.String),
		"levels": sdk.Describe(sdk.Computed(cty.List(cty.String)), "The levels, least important first."),
	},
}}

// Provider is the ente provider. Base supplies the methods it does not
// specialise: provider configuration (it has none), refresh (nothing
// remote changes) and state upgrades (one schema version).
type Provider struct {
	plugins.Base
}

// New returns the ente provider.
func New() *Provider {
	p := &Provider{}
	p.Base.Self = p
	return p
}

// GetSchema describes ente_registration and ente_classification_levels.
func (p *Provider) GetSchema(context.Context, plugins.GetSchemaRequest) plugins.GetSchemaResponse {
	return plugins.GetSchemaResponse{
		Provider:      plugins.Schema{Block: sdk.Block(nil, nil)},
		ResourceTypes: map[string]plugins.Schema{registrationType: registrationSchema},
		DataSources:   map[string]plugins.Schema{levelsType: levelsSchema},
	}
}

// registrationID is the ID of the registration of the body with an IPA code.
// It is the code itself, with a prefix that says what it identifies.
func registrationID(ipaCode string) string {
	return "ente:" + ipaCode
}

// ValidateResourceConfig checks the classification. An unknown value is
// checked at apply, by the plan that knows it.
func (p *Provider) ValidateResourceConfig(_ context.Context, req plugins.ValidateResourceConfigRequest) plugins.ValidateResourceConfigResponse {
	var resp plugins.ValidateResourceConfigResponse
	if req.TypeName != registrationType {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	resp.Diagnostics = append(resp.Diagnostics, validateClassification(req.Config)...)
	return resp
}

func validateClassification(obj cty.Value) plugins.Diagnostics {
	c, ok := sdk.StringAttr(obj, "classification")
	if !ok {
		return nil
	}
	for _, l := range levels {
		if c == l {
			return nil
		}
	}
	return plugins.Diagnostics{sdk.AttrError(cty.GetAttrPath("classification"), "Invalid classification",
		fmt.Sprintf("%q is not a classification; use one of %s.", c, strings.Join(levels, ", ")))}
}

// PlanResourceChange fills in the default classification and, for a new
// registration, the ID, which is known as soon as the IPA code is.
func (p *Provider) PlanResourceChange(_ context.Context, req plugins.PlanResourceChangeRequest) plugins.PlanResourceChangeResponse {
	var resp plugins.PlanResourceChangeResponse
	if req.TypeName != registrationType {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	if req.ProposedNewState.IsNull() {
		resp.PlannedState = req.ProposedNewState
		return resp
	}
	b := registrationSchema.Block
	planned := sdk.ApplyDefaults(b, req.ProposedNewState)
	// An unknown classification is checked here once known, as validation
	// could not.
	if diags := validateClassification(planned); diags.HasErrors() {
		resp.Diagnostics = diags
		return resp
	}
	if req.PriorState.IsNull() {
		planned = sdk.SetComputedUnknown(b, planned)
	} else {
		resp.RequiresReplace = b.ForceNewPaths(req.PriorState, planned)
		if len(resp.RequiresReplace) > 0 {
			planned = plugins.SetAttrs(planned, map[string]cty.Value{"id": cty.UnknownVal(cty.String)})
		}
	}
	if code, ok := sdk.StringAttr(planned, "ipa_code"); ok {
		planned = plugins.SetAttrs(planned, map[string]cty.Value{"id": cty.StringVal(registrationID(code))})
	}
	resp.PlannedState = planned
	return resp
}

// ApplyResourceChange has nothing remote to change: the planned object is
// the new one, with its ID now known.
func (p *Provider) ApplyResourceChange(_ context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	var resp plugins.ApplyResourceChangeResponse
	if req.TypeName != registrationType {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return resp
	}
	code, ok := sdk.StringAttr(req.PlannedState, "ipa_code")
	if !ok {
		resp.Diagnostics = append(resp.Diagnostics, sdk.AttrError(cty.GetAttrPath("ipa_code"), "Missing IPA code",
			"The IPA code must be known when the registration is made."))
		return resp
	}
	resp.NewState = plugins.SetAttrs(req.PlannedState, map[string]cty.Value{"id": cty.StringVal(registrationID(code))})
	return resp
}

// ImportResourceState adopts a registration by its ID ("ente:CODE") or by
// the bare IPA code. Only the code is recovered: the rest comes from the
// configuration at the next apply.
func (p *Provider) ImportResourceState(_ context.Context, req plugins.ImportResourceStateRequest) plugins.ImportResourceStateResponse {
	var resp plugins.ImportResourceStateResponse
	if req.TypeName != registrationType {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	code := strings.TrimPrefix(req.ID, "ente:")
	if code == "" {
		resp.Diagnostics = append(resp.Diagnostics, sdk.Error("Invalid import ID",
			fmt.Sprintf("%q is neither an ente_registration ID (ente:CODE) nor an IPA code.", req.ID)))
		return resp
	}
	resp.Imported = []plugins.ImportedResource{{
		TypeName: registrationType,
		State: cty.ObjectVal(map[string]cty.Value{
			"id":             cty.StringVal(registrationID(code)),
			"ipa_code":       cty.StringVal(code),
			"name":           cty.NullVal(cty.String),
			"classification": cty.NullVal(cty.String),
			"contact_email":  cty.NullVal(cty.String),
		}),
	}}
	return resp
}

// ReadDataSource returns the classification levels.
func (p *Provider) ReadDataSource(_ context.Context, req plugins.ReadDataSourceRequest) plugins.ReadDataSourceResponse {
	var resp plugins.ReadDataSourceResponse
	if req.TypeName != levelsType {
		resp.Diagnostics = plugins.UnsupportedType("data source", req.TypeName)
		return resp
	}
	vals := make([]cty.Value, len(levels))
	for i, l := range levels {
		vals[i] = cty.StringVal(l)
	}
	resp.State = cty.ObjectVal(map[string]cty.Value{
		"id":     cty.StringVal(levelsType),
		"levels": cty.ListVal(vals),
	})
	return resp
}
