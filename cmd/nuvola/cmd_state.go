package main

import (
	"fmt"
	"strings"

	"github.com/nuvola-pa/nuvola/cmd/nuvola/internal/views"
	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/audit"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/zclconf/go-cty/cty"
)

func cmdState(m *meta, args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(m.stderr, "Usage: nuvola state <subcommand> [options] [args]\n\nSubcommands:\n    list    List resources in the state\n    mv      Move an item in the state\n    orphans List (or adopt or delete) objects that carry this state's mark but are not in it\n    rm      Remove instances from the state\n    show    Show a resource in the state\n")
		return exitError
	}
	switch args[0] {
	case "list":
		return stateList(m, args[1:])
	case "show":
		return stateShow(m, args[1:])
	case "rm":
		return stateRm(m, args[1:])
	case "mv":
		return stateMv(m, args[1:])
	case "orphans":
		return stateOrphans(m, args[1:])
	}
	m.errorf("Unknown state subcommand", "nuvola state has no subcommand %q; use list, show, mv, rm or orphans.", args[0])
	return exitError
}

func (m *meta) openStateReadOnly() (*state.State, bool) {
	b, bd := m.backend(loadConfigQuiet())
	if bd.HasErrors() {
		m.showDiags(bd)
		return nil, false
	}
	return m.loadState(b)
}

func stateList(m *meta, args []string) int {
	fs := m.flags("state list")
	fs.StringVar(&m.stateFlag, "state", "", "")
	id := fs.String("id", "", "")
	if !m.parse(fs, args) {
		return exitError
	}
	st, ok := m.openStateReadOnly()
	if !ok {
		return exitError
	}
	targets, ok := parseTargets(m, fs.Args())
	if !ok {
		return exitError
	}
	st.AllInstances(func(addr addrs.AbsResourceInstance, r *state.Resource, inst *state.Instance) {
		if inst.Current == nil {
			return
		}
		if len(targets) > 0 {
			match := false
			for _, t := range targets {
				if t.Contains(addr) {
					match = true
				}
			}
			if !match {
				return
			}
		}
		if *id != "" && !strings.Contains(string(inst.Current.AttrsJSON), fmt.Sprintf("%q:%q", "id", *id)) {
			return
		}
		fmt.Fprintln(m.stdout, addr.String())
	})
	return exitOK
}

func stateShow(m *meta, args []string) int {
	fs := m.flags("state show")
	fs.StringVar(&m.stateFlag, "state", "", "")
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 {
		m.errorf("Exactly one argument expected", "Usage: nuvola state show [options] ADDRESS")
		return exitError
	}
	addr, diags := addrs.ParseAbsResourceInstanceStr(fs.Arg(0))
	if diags.HasErrors() {
		m.showDiags(diags)
		return exitError
	}
	st, ok := m.openStateReadOnly()
	if !ok {
		return exitError
	}
	inst := st.Instance(addr)
	if inst == nil || inst.Current == nil {
		m.errorf("No instance found for the given address", "This command requires that the address references one specific instance; %s is not in the state.", addr)
		return exitError
	}
	one := state.New()
	r := st.Resource(addr.ContainingResource())
	one.SetCurrent(addr, inst.Current, r.Provider)
	sc := engine.NewSchemaCache(m.factories())
	defer sc.Close()
	_ = views.RenderState(m.stdout, one, stateDecoder(sc), sc, m.viewOpts())
	return exitOK
}

// mutateState runs fn on the locked state, persists the result and records
// it in the audit log; fn adds the resources it changed to a's record.
func (m *meta) mutateState(op, command string, fn func(st *state.State, a *auditRun) bool) int {
	b, bd := m.backend(loadConfigQuiet())
	if bd.HasErrors() {
		m.showDiags(bd)
		return exitError
	}
	unlock, ok := m.lockState(b, op)
	if !ok {
		return exitError
	}
	defer unlock()
	st, ok := m.loadState(b)
	if !ok {
		return exitError
	}
	a, ok := m.startAudit(b, command)
	if !ok {
		return exitError
	}
	if !fn(st, a) {
		return exitError
	}
	if err := b.Persist(st); err != nil {
		m.errorf("Failed to persist state", "%s", err)
		return exitError
	}
	if !a.finish(nil) {
		return exitError
	}
	return exitOK
}

func stateRm(m *meta, args []string) int {
	fs := m.flags("state rm")
	m.stateFlags(fs)
	dryRun := fs.Bool("dry-run", false, "")
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() == 0 {
		m.errorf("At least one address is required", "Usage: nuvola state rm [options] ADDRESS...")
		return exitError
	}
	targets, ok := parseTargets(m, fs.Args())
	if !ok {
		return exitError
	}
	return m.mutateState("OperationTypeInvalid", "state rm", func(st *state.State, ar *auditRun) bool {
		var hits []addrs.AbsResourceInstance
		st.AllInstances(func(addr addrs.AbsResourceInstance, _ *state.Resource, _ *state.Instance) {
			for _, t := range targets {
				if t.Contains(addr) {
					hits = append(hits, addr)
					return
				}
			}
		})
		if len(hits) == 0 {
			m.errorf("Invalid target address", "No matching objects found. To view the available instances, use \"nuvola state list\".")
			return false
		}
		for _, a := range hits {
			if *dryRun {
				fmt.Fprintf(m.stdout, "Would remove %s\n", a)
				continue
			}
			ar.rec.Resources = append(ar.rec.Resources, stateResource(st, a, "state-rm"))
			inst := st.Instance(a)
			for k := range inst.Deposed {
				st.SetDeposed(a, k, nil, "")
			}
			st.SetCurrent(a, nil, "")
			fmt.Fprintf(m.stdout, "Removed %s\n", a)
		}
		if *dryRun {
			return false
		}
		fmt.Fprintf(m.stdout, "Successfully removed %d resource instance(s).\n", len(hits))
		return true
	})
}

func stateMv(m *meta, args []string) int {
	fs := m.flags("state mv")
	m.stateFlags(fs)
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 2 {
		m.errorf("Exactly two arguments expected", "Usage: nuvola state mv [options] SOURCE DESTINATION")
		return exitError
	}
	src, d1 := addrs.ParseTargetStr(fs.Arg(0))
	dst, d2 := addrs.ParseTargetStr(fs.Arg(1))
	if d1.HasErrors() || d2.HasErrors() {
		m.showDiags(append(d1, d2...))
		return exitError
	}
	return m.mutateState("OperationTypeInvalid", "state mv", func(st *state.State, ar *auditRun) bool {
		type mv struct{ from, to addrs.AbsResourceInstance }
		var moves []mv
		var provs []string
		st.AllInstances(func(addr addrs.AbsResourceInstance, r *state.Resource, _ *state.Instance) {
			if !src.Contains(addr) {
				return
			}
			to := addr
			switch {
			case src.Resource == nil:
				if dst.Resource != nil {
					return
				}
				to.Module = append(append(addrs.ModuleInstance{}, dst.Module...), addr.Module[len(src.Module):]...)
			default:
				if dst.Resource == nil {
					to.Module = dst.Module
				} else {
					to.Module = dst.Module
					to.Resource.Resource = *dst.Resource
					if dst.HasKey {
						to.Resource.Key = dst.Key
					}
				}
			}
			moves = append(moves, mv{addr, to})
			provs = append(provs, r.Provider)
		})
		if len(moves) == 0 {
			m.errorf("Invalid source address", "Cannot move %s: it does not match anything in the current state.", src)
			return false
		}
		for i, x := range moves {
			if st.Instance(x.to) != nil {
				m.errorf("Invalid target address", "Cannot move to %s: there is already a resource instance at that address in the current state.", x.to)
				return false
			}
			moved := stateResource(st, x.from, "state-mv")
			moved.To = x.to.String()
			ar.rec.Resources = append(ar.rec.Resources, moved)
			inst := st.Instance(x.from)
			cur, dep := inst.Current, inst.Deposed
			for k := range dep {
				st.SetDeposed(x.from, k, nil, "")
			}
			st.SetCurrent(x.from, nil, "")
			if cur != nil {
				st.SetCurrent(x.to, cur, provs[i])
			}
			for k, o := range dep {
				st.SetDeposed(x.to, k, o, provs[i])
			}
			fmt.Fprintf(m.stdout, "Move %q to %q\n", x.from.String(), x.to.String())
		}
		fmt.Fprintf(m.stdout, "Successfully moved %d object(s).\n", len(moves))
		return true
	})
}

func cmdImport(m *meta, args []string) int {
	fs := m.flags("import")
	m.varFlags(fs)
	m.stateFlags(fs)
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 2 {
		m.errorf("Wrong number of arguments", "The import command expects two arguments: ADDRESS ID.")
		return exitError
	}
	addr, diags := addrs.ParseAbsResourceInstanceStr(fs.Arg(0))
	if diags.HasErrors() {
		m.showDiags(diags)
		return exitError
	}
	w, ok := m.openLocked("OperationTypeImport")
	if !ok {
		return exitError
	}
	defer w.unlock()
	cfg, vars, b, st := w.cfg, w.vars, w.b, w.st
	a, ok := m.startAudit(b, "import")
	if !ok {
		return exitError
	}
	fmt.Fprintf(m.stdout, "%s: Importing from ID %q...\n", addr, fs.Arg(1))
	ns, d := engine.Import(m.ctx, engine.ImportOptions{Config: cfg, State: st, Addr: addr, ID: fs.Arg(1), Variables: vars, Providers: m.factories()})
	if d.HasErrors() {
		m.showDiags(d)
		return exitError
	}
	ns.Lineage, ns.Serial = st.Lineage, st.Serial
	if err := b.Persist(ns); err != nil {
		m.errorf("Failed to persist state", "%s", err)
		return exitError
	}
	a.rec.Resources = []audit.Resource{stateResource(ns, addr, "import")}
	if !a.finish(d) {
		return exitError
	}
	m.showDiags(d)
	fmt.Fprintf(m.stdout, "%s: Import prepared!\n%s: Refreshing state...\n\nImport successful!\n\nThe resources that were imported are shown above. These resources are now in\nyour nuvola state and will henceforth be managed by nuvola.\n", addr, addr)
	return exitOK
}

// lockedWork is what a command that changes state outside a plan works on:
// the configuration, its variables, and the state, locked.
type lockedWork struct {
	cfg    *configs.Config
	vars   map[string]cty.Value
	b      *state.Local
	st     *state.State
	unlock func()
}

// openLocked loads the configuration and its variables, then locks and
// loads the state; unlock must be called when ok.
func (m *meta) openLocked(op string) (lockedWork, bool) {
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.showDiags(diags)
		return lockedWork{}, false
	}
	if !m.checkProviders() {
		return lockedWork{}, false
	}
	vars, vd := m.variables(cfg)
	if vd.HasErrors() {
		m.showDiags(vd)
		return lockedWork{}, false
	}
	b, bd := m.backend(cfg)
	if bd.HasErrors() {
		m.showDiags(bd)
		return lockedWork{}, false
	}
	unlock, ok := m.lockState(b, op)
	if !ok {
		return lockedWork{}, false
	}
	st, ok := m.loadState(b)
	if !ok {
		unlock()
		return lockedWork{}, false
	}
	return lockedWork{cfg: cfg, vars: vars, b: b, st: st, unlock: unlock}, true
}
