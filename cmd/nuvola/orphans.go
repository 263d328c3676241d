package main

import (
	"encoding/json"
	"fmt"

	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/audit"
)

// stateOrphans lists, and on request adopts or deletes, the objects in the
// cloud that carry this state's ownership mark but that the state does not
// hold.
func stateOrphans(m *meta, args []string) int {
	fs := m.flags("state orphans")
	m.varFlags(fs)
	m.stateFlags(fs)
	adopt := fs.Bool("adopt", false, "")
	del := fs.Bool("delete", false, "")
	jsonOut := fs.Bool("json", false, "")
	if !m.parse(fs, args) {
		return exitError
	}
	if *adopt && *del {
		m.errorf("Conflicting options", "Use -adopt or -delete, not both.")
		return exitError
	}
	if fs.NArg() != 0 {
		m.errorf("Too many command line arguments", "Usage: nuvola state orphans [-adopt | -delete] [-json]")
		return exitError
	}
	w, ok := m.openLocked("OperationTypeInvalid")
	if !ok {
		return exitError
	}
	defer w.unlock()
	cfg, vars, b, st := w.cfg, w.vars, w.b, w.st
	var a *auditRun
	if *adopt || *del {
		if a, ok = m.startAudit(b, "state orphans"); !ok {
			return exitError
		}
	}
	orphans, ns, d := engine.Orphans(m.ctx, engine.OrphansOptions{Config: cfg, State: st, Variables: vars, Providers: m.factories(), Adopt: *adopt, Delete: *del})
	adopted := 0
	for _, o := range orphans {
		if o.Outcome == "adopted" {
			adopted++
		}
	}
	if adopted > 0 {
		ns.Lineage, ns.Serial = st.Lineage, st.Serial
		if err := b.Persist(ns); err != nil {
			m.errorf("Failed to persist state", "%s", err)
			return exitError
		}
	}
	if a != nil {
		action := "orphan-adopt"
		if *del {
			action = "orphan-delete"
		}
		for _, o := range orphans {
			r := audit.Resource{Addr: o.Address, Action: action, Outcome: audit.OutcomeOK}
			if o.Outcome != "adopted" && o.Outcome != "deleted" {
				r.Outcome, r.Error = audit.OutcomeNotRun, o.TypeName+" "+o.ID+": "+o.Outcome
			}
			a.rec.Resources = append(a.rec.Resources, r)
		}
		if !a.finish(d) {
			return exitError
		}
	}
	if *jsonOut {
		type jsonOrphan struct {
			Type     string `json:"type"`
			ID       string `json:"id"`
			Name     string `json:"name,omitempty"`
			Address  string `json:"address"`
			Resolved bool   `json:"address_known"`
			Provider string `json:"provider"`
			Outcome  string `json:"outcome,omitempty"`
		}
		out := make([]jsonOrphan, 0, len(orphans))
		for _, o := range orphans {
			out = append(out, jsonOrphan{o.TypeName, o.ID, o.Name, o.Address, o.Resolved, o.Provider, o.Outcome})
		}
		data, _ := json.MarshalIndent(out, "", "  ")
		m.stdout.Write(append(data, '\n'))
	} else {
		if len(orphans) == 0 && !d.HasErrors() {
			fmt.Fprintln(m.stdout, "No orphans: every object that carries this state's mark is in the state.")
		}
		for _, o := range orphans {
			fmt.Fprintln(m.stdout, engine.OrphanSummary(o))
		}
	}
	m.showDiags(d)
	if d.HasErrors() {
		return exitError
	}
	return exitOK
}
