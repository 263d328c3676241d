package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/graph"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// Plan compares the configuration with the prior state and records the
// changes that would make the remote objects match it.
func Plan(ctx context.Context, opts PlanOptions) (*plan.Plan, hcl.Diagnostics) {
	prior := opts.PriorState
	if prior == nil {
		prior = state.New()
	}
	if opts.Hooks == nil {
		opts.Hooks = NoHooks{}
	}
	p := &plan.Plan{
		Mode: opts.Mode, StateLineage: prior.Lineage, StateSerial: prior.Serial,
		Variables: opts.Variables, Config: opts.Sources, Timestamp: time.Now().UTC(), NuvolaVersion: Version,
	}
	for _, t := range opts.Targets {
		p.Targets = append(p.Targets, t.String())
	}
	for _, r := range opts.ForceReplace {
		p.ForceReplace = append(p.ForceReplace, r.String())
	}
	for name, v := range opts.Config.Module.Variables {
		if v.Sensitive {
			p.SensitiveVariables = append(p.SensitiveVariables, name)
		}
	}
	sort.Strings(p.SensitiveVariables)

	provs := newProviders(opts.Providers)
	defer provs.close()
	defer provs.reportMetrics(ctx, opts.Hooks)
	// The walker's context ends with the plan, so that nothing it started
	// outlives it.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &walker{
		ctx: wctx, ev: newEvaluator(opts.Config, true, provs), provs: provs,
		sem: make(chan struct{}, parallelism(opts.Parallelism)), fanout: make(chan struct{}, walkParallelism(opts.Parallelism)), hooks: opts.Hooks,
		popts: &opts, refreshed: prior.DeepCopy(), byRes: map[string][]*plan.ResourceChange{}, seen: map[string]bool{},
		forceRepl: map[string]bool{},
	}
	for _, r := range opts.ForceReplace {
		w.forceRepl[r.String()] = true
	}
	runPolicy := opts.Mode != plan.RefreshOnlyMode && policyActive(opts.Config)
	w.policyOn = runPolicy
	var diags hcl.Diagnostics
	diags = append(diags, w.applyMoves(opts.Config)...)

	if opts.Mode == plan.DestroyMode {
		d := w.planDestroyAll(opts.SkipRefresh)
		diags = append(diags, d...)
		if n := len(w.refreshed.PendingCreates); n > 0 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Interrupted creates not resolved",
				Detail: fmt.Sprintf("%d create(s) were sent by a run that did not record their outcome; destroy cannot see the objects they may have made. Run \"nuvola apply\" first to adopt them, or \"nuvola state orphans -delete\" afterwards.", n)})
		}
		p.Changes = w.changes
		p.PriorState = w.refreshed
		for name, o := range prior.Outputs {
			p.Outputs = append(p.Outputs, &plan.OutputChange{Name: name, Action: plan.Delete, Before: o.Value, After: cty.NullVal(o.Value.Type()), Sensitive: o.Sensitive})
		}
		sortPlan(p)
		p.Errored = diags.HasErrors()
		if runPolicy && !p.Errored {
			// A destroy plan walks no graph; the baselines' settings still
			// need the root module's variables and locals.
			w.evalRootValues(ctx, opts.Config, opts.Variables)
			diags = append(diags, w.runPolicy(p, opts.Config, p.Timestamp)...)
		}
		return p, diags
	}

	if !opts.SkipRefresh && len(opts.Targets) == 0 {
		w.prefetch = newRefreshPrefetch()
		// Reads still running when the plan ends, such as those of
		// resources a failure kept the walk from, are cancelled.
		defer func() {
			cancel()
			w.prefetch.wait()
		}()
		w.prefetchEarly()
	}
	dg, d := buildGraph(ctx, opts.Config, provs)
	diags = append(diags, d...)
	if diags.HasErrors() {
		p.Errored = true
		return p, diags
	}
	w.dg = dg
	g := dg.g
	if len(opts.Targets) > 0 {
		var roots []string
		for key, n := range dg.nodes {
			if n.kind == kResource && targeted(opts.Targets, n) {
				roots = append(roots, key)
			}
		}
		w.targetSet = g.Closure(roots, true)
		addTargetedOutputs(dg, w.targetSet)
		w.directTargets = map[string]bool{}
		for _, k := range roots {
			w.directTargets[k] = true
		}
		g = g.Subgraph(func(k string) bool {
			_, ok := w.targetSet[k]
			n := dg.nodes[k]
			return ok || n.kind == kVar || n.kind == kLocal || n.kind == kModule || n.kind == kProvider
		})
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Resource targeting is in effect",
			Detail: "You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when nuvola specifically suggests to use it as part of an error message."})
	}
	errs := g.Walk(ctx, walkParallelism(opts.Parallelism), func(ctx context.Context, key string) error {
		n := dg.nodes[key]
		var d hcl.Diagnostics
		if ok, cd := w.visitCommon(n, opts.Variables); ok {
			d = cd
		} else {
			switch n.kind {
			case kResource:
				d = w.planResource(n)
			case kOutput:
				d = w.planOutput(n)
			case kCheck:
				d = w.visitCheck(n)
			}
		}
		w.addDiags(d)
		if d.HasErrors() {
			return errNodeFailed
		}
		return nil
	})
	diags = append(diags, w.diags...)
	diags = append(diags, walkErrors(dg, errs)...)
	if !diags.HasErrors() {
		diags = append(diags, w.planOrphans(opts.Config)...)
		if len(opts.Targets) == 0 {
			w.planOrphanOutputs(opts.Config)
			if opts.Mode == plan.NormalMode {
				diags = append(diags, w.dropUnresolvedPending()...)
			}
		}
	}
	p.Changes = w.changes
	p.Outputs = w.outputs
	p.PriorState = w.refreshed
	if opts.Mode == plan.RefreshOnlyMode {
		// A refresh-only plan records what changed outside nuvola; applying
		// it stores the refreshed objects and changes nothing remote.
		p.Changes = w.drift
		p.Outputs = nil
	}
	sortPlan(p)
	p.Errored = diags.HasErrors()
	// Policy findings do not make the plan errored: the plan is complete
	// and can be saved, reviewed and re-checked, but apply refuses it while
	// a finding blocks it.
	if runPolicy && !p.Errored {
		diags = append(diags, w.runPolicy(p, opts.Config, p.Timestamp)...)
	}
	return p, diags
}

var errNodeFailed = fmt.Errorf("node failed")

// walkErrors reports walk failures that are not already diagnostics:
// panics and cancellation.
func walkErrors(dg *depGraph, errs map[string]error) hcl.Diagnostics {
	var diags hcl.Diagnostics
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cancelled := false
	for _, k := range keys {
		err := errs[k]
		if err == errNodeFailed {
			continue
		}
		var skipped *graph.SkippedError[string]
		if asSkipped(err, &skipped) {
			continue
		}
		if err == context.Canceled || err == context.DeadlineExceeded {
			if !cancelled {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Operation cancelled", Detail: err.Error()})
				cancelled = true
			}
			continue
		}
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Internal error in " + dg.nodes[k].String(), Detail: err.Error()})
	}
	return diags
}

func targeted(ts []addrs.Target, n *node) bool {
	for _, t := range ts {
		if t.Resource == nil {
			if len(t.Module) <= len(n.cfg.Path) {
				match := true
				for i, s := range t.Module {
					if s.Name != n.cfg.Path[i] {
						match = false
						break
					}
				}
				if match {
					return true
				}
			}
			continue
		}
		if len(t.Module) != len(n.cfg.Path) || t.Resource.String() != n.res.Key() {
			continue
		}
		ok := true
		for i, s := range t.Module {
			if s.Name != n.cfg.Path[i] {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// addTargetedOutputs adds to a -target closure the root outputs that derive
// only from resources in it, with what they depend on: outputs cannot be
// targeted themselves, and OpenTofu keeps those up to date.
func addTargetedOutputs(dg *depGraph, set map[string]struct{}) {
	order, err := dg.g.TopoOrder()
	if err != nil {
		return
	}
	// clean: every resource the node depends on is in the set; hasRes: it
	// depends on at least one resource.
	clean := make(map[string]bool, len(order))
	hasRes := make(map[string]bool, len(order))
	var outputs []string
	for _, k := range order {
		c, h := true, false
		for _, d := range dg.g.DependenciesOf(k) {
			if dg.nodes[d].kind == kResource {
				h = true
				if _, ok := set[d]; !ok {
					c = false
				}
			}
			c = c && clean[d]
			h = h || hasRes[d]
		}
		clean[k], hasRes[k] = c, h
		if n := dg.nodes[k]; n.kind == kOutput && len(n.cfg.Path) == 0 && c && h {
			outputs = append(outputs, k)
		}
	}
	for k := range dg.g.Closure(outputs, true) {
		set[k] = struct{}{}
	}
}

// targetedInstances keeps the instances that -target names. As in OpenTofu,
// only a resource named by a target is narrowed to its targeted instances;
// one planned because a target depends on it is planned whole. The others
// keep their prior values for references.
func (w *walker) targetedInstances(abs addrs.AbsResource, keys []addrs.InstanceKey, reps []repetition, prior map[addrs.InstanceKey]cty.Value, rv *resourceValues) ([]addrs.InstanceKey, []repetition) {
	var ks []addrs.InstanceKey
	var rs []repetition
	for i, k := range keys {
		if targetContains(w.popts.Targets, abs.Instance(k)) {
			ks = append(ks, k)
			rs = append(rs, reps[i])
		} else if v, ok := prior[k]; ok {
			rv.set(k, v)
		}
	}
	return ks, rs
}

func targetContains(ts []addrs.Target, a addrs.AbsResourceInstance) bool {
	if len(ts) == 0 {
		return true
	}
	for _, t := range ts {
		if t.Contains(a) {
			return true
		}
	}
	return false
}

func sortPlan(p *plan.Plan) {
	sort.SliceStable(p.Changes, func(i, j int) bool {
		a, b := p.Changes[i], p.Changes[j]
		if !state.InstanceEqual(a.Addr, b.Addr) {
			return state.InstanceLess(a.Addr, b.Addr)
		}
		return a.DeposedKey < b.DeposedKey
	})
	sort.Slice(p.Outputs, func(i, j int) bool { return p.Outputs[i].Name < p.Outputs[j].Name })
}

func (w *walker) addChange(c *plan.ResourceChange) {
	w.mu.Lock()
	w.changes = append(w.changes, c)
	if c.Action != plan.NoOp && c.Addr.Resource.Resource.Mode == addrs.ManagedResourceMode {
		if w.pendingNodes == nil {
			w.pendingNodes = map[string]bool{}
		}
		w.pendingNodes[absResourceKey(c.Addr.ContainingResource())] = true
	}
	if c.DeposedKey == "" {
		k := c.Addr.ContainingResource().String()
		w.byRes[k] = append(w.byRes[k], c)
	}
	w.mu.Unlock()
}

func resourceMode(r *configs.Resource) addrs.ResourceMode {
	if r.Mode == configs.DataResourceMode {
		return addrs.DataResourceMode
	}
	return addrs.ManagedResourceMode
}

// planResource expands a resource in every instance of its module, refreshes
// its objects in one batch per module instance and plans each instance.
func (w *walker) planResource(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	r := n.res
	pa := w.dg.resourceProviders[resourceKey(n.cfg, r.Key())]
	mode := resourceMode(r)
	schema, err := w.provs.resourceSchema(w.ctx, pa.Source, mode, r.Type)
	if err != nil {
		return hcl.Diagnostics{schemaDiag(err, "Invalid resource type", r.TypeRange.Ptr())}
	}
	prov, d := w.provider(pa)
	if d.HasErrors() {
		return d
	}
	diags = append(diags, d...)
	res := addrs.Resource{Mode: mode, Type: r.Type, Name: r.Name}
	var jobs []planJob
	for _, mi := range w.ev.moduleInstances(addrs.Module(n.cfg.Path)) {
		abs := res.Absolute(mi.Addr)
		keys, reps, d := w.expand(scope{cfg: n.cfg, mi: mi.Addr}, r.Count, r.ForEach)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		em := eachNone
		switch {
		case r.Count != nil:
			em = eachCount
		case r.ForEach != nil:
			em = eachMap
		}
		rv := w.ev.resourceValues(abs, em, w.referenced(n))
		priorVals := w.refreshResource(abs, schema, prov, pa, mode, &diags)
		if w.directTargets[resourceKey(n.cfg, r.Key())] {
			keys, reps = w.targetedInstances(abs, keys, reps, priorVals, rv)
		}
		// Every instance has the same dependencies.
		var deps []addrs.AbsResource
		if mode == addrs.ManagedResourceMode {
			deps = w.dependencies(n, mi.Addr)
		}
		for i, k := range keys {
			jobs = append(jobs, planJob{addr: abs.Instance(k), sc: scope{cfg: n.cfg, mi: mi.Addr, rep: reps[i]}, rv: rv, prior: priorVals[k], deps: deps})
		}
		w.mu.Lock()
		for _, k := range keys {
			w.seen[abs.Instance(k).String()] = true
		}
		w.mu.Unlock()
	}
	// The instances of every module instance are planned at once.
	w.forEachParallel(len(jobs), func(i int) {
		j := jobs[i]
		var d hcl.Diagnostics
		if mode == addrs.DataResourceMode {
			d = w.planData(n, j.addr, j.sc, schema, prov, pa, j.rv)
		} else {
			d = w.planInstance(n, j.addr, j.sc, schema, prov, pa, j.rv, j.prior, j.deps)
		}
		w.addDiags(d)
	})
	return diags
}

// planJob is one resource instance to plan.
type planJob struct {
	addr  addrs.AbsResourceInstance
	sc    scope
	rv    *resourceValues
	prior cty.Value
	deps  []addrs.AbsResource
}

// refreshResource reads the current objects of a resource in one batch and
// returns their values by key; objects that are gone are dropped from the
// refreshed state.
func (w *walker) refreshResource(abs addrs.AbsResource, schema *plugins.Schema, prov plugins.Provider, pa providerAddr, mode addrs.ResourceMode, diags *hcl.Diagnostics) map[addrs.InstanceKey]cty.Value {
	out := map[addrs.InstanceKey]cty.Value{}
	if mode != addrs.ManagedResourceMode {
		return out
	}
	w.mu.Lock()
	sr := w.refreshed.Resource(abs)
	var keys []addrs.InstanceKey
	var objs []*state.Object
	if sr != nil {
		for _, k := range sr.SortedKeys() {
			if inst := sr.Instances[k]; inst.Current != nil {
				keys = append(keys, k)
				objs = append(objs, inst.Current)
			}
		}
	}
	w.mu.Unlock()
	if len(keys) == 0 {
		return out
	}
	vals, results, prefetched := w.prefetched(abs, pa, objs)
	if !prefetched {
		vals = make([]cty.Value, len(keys))
		for i, obj := range objs {
			v, err := w.upgrade(prov, abs.Resource.Type, schema, obj)
			if err != nil {
				*diags = append(*diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid object in state",
					Detail: fmt.Sprintf("%s: %s", abs.Instance(keys[i]), err)})
				return out
			}
			vals[i] = v
		}
	}
	if w.popts.SkipRefresh {
		for i, k := range keys {
			out[k] = vals[i]
		}
		return out
	}
	w.hooks.PreRefresh(abs, len(keys))
	var resp plugins.ReadResourcesResponse
	if prefetched {
		resp.Results = results
	} else {
		req := plugins.ReadResourcesRequest{TypeName: abs.Resource.Type, Objects: make([]plugins.ReadResourceRequest, len(keys))}
		for i := range keys {
			req.Objects[i] = plugins.ReadResourceRequest{TypeName: abs.Resource.Type, PriorState: vals[i], Private: objs[i].Private}
		}
		w.call(func(ctx context.Context) { resp = prov.ReadResources(ctx, req) })
	}
	w.hooks.PostRefresh(abs, len(keys))
	*diags = append(*diags, w.providerDiags(resp.Diagnostics, nil, hcl.Range{})...)
	if resp.Diagnostics.HasErrors() || len(resp.Results) != len(keys) {
		if !resp.Diagnostics.HasErrors() {
			*diags = append(*diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider returned an invalid refresh result",
				Detail: fmt.Sprintf("Asked for %d objects of %s, got %d.", len(keys), abs, len(resp.Results))})
		}
		return out
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, k := range keys {
		res := resp.Results[i]
		*diags = append(*diags, w.providerDiags(res.Diagnostics, nil, hcl.Range{})...)
		addr := abs.Instance(k)
		if res.NewState == cty.NilVal || res.NewState.IsNull() {
			w.refreshed.SetCurrent(addr, nil, "")
			w.drift = append(w.drift, &plan.ResourceChange{Addr: addr, PrevRunAddr: addr, Provider: pa.String(), Action: plan.Delete,
				Before: vals[i], After: cty.NullVal(vals[i].Type()), BeforeSensitive: objs[i].SensitivePaths, SchemaVersion: schema.Version})
			continue
		}
		out[k] = res.NewState
		if !res.Unchanged && !res.NewState.RawEquals(vals[i]) {
			if !valuesEqual(res.NewState, vals[i]) {
				w.drift = append(w.drift, &plan.ResourceChange{Addr: addr, PrevRunAddr: addr, Provider: pa.String(), Action: plan.Update,
					Before: vals[i], After: res.NewState, BeforeSensitive: objs[i].SensitivePaths, AfterSensitive: objs[i].SensitivePaths,
					SchemaVersion: schema.Version})
			}
			obj, err := w.provs.encodeObject(schema, res.NewState, objs[i].SensitivePaths)
			if err == nil {
				obj.Private, obj.Status, obj.Dependencies, obj.CreateBeforeDestroy = res.Private, objs[i].Status, objs[i].Dependencies, objs[i].CreateBeforeDestroy
				w.refreshed.SetCurrent(addr, obj, pa.String())
			}
		}
	}
	return out
}

// upgrade decodes a stored object, asking the provider to upgrade it when
// it was written with an older schema version.
func (w *walker) upgrade(prov plugins.Provider, typ string, schema *plugins.Schema, obj *state.Object) (cty.Value, error) {
	if obj.SchemaVersion == schema.Version {
		v, err := w.provs.decodeObject(schema, obj)
		if err == nil {
			return v, nil
		}
	}
	resp := prov.UpgradeResourceState(w.ctx, plugins.UpgradeResourceStateRequest{TypeName: typ, Version: obj.SchemaVersion, RawJSON: obj.AttrsJSON})
	if resp.Diagnostics.HasErrors() {
		return cty.NilVal, resp.Diagnostics.Err()
	}
	return resp.UpgradedState, nil
}

func (w *walker) dependencies(n *node, mi addrs.ModuleInstance) []addrs.AbsResource {
	var out []addrs.AbsResource
	seen := map[string]bool{}
	// Direct resource dependencies, looking through locals, variables and
	// outputs of the same module only one level: that is enough to order
	// deletions and keeps state linear.
	for _, dep := range w.dg.g.DependenciesOf(resourceKey(n.cfg, n.res.Key())) {
		dn := w.dg.nodes[dep]
		if dn.kind != kResource || dn.res.Mode != configs.ManagedResourceMode {
			continue
		}
		abs := addrs.Resource{Mode: addrs.ManagedResourceMode, Type: dn.res.Type, Name: dn.res.Name}.Absolute(mi)
		if !seen[abs.String()] {
			seen[abs.String()] = true
			out = append(out, abs)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// planInstance plans one managed resource instance.
func (w *walker) planInstance(n *node, addr addrs.AbsResourceInstance, sc scope, schema *plugins.Schema, prov plugins.Provider, pa providerAddr, rv *resourceValues, priorVal cty.Value, deps []addrs.AbsResource) hcl.Diagnostics {
	r := n.res
	var diags hcl.Diagnostics
	for _, pc := range r.Preconditions {
		diags = append(diags, w.checkRule(sc, pc, "Resource precondition failed")...)
	}
	if diags.HasErrors() {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return diags
	}
	cfgVal, d := w.ev.evalBody(sc, r.Config, schema.Block)
	diags = append(diags, d...)
	if d.HasErrors() {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return diags
	}
	cfgVal, cfgSens := unmarkSensitive(cfgVal)
	// validated reports the provider's validation of the configuration;
	// false stops the instance.
	validated := func(vr plugins.ValidateResourceConfigResponse) bool {
		if len(vr.Diagnostics) > 0 {
			diags = append(diags, w.providerDiags(vr.Diagnostics, r.Config, r.DeclRange)...)
			if vr.Diagnostics.HasErrors() {
				rv.set(addr.Resource.Key, cty.DynamicVal)
				return false
			}
		}
		return true
	}

	var priorObj *state.Object
	w.mu.Lock()
	if inst := w.refreshed.Instance(addr); inst != nil {
		priorObj = inst.Current
	}
	w.mu.Unlock()
	if priorObj == nil || priorVal == cty.NilVal {
		priorVal = cty.NullVal(w.provs.block(schema.Block).ty)
		priorObj = nil
		if obj, v, ok, d := w.adoptPending(prov, schema, r.Type, addr, pa); ok {
			priorObj, priorVal = obj, v
		} else {
			diags = append(diags, d...)
		}
	}
	importID := ""
	// The configuration is validated before anything is imported for
	// it; otherwise validation and plan go to the provider together.
	validateFirst := priorObj == nil && len(n.cfg.Module.Imports) > 0
	if validateFirst {
		var vr plugins.ValidateResourceConfigResponse
		w.call(func(ctx context.Context) {
			vr = prov.ValidateResourceConfig(ctx, plugins.ValidateResourceConfigRequest{TypeName: r.Type, Config: cfgVal})
		})
		if !validated(vr) {
			return diags
		}
		id, ok, d := w.importTarget(n, addr, sc)
		diags = append(diags, d...)
		if d.HasErrors() {
			rv.set(addr.Resource.Key, cty.DynamicVal)
			return diags
		}
		if ok {
			obj, d := importObject(w.ctx, w, prov, schema, r.Type, id, addr)
			diags = append(diags, d...)
			if d.HasErrors() {
				rv.set(addr.Resource.Key, cty.DynamicVal)
				return diags
			}
			v, err := w.provs.decodeObject(schema, obj)
			if err != nil {
				rv.set(addr.Resource.Key, cty.DynamicVal)
				return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider produced invalid object", Detail: err.Error()})
			}
			priorObj, priorVal, importID = obj, v, id
			w.mu.Lock()
			w.refreshed.SetCurrent(addr, obj, pa.String())
			w.mu.Unlock()
		}
	}

	var ignore []cty.Path
	ignoreAll := false
	if m := r.Managed; m != nil {
		ignoreAll = m.IgnoreAllChanges
		for _, t := range m.IgnoreChanges {
			ignore = append(ignore, traversalToPath(t))
		}
	}
	effCfg := applyIgnoreChanges(cfgVal, priorVal, ignore, ignoreAll)
	proposed := proposedNew(schema.Block, priorVal, effCfg)
	preq := plugins.PlanResourceChangeRequest{
		TypeName: r.Type, PriorState: priorVal, ProposedNewState: proposed, Config: cfgVal, PriorPrivate: privateOf(priorObj)}
	var resp plugins.PlanResourceChangeResponse
	if validateFirst {
		w.call(func(ctx context.Context) { resp = prov.PlanResourceChange(ctx, preq) })
	} else {
		var vr plugins.ValidateResourceConfigResponse
		w.call(func(ctx context.Context) { vr, resp = plugins.ValidateAndPlan(ctx, prov, preq) })
		if !validated(vr) {
			return diags
		}
	}
	diags = append(diags, w.providerDiags(resp.Diagnostics, r.Config, r.DeclRange)...)
	if resp.Diagnostics.HasErrors() {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return diags
	}
	planned := resp.PlannedState
	triggered, d := w.triggeredReplace(n, sc)
	diags = append(diags, d...)
	action, reason := plan.NoOp, plan.ReasonNone
	var replacePaths []cty.Path
	switch {
	case priorVal.IsNull():
		action = plan.Create
	case priorObj.Status == state.ObjectTainted:
		action, reason = plan.DeleteThenCreate, plan.ReasonReplaceBecauseTainted
	case w.forceRepl[addr.String()]:
		action, reason = plan.DeleteThenCreate, plan.ReasonReplaceByRequest
	case triggered:
		action, reason = plan.DeleteThenCreate, plan.ReasonReplaceByTriggers
	case len(resp.RequiresReplace) > 0 && !valuesEqual(priorVal, planned):
		action, reason = plan.DeleteThenCreate, plan.ReasonReplaceBecauseCannotUpdate
		replacePaths = resp.RequiresReplace
	case valuesEqual(priorVal, planned):
		action = plan.NoOp
	default:
		action = plan.Update
	}
	if action == plan.DeleteThenCreate {
		if r.Managed != nil && r.Managed.CreateBeforeDestroy {
			action = plan.CreateThenDelete
		}
		// The replacement is a new object: plan it as a create.
		var cresp plugins.PlanResourceChangeResponse
		w.call(func(ctx context.Context) {
			cresp = prov.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{
				TypeName: r.Type, PriorState: cty.NullVal(w.provs.block(schema.Block).ty),
				ProposedNewState: proposedNew(schema.Block, cty.NullVal(w.provs.block(schema.Block).ty), cfgVal), Config: cfgVal})
		})
		diags = append(diags, w.providerDiags(cresp.Diagnostics, r.Config, r.DeclRange)...)
		if cresp.Diagnostics.HasErrors() {
			rv.set(addr.Resource.Key, cty.DynamicVal)
			return diags
		}
		planned = cresp.PlannedState
		if r.Managed != nil && r.Managed.PreventDestroy {
			diags = append(diags, preventDestroyDiag(addr, r))
		}
	}
	afterSens := mergePaths(mergePaths(schema.Block.SensitivePaths(planned, nil), cfgSens), echoedSensitivePaths(cfgVal, cfgSens, planned))
	var beforeSens []cty.Path
	if priorObj != nil {
		beforeSens = priorObj.SensitivePaths
	}
	prevAddr := addr
	if old, ok := w.moved[addr.String()]; ok {
		prevAddr = old
	}
	c := &plan.ResourceChange{
		Addr: addr, PrevRunAddr: prevAddr, Provider: pa.String(), Action: action, Reason: reason,
		Before: priorVal, After: planned, BeforeSensitive: beforeSens, AfterSensitive: afterSens,
		RequiredReplace: replacePaths, ConfigSensitive: cfgSens, Private: resp.PlannedPrivate, SchemaVersion: schema.Version,
		Dependencies:        deps,
		CreateBeforeDestroy: r.Managed != nil && r.Managed.CreateBeforeDestroy,
		ImportID:            importID,
	}
	if action == plan.NoOp && priorObj != nil {
		c.Private = priorObj.Private
	}
	if w.policyOn {
		c.Config = cfgVal
	}
	w.addChange(c)
	self := markSensitive(planned, afterSens)
	rv.set(addr.Resource.Key, self)
	// Checked against the planned object, as OpenTofu does: a condition
	// that depends on what is known only after apply is left for apply.
	sc.self = self
	for _, pc := range r.Postconditions {
		diags = append(diags, w.checkRule(sc, pc, "Resource postcondition failed")...)
	}
	return diags
}

func privateOf(o *state.Object) []byte {
	if o == nil {
		return nil
	}
	return o.Private
}

func preventDestroyDiag(addr addrs.AbsResourceInstance, r *configs.Resource) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Instance cannot be destroyed",
		Detail:  fmt.Sprintf("Resource %s has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag.", addr),
		Subject: r.DeclRange.Ptr()}
}

// triggeredReplace reports whether anything replace_triggered_by names is
// planned to change. As in OpenTofu, a reference to a resource or instance
// triggers on an update or replacement of it; a reference to an attribute
// triggers only when that attribute's value changes.
func (w *walker) triggeredReplace(n *node, sc scope) (bool, hcl.Diagnostics) {
	if n.res.Managed == nil || len(n.res.Managed.ReplaceTriggeredBy) == 0 {
		return false, nil
	}
	var diags hcl.Diagnostics
	for _, e := range n.res.Managed.ReplaceTriggeredBy {
		trav, d := addressTraversal(e, sc.rep)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		ref, d := addrs.ParseRef(trav)
		diags = append(diags, d...)
		if ref == nil {
			continue
		}
		var res addrs.Resource
		var key addrs.InstanceKey
		exact := false
		switch s := ref.Subject.(type) {
		case addrs.ResourceInstance:
			res, key, exact = s.Resource, s.Key, true
		case addrs.Resource:
			res = s
		default:
			continue
		}
		path := traversalToPath(ref.Remaining)
		w.mu.Lock()
		changes := w.byRes[res.Absolute(sc.mi).String()]
		w.mu.Unlock()
		for _, c := range changes {
			if c.DeposedKey != "" || exact && c.Addr.Resource.Key != key {
				continue
			}
			if len(path) == 0 {
				if c.Action == plan.Update || c.Action.IsReplace() {
					return true, diags
				}
				continue
			}
			before, errB := path.Apply(c.Before)
			after, errA := path.Apply(c.After)
			if errB != nil || errA != nil {
				if c.Action == plan.Update {
					return true, diags
				}
				continue
			}
			if !before.RawEquals(after) {
				return true, diags
			}
		}
	}
	return false, diags
}

// addressTraversal turns an expression naming an address, such as a
// replace_triggered_by entry or an import target, into the traversal it
// names, evaluating index keys with only count.index and each.* in scope.
func addressTraversal(expr hcl.Expression, rep repetition) (hcl.Traversal, hcl.Diagnostics) {
	switch e := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		return e.Traversal, nil
	case *hclsyntax.RelativeTraversalExpr:
		src, diags := addressTraversal(e.Source, rep)
		return append(append(hcl.Traversal(nil), src...), e.Traversal...), diags
	case *hclsyntax.IndexExpr:
		coll, diags := addressTraversal(e.Collection, rep)
		if diags.HasErrors() {
			return nil, diags
		}
		vars := map[string]cty.Value{}
		if rep.CountIndex != cty.NilVal {
			vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": rep.CountIndex})
		}
		if rep.EachKey != cty.NilVal {
			each := map[string]cty.Value{"key": rep.EachKey}
			if rep.EachValue != cty.NilVal {
				each["value"] = rep.EachValue
			}
			vars["each"] = cty.ObjectVal(each)
		}
		k, d := e.Key.Value(&hcl.EvalContext{Variables: vars})
		diags = append(diags, d...)
		if d.HasErrors() {
			return nil, diags
		}
		return append(append(hcl.Traversal(nil), coll...), hcl.TraverseIndex{Key: k, SrcRange: e.Key.Range()}), diags
	}
	return hcl.AbsTraversalForExpr(expr)
}

// traversalToPath turns a relative traversal (ignore_changes) into a path.
func traversalToPath(t hcl.Traversal) cty.Path {
	var p cty.Path
	for _, s := range t {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			p = p.GetAttr(s.Name)
		case hcl.TraverseAttr:
			p = p.GetAttr(s.Name)
		case hcl.TraverseIndex:
			p = p.Index(s.Key)
		}
	}
	return p
}

// planData reads a data source now when its configuration is known, or
// plans the read for apply.
func (w *walker) planData(n *node, addr addrs.AbsResourceInstance, sc scope, schema *plugins.Schema, prov plugins.Provider, pa providerAddr, rv *resourceValues) hcl.Diagnostics {
	r := n.res
	cfgVal, diags := w.ev.evalBody(sc, r.Config, schema.Block)
	if diags.HasErrors() {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return diags
	}
	cfgVal, cfgSens := unmarkSensitive(cfgVal)
	reason := plan.ReasonNone
	switch {
	case !cfgVal.IsWhollyKnown():
		reason = plan.ReasonReadBecauseConfigUnknown
	case w.dependsOnPending(n):
		// What the data source reads may be what a pending change makes:
		// read it once that change is applied, as OpenTofu does.
		reason = plan.ReasonReadBecauseDependencyChange
	}
	if reason != plan.ReasonNone {
		planned := cty.UnknownVal(w.provs.block(schema.Block).ty)
		w.addChange(&plan.ResourceChange{Addr: addr, PrevRunAddr: addr, Provider: pa.String(), Action: plan.Read,
			Reason: reason, Before: cty.NullVal(w.provs.block(schema.Block).ty), After: planned,
			AfterSensitive: cfgSens, SchemaVersion: schema.Version})
		rv.set(addr.Resource.Key, planned)
		return diags
	}
	var resp plugins.ReadDataSourceResponse
	w.call(func(ctx context.Context) {
		resp = prov.ReadDataSource(ctx, plugins.ReadDataSourceRequest{TypeName: r.Type, Config: cfgVal})
	})
	d := w.providerDiags(resp.Diagnostics, r.Config, r.DeclRange)
	if r.InCheck != "" {
		for _, x := range d {
			x.Severity = hcl.DiagWarning
		}
	}
	diags = append(diags, d...)
	if resp.Diagnostics.HasErrors() {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return diags
	}
	sens := mergePaths(schema.Block.SensitivePaths(resp.State, nil), cfgSens)
	obj, err := w.provs.encodeObject(schema, resp.State, sens)
	if err == nil {
		w.mu.Lock()
		w.refreshed.SetCurrent(addr, obj, pa.String())
		w.mu.Unlock()
	}
	rv.set(addr.Resource.Key, markSensitive(resp.State, sens))
	for _, pc := range r.Postconditions {
		sc.self = markSensitive(resp.State, sens)
		diags = append(diags, w.checkRule(sc, pc, "Resource postcondition failed")...)
	}
	return diags
}

// planOutput evaluates an output; root outputs become output changes.
func (w *walker) planOutput(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	o := n.cfg.Module.Outputs[n.name]
	for _, mi := range w.ev.moduleInstances(addrs.Module(n.cfg.Path)) {
		sc := scope{cfg: n.cfg, mi: mi.Addr}
		for _, pc := range o.Preconditions {
			diags = append(diags, w.checkRule(sc, pc, "Module output value precondition failed")...)
		}
		v, d := w.ev.evalExpr(sc, o.Expr, cty.DynamicPseudoType)
		diags = append(diags, d...)
		if d.HasErrors() {
			w.ev.setOutput(mi.Addr, n.name, cty.DynamicVal)
			continue
		}
		if o.Sensitive {
			v = v.Mark(sensitiveMark())
		}
		w.ev.setOutput(mi.Addr, n.name, v)
		if !mi.Addr.IsRoot() {
			continue
		}
		if v.ContainsMarked() && !o.Sensitive {
			if _, paths := unmarkSensitive(v); len(paths) > 0 {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Output refers to sensitive values",
					Detail:  "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, nuvola requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
					Subject: o.DeclRange.Ptr()})
				continue
			}
		}
		uv, _ := unmarkSensitive(v)
		oc := &plan.OutputChange{Name: n.name, After: uv, Sensitive: o.Sensitive}
		if prev, ok := w.refreshed.Outputs[n.name]; ok {
			oc.Before = prev.Value
			if uv.IsWhollyKnown() && prev.Value.Type().Equals(uv.Type()) && prev.Value.RawEquals(uv) && prev.Sensitive == o.Sensitive {
				oc.Action = plan.NoOp
			} else {
				oc.Action = plan.Update
			}
		} else {
			oc.Before = cty.NullVal(cty.DynamicPseudoType)
			oc.Action = plan.Create
		}
		w.mu.Lock()
		w.outputs = append(w.outputs, oc)
		w.mu.Unlock()
	}
	return diags
}

// planOrphanOutputs plans the removal of root outputs that are in state but
// no longer in the configuration.
func (w *walker) planOrphanOutputs(root *configs.Config) {
	for name, o := range w.refreshed.Outputs {
		if _, ok := root.Module.Outputs[name]; ok || o == nil {
			continue
		}
		w.outputs = append(w.outputs, &plan.OutputChange{Name: name, Action: plan.Delete,
			Before: o.Value, After: cty.NullVal(o.Value.Type()), Sensitive: o.Sensitive})
	}
}

// visitCheck evaluates check assertions; failures are warnings.
func (w *walker) visitCheck(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ch := n.cfg.Module.Checks[n.name]
	for _, mi := range w.ev.moduleInstances(addrs.Module(n.cfg.Path)) {
		for _, a := range ch.Asserts {
			d := w.checkRuleSeverity(scope{cfg: n.cfg, mi: mi.Addr}, a, "Check block assertion failed", hcl.DiagWarning)
			for _, x := range d {
				x.Severity = hcl.DiagWarning
			}
			diags = append(diags, d...)
		}
	}
	return diags
}

// planOrphans plans the deletion of every object in state that the
// configuration no longer has.
func (w *walker) planOrphans(root *configs.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	w.refreshed.AllInstances(func(addr addrs.AbsResourceInstance, r *state.Resource, inst *state.Instance) {
		if addr.Resource.Resource.Mode == addrs.DataResourceMode {
			if !w.seen[addr.String()] {
				w.refreshed.SetCurrent(addr, nil, "")
			}
			return
		}
		if len(w.popts.Targets) > 0 && !targetContains(w.popts.Targets, addr) {
			return
		}
		for dk, obj := range inst.Deposed {
			w.changes = append(w.changes, &plan.ResourceChange{Addr: addr, PrevRunAddr: addr, DeposedKey: dk, Provider: r.Provider,
				Action: plan.Delete, Before: w.deletedObject(r, obj, &diags), After: cty.NullVal(cty.DynamicPseudoType),
				BeforeSensitive: obj.SensitivePaths, SchemaVersion: obj.SchemaVersion, Dependencies: obj.Dependencies})
		}
		if inst.Current == nil || w.seen[addr.String()] {
			return
		}
		reason := w.orphanReason(root, addr)
		if reason == "" {
			return
		}
		if removedForget(root, addr) {
			// Forgetting needs no provider: the object is only shown.
			before, _ := w.rawObject(r, inst.Current)
			w.changes = append(w.changes, &plan.ResourceChange{Addr: addr, PrevRunAddr: addr, Provider: r.Provider, Action: plan.Forget,
				Before: before, After: cty.NullVal(cty.DynamicPseudoType), BeforeSensitive: inst.Current.SensitivePaths,
				SchemaVersion: inst.Current.SchemaVersion})
			return
		}
		w.changes = append(w.changes, &plan.ResourceChange{Addr: addr, PrevRunAddr: addr, Provider: r.Provider, Action: plan.Delete, Reason: reason,
			Before: w.deletedObject(r, inst.Current, &diags), After: cty.NullVal(cty.DynamicPseudoType), BeforeSensitive: inst.Current.SensitivePaths,
			SchemaVersion: inst.Current.SchemaVersion, Dependencies: inst.Current.Dependencies})
		// An instance whose resource is still configured (count reduced,
		// a for_each key dropped) keeps the resource's prevent_destroy.
		if c := root.Descendant(addr.Module.Module()); c != nil {
			if rc := c.Module.ManagedResources[addr.Resource.Resource.String()]; rc != nil && rc.Managed != nil && rc.Managed.PreventDestroy {
				diags = append(diags, preventDestroyDiag(addr, rc))
			}
		}
	})
	return dedupe(diags)
}

func (w *walker) orphanReason(root *configs.Config, addr addrs.AbsResourceInstance) plan.Reason {
	path := addr.Module.Module()
	c := root.Descendant(path)
	if c == nil {
		return plan.ReasonDeleteNoModule
	}
	key := addr.Resource.Resource.String()
	rc := c.Module.ManagedResources[key]
	if rc == nil {
		return plan.ReasonDeleteNoResourceConfig
	}
	// Instances of module instances that no longer exist.
	found := false
	for _, mi := range w.ev.moduleInstances(addrs.Module(path)) {
		if mi.Addr.Equal(addr.Module) {
			found = true
			break
		}
	}
	if !found {
		return plan.ReasonDeleteNoModule
	}
	switch addr.Resource.Key.(type) {
	case addrs.IntKey:
		if rc.Count == nil {
			return plan.ReasonDeleteWrongRepetition
		}
		return plan.ReasonDeleteCountIndex
	case addrs.StringKey:
		if rc.ForEach == nil {
			return plan.ReasonDeleteWrongRepetition
		}
		return plan.ReasonDeleteEachKey
	default:
		if rc.Count != nil || rc.ForEach != nil {
			return plan.ReasonDeleteWrongRepetition
		}
	}
	// In configuration and expanded, yet not seen: it was not planned
	// because of an error elsewhere.
	return ""
}

// rawObject decodes a state object of a resource that may no longer be in
// the configuration, using the schema of the provider recorded in state.
// A provider that cannot be loaded, or that no longer has the resource's
// type, cannot destroy the object either: that is the diagnostic.
func (w *walker) rawObject(r *state.Resource, o *state.Object) (cty.Value, *hcl.Diagnostic) {
	src, ok := providerSourceOf(r.Provider)
	if !ok {
		return cty.DynamicVal, nil
	}
	schema, err := w.provs.resourceSchema(w.ctx, src, r.Addr.Resource.Mode, r.Addr.Resource.Type)
	if err != nil {
		return cty.DynamicVal, schemaDiag(fmt.Errorf("%s, in the state: %w", r.Addr, err), "Invalid resource type", nil)
	}
	if o.SchemaVersion != schema.Version {
		prov, d := w.provider(providerAddr{Source: src})
		if d.HasErrors() {
			return cty.DynamicVal, nil
		}
		v, err := w.upgrade(prov, r.Addr.Resource.Type, schema, o)
		if err != nil {
			return cty.DynamicVal, nil
		}
		return v, nil
	}
	v, err := w.provs.decodeObject(schema, o)
	if err != nil {
		return cty.DynamicVal, nil
	}
	return v, nil
}

// deletedObject is rawObject for an object to delete: a diagnostic goes
// to diags.
func (w *walker) deletedObject(r *state.Resource, o *state.Object, diags *hcl.Diagnostics) cty.Value {
	v, d := w.rawObject(r, o)
	if d != nil {
		*diags = append(*diags, d)
	}
	return v
}

// providerSourceOf extracts the source from a provider configuration
// address such as module.x.provider["registry.opentofu.org/hashicorp/null"].a.
func providerSourceOf(addr string) (string, bool) {
	i := strings.Index(addr, "provider[")
	if i < 0 {
		return "", false
	}
	rest := addr[i+len("provider["):]
	j := strings.Index(rest, "]")
	if j < 0 {
		return "", false
	}
	s, err := strconv.Unquote(rest[:j])
	return s, err == nil
}

// planDestroyAll plans the deletion of every managed object in state.
func (w *walker) planDestroyAll(skipRefresh bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	w.refreshed.AllInstances(func(addr addrs.AbsResourceInstance, r *state.Resource, inst *state.Instance) {
		if addr.Resource.Resource.Mode == addrs.DataResourceMode {
			return
		}
		if len(w.popts.Targets) > 0 && !targetContains(w.popts.Targets, addr) {
			return
		}
		for dk, obj := range inst.Deposed {
			w.changes = append(w.changes, &plan.ResourceChange{Addr: addr, PrevRunAddr: addr, DeposedKey: dk, Provider: r.Provider,
				Action: plan.Delete, Before: w.deletedObject(r, obj, &diags), After: cty.NullVal(cty.DynamicPseudoType),
				BeforeSensitive: obj.SensitivePaths, SchemaVersion: obj.SchemaVersion, Dependencies: obj.Dependencies})
		}
		if inst.Current != nil {
			w.changes = append(w.changes, &plan.ResourceChange{Addr: addr, PrevRunAddr: addr, Provider: r.Provider, Action: plan.Delete,
				Before: w.deletedObject(r, inst.Current, &diags), After: cty.NullVal(cty.DynamicPseudoType), BeforeSensitive: inst.Current.SensitivePaths,
				SchemaVersion: inst.Current.SchemaVersion, Dependencies: inst.Current.Dependencies})
		}
	})
	return dedupe(diags)
}

// dependsOnPending reports whether a data resource's depends_on, or that of
// a module call around it, names a managed resource with a change planned.
func (w *walker) dependsOnPending(n *node) bool {
	keys := []string{resourceKey(n.cfg, n.res.Key())}
	for c := n.cfg; c.Parent != nil; c = c.Parent {
		keys = append(keys, moduleKey(c))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range keys {
		for _, dep := range w.dg.dependsOn[k] {
			if w.pendingNodes[dep] {
				return true
			}
		}
	}
	return false
}
