package engine

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// ImportOptions says what `nuvola import ADDR ID` adopts.
type ImportOptions struct {
	Config    *configs.Config
	State     *state.State
	Addr      addrs.AbsResourceInstance
	ID        string
	Variables map[string]cty.Value
	Providers ProviderFactories
}

// Import adopts an existing remote object into state at an address the
// configuration declares.
func Import(ctx context.Context, opts ImportOptions) (*state.State, hcl.Diagnostics) {
	st := opts.State.DeepCopy()
	if st.Instance(opts.Addr) != nil && st.Instance(opts.Addr).Current != nil {
		return st, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Resource already managed by nuvola",
			Detail: fmt.Sprintf("nuvola is already managing a remote object for %s. To import to this address you must first remove the existing object from the state.", opts.Addr)}}
	}
	c := opts.Config.Descendant(opts.Addr.Module.Module())
	var rc *configs.Resource
	if c != nil {
		rc = c.Module.ManagedResources[opts.Addr.Resource.Resource.String()]
	}
	if rc == nil {
		return st, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Configuration for import target does not exist",
			Detail: fmt.Sprintf("The configuration does not contain %s. Before importing this resource, please create its configuration, for example:\n\nresource %q %q {\n  # (resource arguments)\n}", opts.Addr.ContainingResource(), opts.Addr.Resource.Resource.Type, opts.Addr.Resource.Resource.Name)}}
	}
	provs := newProviders(opts.Providers)
	defer provs.close()
	w, diags := providerWalker(ctx, opts.Config, opts.Variables, provs)
	if diags.HasErrors() {
		return st, diags
	}
	dg := w.dg
	pa := dg.resourceProviders[resourceKey(c, rc.Key())]
	prov, d := w.provider(pa)
	diags = append(diags, d...)
	if d.HasErrors() {
		return st, diags
	}
	schema, err := provs.resourceSchema(ctx, pa.Source, addrs.ManagedResourceMode, rc.Type)
	if err != nil {
		return st, append(diags, schemaDiag(err, "Invalid resource type", nil))
	}
	obj, d := importObject(ctx, w, prov, schema, rc.Type, opts.ID, opts.Addr)
	diags = append(diags, d...)
	if d.HasErrors() {
		return st, diags
	}
	// Record the dependencies the configuration gives the object, so that a
	// destroy right after the import deletes dependents first.
	if n := dg.nodes[resourceKey(c, rc.Key())]; n != nil {
		obj.Dependencies = w.dependencies(n, opts.Addr.Module)
	}
	st.SetCurrent(opts.Addr, obj, pa.String())
	return st, diags
}

// providerWalker evaluates what provider configurations need (variables,
// locals, module calls) without planning any resource, for the commands
// that talk to providers outside a plan.
func providerWalker(ctx context.Context, cfg *configs.Config, vars map[string]cty.Value, provs *providers) (*walker, hcl.Diagnostics) {
	dg, diags := buildGraph(ctx, cfg, provs)
	if diags.HasErrors() {
		return nil, diags
	}
	w := &walker{ctx: ctx, ev: newEvaluator(cfg, true, provs), provs: provs, dg: dg, sem: make(chan struct{}, 1), fanout: make(chan struct{}, 4), hooks: NoHooks{}}
	g := dg.g.Subgraph(func(k string) bool {
		n := dg.nodes[k]
		return n.kind == kVar || n.kind == kLocal || n.kind == kModule || n.kind == kProvider
	})
	errs := g.Walk(ctx, 4, func(ctx context.Context, key string) error {
		_, d := w.visitCommon(dg.nodes[key], vars)
		w.addDiags(d)
		if d.HasErrors() {
			return errNodeFailed
		}
		return nil
	})
	diags = append(diags, w.diags...)
	diags = append(diags, walkErrors(dg, errs)...)
	return w, diags
}

// importObject asks the provider for the object with the given ID and reads
// it, as OpenTofu does.
func importObject(ctx context.Context, w *walker, prov plugins.Provider, schema *plugins.Schema, typ, id string, addr addrs.AbsResourceInstance) (*state.Object, hcl.Diagnostics) {
	resp := prov.ImportResourceState(ctx, plugins.ImportResourceStateRequest{TypeName: typ, ID: id})
	diags := w.providerDiags(resp.Diagnostics, nil, hcl.Range{})
	if resp.Diagnostics.HasErrors() {
		return nil, diags
	}
	if len(resp.Imported) != 1 {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Import returned an unexpected number of objects",
			Detail: fmt.Sprintf("Importing %q into %s returned %d objects; exactly one is needed.", id, addr, len(resp.Imported))})
	}
	imp := resp.Imported[0]
	rr := prov.ReadResource(ctx, plugins.ReadResourceRequest{TypeName: typ, PriorState: imp.State, Private: imp.Private})
	diags = append(diags, w.providerDiags(rr.Diagnostics, nil, hcl.Range{})...)
	if rr.Diagnostics.HasErrors() {
		return nil, diags
	}
	if rr.NewState.IsNull() {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot import non-existent remote object",
			Detail: fmt.Sprintf("While attempting to import an existing object to %q, the provider detected that no object exists with the given id. Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"nuvola apply\" to create a new remote object for this resource.", addr)})
	}
	obj, err := w.provs.encodeObject(schema, rr.NewState, schema.Block.SensitivePaths(rr.NewState, nil))
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider produced invalid object", Detail: err.Error()})
	}
	obj.Private = rr.Private
	return obj, diags
}

// importTarget finds an import block for an address and evaluates its ID.
func (w *walker) importTarget(n *node, addr addrs.AbsResourceInstance, sc scope) (string, bool, hcl.Diagnostics) {
	for _, imp := range n.cfg.Module.Imports {
		isc := scope{cfg: sc.cfg, mi: sc.mi}
		if imp.ForEach != nil {
			rep, ok, diags := w.importForEachMatch(imp, addr, isc)
			if diags.HasErrors() {
				return "", false, diags
			}
			if !ok {
				continue
			}
			isc.rep = rep
		} else {
			if imp.To == nil {
				continue
			}
			t, d := addrs.ParseTarget(imp.To)
			if d.HasErrors() || !importTargetMatches(t, addr, sc.mi) {
				continue
			}
		}
		v, diags := w.ev.evalExpr(isc, imp.ID, cty.String)
		if diags.HasErrors() {
			return "", false, diags
		}
		v, _ = v.Unmark()
		if !v.IsKnown() || v.IsNull() {
			return "", false, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid import id argument",
				Detail: "The import block \"id\" argument depends on resource attributes that cannot be determined until apply, or is null.", Subject: imp.ID.Range().Ptr()})
		}
		return v.AsString(), true, diags
	}
	return "", false, nil
}

func importTargetMatches(t addrs.Target, addr addrs.AbsResourceInstance, mi addrs.ModuleInstance) bool {
	if t.Resource == nil {
		return false
	}
	full := addrs.Target{Module: append(append(addrs.ModuleInstance{}, mi...), t.Module...), Resource: t.Resource, Key: t.Key, HasKey: t.HasKey}
	return full.Contains(addr) && (t.HasKey || addr.Resource.Key == addrs.NoKey)
}

// importForEachKey names the expansion of one import block with for_each in
// one module instance.
type importForEachKey struct {
	imp *configs.Import
	mi  string
}

// importForEachMatch finds the element of an import block's for_each whose
// target is addr. The block is expanded once per module instance, so
// matching every instance of a resource stays linear.
func (w *walker) importForEachMatch(imp *configs.Import, addr addrs.AbsResourceInstance, sc scope) (repetition, bool, hcl.Diagnostics) {
	key := importForEachKey{imp: imp, mi: sc.mi.String()}
	w.mu.Lock()
	targets, done := w.importTargets[key]
	w.mu.Unlock()
	var diags hcl.Diagnostics
	if !done {
		targets = map[string]repetition{}
		keys, reps, d := w.expand(sc, nil, imp.ForEach)
		diags = append(diags, d...)
		for i := range keys {
			trav, d := addressTraversal(imp.ToExpr, reps[i])
			diags = append(diags, d...)
			if d.HasErrors() {
				continue
			}
			t, d := addrs.ParseTarget(trav)
			diags = append(diags, d...)
			if d.HasErrors() || t.Resource == nil {
				continue
			}
			full := addrs.Target{Module: append(append(addrs.ModuleInstance{}, sc.mi...), t.Module...), Resource: t.Resource, Key: t.Key, HasKey: t.HasKey}
			inst := addrs.AbsResourceInstance{Module: full.Module, Resource: addrs.ResourceInstance{Resource: *full.Resource, Key: full.Key}}
			targets[inst.String()] = reps[i]
		}
		w.mu.Lock()
		if w.importTargets == nil {
			w.importTargets = map[importForEachKey]map[string]repetition{}
		}
		if _, raced := w.importTargets[key]; raced {
			diags = nil // reported by the visit that stored it
		}
		w.importTargets[key] = targets
		w.mu.Unlock()
	}
	rep, ok := targets[addr.String()]
	return rep, ok, diags
}
