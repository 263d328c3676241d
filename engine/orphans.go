package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// OrphansOptions says whose orphans to look for and what to do with them.
type OrphansOptions struct {
	Config    *configs.Config
	State     *state.State
	Variables map[string]cty.Value
	Providers ProviderFactories
	// Adopt imports each orphan whose address is known, configured and
	// free in state; Delete deletes every orphan. At most one is set.
	Adopt, Delete bool
}

// Orphan is an object in the cloud that carries the state's ownership mark
// but that the state does not hold.
type Orphan struct {
	plugins.OwnedObject
	// Provider is the provider configuration that found it.
	Provider string
	// Resolved is set when Address names a resource instance (not just
	// the hash of one).
	Resolved bool
	// Outcome is "adopted", "deleted", or why neither happened; empty
	// when nothing was asked.
	Outcome string
}

// Orphans lists the objects that carry the state's lineage but that the
// state does not hold: left by a run that crashed or lost an answer, or
// duplicates. It returns the state as changed by adoptions.
func Orphans(ctx context.Context, opts OrphansOptions) ([]Orphan, *state.State, hcl.Diagnostics) {
	st := opts.State.DeepCopy()
	provs := newProviders(opts.Providers)
	defer provs.close()
	w, diags := providerWalker(ctx, opts.Config, opts.Variables, provs)
	if diags.HasErrors() {
		return nil, st, diags
	}

	// Which types each provider configuration manages, in configuration
	// or state, and the IDs state holds per type.
	types := map[string]map[string]bool{}
	pas := map[string]providerAddr{}
	for key, pa := range w.dg.resourceProviders {
		n := w.dg.nodes[key]
		if n == nil || n.res == nil || n.res.Mode != configs.ManagedResourceMode {
			continue
		}
		if types[pa.String()] == nil {
			types[pa.String()] = map[string]bool{}
		}
		types[pa.String()][n.res.Type] = true
		pas[pa.String()] = pa
	}
	held := map[string]map[string]bool{} // type -> id
	candidates := map[string]string{}    // address hash -> address
	st.AllInstances(func(addr addrs.AbsResourceInstance, r *state.Resource, inst *state.Instance) {
		candidates[plugins.OwnerAddressHash(addr.String())] = addr.String()
		for _, obj := range append([]*state.Object{inst.Current}, deposedObjects(inst)...) {
			if obj == nil {
				continue
			}
			var attrs struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(obj.AttrsJSON, &attrs) == nil && attrs.ID != "" {
				if held[addr.Resource.Resource.Type] == nil {
					held[addr.Resource.Resource.Type] = map[string]bool{}
				}
				held[addr.Resource.Resource.Type][attrs.ID] = true
			}
		}
	})
	opts.Config.DeepEach(func(c *configs.Config) {
		for _, r := range c.Module.ManagedResources {
			if r.Count == nil && r.ForEach == nil && len(c.Path) == 0 {
				a := r.Type + "." + r.Name
				candidates[plugins.OwnerAddressHash(a)] = a
			}
		}
	})

	var out []Orphan
	keys := make([]string, 0, len(pas))
	for k := range pas {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		pa := pas[key]
		prov, d := w.provider(pa)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		finder, ok := prov.(plugins.OwnedResourceFinder)
		if !ok {
			continue
		}
		var typeNames []string
		for t := range types[key] {
			typeNames = append(typeNames, t)
		}
		sort.Strings(typeNames)
		resp := finder.ListOwnedResources(ctx, plugins.ListOwnedResourcesRequest{Lineage: st.Lineage, TypeNames: typeNames})
		diags = append(diags, w.providerDiags(resp.Diagnostics, nil, hcl.Range{})...)
		for _, obj := range resp.Objects {
			if held[obj.TypeName][obj.ID] {
				continue
			}
			o := Orphan{OwnedObject: obj, Provider: key}
			if h, ok := strings.CutPrefix(obj.Address, "#"); ok {
				if a, ok := candidates[h]; ok {
					o.Address = a
				}
			}
			_, pd := addrs.ParseAbsResourceInstanceStr(o.Address)
			o.Resolved = !strings.HasPrefix(o.Address, "#") && !pd.HasErrors()
			switch {
			case opts.Adopt:
				o.Outcome, d = adoptOrphan(ctx, w, opts.Config, st, prov, pa, &o)
				diags = append(diags, d...)
			case opts.Delete:
				o.Outcome, d = deleteOrphan(ctx, w, prov, pa, &o)
				diags = append(diags, d...)
			}
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].TypeName != out[j].TypeName {
			return out[i].TypeName < out[j].TypeName
		}
		return out[i].ID < out[j].ID
	})
	return out, st, diags
}

func deposedObjects(inst *state.Instance) []*state.Object {
	out := make([]*state.Object, 0, len(inst.Deposed))
	for _, o := range inst.Deposed {
		out = append(out, o)
	}
	return out
}

func adoptOrphan(ctx context.Context, w *walker, cfg *configs.Config, st *state.State, prov plugins.Provider, pa providerAddr, o *Orphan) (string, hcl.Diagnostics) {
	if !o.Resolved {
		return "not adopted: its address is not known (adopt it with \"nuvola import ADDRESS " + o.ID + "\")", nil
	}
	addr, _ := addrs.ParseAbsResourceInstanceStr(o.Address)
	if inst := st.Instance(addr); inst != nil && inst.Current != nil {
		return "not adopted: " + o.Address + " already holds another object (a duplicate: delete it with -delete)", nil
	}
	c := cfg.Descendant(addr.Module.Module())
	if c == nil || c.Module.ManagedResources[addr.Resource.Resource.String()] == nil {
		return "not adopted: " + o.Address + " is not in the configuration", nil
	}
	schema, err := w.provs.resourceSchema(ctx, pa.Source, addrs.ManagedResourceMode, o.TypeName)
	if err != nil {
		return "", hcl.Diagnostics{schemaDiag(err, "Invalid resource type", nil)}
	}
	obj, d := importObject(ctx, w, prov, schema, o.TypeName, o.ID, addr)
	if d.HasErrors() {
		return "not adopted: the import failed", d
	}
	st.SetCurrent(addr, obj, pa.String())
	delete(st.PendingCreates, o.Address)
	return "adopted", d
}

func deleteOrphan(ctx context.Context, w *walker, prov plugins.Provider, pa providerAddr, o *Orphan) (string, hcl.Diagnostics) {
	schema, err := w.provs.resourceSchema(ctx, pa.Source, addrs.ManagedResourceMode, o.TypeName)
	if err != nil {
		return "", hcl.Diagnostics{schemaDiag(err, "Invalid resource type", nil)}
	}
	addr, _ := addrs.ParseAbsResourceInstanceStr(o.TypeName + ".orphan")
	obj, d := importObject(ctx, w, prov, schema, o.TypeName, o.ID, addr)
	if d.HasErrors() {
		return "not deleted: reading it failed", d
	}
	v, err := w.provs.decodeObject(schema, obj)
	if err != nil {
		return "not deleted", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Provider produced invalid object", Detail: err.Error()}}
	}
	resp := prov.ApplyResourceChange(ctx, plugins.ApplyResourceChangeRequest{TypeName: o.TypeName, PriorState: v,
		PlannedState: cty.NullVal(v.Type()), Config: cty.NullVal(v.Type()), PlannedPrivate: obj.Private})
	if resp.Diagnostics.HasErrors() {
		return "not deleted", w.providerDiags(resp.Diagnostics, nil, hcl.Range{})
	}
	return "deleted", nil
}

// OrphanSummary is one line per orphan, for people.
func OrphanSummary(o Orphan) string {
	s := fmt.Sprintf("%s %s", o.TypeName, o.ID)
	if o.Name != "" {
		s += fmt.Sprintf(" (%s)", o.Name)
	}
	s += " — " + o.Address
	if o.Outcome != "" {
		s += ": " + o.Outcome
	}
	return s
}
