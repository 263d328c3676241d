package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// portChecker is a policy provider that reports every null_resource whose
// triggers open port 22, and records what it was sent.
type portChecker struct {
	plugins.Provider
	reqs *[]plugins.CheckPlanRequest
}

func (portChecker) GetPolicyRules(context.Context) plugins.GetPolicyRulesResponse {
	return plugins.GetPolicyRulesResponse{}
}

func (c portChecker) CheckPlan(_ context.Context, req plugins.CheckPlanRequest) plugins.CheckPlanResponse {
	*c.reqs = append(*c.reqs, req)
	var resp plugins.CheckPlanResponse
	sev := plugins.PolicySeverityWarning
	if req.Settings.GetAttr("profile").AsString() != "ordinario" {
		sev = plugins.PolicySeverityError
	}
	for _, r := range req.Resources {
		if r.After.IsNull() || !r.After.Type().IsObjectType() || !r.After.Type().HasAttribute("triggers") {
			continue
		}
		tr := r.After.GetAttr("triggers")
		if tr.IsNull() || !tr.IsKnown() || !tr.Type().IsMapType() {
			continue
		}
		if p, ok := tr.AsValueMap()["port"]; ok && p.IsKnown() && p.AsString() == "22" {
			resp.Findings = append(resp.Findings, plugins.PolicyFinding{RuleID: "NV-NET-001", Severity: sev, Address: r.Address,
				Path: cty.GetAttrPath("triggers").Index(cty.StringVal("port")), Message: "port 22 open to the world", Control: "AgID ABSC 3.1.1"})
		}
	}
	return resp
}

func policyProviders(reqs *[]plugins.CheckPlanRequest) ProviderFactories {
	f := testProviders()
	f[configs.BaselineProviderSource] = func() (plugins.Provider, error) {
		return portChecker{Provider: nullprov.New(), reqs: reqs}, nil
	}
	return f
}

const policyModule = `
variable "ports" { type = map(string) }
resource "null_resource" "rule" {
  for_each = var.ports
  triggers = {
    name = each.key
    port = each.value
  }
}
`

func TestPolicyFindingsPointAtTheAttribute(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{
		"main.tf": `
variable "secret" {
  type      = string
  sensitive = true
  default   = "s3cret"
}
baseline "ente" {
  profile = "critico"
  scope   = module.prato
}
module "prato" {
  source = "./mod"
  ports  = { ssh = "22", web = "443" }
}
module "siena" {
  source = "./mod"
  ports  = { ssh = "22" }
}
resource "null_resource" "root" {
  triggers = {
    port     = "22"
    password = var.secret
  }
}
`,
		"mod/main.tf": policyModule,
	})
	var reqs []plugins.CheckPlanRequest
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: policyProviders(&reqs)})
	require.True(t, diags.HasErrors())
	assert.False(t, p.Errored, "findings leave the plan complete")
	assert.True(t, p.PolicyBlocked())

	// Only the scope went to the provider: module.prato's two instances.
	require.Len(t, reqs, 1)
	var sent []string
	for _, r := range reqs[0].Resources {
		sent = append(sent, r.Address)
	}
	assert.ElementsMatch(t, []string{`module.prato.null_resource.rule["ssh"]`, `module.prato.null_resource.rule["web"]`}, sent)
	assert.Equal(t, "critico", reqs[0].Settings.GetAttr("profile").AsString())
	assert.True(t, reqs[0].Settings.GetAttr("admin_cidrs").IsNull())

	require.Len(t, p.PolicyResults, 1)
	r := p.PolicyResults[0]
	assert.Equal(t, `module.prato.null_resource.rule["ssh"]`, r.Address)
	assert.Equal(t, "NV-NET-001", r.RuleID)
	assert.Equal(t, plan.SeverityError, r.Severity)
	assert.Equal(t, "ente", r.Baseline)
	// The line of "port = each.value" in the module's file.
	assert.Equal(t, filepath.Join(cfg.Module.SourceDir, "mod", "main.tf"), r.Filename)
	assert.Equal(t, 7, r.Line)
	var errs []*hcl.Diagnostic
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Summary, "NV-NET-001")
	require.NotNil(t, errs[0].Subject)
	assert.Equal(t, 7, errs[0].Subject.Start.Line)
	assert.Greater(t, errs[0].Subject.Start.Byte, 0, "the whole range, so the diagnostic quotes the line")
	assert.Greater(t, errs[0].Subject.End.Byte, errs[0].Subject.Start.Byte)
}

func TestPolicyWaivers(t *testing.T) {
	base := `
baseline "ente" { profile = "critico" }
resource "null_resource" "a" {
  triggers = {
    port = "22"
  }
}
resource "null_resource" "b" {
  triggers = {
    port = "22"
  }
}
`
	for name, tc := range map[string]struct {
		waivers      string
		blocked      bool
		waived       int
		errSummaries []string
		warnings     []string
	}{
		"none":    {blocked: true, errSummaries: []string{"NV-NET-001 on null_resource.a", "NV-NET-001 on null_resource.b"}},
		"one":     {waivers: waiver("null_resource.a", "2999-12-31"), blocked: true, waived: 1, errSummaries: []string{"NV-NET-001 on null_resource.b"}, warnings: []string{"Waived baseline finding NV-NET-001 on null_resource.a"}},
		"both":    {waivers: waiver("null_resource.a", "2999-12-31") + waiver("null_resource.b", "2999-12-31"), waived: 2},
		"expired": {waivers: waiver("null_resource.a", "2020-01-31") + waiver("null_resource.b", "2999-12-31"), blocked: true, waived: 1, errSummaries: []string{"has expired", "NV-NET-001 on null_resource.a"}},
		"unused":  {waivers: waiver("null_resource.a", "2999-12-31") + waiver("null_resource.b", "2999-12-31") + waiver("null_resource.c", "2999-12-31"), waived: 2, warnings: []string{"covers no finding"}},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := loadTestConfig(t, map[string]string{"main.tf": base + tc.waivers})
			var reqs []plugins.CheckPlanRequest
			p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: policyProviders(&reqs)})
			assert.Equal(t, tc.blocked, p.PolicyBlocked())
			waived := 0
			for _, r := range p.PolicyResults {
				if r.Waiver != nil {
					waived++
					assert.Equal(t, "dpo@comune.example.it", r.Waiver.ApprovedBy)
					assert.Equal(t, "ticket 4711", r.Waiver.Reason)
				}
			}
			assert.Equal(t, tc.waived, waived)
			var errs, warns []string
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					errs = append(errs, d.Summary)
				} else {
					warns = append(warns, d.Summary+"\n"+d.Detail)
				}
			}
			require.Len(t, errs, len(tc.errSummaries), "%v", errs)
			for i, s := range tc.errSummaries {
				assert.Contains(t, errs[i], s)
			}
			for _, s := range tc.warnings {
				assert.Contains(t, strings.Join(warns, "\n"), s)
			}
			if tc.waived > 0 {
				assert.Contains(t, strings.Join(warns, "\n"), "approved by dpo@comune.example.it, expiring 2999-12-31")
			}
		})
	}
}

func waiver(res, expires string) string {
	return `
waiver "NV-NET-001" {
  resource    = ` + res + `
  reason      = "ticket 4711"
  approved_by = "dpo@comune.example.it"
  expires     = "` + expires + `"
}
`
}

func TestPolicyCustomRuleAndWarnings(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
baseline "ente" { profile = "ordinario" }
variable "secret" {
  type      = string
  sensitive = true
  default   = "s3cret"
}
rule "NV-CUSTOM-001" {
  resource_types = ["null_resource"]
  condition      = each.after.triggers["owner"] != ""
  message        = "${each.address} needs an owner"
  control        = "Regolamento interno 3"
}
resource "null_resource" "a" {
  triggers = {
    owner    = ""
    port     = "22"
    password = var.secret
  }
}
resource "null_resource" "b" {
  triggers = {
    owner = "ufficio-ced"
  }
}
`})
	var reqs []plugins.CheckPlanRequest
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: policyProviders(&reqs)})
	require.Len(t, p.PolicyResults, 2, "%s", diags)
	assert.True(t, p.PolicyBlocked())
	byRule := map[string]*plan.PolicyResult{}
	for _, r := range p.PolicyResults {
		byRule[r.RuleID] = r
	}
	c := byRule["NV-CUSTOM-001"]
	require.NotNil(t, c)
	assert.Equal(t, "null_resource.a needs an owner", c.Message)
	assert.Equal(t, "Regolamento interno 3", c.Control)
	assert.Equal(t, 16, c.Line, "the owner key the condition tests")
	// Under ordinario the fake rates port 22 a warning: it does not block.
	w := byRule["NV-NET-001"]
	require.NotNil(t, w)
	assert.Equal(t, plan.SeverityWarning, w.Severity)
	assert.False(t, w.Blocking())
	// The configuration's own sensitive marks reach the provider.
	var a plugins.PolicyResource
	for _, r := range reqs[0].Resources {
		if r.Address == "null_resource.a" {
			a = r
		}
	}
	require.Len(t, a.ConfigSensitive, 1)
	assert.True(t, a.ConfigSensitive[0].Equals(cty.GetAttrPath("triggers").Index(cty.StringVal("password"))))
	for _, d := range diags {
		assert.NotContains(t, d.Detail, "s3cret")
	}
}

func TestPolicyDestroyPlanSendsTheDeletion(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
resource "null_resource" "a" {
  triggers = { port = "22" }
}
`})
	_, st := planApply(t, cfg, nil, nil)
	cfg = loadTestConfig(t, map[string]string{"main.tf": `
baseline "ente" { profile = "critico" }
resource "null_resource" "a" {
  triggers = { port = "22" }
}
`})
	var reqs []plugins.CheckPlanRequest
	p, _ := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: st, Mode: plan.DestroyMode, Providers: policyProviders(&reqs)})
	require.Len(t, reqs, 1)
	require.Len(t, reqs[0].Resources, 1)
	r := reqs[0].Resources[0]
	assert.Equal(t, plugins.PolicyActionDelete, r.Action)
	assert.True(t, r.After.IsNull())
	assert.Equal(t, "22", r.Before.GetAttr("triggers").Index(cty.StringVal("port")).AsString())
	assert.False(t, p.PolicyBlocked(), "the fake checks only planned objects")
}

func TestCheckSavedPlanAgain(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{"main.tf": `
baseline "ente" { profile = var.profile }
variable "profile" { type = string }
resource "null_resource" "a" {
  triggers = { port = "22" }
}
` + waiver("null_resource.a", "2030-06-30")})
	var reqs []plugins.CheckPlanRequest
	vars := map[string]cty.Value{"profile": cty.StringVal("critico")}
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Variables: vars, Providers: policyProviders(&reqs)})
	requireNoErrors(t, diags)
	require.Len(t, p.PolicyResults, 1)
	require.NotNil(t, p.PolicyResults[0].Waiver)

	var buf strings.Builder
	require.NoError(t, plan.Write(&buf, p))
	saved, err := plan.ReadFile(strings.NewReader(buf.String()))
	require.NoError(t, err)
	assert.Equal(t, "critico", saved.PolicyInputs.Settings["ente"].GetAttr("profile").AsString())

	within := time.Date(2030, 6, 30, 23, 0, 0, 0, time.UTC)
	res, diags := CheckPlan(context.Background(), CheckOptions{Plan: saved, Config: cfg, Providers: policyProviders(&reqs), Now: within})
	requireNoErrors(t, diags)
	require.Len(t, res, 1)
	assert.NotNil(t, res[0].Waiver)
	assert.Equal(t, "critico", reqs[len(reqs)-1].Settings.GetAttr("profile").AsString(), "the recorded settings")

	after := time.Date(2030, 7, 1, 0, 0, 0, 0, time.UTC)
	res, diags = CheckPlan(context.Background(), CheckOptions{Plan: saved, Config: cfg, Providers: policyProviders(&reqs), Now: after})
	require.True(t, diags.HasErrors())
	require.Len(t, res, 1)
	assert.True(t, res[0].Blocking(), "an expired waiver covers nothing")
}

func TestPolicyResourcesCarryConfigAndDependencies(t *testing.T) {
	cfg := loadTestConfig(t, map[string]string{
		"main.tf": `
baseline "ente" { profile = "critico" }
resource "null_resource" "root" {}
module "prato" {
  source = "./mod"
  root_id = null_resource.root.id
}
`,
		"mod/main.tf": `
variable "root_id" { type = string }
locals { vol = null_resource.volume.id }
resource "null_resource" "volume" {}
resource "null_resource" "backup" {
  triggers = {
    volume = local.vol
    root   = var.root_id
  }
}
`,
	})
	var reqs []plugins.CheckPlanRequest
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: policyProviders(&reqs)})
	requireNoErrors(t, diags)
	require.Len(t, reqs, 1)
	var backup plugins.PolicyResource
	for _, r := range reqs[0].Resources {
		if r.Address == "module.prato.null_resource.backup" {
			backup = r
		}
	}
	assert.Equal(t, []string{"module.prato.null_resource.volume", "null_resource.root"}, backup.Dependencies,
		"through the local and the module's variable")
	require.NotEqual(t, cty.NilVal, backup.Config)
	assert.False(t, backup.Config.GetAttr("triggers").IsWhollyKnown(), "the configuration as evaluated: the volume's id is not known yet")
	assert.True(t, backup.Config.GetAttr("id").IsNull(), "unset in the configuration, unlike After")
	assert.False(t, backup.After.GetAttr("id").IsKnown())

	// A saved plan keeps the configuration for the re-check.
	var buf strings.Builder
	require.NoError(t, plan.Write(&buf, p))
	saved, err := plan.ReadFile(strings.NewReader(buf.String()))
	require.NoError(t, err)
	reqs = nil
	_, diags = CheckPlan(context.Background(), CheckOptions{Plan: saved, Config: cfg, Providers: policyProviders(&reqs), Now: time.Now()})
	requireNoErrors(t, diags)
	for _, r := range reqs[0].Resources {
		if r.Address == "module.prato.null_resource.backup" {
			assert.Equal(t, backup.Dependencies, r.Dependencies)
			assert.True(t, r.Config.GetAttr("id").IsNull())
		}
	}
}

// A destroy plan checks the baselines too, with settings taken from the
// root module's variables and locals.
func TestPolicyDestroyPlanEvaluatesSettings(t *testing.T) {
	files := map[string]string{"main.tf": `
variable "profile" {
  type    = string
  default = "critico"
}
locals { cidrs = ["10.0.0.0/8"] }
baseline "ente" {
  profile     = var.profile
  admin_cidrs = local.cidrs
}
resource "null_resource" "a" {
  triggers = { port = "443" }
}
`}
	cfg := loadTestConfig(t, files)
	var reqs []plugins.CheckPlanRequest
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, Providers: policyProviders(&reqs)})
	requireNoErrors(t, diags)
	st, diags := Apply(context.Background(), p, ApplyOptions{Config: cfg, Providers: policyProviders(&reqs)})
	requireNoErrors(t, diags)
	reqs = nil
	p, diags = Plan(context.Background(), PlanOptions{Config: cfg, PriorState: st, Mode: plan.DestroyMode,
		Variables: map[string]cty.Value{"profile": cty.StringVal("strategico")}, Providers: policyProviders(&reqs)})
	requireNoErrors(t, diags)
	require.Len(t, reqs, 1)
	assert.Equal(t, "strategico", reqs[0].Settings.GetAttr("profile").AsString())
	assert.Equal(t, "10.0.0.0/8", reqs[0].Settings.GetAttr("admin_cidrs").Index(cty.NumberIntVal(0)).AsString())
	assert.False(t, p.Errored)
}
