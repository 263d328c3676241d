package engine

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/graph"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
)

func asSkipped(err error, target **graph.SkippedError[string]) bool {
	return errors.As(err, target)
}

// applyMoves renames objects in the (refreshed) prior state as the moved
// blocks say, before anything is planned, so a rename is not a
// delete-and-create.
func (w *walker) applyMoves(root *configs.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	root.DeepEach(func(c *configs.Config) {
		for _, mv := range c.Module.Moved {
			from, d1 := addrs.ParseTarget(mv.From)
			to, d2 := addrs.ParseTarget(mv.To)
			diags = append(diags, d1...)
			diags = append(diags, d2...)
			if d1.HasErrors() || d2.HasErrors() {
				continue
			}
			if (from.Resource == nil) != (to.Resource == nil) {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid \"moved\" addresses",
					Detail: "A module can move only to a module and a resource only to a resource.", Subject: mv.DeclRange.Ptr()})
				continue
			}
			w.moveObjects(c, from, to)
		}
	})
	w.impliedMoves(root)
	return diags
}

// impliedMoves makes the moves OpenTofu implies without a moved block: the
// object of a resource that gains count moves from no key to [0], and the
// [0] object of a resource that loses count (and has no for_each) moves to
// no key. They run after the explicit moves, which win.
func (w *walker) impliedMoves(root *configs.Config) {
	type move struct {
		old, new addrs.AbsResourceInstance
		provider string
	}
	var moves []move
	w.refreshed.AllInstances(func(addr addrs.AbsResourceInstance, r *state.Resource, inst *state.Instance) {
		if addr.Resource.Resource.Mode != addrs.ManagedResourceMode {
			return
		}
		c := root.Descendant(addr.Module.Module())
		if c == nil {
			return
		}
		rc := c.Module.ManagedResources[addr.Resource.Resource.String()]
		if rc == nil {
			return
		}
		to := addr
		switch {
		case rc.Count != nil && addr.Resource.Key == addrs.NoKey:
			to.Resource.Key = addrs.IntKey(0)
		case rc.Count == nil && rc.ForEach == nil && addr.Resource.Key == addrs.IntKey(0):
			to.Resource.Key = addrs.NoKey
		default:
			return
		}
		moves = append(moves, move{old: addr, new: to, provider: r.Provider})
	})
	for _, m := range moves {
		w.moveInstance(m.old, m.new, m.provider)
	}
}

func (w *walker) moveObjects(c *configs.Config, from, to addrs.Target) {
	type move struct {
		old, new addrs.AbsResourceInstance
		res      *state.Resource
	}
	var moves []move
	w.refreshed.AllInstances(func(addr addrs.AbsResourceInstance, r *state.Resource, inst *state.Instance) {
		// The moved block applies within every instance of its module.
		if len(addr.Module) < len(c.Path) {
			return
		}
		for i, name := range c.Path {
			if addr.Module[i].Name != name {
				return
			}
		}
		base := addr.Module[:len(c.Path)]
		rel := addrs.AbsResourceInstance{Module: addr.Module[len(c.Path):], Resource: addr.Resource}
		if !from.Contains(rel) {
			return
		}
		var nrel addrs.AbsResourceInstance
		if from.Resource == nil {
			// module move: replace the prefix.
			nm := append(append(addrs.ModuleInstance{}, to.Module...), rel.Module[len(from.Module):]...)
			nrel = addrs.AbsResourceInstance{Module: nm, Resource: rel.Resource}
		} else {
			key := rel.Resource.Key
			if to.HasKey {
				key = to.Key
			}
			nrel = addrs.AbsResourceInstance{Module: to.Module, Resource: addrs.ResourceInstance{Resource: *to.Resource, Key: key}}
		}
		full := append(append(addrs.ModuleInstance{}, base...), nrel.Module...)
		moves = append(moves, move{old: addr, new: addrs.AbsResourceInstance{Module: full, Resource: nrel.Resource}, res: r})
	})
	for _, m := range moves {
		w.moveInstance(m.old, m.new, m.res.Provider)
	}
}

// moveInstance moves the objects of one instance to a new address in the
// refreshed state and records where they came from.
func (w *walker) moveInstance(old, new addrs.AbsResourceInstance, provider string) {
	if w.refreshed.Instance(new) != nil {
		return // the destination exists: OpenTofu keeps both, and so do we
	}
	inst := w.refreshed.Instance(old)
	if inst == nil {
		return
	}
	cur, dep := inst.Current, inst.Deposed
	w.refreshed.SetCurrent(old, nil, "")
	for k := range dep {
		w.refreshed.SetDeposed(old, k, nil, "")
	}
	if cur != nil {
		w.refreshed.SetCurrent(new, cur, provider)
	}
	for k, o := range dep {
		w.refreshed.SetDeposed(new, k, o, provider)
	}
	if w.moved == nil {
		w.moved = map[string]addrs.AbsResourceInstance{}
	}
	w.moved[new.String()] = old
}

// removedForget reports whether a removed block with destroy = false covers
// the address: the object leaves state but stays in the cloud.
func removedForget(root *configs.Config, addr addrs.AbsResourceInstance) bool {
	forget := false
	root.DeepEach(func(c *configs.Config) {
		for _, rm := range c.Module.Removed {
			if rm.Destroy {
				continue
			}
			t, d := addrs.ParseTarget(rm.From)
			if d.HasErrors() {
				continue
			}
			if len(addr.Module) < len(c.Path) {
				continue
			}
			match := true
			for i, name := range c.Path {
				if addr.Module[i].Name != name {
					match = false
				}
			}
			if !match {
				continue
			}
			rel := addrs.AbsResourceInstance{Module: addr.Module[len(c.Path):], Resource: addr.Resource}
			// removed blocks name resources or modules without keys.
			if t.Resource == nil {
				if len(rel.Module) >= len(t.Module) {
					ok := true
					for i, s := range t.Module {
						if rel.Module[i].Name != s.Name {
							ok = false
						}
					}
					if ok {
						forget = true
					}
				}
				continue
			}
			if len(rel.Module) == len(t.Module) && rel.Resource.Resource == *t.Resource {
				ok := true
				for i, s := range t.Module {
					if rel.Module[i].Name != s.Name {
						ok = false
					}
				}
				if ok {
					forget = true
				}
			}
		}
	})
	return forget
}

var _ = fmt.Sprintf
