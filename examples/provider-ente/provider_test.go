package main

import (
	"context"
	"testing"

	"github.com/hashicorp/go-plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// connect serves the provider over an in-process gRPC connection, so the
// values cross the same encoding as with the real plugin process.
func connect(t *testing.T) plugins.Provider {
	t.Helper()
	client, server := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{
		plugins.ProviderPluginName: &plugins.GRPCProviderPlugin{Provider: func() plugins.Provider { return New() }},
	})
	t.Cleanup(func() {
		if err := client.Close(); err != nil {
			server.Stop()
		}
	})
	raw, err := client.Dispense(plugins.ProviderPluginName)
	require.NoError(t, err)
	return raw.(plugins.Provider)
}

var regType = registrationSchema.Block.ImpliedType()

func registration(attrs map[string]cty.Value) cty.Value {
	v := map[string]cty.Value{
		"ipa_code":       cty.StringVal("c_d612"),
		"name":           cty.StringVal("Comune di Firenze"),
		"classification": cty.NullVal(cty.String),
		"contact_email":  cty.NullVal(cty.String),
		"id":             cty.NullVal(cty.String),
	}
	for k, a := range attrs {
		v[k] = a
	}
	return cty.ObjectVal(v)
}

func TestValidateClassification(t *testing.T) {
	p := connect(t)
	ctx := context.Background()
	for _, tc := range []struct {
		value cty.Value
		ok    bool
	}{
		{cty.NullVal(cty.String), true},
		{cty.UnknownVal(cty.String), true},
		{cty.StringVal("ordinario"), true},
		{cty.StringVal("critico"), true},
		{cty.StringVal("strategico"), true},
		{cty.StringVal("urgente"), false},
		{cty.StringVal("Critico"), false},
	} {
		resp := p.ValidateResourceConfig(ctx, plugins.ValidateResourceConfigRequest{
			TypeName: registrationType, Config: registration(map[string]cty.Value{"classification": tc.value}),
		})
		if tc.ok {
			assert.Empty(t, resp.Diagnostics, "%#v", tc.value)
			continue
		}
		require.Len(t, resp.Diagnostics, 1, "%#v", tc.value)
		d := resp.Diagnostics[0]
		assert.Equal(t, plugins.Error, d.Severity)
		assert.Equal(t, "Invalid classification", d.Summary)
		assert.Equal(t, cty.GetAttrPath("classification"), d.Attribute)
		assert.Contains(t, d.Detail, "ordinario, critico, strategico")
	}

	resp := p.ValidateResourceConfig(ctx, plugins.ValidateResourceConfigRequest{TypeName: "ente_other", Config: cty.NullVal(regType)})
	assert.True(t, resp.Diagnostics.HasErrors())
}

func TestLifecycle(t *testing.T) {
	p := connect(t)
	ctx := context.Background()
	config := registration(map[string]cty.Value{"contact_email": cty.StringVal("ced@comune.fi.it")})

	// Create: the default classification and the ID are known at plan.
	plan := p.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{
		TypeName: registrationType, PriorState: cty.NullVal(regType), ProposedNewState: config, Config: config,
	})
	require.False(t, plan.Diagnostics.HasErrors(), "%v", plan.Diagnostics.Err())
	want := registration(map[string]cty.Value{
		"contact_email":  cty.StringVal("ced@comune.fi.it"),
		"classification": cty.StringVal("ordinario"),
		"id":             cty.StringVal("ente:c_d612"),
	})
	assert.True(t, want.RawEquals(plan.PlannedState), "planned %#v", plan.PlannedState)

	applied := p.ApplyResourceChange(ctx, plugins.ApplyResourceChangeRequest{
		TypeName: registrationType, PriorState: cty.NullVal(regType), PlannedState: plan.PlannedState, Config: config,
	})
	require.False(t, applied.Diagnostics.HasErrors(), "%v", applied.Diagnostics.Err())
	assert.True(t, want.RawEquals(applied.NewState))

	read := p.ReadResource(ctx, plugins.ReadResourceRequest{TypeName: registrationType, PriorState: applied.NewState})
	assert.True(t, want.RawEquals(read.NewState), "nothing remote changes it")

	// A rename is made in place.
	renamed := registration(map[string]cty.Value{"name": cty.StringVal("Città di Firenze"), "contact_email": cty.StringVal("ced@comune.fi.it")})
	proposed := registration(map[string]cty.Value{"name": cty.StringVal("Città di Firenze"), "contact_email": cty.StringVal("ced@comune.fi.it"), "id": cty.StringVal("ente:c_d612")})
	update := p.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{
		TypeName: registrationType, PriorState: applied.NewState, ProposedNewState: proposed, Config: renamed,
	})
	require.False(t, update.Diagnostics.HasErrors(), "%v", update.Diagnostics.Err())
	assert.Empty(t, update.RequiresReplace)
	assert.Equal(t, "ordinario", update.PlannedState.GetAttr("classification").AsString())

	// A new IPA code is a new registration, with a new ID.
	moved := registration(map[string]cty.Value{"ipa_code": cty.StringVal("c_g999"), "id": cty.StringVal("ente:c_d612")})
	replace := p.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{
		TypeName: registrationType, PriorState: applied.NewState, ProposedNewState: moved, Config: moved,
	})
	require.False(t, replace.Diagnostics.HasErrors(), "%v", replace.Diagnostics.Err())
	assert.Equal(t, []cty.Path{cty.GetAttrPath("ipa_code")}, replace.RequiresReplace)
	assert.Equal(t, "ente:c_g999", replace.PlannedState.GetAttr("id").AsString())

	// An IPA code known only at apply leaves the ID unknown at plan.
	later := registration(map[string]cty.Value{"ipa_code": cty.UnknownVal(cty.String)})
	plan = p.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{
		TypeName: registrationType, PriorState: cty.NullVal(regType), ProposedNewState: later, Config: later,
	})
	require.False(t, plan.Diagnostics.HasErrors(), "%v", plan.Diagnostics.Err())
	assert.False(t, plan.PlannedState.GetAttr("id").IsKnown())

	// A classification known only at plan time is checked then.
	bad := registration(map[string]cty.Value{"classification": cty.StringVal("urgente")})
	plan = p.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{
		TypeName: registrationType, PriorState: cty.NullVal(regType), ProposedNewState: bad, Config: bad,
	})
	require.Len(t, plan.Diagnostics, 1)
	assert.Equal(t, cty.GetAttrPath("classification"), plan.Diagnostics[0].Attribute)

	// Delete.
	plan = p.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{
		TypeName: registrationType, PriorState: applied.NewState, ProposedNewState: cty.NullVal(regType), Config: cty.NullVal(regType),
	})
	require.False(t, plan.Diagnostics.HasErrors(), "%v", plan.Diagnostics.Err())
	assert.True(t, plan.PlannedState.IsNull())
	deleted := p.ApplyResourceChange(ctx, plugins.ApplyResourceChangeRequest{
		TypeName: registrationType, PriorState: applied.NewState, PlannedState: cty.NullVal(regType), Config: cty.NullVal(regType),
	})
	require.False(t, deleted.Diagnostics.HasErrors(), "%v", deleted.Diagnostics.Err())
	assert.True(t, deleted.NewState.IsNull())
}

func TestImport(t *testing.T) {
	p := connect(t)
	ctx := context.Background()
	for _, id := range []string{"ente:c_l378", "c_l378"} {
		resp := p.ImportResourceState(ctx, plugins.ImportResourceStateRequest{TypeName: registrationType, ID: id})
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		require.Len(t, resp.Imported, 1)
		st := resp.Imported[0].State
		assert.Equal(t, registrationType, resp.Imported[0].TypeName)
		assert.Equal(t, "c_l378", st.GetAttr("ipa_code").AsString())
		assert.Equal(t, "ente:c_l378", st.GetAttr("id").AsString())
	}
	resp := p.ImportResourceState(ctx, plugins.ImportResourceStateRequest{TypeName: registrationType, ID: "ente:"})
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Equal(t, "Invalid import ID", resp.Diagnostics[0].Summary)
}

func TestClassificationLevels(t *testing.T) {
	p := connect(t)
	ty := levelsSchema.Block.ImpliedType()
	resp := p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{
		TypeName: levelsType, Config: cty.ObjectVal(map[string]cty.Value{"id": cty.NullVal(cty.String), "levels": cty.NullVal(cty.List(cty.String))}),
	})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	assert.True(t, resp.State.Type().Equals(ty))
	assert.Equal(t, cty.ListVal([]cty.Value{cty.StringVal("ordinario"), cty.StringVal("critico"), cty.StringVal("strategico")}), resp.State.GetAttr("levels"))

	other := p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{TypeName: "ente_other", Config: cty.NullVal(ty)})
	assert.True(t, other.Diagnostics.HasErrors())
}

func TestSchema(t *testing.T) {
	resp := connect(t).GetSchema(context.Background(), plugins.GetSchemaRequest{})
	require.False(t, resp.Diagnostics.HasErrors())
	reg := resp.ResourceTypes[registrationType].Block
	require.NotNil(t, reg)
	assert.True(t, reg.Attributes["contact_email"].Sensitive)
	assert.True(t, reg.Attributes["classification"].Optional)
	assert.Equal(t, cty.StringVal("ordinario"), reg.Attributes["classification"].Default)
	assert.True(t, reg.Attributes["ipa_code"].ForceNew)
}
