package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
)

// policyStillHolds checks a saved plan against the baseline again before it
// is applied: as of now (a waiver may have expired since the plan was
// made) and with the rules of this nuvola.
func (m *meta) policyStillHolds(p *plan.Plan, cfg *configs.Config) bool {
	if m.refusePolicyBlocked(p) {
		return false
	}
	results, diags := engine.CheckPlan(m.ctx, engine.CheckOptions{Plan: p, Config: cfg, Providers: m.factories(), Now: time.Now()})
	if diags.HasErrors() {
		m.showDiags(diags)
		m.refusePolicyBlocked(&plan.Plan{PolicyResults: results})
		return false
	}
	return true
}

var profiles = []string{plugins.ProfileOrdinario, plugins.ProfileCritico, plugins.ProfileStrategico}

func cmdBaseline(m *meta, args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-h") || strings.HasPrefix(args[0], "--h") {
		fmt.Fprint(m.stderr, `Usage: nuvola [global options] baseline <subcommand> [options]

  Security baselines: the rule packs checked against every plan.

Subcommands:
    list     List every rule with its rationale, severity per profile and control
    check    Check a saved plan against the baselines again: nuvola baseline check PLANFILE
`)
		return exitError
	}
	switch args[0] {
	case "list":
		return baselineList(m, args[1:])
	case "check":
		return baselineCheck(m, args[1:])
	}
	m.errorf("Unknown baseline subcommand", "%q is not a baseline subcommand: use list or check.", args[0])
	return exitError
}

func baselineList(m *meta, args []string) int {
	fs := m.flags("baseline list")
	jsonOut := fs.Bool("json", false, "")
	if !m.parse(fs, args) {
		return exitError
	}
	f, ok := m.factories()[configs.BaselineProviderSource]
	if !ok {
		m.errorf("No baseline provider", "This nuvola has no built-in baseline provider.")
		return exitError
	}
	prov, err := f()
	if err != nil {
		m.errorf("Failed to start the baseline provider", "%s", err)
		return exitError
	}
	defer prov.Close()
	pc, ok := prov.(plugins.PolicyChecker)
	if !ok {
		m.errorf("Baseline provider cannot check plans", "The provider %s does not implement the policy protocol.", configs.BaselineProviderSource)
		return exitError
	}
	resp := pc.GetPolicyRules(m.ctx)
	if resp.Diagnostics.HasErrors() {
		m.errorf("Failed to list the baseline rules", "%s", resp.Diagnostics.Err())
		return exitError
	}
	rules := resp.Rules
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	if *jsonOut {
		type jsonRule struct {
			ID        string            `json:"id"`
			Pack      string            `json:"pack"`
			Title     string            `json:"title"`
			Rationale string            `json:"rationale"`
			Control   string            `json:"control"`
			Severity  map[string]string `json:"severity"`
		}
		out := make([]jsonRule, 0, len(rules))
		for _, r := range rules {
			out = append(out, jsonRule{r.ID, r.Pack, r.Title, r.Rationale, r.Control, r.Severity})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		m.stdout.Write(append(b, '\n'))
		return exitOK
	}
	tw := tabwriter.NewWriter(m.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tPACK\tORDINARIO\tCRITICO\tSTRATEGICO\tTITLE")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Pack, r.Severity[profiles[0]], r.Severity[profiles[1]], r.Severity[profiles[2]], r.Title)
	}
	tw.Flush()
	for _, r := range rules {
		fmt.Fprintf(m.stdout, "\n%s  %s\n  %s\n  control: %s\n", r.ID, r.Title, r.Rationale, r.Control)
	}
	return exitOK
}

func baselineCheck(m *meta, args []string) int {
	fs := m.flags("baseline check")
	jsonOut := fs.Bool("json", false, "")
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 {
		m.errorf("Missing plan file", "Usage: nuvola baseline check [-json] PLANFILE")
		return exitError
	}
	p, err := readPlanFile(fs.Arg(0))
	if err != nil {
		m.errorf("Failed to load the saved plan", "%s: %s", fs.Arg(0), err)
		return exitError
	}
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.showDiags(diags)
		return exitError
	}
	if changed := configChanged(p.Config, m.snapshot(cfg)); changed != "" {
		m.errorf("Configuration changed since the plan was made",
			"The file %s differs from the one the saved plan was made from; the check must see the configuration the plan was made from.", changed)
		return exitError
	}
	results, diags := engine.CheckPlan(m.ctx, engine.CheckOptions{Plan: p, Config: cfg, Providers: m.factories(), Now: time.Now()})
	if *jsonOut {
		checked := &plan.Plan{PolicyResults: results}
		out, err := plan.MarshalPolicyResultsJSON(checked)
		if err != nil {
			m.errorf("Failed to render the results", "%s", err)
			return exitError
		}
		m.stdout.Write(append(out, '\n'))
	} else {
		m.showDiags(diags)
		blocking := 0
		for _, r := range results {
			if r.Blocking() {
				blocking++
			}
		}
		if !diags.HasErrors() {
			fmt.Fprintf(m.stdout, "The plan passes its baselines: %d finding(s), none blocking.\n", len(results))
		} else {
			fmt.Fprintf(m.stdout, "The plan does not pass its baselines: %d blocking finding(s).\n", blocking)
		}
	}
	if diags.HasErrors() {
		return exitError
	}
	return exitOK
}
