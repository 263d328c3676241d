package baseline

import (
	"context"
	"fmt"
	"log"
	"runtime/debug"
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// Source is the provider's source address; the baseline provider is built
// into nuvola.
const Source = "nuvola.local/builtin/baseline"

// Provider is the baseline provider. It has no resource types, data
// sources or configuration: all it does is check plans.
type Provider struct {
	plugins.Base
}

var (
	_ plugins.Provider      = (*Provider)(nil)
	_ plugins.PolicyChecker = (*Provider)(nil)
)

// New returns the baseline provider.
func New() plugins.Provider {
	p := &Provider{}
	p.Base.Self = p
	return p
}

// GetSchema describes nothing: no provider configuration, no resources.
func (p *Provider) GetSchema(context.Context, plugins.GetSchemaRequest) plugins.GetSchemaResponse {
	return plugins.GetSchemaResponse{
		Provider:      plugins.Schema{Block: &plugins.Block{}},
		ResourceTypes: map[string]plugins.Schema{},
		DataSources:   map[string]plugins.Schema{},
	}
}

func noResources(kind, name string) plugins.Diagnostics {
	return plugins.Diagnostics{{
		Severity: plugins.Error,
		Summary:  fmt.Sprintf("Unsupported %s type", kind),
		Detail:   fmt.Sprintf("The baseline provider has no %s types (not %q); it checks plans in baseline blocks.", kind, name),
	}}
}

// ValidateResourceConfig refuses every resource type.
func (p *Provider) ValidateResourceConfig(_ context.Context, req plugins.ValidateResourceConfigRequest) plugins.ValidateResourceConfigResponse {
	return plugins.ValidateResourceConfigResponse{Diagnostics: noResources("resource", req.TypeName)}
}

// ValidateDataSourceConfig refuses every data source.
func (p *Provider) ValidateDataSourceConfig(_ context.Context, req plugins.ValidateDataSourceConfigRequest) plugins.ValidateDataSourceConfigResponse {
	return plugins.ValidateDataSourceConfigResponse{Diagnostics: noResources("data source", req.TypeName)}
}

// UpgradeResourceState refuses every resource type.
func (p *Provider) UpgradeResourceState(_ context.Context, req plugins.UpgradeResourceStateRequest) plugins.UpgradeResourceStateResponse {
	return plugins.UpgradeResourceStateResponse{Diagnostics: noResources("resource", req.TypeName)}
}

// ReadResource refuses every resource type.
func (p *Provider) ReadResource(_ context.Context, req plugins.ReadResourceRequest) plugins.ReadResourceResponse {
	return plugins.ReadResourceResponse{Diagnostics: noResources("resource", req.TypeName)}
}

// ReadResources refuses every resource type.
func (p *Provider) ReadResources(_ context.Context, req plugins.ReadResourcesRequest) plugins.ReadResourcesResponse {
	return plugins.ReadResourcesResponse{Diagnostics: noResources("resource", req.TypeName)}
}

// PlanResourceChange refuses every resource type.
func (p *Provider) PlanResourceChange(_ context.Context, req plugins.PlanResourceChangeRequest) plugins.PlanResourceChangeResponse {
	return plugins.PlanResourceChangeResponse{Diagnostics: noResources("resource", req.TypeName)}
}

// ApplyResourceChange refuses every resource type.
func (p *Provider) ApplyResourceChange(_ context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	return plugins.ApplyResourceChangeResponse{Diagnostics: noResources("resource", req.TypeName)}
}

// ImportResourceState refuses every resource type.
func (p *Provider) ImportResourceState(_ context.Context, req plugins.ImportResourceStateRequest) plugins.ImportResourceStateResponse {
	return plugins.ImportResourceStateResponse{Diagnostics: noResources("resource", req.TypeName)}
}

// ReadDataSource refuses every data source.
func (p *Provider) ReadDataSource(_ context.Context, req plugins.ReadDataSourceRequest) plugins.ReadDataSourceResponse {
	return plugins.ReadDataSourceResponse{Diagnostics: noResources("data source", req.TypeName)}
}

// GetPolicyRules lists every rule, in the order they are checked.
func (p *Provider) GetPolicyRules(context.Context) plugins.GetPolicyRulesResponse {
	return plugins.GetPolicyRulesResponse{Rules: policyRules()}
}

// policyRules copies the rule table, so callers cannot change it.
func policyRules() []plugins.PolicyRule {
	out := make([]plugins.PolicyRule, len(rules))
	for i, r := range rules {
		out[i] = r.PolicyRule
		out[i].Severity = make(map[string]string, len(r.Severity))
		for k, v := range r.Severity {
			out[i].Severity[k] = v
		}
	}
	return out
}

// CheckPlan checks the resources against every rule, as the baseline's
// settings say. Bad settings are diagnostics, and nothing is checked.
func (p *Provider) CheckPlan(ctx context.Context, req plugins.CheckPlanRequest) plugins.CheckPlanResponse {
	var resp plugins.CheckPlanResponse
	s, diags := parseSettings(req.Settings)
	resp.Diagnostics = diags
	if s == nil {
		return resp
	}
	pl := newPlan(req.Resources)
	for _, r := range rules {
		if err := ctx.Err(); err != nil {
			resp.Diagnostics = resp.Diagnostics.Errorf(nil, "Baseline check cancelled", "The check of baseline %q stopped before rule %s: %s.", req.Baseline, r.ID, err)
			return resp
		}
		c := &checker{s: s, p: pl, rule: r}
		if d, ok := run(c); !ok {
			resp.Diagnostics = append(resp.Diagnostics, d)
			continue
		}
		resp.Findings = append(resp.Findings, c.findings...)
	}
	return resp
}

// run runs one rule's check. A bug in one rule must not cost the others,
// nor the host, its answer: a panic becomes an error diagnostic.
func run(c *checker) (d plugins.Diagnostic, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("[ERROR] baseline rule %s panicked: %v\n%s", c.rule.ID, r, debug.Stack())
			d = plugins.Diagnostic{
				Severity: plugins.Error,
				Summary:  fmt.Sprintf("Baseline rule %s failed", c.rule.ID),
				Detail:   fmt.Sprintf("The check of rule %s panicked (%v); its findings are missing. This is a bug in the baseline provider.", c.rule.ID, r),
			}
			ok = false
		}
	}()
	c.rule.check(c)
	return plugins.Diagnostic{}, true
}

// sortedKeys lists a set's members, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// whole is the path of a finding about a resource as a whole.
var whole cty.Path
