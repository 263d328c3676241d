package plugins

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty-debug/ctydebug"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// policyProvider checks plans: it answers every plan with findings whose
// paths have every kind of step, and panics for the baseline "boom".
type policyProvider struct {
	*testProvider
}

var testPolicyRules = []PolicyRule{
	{
		ID: "NV-NET-001", Pack: "network", Title: "No public admin ports", Rationale: "Admin ports are attacked first.",
		Control:  "AgID ABSC 5.1.1",
		Severity: map[string]string{ProfileOrdinario: PolicySeverityWarning, ProfileCritico: PolicySeverityError, ProfileStrategico: PolicySeverityError},
	},
	{ID: "NV-X-002", Pack: "x", Title: "t", Rationale: "r", Control: "c", Severity: map[string]string{ProfileOrdinario: PolicySeverityOff}},
}

// inlineRule is an element of a set of nested blocks: cty keys it by its
// value.
var inlineRule = cty.ObjectVal(map[string]cty.Value{
	"port":             cty.NumberIntVal(22),
	"remote_ip_prefix": cty.StringVal("0.0.0.0/0"),
	"description":      cty.NullVal(cty.String),
})

func (p *policyProvider) GetPolicyRules(context.Context) GetPolicyRulesResponse {
	return GetPolicyRulesResponse{Rules: testPolicyRules, Diagnostics: Diagnostics{{Severity: Warning, Summary: "old rules"}}}
}

func (p *policyProvider) CheckPlan(_ context.Context, req CheckPlanRequest) CheckPlanResponse {
	p.record("CheckPlan", req)
	if req.Baseline == "boom" {
		var m map[string]int
		m["boom"]++
	}
	var resp CheckPlanResponse
	resp.Diagnostics = resp.Diagnostics.Errorf(cty.GetAttrPath("admin_cidrs").IndexInt(1), "Invalid CIDR", "%q is not a CIDR block", "10.0.0.0/33")
	for _, r := range req.Resources {
		resp.Findings = append(resp.Findings,
			PolicyFinding{RuleID: "NV-NET-001", Severity: PolicySeverityError, Address: r.Address,
				Path: cty.GetAttrPath("rule").Index(inlineRule).GetAttr("remote_ip_prefix"), Message: "port 22 open to the world", Control: "AgID ABSC 5.1.1"},
			PolicyFinding{RuleID: "NV-CLS-001", Severity: PolicySeverityWarning, Address: r.Address,
				Path: cty.GetAttrPath("network").IndexInt(2).GetAttr("uuid"), Message: "m"},
			PolicyFinding{RuleID: "NV-CLS-002", Severity: PolicySeverityWarning, Address: r.Address,
				Path: cty.GetAttrPath("metadata").IndexString("classification"), Message: "m"},
			PolicyFinding{RuleID: "NV-CLS-003", Severity: PolicySeverityError, Address: r.Address, Message: "whole resource"},
		)
	}
	return resp
}

func TestGRPCPolicyCheckerOnlyWhenServed(t *testing.T) {
	plain, _ := connect(t, newTestProvider())
	_, ok := plain.(PolicyChecker)
	assert.False(t, ok, "a provider that checks no plans gets a client that does not either")

	policy, _ := connect(t, &policyProvider{newTestProvider()})
	_, ok = policy.(PolicyChecker)
	assert.True(t, ok, "the client of a policy provider checks plans")
	_, ok = policy.(ResourceValidatePlanner)
	assert.True(t, ok, "and is still the ordinary client")

	// A provider whose schema cannot be had is not known to check plans.
	flaky, _ := connect(t, &flakySchema{testProvider: newTestProvider()})
	_, ok = flaky.(PolicyChecker)
	assert.False(t, ok)
}

func TestGRPCGetPolicyRules(t *testing.T) {
	client, _ := connect(t, &policyProvider{newTestProvider()})
	resp := client.(PolicyChecker).GetPolicyRules(context.Background())
	assert.Equal(t, testPolicyRules, resp.Rules)
	assertDiags(t, Diagnostics{{Severity: Warning, Summary: "old rules"}}, resp.Diagnostics)
}

// testPolicyResources are two resources that share a provider
// configuration and one with another, with unknowns at every depth.
func testPolicyResources() []PolicyResource {
	providerCfg := cty.ObjectVal(map[string]cty.Value{
		"region":       cty.StringVal("it-fi-1"),
		"password":     cty.NullVal(cty.String),
		"default_tags": cty.ObjectVal(map[string]cty.Value{"tags": cty.MapVal(map[string]cty.Value{"ente": cty.StringVal("c_g999")})}),
	})
	after := cty.ObjectVal(map[string]cty.Value{
		"id":   cty.UnknownVal(cty.String).RefineNotNull(),
		"name": cty.StringVal("web"),
		"rule": cty.SetVal([]cty.Value{inlineRule, cty.ObjectVal(map[string]cty.Value{
			"port":             cty.NumberIntVal(443),
			"remote_ip_prefix": cty.UnknownVal(cty.String),
			"description":      cty.NullVal(cty.String),
		})}),
		"tags":     cty.UnknownVal(cty.Set(cty.String)),
		"password": cty.StringVal("s3cret").Mark("sensitive"),
	})
	return []PolicyResource{
		{
			Address: `module.comune["prato"].openstack_networking_secgroup_v2.web`, Mode: "managed",
			Type: "openstack_networking_secgroup_v2", ProviderName: "openstack", Action: PolicyActionCreate,
			Before: cty.NullVal(after.Type()), After: after,
			Config:          cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web"), "tags": cty.NullVal(cty.Set(cty.String))}),
			AfterSensitive:  []cty.Path{cty.GetAttrPath("password")},
			ConfigSensitive: []cty.Path{cty.GetAttrPath("rule").Index(inlineRule).GetAttr("description")},
			ProviderConfig:  providerCfg,
			Dependencies:    []string{`module.comune["prato"].openstack_networking_network_v2.lan`},
		},
		{
			Address: "openstack_blockstorage_volume_v3.data[0]", Mode: "managed",
			Type: "openstack_blockstorage_volume_v3", ProviderName: "openstack", Action: PolicyActionDeleteCreate,
			Before:         cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("v-1"), "size": cty.NumberIntVal(10)}),
			After:          cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "size": cty.NumberIntVal(20)}),
			ProviderConfig: providerCfg,
		},
		{
			Address: "data.openstack_networking_network_v2.ext", Mode: "data",
			Type: "openstack_networking_network_v2", ProviderName: "openstack", Action: PolicyActionRead,
			After:          cty.UnknownVal(cty.Object(map[string]cty.Type{"id": cty.String, "external": cty.Bool})),
			ProviderConfig: cty.ObjectVal(map[string]cty.Value{"region": cty.StringVal("it-tn-1")}),
		},
		{Address: "openstack_identity_user_v3.gone", Mode: "managed", Type: "openstack_identity_user_v3", Action: PolicyActionDelete,
			Before: cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("u-1")}), After: cty.NullVal(cty.Object(map[string]cty.Type{"id": cty.String}))},
	}
}

func TestGRPCCheckPlan(t *testing.T) {
	ctx := context.Background()
	prov := &policyProvider{newTestProvider()}
	client, _ := connect(t, prov)
	settings := cty.ObjectVal(map[string]cty.Value{
		"profile":      cty.StringVal("critico"),
		"target_cloud": cty.ObjectVal(map[string]cty.Value{"qualification": cty.StringVal("QC2"), "regions": cty.TupleVal([]cty.Value{cty.StringVal("it-fi-1")})}),
		"admin_cidrs":  cty.UnknownVal(cty.List(cty.String)),
	})
	req := CheckPlanRequest{Baseline: "ente", Settings: settings, Resources: testPolicyResources()}

	resp := client.(PolicyChecker).CheckPlan(ctx, req)

	got := prov.lastRequest("CheckPlan").(CheckPlanRequest)
	want := req
	want.Resources = testPolicyResources()
	for i := range want.Resources {
		// Marks do not cross; sensitivity travels as paths.
		want.Resources[i].After, _ = want.Resources[i].After.UnmarkDeep()
	}
	// Absent values stay absent rather than becoming nulls.
	assert.Equal(t, cty.NilVal, got.Resources[1].Config)
	assert.Equal(t, cty.NilVal, got.Resources[2].Before)
	if diff := cmp.Diff(want, got, ctydebug.CmpOptions); diff != "" {
		t.Errorf("request changed on the wire (-want +got):\n%s", diff)
	}
	assert.True(t, got.Resources[0].After.GetAttr("id").Range().DefinitelyNotNull(), "refinements survive")

	require.Len(t, resp.Findings, 4*len(req.Resources))
	wantFindings := prov.CheckPlan(ctx, req).Findings
	if diff := cmp.Diff(wantFindings, resp.Findings, ctydebug.CmpOptions); diff != "" {
		t.Errorf("findings changed on the wire (-want +got):\n%s", diff)
	}
	assert.True(t, cty.GetAttrPath("rule").Index(inlineRule).GetAttr("remote_ip_prefix").Equals(resp.Findings[0].Path),
		"a set element's key survives: %#v", resp.Findings[0].Path)
	assert.Nil(t, resp.Findings[3].Path)
	assertDiags(t, Diagnostics{{Severity: Error, Summary: "Invalid CIDR", Detail: `"10.0.0.0/33" is not a CIDR block`,
		Attribute: cty.GetAttrPath("admin_cidrs").IndexInt(1)}}, resp.Diagnostics)
}

func TestCheckPlanRequestSharesProviderConfigs(t *testing.T) {
	preq, err := checkPlanRequestToProto(CheckPlanRequest{Resources: testPolicyResources()})
	require.NoError(t, err)
	assert.Len(t, preq.GetProviderConfigs(), 2, "two distinct configurations cross once each")
	idx := []uint32{}
	for _, r := range preq.GetResources() {
		idx = append(idx, r.GetProviderConfig())
	}
	assert.Equal(t, []uint32{1, 1, 2, 0}, idx)

	// An index past the configurations sent is refused, not a panic.
	preq.Resources[3].ProviderConfig = 7
	_, err = checkPlanRequestFromProto(preq)
	require.ErrorContains(t, err, "resources[3].provider_config")

	// So is a value that does not decode.
	preq.Resources[3].ProviderConfig = 0
	preq.Resources[3].After = &proto.DynamicValue{Msgpack: []byte{0xc1}}
	_, err = checkPlanRequestFromProto(preq)
	require.ErrorContains(t, err, "resources[3].after")
}

func TestCheckPlanRequestNotEncodable(t *testing.T) {
	ctx := context.Background()
	prov := &policyProvider{newTestProvider()}
	client, _ := connect(t, prov)
	pc := client.(PolicyChecker)

	// Unknowns of no type are values like any other.
	dyn := cty.ObjectVal(map[string]cty.Value{"f": cty.DynamicVal})
	resp := pc.CheckPlan(ctx, CheckPlanRequest{Settings: cty.DynamicVal, Resources: []PolicyResource{{Address: "a.b", After: dyn}}})
	require.Len(t, resp.Findings, 4)
	assertValue(t, dyn, prov.lastRequest("CheckPlan").(CheckPlanRequest).Resources[0].After)

	// A value cty cannot encode is reported, naming the field.
	capsule := cty.CapsuleVal(cty.Capsule("thing", reflect.TypeOf(0)), new(int))
	resp = pc.CheckPlan(ctx, CheckPlanRequest{Resources: []PolicyResource{{Address: "a.b"}, {Address: "a.c", After: cty.ObjectVal(map[string]cty.Value{"f": capsule})}}})
	require.Len(t, resp.Diagnostics, 1)
	assert.Equal(t, "Invalid value in request to provider", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, "CheckPlan: resources[1].after")
	assert.Empty(t, resp.Findings)
}

func TestGRPCCheckPlanPanics(t *testing.T) {
	client, _ := connect(t, &policyProvider{newTestProvider()})
	resp := client.(PolicyChecker).CheckPlan(context.Background(), CheckPlanRequest{Baseline: "boom"})
	require.Len(t, resp.Diagnostics, 1)
	assert.Contains(t, resp.Diagnostics[0].Summary, "provider panicked")
	assert.Contains(t, resp.Diagnostics[0].Detail, "CheckPlan")
	assert.Empty(t, resp.Findings)
}

// A host that calls the policy RPCs of a provider without them gets a
// diagnostic, not a transport error.
func TestGRPCPolicyRPCsOfPlainProvider(t *testing.T) {
	ctx := context.Background()
	_, conn := connect(t, newTestProvider())
	client := newGRPCClient(conn.Conn)
	resp := client.checkPlan(ctx, CheckPlanRequest{Baseline: "ente"})
	require.Len(t, resp.Diagnostics, 1)
	assert.Equal(t, "The provider does not check plans", resp.Diagnostics[0].Summary)
	rules := client.getPolicyRules(ctx)
	require.Len(t, rules.Diagnostics, 1)
	assert.Contains(t, rules.Diagnostics[0].Detail, "GetPolicyRules")
}

func TestGRPCPolicyTransportErrors(t *testing.T) {
	ctx := context.Background()
	client, conn := connect(t, &policyProvider{newTestProvider()})
	require.NoError(t, conn.Conn.Close())
	pc := client.(PolicyChecker)
	resp := pc.CheckPlan(ctx, CheckPlanRequest{Resources: testPolicyResources()})
	require.Len(t, resp.Diagnostics, 1)
	assert.Equal(t, "Provider plugin call CheckPlan failed", resp.Diagnostics[0].Summary)
	rules := pc.GetPolicyRules(ctx)
	require.Len(t, rules.Diagnostics, 1)
	assert.Equal(t, "Provider plugin call GetPolicyRules failed", rules.Diagnostics[0].Summary)
}
