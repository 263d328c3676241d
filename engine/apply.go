package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// Apply carries out exactly the changes recorded in p, in dependency order,
// and returns the new state. Each finished change is handed to opts.Sink at
// once. On error the returned state still holds everything that finished.
func Apply(ctx context.Context, p *plan.Plan, opts ApplyOptions) (*state.State, hcl.Diagnostics) {
	if p.Errored {
		return p.PriorState, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot apply incomplete plan",
			Detail: "The plan stopped on an error, so it cannot be applied."}}
	}
	if opts.Hooks == nil {
		opts.Hooks = NoHooks{}
	}
	working := p.PriorState.DeepCopy()
	if working == nil {
		working = state.New()
	}
	if p.Mode == plan.RefreshOnlyMode {
		return working, nil
	}
	provs := newProviders(opts.Providers)
	defer provs.close()
	defer provs.reportMetrics(ctx, opts.Hooks)
	w := &walker{
		ctx: ctx, ev: newEvaluator(opts.Config, false, provs), provs: provs,
		sem: make(chan struct{}, parallelism(opts.Parallelism)), fanout: make(chan struct{}, walkParallelism(opts.Parallelism)), hooks: opts.Hooks,
		plan: p, byRes: map[string][]*plan.ResourceChange{}, working: working, sink: opts.Sink,
		failed: map[string]bool{}, cbdDeposed: map[string]string{},
	}
	for _, c := range p.Changes {
		k := c.Addr.ContainingResource().String()
		w.byRes[k] = append(w.byRes[k], c)
	}
	dg, diags := buildGraph(ctx, opts.Config, provs)
	if diags.HasErrors() {
		return working, diags
	}
	w.dg = dg
	w.addDestroyNodes()
	g := dg.g
	if p.Mode == plan.DestroyMode {
		g = g.Subgraph(func(k string) bool {
			n := dg.nodes[k]
			return n.kind == kVar || n.kind == kLocal || n.kind == kModule || n.kind == kProvider || n.kind == kDestroy
		})
	}
	errs := g.Walk(ctx, walkParallelism(opts.Parallelism), func(ctx context.Context, key string) error {
		n := dg.nodes[key]
		var d hcl.Diagnostics
		if ok, cd := w.visitCommon(n, p.Variables); ok {
			d = cd
		} else {
			switch n.kind {
			case kResource:
				d = w.applyResource(n)
			case kDestroy:
				d = w.destroyResource(n)
			case kOutput:
				d = w.applyOutput(n)
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
	w.durable.Wait()
	diags = append(diags, w.diags...)
	diags = append(diags, walkErrors(dg, errs)...)
	if p.Mode == plan.DestroyMode {
		working.Outputs = map[string]*state.OutputValue{}
	} else if !diags.HasErrors() {
		for name := range working.Outputs {
			if _, ok := opts.Config.Module.Outputs[name]; !ok {
				delete(working.Outputs, name)
			}
		}
	}
	return working, diags
}

// addDestroyNodes adds one vertex per resource with objects to delete,
// ordered against the configuration's vertices as OpenTofu orders them.
func (w *walker) addDestroyNodes() {
	dg := w.dg
	for absKey, changes := range w.byRes {
		needs := false
		for _, c := range changes {
			if c.Action == plan.Delete || c.Action.IsReplace() || c.Action == plan.Forget {
				needs = true
			}
		}
		if !needs {
			continue
		}
		abs := changes[0].Addr.ContainingResource()
		dk := destroyKey(abs)
		dg.add(dk, &node{kind: kDestroy, cfg: w.ev.root, destroy: abs})
		_ = absKey
	}
	for _, changes := range w.byRes {
		abs := changes[0].Addr.ContainingResource()
		dk := destroyKey(abs)
		if !dg.g.Has(dk) {
			continue
		}
		rk := absResourceKey(abs)
		for _, c := range changes {
			for _, dep := range c.Dependencies {
				if ddk := destroyKey(dep); ddk != dk && dg.g.Has(ddk) {
					dg.g.Connect(ddk, dk) // dependents go first
				}
			}
			switch c.Action {
			case plan.DeleteThenCreate:
				if dg.g.Has(rk) {
					dg.g.Connect(rk, dk)
				}
			case plan.CreateThenDelete:
				if dg.g.Has(rk) {
					dg.g.Connect(dk, rk)
					for _, dep := range dg.g.DependentsOf(rk) {
						if dn := dg.nodes[dep]; dn.kind == kResource {
							dg.g.Connect(dk, dep)
						}
					}
				}
			}
		}
		// A provider configuration must be ready before its objects go.
		for key, n := range dg.nodes {
			if n.kind == kProvider && n.prov.String() == changes[0].Provider {
				dg.g.Connect(dk, key)
			}
		}
	}
}

func (w *walker) providerForChange(c *plan.ResourceChange) (plugins.Provider, providerAddr, hcl.Diagnostics) {
	if n, ok := w.dg.nodes["provider:"+c.Provider]; ok {
		p, d := w.provider(n.prov)
		return p, n.prov, d
	}
	src, ok := providerSourceOf(c.Provider)
	if !ok {
		return nil, providerAddr{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid provider address in plan", Detail: c.Provider}}
	}
	pa := providerAddr{Source: src}
	p, d := w.provider(pa)
	return p, pa, d
}

// destroyResource deletes the objects of one resource that the plan says go.
func (w *walker) destroyResource(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	changes := w.byRes[n.destroy.String()]
	var todo []*plan.ResourceChange
	for _, c := range changes {
		if c.Action == plan.Delete || c.Action.IsReplace() || c.Action == plan.Forget {
			todo = append(todo, c)
		}
	}
	w.forEachParallel(len(todo), func(i int) {
		c := todo[i]
		d := w.deleteObject(c)
		w.addDiags(d)
	})
	return diags
}

func (w *walker) deleteObject(c *plan.ResourceChange) hcl.Diagnostics {
	deposed := c.DeposedKey
	if c.Action == plan.CreateThenDelete {
		w.mu.Lock()
		deposed = w.cbdDeposed[c.Addr.String()]
		w.mu.Unlock()
		if deposed == "" {
			return nil // the create failed; the old object stays current
		}
	}
	if c.Action == plan.Forget {
		w.commit(c.Addr, "", nil, c.Provider)
		return nil
	}
	prov, _, provDiags := w.providerForChange(c)
	if provDiags.HasErrors() {
		return provDiags
	}
	start := time.Now()
	w.hooks.PreApply(c.Addr, deposed, plan.Delete, c.Before)
	var resp plugins.ApplyResourceChangeResponse
	w.call(func(ctx context.Context) {
		resp = prov.ApplyResourceChange(ctx, plugins.ApplyResourceChangeRequest{
			TypeName: c.Addr.Resource.Resource.Type, PriorState: c.Before, PlannedState: cty.NullVal(c.Before.Type()),
			Config: cty.NullVal(c.Before.Type()), PlannedPrivate: c.Private})
	})
	var err error
	if resp.Diagnostics.HasErrors() {
		err = resp.Diagnostics.Err()
	}
	_ = start
	if err != nil {
		w.markFailed(c.Addr)
		w.hooks.PostApply(c.Addr, deposed, plan.Delete, cty.NullVal(c.Before.Type()), err)
		return append(provDiags, w.providerDiags(resp.Diagnostics, nil, hcl.Range{})...)
	}
	w.finishDurably(w.commitAsync(c.Addr, deposed, nil, c.Provider), func(err error) {
		w.hooks.PostApply(c.Addr, deposed, plan.Delete, cty.NullVal(c.Before.Type()), err)
	})
	return append(provDiags, w.providerDiags(resp.Diagnostics, nil, hcl.Range{})...)
}

func (w *walker) markFailed(a addrs.AbsResourceInstance) {
	w.mu.Lock()
	w.failed[a.String()] = true
	w.mu.Unlock()
}

// commit records a finished change in the working state and makes it
// durable through the sink before returning.
func (w *walker) commit(addr addrs.AbsResourceInstance, deposed string, obj *state.Object, provider string) hcl.Diagnostics {
	return w.commitAsync(addr, deposed, obj, provider)()
}

// commitAsync records a finished change in the working state and queues it
// in the sink; the returned function waits until it is durable. Queuing
// happens before the change's value is visible to dependents, so a
// dependent's record can never be durable without this one.
func (w *walker) commitAsync(addr addrs.AbsResourceInstance, deposed string, obj *state.Object, provider string) func() hcl.Diagnostics {
	w.mu.Lock()
	if deposed != "" {
		w.working.SetDeposed(addr, deposed, obj, provider)
	} else {
		w.working.SetCurrent(addr, obj, provider)
		if obj != nil {
			delete(w.working.PendingCreates, addr.String())
		}
	}
	w.mu.Unlock()
	if w.sink == nil {
		return func() hcl.Diagnostics { return nil }
	}
	wait := w.sink.Put(addr, deposed, obj, provider)
	return func() hcl.Diagnostics {
		if err := wait(); err != nil {
			return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Failed to record state",
				Detail: fmt.Sprintf("The change to %s was made but could not be recorded durably: %s", addr, err)}}
		}
		return nil
	}
}

// recordCreating notes, durably, that a create request for addr is about to
// be sent. The note stays in the working state until the object is
// committed, so a create that fails without an answer is looked for by the
// next plan.
func (w *walker) recordCreating(addr addrs.AbsResourceInstance, provider string) hcl.Diagnostics {
	w.mu.Lock()
	w.working.AddPendingCreate(addr.String(), provider)
	w.mu.Unlock()
	cr, ok := w.sink.(CreateRecorder)
	if !ok {
		return nil
	}
	if err := cr.Creating(addr, provider)(); err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Failed to record state",
			Detail: fmt.Sprintf("The create of %s was not started: recording it durably failed: %s", addr, err)}}
	}
	return nil
}

// finishDurably reports a change finished once its record is durable,
// without holding up the change's dependents meanwhile.
//
// One goroutine waits for the records in turn, started when there is
// something to wait for. Records become durable in the order they were
// queued, so by the time one is durable so is every record queued before
// it, and waiting in turn costs no latency; a goroutine per change, as
// many as there are changes between two fsyncs, cost thousands of stacks.
func (w *walker) finishDurably(wait func() hcl.Diagnostics, report func(err error)) {
	w.durable.Add(1)
	w.durableMu.Lock()
	w.durableQueue = append(w.durableQueue, durableReport{wait, report})
	start := !w.durableRunning
	w.durableRunning = true
	w.durableMu.Unlock()
	if start {
		go w.reportDurable()
	}
}

type durableReport struct {
	wait   func() hcl.Diagnostics
	report func(err error)
}

func (w *walker) reportDurable() {
	for {
		w.durableMu.Lock()
		q := w.durableQueue
		w.durableQueue = nil
		if len(q) == 0 {
			w.durableRunning = false
			w.durableMu.Unlock()
			return
		}
		w.durableMu.Unlock()
		for _, r := range q {
			d := r.wait()
			w.addDiags(d)
			r.report(diagsErr(d))
			w.durable.Done()
		}
	}
}

// applyResource applies the creates and updates of one resource in every
// module instance and publishes the values dependents see.
func (w *walker) applyResource(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	r := n.res
	pa := w.dg.resourceProviders[resourceKey(n.cfg, r.Key())]
	mode := resourceMode(r)
	schema, err := w.provs.resourceSchema(w.ctx, pa.Source, mode, r.Type)
	if err != nil {
		return hcl.Diagnostics{schemaDiag(err, "Invalid resource type", r.TypeRange.Ptr())}
	}
	res := addrs.Resource{Mode: mode, Type: r.Type, Name: r.Name}
	// The instances of every module instance go at once: a module called
	// with for_each for twenty municipalities applies its twenty routers
	// side by side, not one municipality after the other.
	type job struct {
		addr addrs.AbsResourceInstance
		sc   scope
		c    *plan.ResourceChange
		rv   *resourceValues
	}
	var jobs []job
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
		byKey := map[string]*plan.ResourceChange{}
		for _, c := range w.byRes[abs.String()] {
			if c.DeposedKey == "" {
				byKey[c.Addr.String()] = c
			}
		}
		for i, k := range keys {
			addr := abs.Instance(k)
			jobs = append(jobs, job{addr: addr, sc: scope{cfg: n.cfg, mi: mi.Addr, rep: reps[i]}, c: byKey[addr.String()], rv: rv})
		}
	}
	w.forEachParallel(len(jobs), func(i int) {
		j := jobs[i]
		var d hcl.Diagnostics
		switch {
		case j.c == nil || j.c.Action == plan.NoOp || j.c.Action == plan.Delete || j.c.Action == plan.Forget:
			d = w.publishPrior(j.addr, j.c, schema, j.rv)
		case j.c.Action == plan.Read:
			d = w.applyRead(n, j.addr, j.sc, j.c, schema, pa, j.rv)
		default:
			d = w.applyChange(n, j.addr, j.sc, j.c, schema, pa, j.rv)
		}
		w.addDiags(d)
	})
	return diags
}

// publishPrior makes an unchanged object's value visible to dependents.
func (w *walker) publishPrior(addr addrs.AbsResourceInstance, c *plan.ResourceChange, schema *plugins.Schema, rv *resourceValues) hcl.Diagnostics {
	if c != nil && c.Action == plan.NoOp {
		rv.set(addr.Resource.Key, markSensitive(c.After, c.AfterSensitive))
		return nil
	}
	w.mu.Lock()
	inst := w.working.Instance(addr)
	w.mu.Unlock()
	if inst == nil || inst.Current == nil {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return nil
	}
	v, err := w.provs.decodeObject(schema, inst.Current)
	if err != nil {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return nil
	}
	rv.set(addr.Resource.Key, markSensitive(v, inst.Current.SensitivePaths))
	return nil
}

func (w *walker) applyRead(n *node, addr addrs.AbsResourceInstance, sc scope, c *plan.ResourceChange, schema *plugins.Schema, pa providerAddr, rv *resourceValues) hcl.Diagnostics {
	prov, diags := w.provider(pa)
	if diags.HasErrors() {
		return diags
	}
	cfgVal, d := w.ev.evalBody(sc, n.res.Config, schema.Block)
	diags = append(diags, d...)
	if d.HasErrors() {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return diags
	}
	cfgVal, cfgSens := unmarkSensitive(cfgVal)
	var resp plugins.ReadDataSourceResponse
	w.call(func(ctx context.Context) {
		resp = prov.ReadDataSource(ctx, plugins.ReadDataSourceRequest{TypeName: n.res.Type, Config: cfgVal})
	})
	diags = append(diags, w.providerDiags(resp.Diagnostics, n.res.Config, n.res.DeclRange)...)
	if resp.Diagnostics.HasErrors() {
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return diags
	}
	sens := mergePaths(schema.Block.SensitivePaths(resp.State, nil), cfgSens)
	if obj, err := w.provs.encodeObject(schema, resp.State, sens); err == nil {
		w.mu.Lock()
		w.working.SetCurrent(addr, obj, pa.String())
		w.mu.Unlock()
	}
	rv.set(addr.Resource.Key, markSensitive(resp.State, sens))
	return diags
}

func newDeposedKey() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// applyChange makes one create, update or replacement real.
func (w *walker) applyChange(n *node, addr addrs.AbsResourceInstance, sc scope, c *plan.ResourceChange, schema *plugins.Schema, pa providerAddr, rv *resourceValues) hcl.Diagnostics {
	r := n.res
	for _, dep := range c.Dependencies {
		w.mu.Lock()
		failed := false
		for a := range w.failed {
			if strings.HasPrefix(a, dep.String()) {
				failed = true
				break
			}
		}
		w.mu.Unlock()
		if failed {
			rv.set(addr.Resource.Key, cty.DynamicVal)
			return nil
		}
	}
	prov, diags := w.provider(pa)
	if diags.HasErrors() {
		return diags
	}
	cfgVal, d := w.ev.evalBody(sc, r.Config, schema.Block)
	diags = append(diags, d...)
	if d.HasErrors() {
		w.markFailed(addr)
		rv.set(addr.Resource.Key, cty.DynamicVal)
		return diags
	}
	cfgVal, cfgSens := unmarkSensitive(cfgVal)
	prior := c.Before
	if c.Action != plan.Update {
		prior = cty.NullVal(w.provs.block(schema.Block).ty)
	}
	planned := c.After
	if !planned.IsWhollyKnown() {
		var ignore []cty.Path
		ignoreAll := false
		if m := r.Managed; m != nil {
			ignoreAll = m.IgnoreAllChanges
			for _, t := range m.IgnoreChanges {
				ignore = append(ignore, traversalToPath(t))
			}
		}
		proposed := proposedNew(schema.Block, prior, applyIgnoreChanges(cfgVal, prior, ignore, ignoreAll))
		var resp plugins.PlanResourceChangeResponse
		w.call(func(ctx context.Context) {
			resp = prov.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{TypeName: r.Type, PriorState: prior,
				ProposedNewState: proposed, Config: cfgVal, PriorPrivate: c.Private})
		})
		diags = append(diags, w.providerDiags(resp.Diagnostics, r.Config, r.DeclRange)...)
		if resp.Diagnostics.HasErrors() {
			w.markFailed(addr)
			rv.set(addr.Resource.Key, cty.DynamicVal)
			return diags
		}
		if bad := conformsToPlan(c.After, resp.PlannedState); len(bad) > 0 {
			w.markFailed(addr)
			rv.set(addr.Resource.Key, cty.DynamicVal)
			return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider produced inconsistent final plan",
				Detail:  fmt.Sprintf("When expanding the plan for %s to include new values learned so far during apply, the provider changed the planned value of %s. The plan was not applied to this resource.", addr, formatPath(bad[0])),
				Subject: r.DeclRange.Ptr()})
		}
		planned = resp.PlannedState
	}
	if c.Action == plan.CreateThenDelete {
		w.mu.Lock()
		inst := w.working.Instance(addr)
		var old *state.Object
		if inst != nil {
			old = inst.Current
		}
		w.mu.Unlock()
		if old != nil {
			dk := newDeposedKey()
			if d := w.commit(addr, dk, old, c.Provider); d.HasErrors() {
				return d
			}
			w.commit(addr, "", nil, c.Provider)
			w.mu.Lock()
			w.cbdDeposed[addr.String()] = dk
			w.mu.Unlock()
		}
	}
	action := c.Action
	if action.IsReplace() {
		action = plan.Create
	}
	w.hooks.PreApply(addr, "", action, prior)
	if prior.IsNull() {
		if d := w.recordCreating(addr, pa.String()); d.HasErrors() {
			w.markFailed(addr)
			rv.set(addr.Resource.Key, cty.DynamicVal)
			w.hooks.PostApply(addr, "", action, cty.NullVal(prior.Type()), d)
			return append(diags, d...)
		}
	}
	var owner *plugins.Owner
	if prior.IsNull() {
		owner = &plugins.Owner{Address: addr.String(), Lineage: w.working.Lineage}
	}
	var resp plugins.ApplyResourceChangeResponse
	w.call(func(ctx context.Context) {
		resp = prov.ApplyResourceChange(ctx, plugins.ApplyResourceChangeRequest{TypeName: r.Type, PriorState: prior,
			PlannedState: planned, Config: cfgVal, PlannedPrivate: c.Private, Owner: owner})
	})
	diags = append(diags, w.providerDiags(resp.Diagnostics, r.Config, r.DeclRange)...)
	newVal := resp.NewState
	var applyErr error
	if resp.Diagnostics.HasErrors() {
		applyErr = resp.Diagnostics.Err()
	} else if newVal == cty.NilVal || newVal.IsNull() || !newVal.IsWhollyKnown() {
		applyErr = fmt.Errorf("provider returned an incomplete object")
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider produced invalid object",
			Detail: fmt.Sprintf("The provider returned a null or partly unknown object for %s after apply.", addr), Subject: r.DeclRange.Ptr()})
	}
	sens := mergePaths(mergePaths(schema.Block.SensitivePaths(newVal, nil), cfgSens), echoedSensitivePaths(cfgVal, cfgSens, newVal))
	if applyErr != nil {
		w.markFailed(addr)
		rv.set(addr.Resource.Key, cty.DynamicVal)
		// An object that exists after a failed create is kept, tainted, so
		// the next plan replaces it instead of forgetting it.
		if newVal != cty.NilVal && !newVal.IsNull() && newVal.IsWhollyKnown() {
			if obj, err := w.provs.encodeObject(schema, newVal, sens); err == nil {
				if c.Action != plan.Update {
					obj.Status = state.ObjectTainted
				}
				obj.Dependencies, obj.CreateBeforeDestroy = c.Dependencies, c.CreateBeforeDestroy
				diags = append(diags, w.commit(addr, "", obj, pa.String())...)
			}
		}
		w.hooks.PostApply(addr, "", action, newVal, applyErr)
		return diags
	}
	obj, err := w.provs.encodeObject(schema, newVal, sens)
	if err != nil {
		w.hooks.PostApply(addr, "", action, newVal, err)
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider produced invalid object", Detail: err.Error()})
	}
	obj.Private, obj.Dependencies, obj.CreateBeforeDestroy = resp.Private, c.Dependencies, c.CreateBeforeDestroy
	// Reported finished only once durable.
	w.finishDurably(w.commitAsync(addr, "", obj, pa.String()), func(err error) {
		w.hooks.PostApply(addr, "", action, newVal, err)
	})
	self := markSensitive(newVal, sens)
	rv.set(addr.Resource.Key, self)
	sc.self = self
	for _, pc := range r.Postconditions {
		diags = append(diags, w.checkRule(sc, pc, "Resource postcondition failed")...)
	}
	return diags
}

func formatPath(p cty.Path) string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			if s.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			} else if s.Key.Type() == cty.Number {
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			}
		}
	}
	return b.String()
}

// applyOutput evaluates an output with applied values; root outputs go to
// state.
func (w *walker) applyOutput(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	o := n.cfg.Module.Outputs[n.name]
	for _, mi := range w.ev.moduleInstances(addrs.Module(n.cfg.Path)) {
		v, d := w.ev.evalExpr(scope{cfg: n.cfg, mi: mi.Addr}, o.Expr, cty.DynamicPseudoType)
		diags = append(diags, d...)
		if o.Sensitive {
			v = v.Mark(sensitiveMark())
		}
		w.ev.setOutput(mi.Addr, n.name, v)
		if !mi.Addr.IsRoot() || d.HasErrors() {
			continue
		}
		uv, _ := unmarkSensitive(v)
		w.mu.Lock()
		if uv.IsWhollyKnown() {
			w.working.Outputs[n.name] = &state.OutputValue{Value: uv, Sensitive: o.Sensitive}
		} else {
			delete(w.working.Outputs, n.name)
		}
		w.mu.Unlock()
	}
	return diags
}

var _ = configs.ManagedResourceMode

func diagsErr(d hcl.Diagnostics) error {
	if d.HasErrors() {
		return d
	}
	return nil
}
