package plugins

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins/internal/convert"
	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// The policy RPCs carry PolicyChecker. No schema describes a plan's
// resources to a policy provider, so every value crosses with its type
// (encoded against cty.DynamicPseudoType), unknowns included.

// grpcPolicyClient is the host's client of a plugin whose provider checks
// plans, as its capabilities say: the host learns them before it hands out
// a client, so that a type assertion to PolicyChecker tells the truth.
type grpcPolicyClient struct {
	*grpcClient
}

var _ PolicyChecker = (*grpcPolicyClient)(nil)

// withCapabilities returns c as the Provider its plugin's capabilities
// make it: a PolicyChecker too when the served provider is one. Before the
// schema has arrived nothing is known, and c is a plain Provider.
func (c *grpcClient) withCapabilities() Provider {
	caps := c.capabilities()
	switch {
	case caps.GetPolicyChecker() && caps.GetOwnedResources():
		return &grpcPolicyOwnedClient{grpcPolicyClient{c}}
	case caps.GetPolicyChecker():
		return &grpcPolicyClient{c}
	case caps.GetOwnedResources():
		return &grpcOwnedClient{c}
	}
	return c
}

func (c *grpcPolicyClient) GetPolicyRules(ctx context.Context) GetPolicyRulesResponse {
	return c.getPolicyRules(ctx)
}

func (c *grpcPolicyClient) CheckPlan(ctx context.Context, req CheckPlanRequest) CheckPlanResponse {
	return c.checkPlan(ctx, req)
}

func (c *grpcClient) getPolicyRules(ctx context.Context) (resp GetPolicyRulesResponse) {
	const rpc = "GetPolicyRules"
	defer recoverClient(rpc, &resp.Diagnostics)
	presp, err := c.rpc.GetPolicyRules(ctx, &proto.GetPolicyRules_Request{}, callOpts...)
	if err != nil {
		return GetPolicyRulesResponse{Diagnostics: rpcError(rpc, err)}
	}
	return getPolicyRulesResponseFromProto(presp)
}

func (c *grpcClient) checkPlan(ctx context.Context, req CheckPlanRequest) (resp CheckPlanResponse) {
	const rpc = "CheckPlan"
	defer recoverClient(rpc, &resp.Diagnostics)
	preq, err := checkPlanRequestToProto(req)
	if err != nil {
		return CheckPlanResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := c.rpc.CheckPlan(ctx, preq, callOpts...)
	if err != nil {
		return CheckPlanResponse{Diagnostics: rpcError(rpc, err)}
	}
	return checkPlanResponseFromProto(presp)
}

// notPolicyChecker answers the policy RPCs of a provider that checks no
// plans; a host only calls them when the capability says otherwise.
func notPolicyChecker(rpc string) []*proto.Diagnostic {
	return diagnosticsToProto(Diagnostics{{
		Severity: Error,
		Summary:  "The provider does not check plans",
		Detail:   fmt.Sprintf("nuvola called %s, but this provider has no policy rules.", rpc),
	}})
}

func (s *grpcServer) GetPolicyRules(ctx context.Context, _ *proto.GetPolicyRules_Request) (resp *proto.GetPolicyRules_Response, _ error) {
	const rpc = "GetPolicyRules"
	defer recoverRPC(rpc, func(d []*proto.Diagnostic) { resp = &proto.GetPolicyRules_Response{Diagnostics: d} })
	pc, ok := s.provider.(PolicyChecker)
	if !ok {
		return &proto.GetPolicyRules_Response{Diagnostics: notPolicyChecker(rpc)}, nil
	}
	ctx, done := s.callContext(ctx)
	defer done()
	return getPolicyRulesResponseToProto(pc.GetPolicyRules(ctx)), nil
}

func (s *grpcServer) CheckPlan(ctx context.Context, req *proto.CheckPlan_Request) (resp *proto.CheckPlan_Response, _ error) {
	const rpc = "CheckPlan"
	defer recoverRPC(rpc, func(d []*proto.Diagnostic) { resp = &proto.CheckPlan_Response{Diagnostics: d} })
	pc, ok := s.provider.(PolicyChecker)
	if !ok {
		return &proto.CheckPlan_Response{Diagnostics: notPolicyChecker(rpc)}, nil
	}
	ctx, done := s.callContext(ctx)
	defer done()
	r, err := checkPlanRequestFromProto(req)
	if err != nil {
		return &proto.CheckPlan_Response{Diagnostics: requestError(err)}, nil
	}
	return checkPlanResponseToProto(pc.CheckPlan(ctx, r)), nil
}

// getPolicyRulesResponseToProto encodes the rules.
func getPolicyRulesResponseToProto(resp GetPolicyRulesResponse) *proto.GetPolicyRules_Response {
	ret := &proto.GetPolicyRules_Response{Diagnostics: diagnosticsToProto(resp.Diagnostics)}
	if len(resp.Rules) > 0 {
		ret.Rules = make([]*proto.PolicyRule, len(resp.Rules))
		for i, r := range resp.Rules {
			ret.Rules[i] = &proto.PolicyRule{
				Id: r.ID, Pack: r.Pack, Title: r.Title, Rationale: r.Rationale, Control: r.Control,
				Severity: r.Severity,
			}
		}
	}
	return ret
}

// getPolicyRulesResponseFromProto decodes the rules; nil entries are
// skipped.
func getPolicyRulesResponseFromProto(resp *proto.GetPolicyRules_Response) GetPolicyRulesResponse {
	ret := GetPolicyRulesResponse{Diagnostics: diagnosticsFromProto(resp.GetDiagnostics())}
	for _, r := range resp.GetRules() {
		if r == nil {
			continue
		}
		rule := PolicyRule{
			ID: r.GetId(), Pack: r.GetPack(), Title: r.GetTitle(), Rationale: r.GetRationale(), Control: r.GetControl(),
		}
		if sev := r.GetSeverity(); len(sev) > 0 {
			rule.Severity = make(map[string]string, len(sev))
			for k, v := range sev {
				rule.Severity[k] = v
			}
		}
		ret.Rules = append(ret.Rules, rule)
	}
	return ret
}

// checkPlanRequestToProto encodes the request. The provider configurations
// cross once each, however many resources share them.
func checkPlanRequestToProto(req CheckPlanRequest) (*proto.CheckPlan_Request, error) {
	var c convert.Values
	ret := &proto.CheckPlan_Request{
		Baseline: req.Baseline,
		Settings: c.Enc("settings", req.Settings, convert.Dynamic),
	}
	if len(req.Resources) > 0 {
		ret.Resources = make([]*proto.PolicyResource, len(req.Resources))
	}
	configs := map[string]uint32{}
	for i, r := range req.Resources {
		field := func(name string) string { return fmt.Sprintf("resources[%d].%s", i, name) }
		pr := &proto.PolicyResource{
			Address:         r.Address,
			Mode:            r.Mode,
			Type:            r.Type,
			ProviderName:    r.ProviderName,
			Action:          r.Action,
			Before:          c.Enc(field("before"), r.Before, convert.Dynamic),
			After:           c.Enc(field("after"), r.After, convert.Dynamic),
			Config:          c.Enc(field("config"), r.Config, convert.Dynamic),
			AfterSensitive:  convert.PathsToProto(r.AfterSensitive),
			ConfigSensitive: convert.PathsToProto(r.ConfigSensitive),
			Dependencies:    r.Dependencies,
		}
		if pc := c.Enc(field("provider_config"), r.ProviderConfig, convert.Dynamic); pc != nil {
			idx, ok := configs[string(pc.Msgpack)]
			if !ok {
				ret.ProviderConfigs = append(ret.ProviderConfigs, pc)
				idx = uint32(len(ret.ProviderConfigs))
				configs[string(pc.Msgpack)] = idx
			}
			pr.ProviderConfig = idx
		}
		ret.Resources[i] = pr
	}
	return ret, c.Err
}

// checkPlanRequestFromProto decodes the request.
func checkPlanRequestFromProto(req *proto.CheckPlan_Request) (CheckPlanRequest, error) {
	var c convert.Values
	ret := CheckPlanRequest{
		Baseline: req.GetBaseline(),
		Settings: c.Dec("settings", req.GetSettings(), convert.Dynamic),
	}
	configs := make([]cty.Value, len(req.GetProviderConfigs()))
	for i, pc := range req.GetProviderConfigs() {
		configs[i] = c.Dec(fmt.Sprintf("provider_configs[%d]", i), pc, convert.Dynamic)
	}
	if rs := req.GetResources(); len(rs) > 0 {
		ret.Resources = make([]PolicyResource, 0, len(rs))
		for i, r := range rs {
			if r == nil {
				continue
			}
			field := func(name string) string { return fmt.Sprintf("resources[%d].%s", i, name) }
			pr := PolicyResource{
				Address:         r.GetAddress(),
				Mode:            r.GetMode(),
				Type:            r.GetType(),
				ProviderName:    r.GetProviderName(),
				Action:          r.GetAction(),
				Before:          c.Dec(field("before"), r.GetBefore(), convert.Dynamic),
				After:           c.Dec(field("after"), r.GetAfter(), convert.Dynamic),
				Config:          c.Dec(field("config"), r.GetConfig(), convert.Dynamic),
				AfterSensitive:  convert.PathsFromProto(r.GetAfterSensitive()),
				ConfigSensitive: convert.PathsFromProto(r.GetConfigSensitive()),
				Dependencies:    r.GetDependencies(),
			}
			if idx := r.GetProviderConfig(); idx > 0 {
				if int(idx) > len(configs) {
					if c.Err == nil {
						c.Err = fmt.Errorf("%s: no provider configuration %d", field("provider_config"), idx)
					}
				} else {
					pr.ProviderConfig = configs[idx-1]
				}
			}
			ret.Resources = append(ret.Resources, pr)
		}
	}
	return ret, c.Err
}

// checkPlanResponseToProto encodes the findings.
func checkPlanResponseToProto(resp CheckPlanResponse) *proto.CheckPlan_Response {
	ret := &proto.CheckPlan_Response{Diagnostics: diagnosticsToProto(resp.Diagnostics)}
	if len(resp.Findings) > 0 {
		ret.Findings = make([]*proto.PolicyFinding, len(resp.Findings))
		for i, f := range resp.Findings {
			ret.Findings[i] = &proto.PolicyFinding{
				RuleId: f.RuleID, Severity: f.Severity, Address: f.Address,
				Path: convert.PathToProto(f.Path), Message: f.Message, Control: f.Control,
			}
		}
	}
	return ret
}

// checkPlanResponseFromProto decodes the findings; nil entries are
// skipped.
func checkPlanResponseFromProto(resp *proto.CheckPlan_Response) CheckPlanResponse {
	ret := CheckPlanResponse{Diagnostics: diagnosticsFromProto(resp.GetDiagnostics())}
	for _, f := range resp.GetFindings() {
		if f == nil {
			continue
		}
		ret.Findings = append(ret.Findings, PolicyFinding{
			RuleID: f.GetRuleId(), Severity: f.GetSeverity(), Address: f.GetAddress(),
			Path: convert.PathFromProto(f.GetPath()), Message: f.GetMessage(), Control: f.GetControl(),
		})
	}
	return ret
}
