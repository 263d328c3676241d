package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/cmd/nuvola/internal/views"
	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/zclconf/go-cty/cty"
)

// opFlags are the flags of plan, apply and destroy.
type opFlags struct {
	out         string
	destroy     bool
	refreshOnly bool
	refresh     bool
	targets     listFlag
	replaces    listFlag
	detailed    bool
	json        bool
	autoApprove bool
	// html is set by plan -html: the report of the plan goes to stdout.
	html htmlFlags
	// requireSignatures and trust are apply's: the plan file must carry
	// that many valid signatures from signers trusted in that directory.
	requireSignatures int
	trust             string
	// applying is set for apply and destroy, which refuse to plan and apply
	// in one go when the configuration requires signed plans.
	applying bool
}

func (m *meta) opFlagSet(name string, o *opFlags) (fsFn func([]string) ([]string, bool)) {
	fs := m.flags(name)
	m.varFlags(fs)
	m.stateFlags(fs)
	fs.StringVar(&o.out, "out", "", "")
	fs.BoolVar(&o.destroy, "destroy", false, "")
	fs.BoolVar(&o.refreshOnly, "refresh-only", false, "")
	fs.BoolVar(&o.refresh, "refresh", true, "")
	fs.Var(&o.targets, "target", "")
	fs.Var(&o.replaces, "replace", "")
	fs.BoolVar(&o.detailed, "detailed-exitcode", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "")
	fs.IntVar(&m.parallelism, "parallelism", 10, "")
	fs.BoolVar(&m.compactWarnings, "compact-warnings", false, "")
	if name == "plan" {
		o.html.register(fs)
	}
	if name == "apply" || name == "destroy" {
		o.applying = true
		fs.IntVar(&o.requireSignatures, "require-signatures", 0, "")
		fs.StringVar(&o.trust, "trust", "", "")
	}
	return func(args []string) ([]string, bool) {
		if !m.parse(fs, args) {
			return nil, false
		}
		if !m.checkHTMLFlags(&o.html, o.json) {
			return nil, false
		}
		if o.requireSignatures < 0 || o.requireSignatures > configs.MaxRequiredSignatures {
			m.errorf("Invalid -require-signatures", "-require-signatures must be a whole number from 0 to %d.", configs.MaxRequiredSignatures)
			return nil, false
		}
		if o.json {
			m.jsonView = views.NewJSONView(m.stdout)
			m.jsonView.Version(engine.Version)
		}
		return fs.Args(), true
	}
}

// makePlan loads everything and plans. The returned unlock must be called.
func (m *meta) makePlan(o *opFlags, mode plan.Mode) (cfg *configs.Config, p *plan.Plan, b *state.Local, st *state.State, unlock func(), ok bool) {
	unlock = func() {}
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.showDiags(diags)
		return nil, nil, nil, nil, unlock, false
	}
	if n := requiredSignatures(o.requireSignatures, cfg); o.applying && n > 0 {
		m.errorf("Signed plan required",
			"This configuration requires plans approved by %d signer(s) before they are applied, so nuvola cannot plan and apply in one step. Save a plan with \"nuvola plan -out=FILE\", have it signed with \"nuvola plan sign\", then run \"nuvola apply FILE\".", n)
		return nil, nil, nil, nil, unlock, false
	}
	if !m.checkProviders() {
		return nil, nil, nil, nil, unlock, false
	}
	m.prestartProviders()
	vars, vd := m.variables(cfg)
	diags = append(diags, vd...)
	if diags.HasErrors() {
		m.showDiags(diags)
		return nil, nil, nil, nil, unlock, false
	}
	targets, tok := parseTargets(m, o.targets)
	if !tok {
		return nil, nil, nil, nil, unlock, false
	}
	var replaces []addrs.AbsResourceInstance
	for _, r := range o.replaces {
		a, d := addrs.ParseAbsResourceInstanceStr(r)
		if d.HasErrors() {
			m.showDiags(d)
			return nil, nil, nil, nil, unlock, false
		}
		replaces = append(replaces, a)
	}
	b, bd := m.backend(cfg)
	diags = append(diags, bd...)
	if bd.HasErrors() {
		m.showDiags(diags)
		return nil, nil, nil, nil, unlock, false
	}
	unlock, lok := m.lockState(b, opName(mode))
	if !lok {
		return nil, nil, nil, nil, func() {}, false
	}
	st, sok := m.loadState(b)
	if !sok {
		return nil, nil, nil, nil, unlock, false
	}
	p, pd := engine.Plan(m.ctx, engine.PlanOptions{
		Config: cfg, Sources: m.snapshot(cfg), PriorState: st, Variables: vars, Mode: mode,
		SkipRefresh: !o.refresh, Targets: targets, ForceReplace: replaces,
		Parallelism: m.parallelism, Providers: m.factories(), Hooks: planHooks{metricsHooks: metricsHooks{m}},
	})
	diags = append(diags, pd...)
	// A plan that only a baseline finding blocks is complete: it is shown
	// and may be saved for review, and the callers refuse to apply it.
	if diags.HasErrors() && (p == nil || p.Errored || !p.PolicyBlocked()) {
		m.showDiags(diags)
		return cfg, p, b, st, unlock, false
	}
	if !o.html.html {
		m.renderPlan(p, mode)
	}
	m.showDiags(diags)
	return cfg, p, b, st, unlock, true
}

// refusePolicyBlocked reports a plan that a baseline finding blocks.
func (m *meta) refusePolicyBlocked(p *plan.Plan) bool {
	if !p.PolicyBlocked() {
		return false
	}
	n := 0
	for _, r := range p.PolicyResults {
		if r.Blocking() {
			n++
		}
	}
	m.errorf("Plan blocked by the baseline",
		"%d baseline finding(s) block this plan (listed above). Fix the configuration, or record an approved waiver for each finding, then plan again.", n)
	return true
}

func opName(mode plan.Mode) string {
	switch mode {
	case plan.DestroyMode:
		return "OperationTypeApply"
	}
	return "OperationTypePlan"
}

func (m *meta) renderPlan(p *plan.Plan, mode plan.Mode) {
	sc := engine.NewSchemaCache(m.factories())
	defer sc.Close()
	if m.jsonView != nil {
		if mode == plan.RefreshOnlyMode {
			// As in OpenTofu: what changed outside nuvola is drift, and a
			// refresh-only plan plans no change of any resource.
			for _, c := range p.Changes {
				m.jsonView.ResourceDrift(c)
			}
			m.jsonView.ChangeSummary(0, 0, 0, 0, "plan")
			return
		}
		add, change, remove, imp := countChanges(p)
		for _, c := range p.Changes {
			if c.Action != plan.NoOp {
				m.jsonView.PlannedChange(c)
			}
		}
		m.jsonView.ChangeSummary(add, change, remove, imp, "plan")
		return
	}
	if mode == plan.RefreshOnlyMode {
		if len(p.Changes) == 0 {
			fmt.Fprintln(m.stdout, "\nNo changes. Your infrastructure still matches the configuration.\n\nnuvola has checked that the real remote objects still match the result of your\nmost recent changes, and found no differences.")
			return
		}
		fmt.Fprintln(m.stdout, "\nNote: Objects have changed outside of nuvola\n\nnuvola detected the following changes made outside of nuvola since the last\n\"nuvola apply\"; applying this refresh-only plan records them in the state and\nchanges nothing in the cloud:")
		_ = views.RenderPlan(m.stdout, p, sc, m.viewOpts())
		return
	}
	_ = views.RenderPlan(m.stdout, p, sc, m.viewOpts())
}

func countChanges(p *plan.Plan) (add, change, remove, imp int) {
	for _, c := range p.Changes {
		switch c.Action {
		case plan.Create:
			add++
		case plan.Update:
			change++
		case plan.Delete:
			remove++
		case plan.DeleteThenCreate, plan.CreateThenDelete:
			add++
			remove++
		}
		if c.ImportID != "" {
			imp++
		}
	}
	return
}

func cmdPlan(m *meta, args []string) int {
	// "plan sign" and "plan verify" are subcommands; plan itself takes no
	// positional arguments, so the first word cannot be anything else.
	if len(args) > 0 {
		switch args[0] {
		case "sign":
			return planSign(m, args[1:])
		case "verify":
			return planVerify(m, args[1:])
		}
	}
	var o opFlags
	parse := m.opFlagSet("plan", &o)
	if _, ok := parse(args); !ok {
		return exitError
	}
	mode := plan.NormalMode
	if o.destroy {
		mode = plan.DestroyMode
	}
	if o.refreshOnly {
		mode = plan.RefreshOnlyMode
	}
	_, p, _, _, unlock, ok := m.makePlan(&o, mode)
	defer unlock()
	if !ok {
		return exitError
	}
	if o.out != "" {
		if err := writePlanFile(o.out, p); err != nil {
			m.errorf("Failed to write plan file", "%s", err)
			return exitError
		}
		if m.jsonView == nil && !o.html.html {
			fmt.Fprintf(m.stdout, "\nSaved the plan to: %s\n\nTo perform exactly these actions, run the following command to apply:\n    nuvola apply %q\n", o.out, o.out)
		}
	}
	if o.html.html {
		sc := engine.NewSchemaCache(m.factories())
		defer sc.Close()
		if code := m.writeHTMLReport(p, &o.html, sc); code != exitOK {
			return code
		}
	} else if o.out == "" && m.jsonView == nil && p.HasChanges() {
		fmt.Fprintf(m.stdout, "\nNote: You didn't use the -out option to save this plan, so nuvola can't guarantee to take exactly these actions if you run \"nuvola apply\" now.\n")
	}
	if p.PolicyBlocked() {
		return exitError
	}
	if o.detailed && p.HasChanges() {
		return exitChanges
	}
	return exitOK
}

func writePlanFile(path string, p *plan.Plan) error {
	// The plan goes to the file as it is written rather than through a
	// buffer holding all of it; the file is only created once there is
	// something to write, so a plan that cannot be encoded leaves nothing.
	tmp := &lazyFile{path: path + ".tmp"}
	err := plan.Write(tmp, p)
	if cerr := tmp.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.path, path)
}

// lazyFile creates its file, truncating any old one, on the first write.
type lazyFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
}

func (l *lazyFile) Write(b []byte) (int, error) {
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return 0, err
		}
		l.f, l.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	return l.w.Write(b)
}

func (l *lazyFile) close() error {
	if l.f == nil {
		return nil
	}
	err := l.w.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func readPlanFile(path string) (*plan.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return plan.ReadFile(bufio.NewReader(f))
}

func cmdApply(m *meta, args []string) int   { return m.apply(args, false) }
func cmdDestroy(m *meta, args []string) int { return m.apply(args, true) }

func (m *meta) apply(args []string, destroy bool) int {
	var o opFlags
	name := "apply"
	if destroy {
		name = "destroy"
	}
	parse := m.opFlagSet(name, &o)
	rest, ok := parse(args)
	if !ok {
		return exitError
	}
	if len(rest) > 1 {
		m.errorf("Too many command line arguments", "Expected at most one positional argument: a saved plan file.")
		return exitError
	}
	mode := plan.NormalMode
	if destroy || o.destroy {
		mode = plan.DestroyMode
	}
	if o.refreshOnly {
		mode = plan.RefreshOnlyMode
	}
	if len(rest) == 1 {
		if destroy {
			m.errorf("Invalid argument", "destroy does not take a plan file; use \"nuvola plan -destroy -out=FILE\" and \"nuvola apply FILE\".")
			return exitError
		}
		return m.applySaved(rest[0], &o)
	}
	cfg, p, b, st, unlock, ok := m.makePlan(&o, mode)
	defer unlock()
	if !ok || m.refusePolicyBlocked(p) {
		return exitError
	}
	ar, ok := m.startAudit(b, name)
	if !ok {
		return exitError
	}
	ar.rec.Plan = planRef(p, nil, 0, nil)
	if !p.HasChanges() && mode != plan.RefreshOnlyMode {
		if m.jsonView == nil {
			fmt.Fprintln(m.stdout)
		}
		return m.finishApply(cfg, p, b, st, mode, ar)
	}
	if !o.autoApprove {
		if !m.approve(mode) {
			return exitError
		}
	}
	return m.finishApply(cfg, p, b, st, mode, ar)
}

func (m *meta) approve(mode plan.Mode) bool {
	if !m.input {
		m.errorf("No approval given", "The -input=false option forbids asking for approval. Apply with -auto-approve, or save a plan with -out and apply that.")
		return false
	}
	q, d := "Do you want to perform these actions?", "  nuvola will perform the actions described above.\n  Only 'yes' will be accepted to approve."
	if mode == plan.DestroyMode {
		q, d = "Do you really want to destroy all resources?", "  nuvola will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm."
	}
	fmt.Fprintf(m.stdout, "\n%s\n%s\n\n  Enter a value: ", q, d)
	line, _ := bufio.NewReader(m.stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		fmt.Fprintln(m.stdout)
		what := "Apply"
		if mode == plan.DestroyMode {
			what = "Destroy"
		}
		m.errorf(what+" cancelled", "%s was cancelled: the answer was not \"yes\".", what)
		return false
	}
	fmt.Fprintln(m.stdout)
	return true
}

// applySaved applies a plan file after checking that it is still valid.
func (m *meta) applySaved(path string, o *opFlags) int {
	env, p, err := readPlanEnvelope(path)
	if err != nil {
		m.errorf("Failed to load the saved plan", "%s: %s", path, err)
		return exitError
	}
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.showDiags(diags)
		return exitError
	}
	if changed := configChanged(p.Config, m.snapshot(cfg)); changed != "" {
		m.errorf("Configuration changed since the plan was made",
			"The file %s differs from the one the saved plan was made from. Make a new plan with \"nuvola plan -out=FILE\".", changed)
		return exitError
	}
	if !m.checkProviders() {
		return exitError
	}
	checks, ok := m.checkPlanSignatures(env, cfg, o)
	if !ok {
		return exitError
	}
	b, bd := m.backend(cfg)
	if bd.HasErrors() {
		m.showDiags(bd)
		return exitError
	}
	unlock, ok := m.lockState(b, "OperationTypeApply")
	if !ok {
		return exitError
	}
	defer unlock()
	st, ok := m.loadState(b)
	if !ok {
		return exitError
	}
	if st.Lineage != p.StateLineage && st.Serial > 0 || st.Serial != p.StateSerial {
		m.errorf("Saved plan is stale",
			"The given plan file can no longer be applied because the state was changed by another operation after the plan was created (plan: lineage %s serial %d; state now: lineage %s serial %d). Make a new plan.",
			p.StateLineage, p.StateSerial, st.Lineage, st.Serial)
		return exitError
	}
	if p.Errored {
		m.errorf("Cannot apply incomplete plan", "The saved plan stopped on an error, so it cannot be applied.")
		return exitError
	}
	if !m.policyStillHolds(p, cfg) {
		return exitError
	}
	ar, ok := m.startAudit(b, "apply")
	if !ok {
		return exitError
	}
	ar.rec.Plan = planRef(p, env, requiredSignatures(o.requireSignatures, cfg), checks)
	return m.finishApply(cfg, p, b, st, p.Mode, ar)
}

// configChanged names the first file that differs between two snapshots.
func configChanged(a, b map[string][]byte) string {
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return k
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			return k
		}
	}
	return ""
}

// finishApply applies, journaling every finished change, persists the
// final state and records the run in the audit log.
func (m *meta) finishApply(cfg *configs.Config, p *plan.Plan, b *state.Local, st *state.State, mode plan.Mode, ar *auditRun) int {
	if _, err := os.Stat(b.Path); os.IsNotExist(err) {
		// The journal is only recovered against a state file with the same
		// lineage, so the state must exist before the first change.
		if err := b.Persist(st); err != nil {
			m.errorf("Failed to write state", "%s", err)
			return exitError
		}
	}
	j, err := b.OpenJournal(st)
	if err != nil {
		d := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Failed to open the state journal", Detail: err.Error()}}
		ar.finish(d)
		m.showDiags(d)
		return exitError
	}
	hooks := newApplyHooks(m)
	newState, diags := engine.Apply(m.ctx, p, engine.ApplyOptions{
		Config: cfg, Parallelism: m.parallelism, Providers: m.factories(), Hooks: hooks, Sink: journalSink{j},
	})
	hooks.stop()
	newState.Lineage, newState.Serial, newState.NuvolaVersion = st.Lineage, st.Serial, engine.Version
	if perr := b.Persist(newState); perr != nil {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Failed to persist state",
			Detail: fmt.Sprintf("%s. Every finished change is kept in the journal %s.journal and will be recovered by the next command.", perr, b.Path)})
	}
	_ = j.Close()
	ar.rec.Resources = appliedResources(p, hooks.events, newState, diags.HasErrors())
	audited := ar.finish(diags)
	m.showDiags(diags)
	if diags.HasErrors() && m.jsonView == nil {
		m.failureSummary(p, hooks.events)
	}
	if diags.HasErrors() || !audited {
		return exitError
	}
	if m.jsonView != nil {
		m.jsonView.ChangeSummary(hooks.added, hooks.changed, hooks.destroyed, 0, map[bool]string{true: "destroy", false: "apply"}[mode == plan.DestroyMode])
		m.jsonView.Outputs(newState.Outputs)
		return exitOK
	}
	if mode == plan.DestroyMode {
		_ = views.RenderDestroySummary(m.stdout, hooks.destroyed, m.viewOpts())
	} else {
		_ = views.RenderApplySummary(m.stdout, hooks.added, hooks.changed, hooks.destroyed, 0, m.viewOpts())
		_ = views.RenderApplyOutputs(m.stdout, newState.Outputs, m.viewOpts())
	}
	return exitOK
}

// failureSummary ends a failed apply with what happened to every planned
// change: each failure with its cause, how many finished (and are in
// state), and how many were not attempted because they depend on a failure.
func (m *meta) failureSummary(p *plan.Plan, events map[string][]applyEvent) {
	var failed []string
	finished, notRun := 0, 0
	for _, c := range p.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		evs := events[c.Addr.String()]
		var err error
		for _, e := range evs {
			if e.deposed == c.DeposedKey && e.err != nil {
				err = e.err
			}
		}
		switch {
		case err != nil:
			cause := strings.TrimSpace(err.Error())
			if i := strings.IndexByte(cause, '\n'); i > 0 {
				cause = cause[:i]
			}
			failed = append(failed, fmt.Sprintf("  - %s: %s", c.Addr, cause))
		case len(evs) > 0:
			finished++
		default:
			notRun++
		}
	}
	if len(failed) == 0 && notRun == 0 {
		return
	}
	fmt.Fprintf(m.stdout, "\nApply failed: %d change(s) failed, %d finished and are in the state, %d not attempted (they depend on a failed change).\n",
		len(failed), finished, notRun)
	for _, f := range failed {
		fmt.Fprintln(m.stdout, f)
	}
	fmt.Fprintln(m.stdout, "Run the same command again once the cause is fixed: finished changes are not repeated.")
}

// applyHooks reports progress and counts what finished.
type applyHooks struct {
	engine.NoHooks
	metricsHooks
	m                         *meta
	progress                  *views.ApplyProgress
	mu                        sync.Mutex
	start                     map[string]time.Time
	added, changed, destroyed int
	// events are the finished steps by address, for the audit log.
	events map[string][]applyEvent
}

func newApplyHooks(m *meta) *applyHooks {
	h := &applyHooks{m: m, metricsHooks: metricsHooks{m}, start: map[string]time.Time{}, events: map[string][]applyEvent{}}
	if m.jsonView == nil {
		h.progress = views.NewApplyProgress(m.stdout, m.viewOpts())
	}
	return h
}

func (h *applyHooks) stop() {
	if h.progress != nil {
		h.progress.Stop()
	}
}

func idOf(v cty.Value) string {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute("id") {
		return ""
	}
	id := v.GetAttr("id")
	if id.IsNull() || !id.IsKnown() || id.Type() != cty.String {
		return ""
	}
	return id.AsString()
}

func (h *applyHooks) PreApply(addr addrs.AbsResourceInstance, deposed string, a plan.Action, prior cty.Value) {
	k := addr.String() + deposed + a.String()
	h.mu.Lock()
	h.start[k] = time.Now()
	h.mu.Unlock()
	if h.progress != nil {
		h.progress.StartWithID(addr.String(), a, idOf(prior))
	} else {
		h.m.jsonView.ApplyStart(addr.String(), a)
	}
}

func (h *applyHooks) PostApply(addr addrs.AbsResourceInstance, deposed string, a plan.Action, nv cty.Value, err error) {
	k := addr.String() + deposed + a.String()
	h.mu.Lock()
	elapsed := time.Since(h.start[k])
	delete(h.start, k)
	h.events[addr.String()] = append(h.events[addr.String()], applyEvent{deposed: deposed, err: err})
	if err == nil {
		switch a {
		case plan.Create:
			h.added++
		case plan.Update:
			h.changed++
		case plan.Delete:
			h.destroyed++
		}
	}
	h.mu.Unlock()
	switch {
	case h.progress != nil && err != nil:
		h.progress.Errored(addr.String(), a, elapsed)
	case h.progress != nil:
		h.progress.Complete(addr.String(), a, idOf(nv), elapsed)
	case err != nil:
		h.m.jsonView.ApplyErrored(addr.String(), a, elapsed)
	default:
		h.m.jsonView.ApplyComplete(addr.String(), a, idOf(nv), elapsed)
	}
}

// planHooks are the hooks of a plan: only the providers' counters.
type planHooks struct {
	engine.NoHooks
	metricsHooks
}
