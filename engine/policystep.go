package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/policy"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// policyActive reports whether the configuration asks for the policy step.
func policyActive(root *configs.Config) bool {
	if root == nil || root.Module == nil {
		return false
	}
	m := root.Module
	return len(m.Baselines) > 0 || len(m.PolicyRules) > 0 || len(m.Waivers) > 0
}

// runPolicy checks the plan against the root module's baselines and custom
// rules, applies the waivers, and records the results in the plan. The
// returned diagnostics hold an error for every finding that blocks apply;
// any other error (a setting that cannot be evaluated, a provider that
// fails) marks the plan errored.
func (w *walker) runPolicy(p *plan.Plan, root *configs.Config, now time.Time) hcl.Diagnostics {
	var diags hcl.Diagnostics
	p.PolicyInputs, diags = w.policyInputs(root)
	if !diags.HasErrors() {
		diags = w.checkPolicy(p, root, now)
	}
	if diags.HasErrors() {
		p.Errored = true
	}
	return append(diags, policy.Diagnostics(p.PolicyResults, w.policyRanges)...)
}

func (w *walker) checkPolicy(p *plan.Plan, root *configs.Config, now time.Time) hcl.Diagnostics {
	var diags hcl.Diagnostics
	w.policyRanges = policy.Ranges{}
	resources := w.policyResources(p, root)
	byAddr := make(map[string]*policy.Resource, len(resources))
	for _, r := range resources {
		byAddr[r.Address] = r
	}
	var results []*plan.PolicyResult

	for _, name := range sortedKeys(root.Module.Baselines) {
		b := root.Module.Baselines[name]
		settings, ok := p.PolicyInputs.Settings[name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Baseline not checked when planning",
				Detail: fmt.Sprintf("The plan holds no settings for baseline %q: it was made from another configuration.", name), Subject: b.DeclRange.Ptr()})
			continue
		}
		checker, err := w.provs.policyChecker(w.ctx, configs.BaselineProviderSource)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Failed to start the baseline provider", Detail: err.Error(), Subject: b.DeclRange.Ptr()})
			continue
		}
		req := plugins.CheckPlanRequest{Baseline: name, Settings: settings}
		for _, r := range resources {
			if policy.InScope(r.Address, b.Scope) {
				req.Resources = append(req.Resources, r.PolicyResource)
			}
		}
		var resp plugins.CheckPlanResponse
		w.call(func(ctx context.Context) { resp = checker.CheckPlan(ctx, req) })
		diags = append(diags, w.providerDiags(resp.Diagnostics, nil, b.DeclRange)...)
		for _, f := range resp.Findings {
			r := policy.Result(name, f, byAddr[f.Address], w.policyRanges)
			if f.Address == "" {
				// About the baseline itself: point at the setting.
				rng := b.DeclRange
				if len(f.Path) > 0 {
					if step, ok := f.Path[0].(cty.GetAttrStep); ok {
						if a, ok := b.Settings[step.Name]; ok {
							rng = a.Range
						}
					}
				}
				w.policyRanges.Set(r, rng)
			}
			results = append(results, r)
		}
	}

	rd := w.customRules(root, resources, &results)
	diags = append(diags, rd...)
	diags = append(diags, policy.ApplyWaivers(results, root.Module.Waivers, now)...)
	policy.Sort(results)
	p.PolicyResults = results
	return diags
}

// evalRootValues evaluates the root module's variables and locals, for a
// destroy plan, which visits no other node. A local that cannot be worked
// out without the resources is left unknown: a baseline setting that
// needs it then says so.
func (w *walker) evalRootValues(ctx context.Context, root *configs.Config, vars map[string]cty.Value) {
	dg, d := buildGraph(ctx, root, w.provs)
	if d.HasErrors() {
		return
	}
	w.dg = dg
	g := dg.g.Subgraph(func(k string) bool {
		n := dg.nodes[k]
		return n.cfg.Parent == nil && (n.kind == kVar || n.kind == kLocal)
	})
	_ = g.Walk(ctx, 4, func(_ context.Context, key string) error {
		_, _ = w.visitCommon(dg.nodes[key], vars)
		return nil
	})
}

// policyResources lists every planned managed instance (deposed objects
// aside) and every data source instance read, as the policy step sees them.
func (w *walker) policyResources(p *plan.Plan, root *configs.Config) []*policy.Resource {
	provCfg := func(addr string) cty.Value {
		if v, ok := p.PolicyInputs.ProviderConfigs[addr]; ok {
			return v
		}
		return cty.NullVal(cty.DynamicPseudoType)
	}
	var out []*policy.Resource
	seen := map[string]bool{}
	for _, c := range p.Changes {
		if c.DeposedKey != "" {
			continue
		}
		r := w.policyResource(root, c.Addr, c.Provider, provCfg)
		r.ConfigSensitive = c.ConfigSensitive
		r.PolicyResource.Config = c.Config
		r.Action = strings.Join(c.Action.Actions(), "-")
		r.Before, r.After = c.Before, c.After
		r.AfterSensitive = c.AfterSensitive
		if c.Action == plan.Delete {
			r.After = cty.NullVal(c.Before.Type())
			r.PolicyResource.Config = cty.NullVal(c.Before.Type())
		}
		out = append(out, r)
		seen[r.Address] = true
	}
	for _, rs := range w.refreshed.SortedResources() {
		if rs.Addr.Resource.Mode != addrs.DataResourceMode {
			continue
		}
		for _, k := range rs.SortedKeys() {
			inst := rs.Instances[k]
			addr := rs.Addr.Instance(k)
			if inst == nil || inst.Current == nil || seen[addr.String()] {
				continue
			}
			source, _ := providerSourceOf(rs.Provider)
			schema, err := w.provs.resourceSchema(w.ctx, source, addrs.DataResourceMode, rs.Addr.Resource.Type)
			if err != nil {
				continue
			}
			v, err := w.provs.decodeObject(schema, inst.Current)
			if err != nil {
				continue
			}
			r := w.policyResource(root, addr, rs.Provider, provCfg)
			r.Action = plugins.PolicyActionRead
			r.Before, r.After = cty.NullVal(v.Type()), v
			r.AfterSensitive = inst.Current.SensitivePaths
			out = append(out, r)
		}
	}
	return out
}

func (w *walker) policyResource(root *configs.Config, addr addrs.AbsResourceInstance, provider string, provCfg func(string) cty.Value) *policy.Resource {
	r := &policy.Resource{PolicyResource: plugins.PolicyResource{
		Address: addr.String(), Type: addr.Resource.Resource.Type, Mode: "managed",
		ProviderConfig: provCfg(provider),
	}}
	if addr.Resource.Resource.Mode == addrs.DataResourceMode {
		r.Mode = "data"
	}
	if source, ok := providerSourceOf(provider); ok {
		r.ProviderName = source[strings.LastIndexByte(source, '/')+1:]
	}
	if c := root.Descendant(addr.Module.Module()); c != nil {
		r.Config = c.Module.ResourceByKey(addr.Resource.Resource.String())
		if r.Config != nil && w.dg != nil {
			r.Dependencies = w.policyDependencies(c, r.Config, addr.Module)
		}
	}
	return r
}

// policyDependencies lists the resources and data sources a resource's
// configuration refers to, looking through variables, locals, module
// calls and outputs (not through other resources), as absolute addresses
// without instance keys. Module instance keys are those of mi where the
// resource is in mi or one of its ancestors; a resource inside a module
// called from here is named by its module path alone.
func (w *walker) policyDependencies(c *configs.Config, r *configs.Resource, mi addrs.ModuleInstance) []string {
	start := resourceKey(c, r.Key())
	seen := map[string]bool{start: true}
	queue := []string{start}
	out := map[string]bool{}
	for len(queue) > 0 {
		key := queue[0]
		queue = queue[1:]
		for _, dep := range w.dg.g.DependenciesOf(key) {
			if seen[dep] {
				continue
			}
			seen[dep] = true
			dn := w.dg.nodes[dep]
			if dn == nil {
				continue
			}
			switch dn.kind {
			case kResource:
				out[policyAddress(dn.cfg, dn.res, mi)] = true
			case kVar, kLocal, kOutput, kModule:
				queue = append(queue, dep)
			}
		}
	}
	list := make([]string, 0, len(out))
	for a := range out {
		list = append(list, a)
	}
	sort.Strings(list)
	return list
}

func policyAddress(c *configs.Config, r *configs.Resource, mi addrs.ModuleInstance) string {
	var b strings.Builder
	for i, name := range c.Path {
		b.WriteString("module.")
		b.WriteString(name)
		if i < len(mi) && mi[i].Name == name {
			b.WriteString(addrs.ModuleInstance{mi[i]}.String()[len("module."+name):])
		}
		b.WriteString(".")
	}
	b.WriteString(r.Key())
	return b.String()
}

// policyInputs evaluates every baseline's settings and collects the
// provider configurations, as the plan records them.
func (w *walker) policyInputs(root *configs.Config) (*plan.PolicyInputs, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	pi := &plan.PolicyInputs{Settings: map[string]cty.Value{}, ProviderConfigs: w.provs.configValues()}
	for _, name := range sortedKeys(root.Module.Baselines) {
		v, d := w.baselineSettings(root, root.Module.Baselines[name])
		diags = append(diags, d...)
		if !d.HasErrors() {
			pi.Settings[name] = v
		}
	}
	return pi, diags
}

// baselineSettings evaluates a baseline block's arguments in the root
// module; every one must be known when planning.
func (w *walker) baselineSettings(root *configs.Config, b *configs.Baseline) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	attrs := map[string]cty.Value{}
	sc := scope{cfg: root, mi: addrs.RootModuleInstance}
	for _, name := range configs.BaselineSettingNames {
		a, ok := b.Settings[name]
		if !ok {
			attrs[name] = cty.NullVal(cty.DynamicPseudoType)
			continue
		}
		v, d := w.ev.evalExpr(sc, a.Expr, cty.DynamicPseudoType)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		v, _ = v.UnmarkDeep()
		if !v.IsWhollyKnown() {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Baseline setting not known",
				Detail: fmt.Sprintf("The value of %s must be known when planning.", name), Subject: a.Expr.Range().Ptr()})
			continue
		}
		attrs[name] = v
	}
	return cty.ObjectVal(attrs), diags
}

// customRules evaluates the root module's rule blocks for every managed
// instance of the listed types that is not being deleted.
func (w *walker) customRules(root *configs.Config, resources []*policy.Resource, results *[]*plan.PolicyResult) hcl.Diagnostics {
	var diags hcl.Diagnostics
	sc := scope{cfg: root, mi: addrs.RootModuleInstance}
	for _, id := range sortedKeys(root.Module.PolicyRules) {
		rule := root.Module.PolicyRules[id]
		var travs []hcl.Traversal
		for _, expr := range []hcl.Expression{rule.Condition, rule.Message} {
			for _, tr := range expr.Variables() {
				if tr.RootName() != "each" {
					travs = append(travs, tr)
				}
			}
		}
		ctx, d := w.ev.evalContext(sc, travs)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		types := map[string]bool{}
		for _, t := range rule.ResourceTypes {
			types[t] = true
		}
		for _, r := range resources {
			if r.Mode != "managed" || !types[r.Type] || r.Action == plugins.PolicyActionDelete {
				continue
			}
			res, d := policy.CheckRule(rule, r, ctx, w.policyRanges)
			diags = append(diags, d...)
			if res != nil {
				*results = append(*results, res)
			}
		}
	}
	return diags
}

// CheckOptions says which saved plan to check again.
type CheckOptions struct {
	Plan *plan.Plan
	// Config is the configuration the plan was made from.
	Config    *configs.Config
	Providers ProviderFactories
	Now       time.Time
}

// CheckPlan checks a saved plan against the configuration's baselines,
// custom rules and waivers again, as of opts.Now, with the settings and
// provider configurations recorded when it was planned. It returns the
// results (the plan is not changed) and diagnostics, with an error for
// every finding that blocks apply.
func CheckPlan(ctx context.Context, opts CheckOptions) ([]*plan.PolicyResult, hcl.Diagnostics) {
	src := opts.Plan
	if src.Mode == plan.RefreshOnlyMode || !policyActive(opts.Config) {
		return nil, nil
	}
	if src.PolicyInputs == nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Plan was not checked against a baseline",
			Detail: "The saved plan records no baseline inputs: it was made from a configuration without baseline blocks. Make a new plan."}}
	}
	provs := newProviders(opts.Providers)
	defer provs.close()
	w := &walker{ctx: ctx, ev: newEvaluator(opts.Config, true, provs), provs: provs,
		sem: make(chan struct{}, parallelism(0)), hooks: NoHooks{}, refreshed: src.PriorState}
	if w.refreshed == nil {
		w.refreshed = state.New()
	}
	for name, v := range src.Variables {
		w.ev.setVar(addrs.RootModuleInstance, name, v)
	}
	if dg, d := buildGraph(ctx, opts.Config, provs); !d.HasErrors() {
		w.dg = dg
	}
	p := &plan.Plan{Mode: src.Mode, Changes: src.Changes, PriorState: w.refreshed, PolicyInputs: src.PolicyInputs}
	diags := w.checkPolicy(p, opts.Config, opts.Now)
	return p.PolicyResults, append(diags, policy.Diagnostics(p.PolicyResults, w.policyRanges)...)
}
