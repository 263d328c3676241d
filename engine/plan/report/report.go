package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	// args passes several values to a named template.
	"args": func(vs ...any) []any { return vs },
}).Parse(pageSource))

// maxDepthClass is the deepest indentation the page styles; deeper rows
// are indented as much.
const maxDepthClass = 9

// Options tune the report.
type Options struct {
	// Lang is the language of the labels; English when empty.
	Lang Lang
	// Schemas, when set, add the attributes the providers declare
	// sensitive to those the plan records as such.
	Schemas plan.SchemaSource
	// Version is the nuvola version written in the footer; the plan's
	// when empty.
	Version string
}

// Render writes the report of p to w.
func Render(w io.Writer, p *plan.Plan, opts Options) error {
	if p == nil {
		return fmt.Errorf("cannot render a nil plan")
	}
	pg := build(p, opts)
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := pageTemplate.Execute(bw, pg); err != nil {
		return err
	}
	return bw.Flush()
}

// The action keys of the report, in the order the summary lists them.
var actionKeys = []string{"create", "update", "replace", "delete", "read", "forget", "import", "move"}

// severity orders actions for the dependency view, where a resource whose
// instances do different things takes the color of the weightiest.
var severity = map[string]int{"delete": 7, "replace": 6, "update": 5, "forget": 4, "create": 3, "import": 2, "move": 1, "read": 0}

func actionKey(c *plan.ResourceChange) string {
	switch c.Action {
	case plan.Create:
		return "create"
	case plan.Update:
		return "update"
	case plan.DeleteThenCreate, plan.CreateThenDelete:
		return "replace"
	case plan.Delete:
		return "delete"
	case plan.Read:
		return "read"
	case plan.Forget:
		return "forget"
	}
	if c.ImportID != "" {
		return "import"
	}
	return "move"
}

func moved(c *plan.ResourceChange) bool {
	prev := c.PrevRunAddr
	return prev.Resource.Resource.Type != "" && !prev.Equal(c.Addr)
}

// shown reports whether a change is worth a reviewer's time: it does
// something, or it moves or imports an object.
func shown(c *plan.ResourceChange) bool {
	if c == nil {
		return false
	}
	if c.Action == plan.Delete && c.Addr.Resource.Resource.Mode == addrs.DataResourceMode {
		// Only tidies the state.
		return false
	}
	return c.Action != plan.NoOp || moved(c) || c.ImportID != ""
}

// page is what the template renders.
type page struct {
	cat  map[string]string
	mode plan.Mode
	Lang string

	Title, ModeLabel string
	Drift            bool
	Generated        string
	Version          string
	State            string
	Targets          []string
	ForceReplace     []string
	Status           status
	ActionCols       []actionCol
	// Cols are the action columns of the summary tables: those that can
	// happen in this kind of plan, and any other that does.
	Cols          []actionCol
	Counts        []count
	Total         int
	ByEnte        []groupCount
	ByClass       []groupCount
	FindingCounts string

	Policy    policyView
	Graph     *graphView
	Groups    []enteGroup
	Outputs   []outputView
	Variables []variableView
	Footer    string
	// BeforeLabel and AfterLabel head the two sides of a diff.
	BeforeLabel, AfterLabel string
}

// T is the label of key in the report's language.
func (pg *page) T(key string) string {
	if s, ok := pg.cat[key]; ok {
		return s
	}
	return key
}

// Tf formats the label of key.
func (pg *page) Tf(key string, args ...any) string { return fmt.Sprintf(pg.T(key), args...) }

type status struct{ Class, Text string }

type actionCol struct{ Key, Label string }

type count struct {
	Key, Label string
	N          int
}

type groupCount struct {
	Name       string
	Unassigned bool
	Counts     []int
	Total      int
}

type enteGroup struct {
	ID, Name   string
	Unassigned bool
	Count      int
	Modules    []moduleGroup
}

type moduleGroup struct {
	Name    string
	Changes []*changeView
}

type changeView struct {
	ID                  string
	Addr, PrevAddr      string
	Deposed             string
	Provider            string
	Action, ActionLabel string
	Ordering            string
	Reason              string
	ReasonCode          string
	ReplacePaths        []string
	ImportID            string
	Ente, Class         string
	Findings            []findingRef
	Rows                []row
	Hidden              string
	ShowBefore          bool
	ShowAfter           bool
}

type findingRef struct {
	ID, RuleID string
	Blocking   bool
}

type policyView struct {
	Any                        bool
	Blocking, Warnings, Waived []findingView
}

type findingView struct {
	ID                             string
	RuleID, Severity, SeverityText string
	Baseline, Control              string
	Address, Href                  string
	Path                           string
	Message                        string
	Location                       string
	Waiver                         *plan.PolicyWaiver
}

type outputView struct {
	Name, Action, ActionLabel string
	Rows                      []row
}

type variableView struct {
	Name  string
	Value val
}

func build(p *plan.Plan, opts Options) *page {
	lang := opts.Lang
	if lang != Italian {
		lang = English
	}
	pg := &page{cat: lang.catalog(), mode: p.Mode, Lang: string(lang), Drift: p.Mode == plan.RefreshOnlyMode}
	scrub := newScrubber(p.Variables, p.SensitiveVariables, pg.T("value.sensitive"))

	switch p.Mode {
	case plan.DestroyMode:
		pg.Title, pg.ModeLabel = pg.T("title.destroy"), pg.T("mode.destroy")
	case plan.RefreshOnlyMode:
		pg.Title, pg.ModeLabel = pg.T("title.drift"), pg.T("mode.refresh")
	default:
		pg.Title, pg.ModeLabel = pg.T("title.plan"), pg.T("mode.normal")
	}
	if !p.Timestamp.IsZero() {
		pg.Generated = p.Timestamp.UTC().Format(time.DateTime) + " UTC"
	}
	pg.Version = p.NuvolaVersion
	if pg.Version == "" {
		pg.Version = opts.Version
	}
	if p.StateLineage != "" {
		pg.State = pg.Tf("meta.serial", p.StateLineage, p.StateSerial)
	}
	pg.Targets, pg.ForceReplace = p.Targets, p.ForceReplace
	footerVersion := opts.Version
	if footerVersion == "" {
		footerVersion = p.NuvolaVersion
	}
	pg.Footer = pg.Tf("footer", footerVersion)

	// Changes, in address order, each once.
	type keyed struct {
		c    *plan.ResourceChange
		addr string
	}
	var changes []keyed
	for _, c := range p.Changes {
		if shown(c) {
			changes = append(changes, keyed{c, c.Addr.String()})
		}
	}
	sort.SliceStable(changes, func(i, j int) bool {
		if changes[i].addr != changes[j].addr {
			return changes[i].addr < changes[j].addr
		}
		return changes[i].c.DeposedKey < changes[j].c.DeposedKey
	})

	// Findings by the address they are about, to link both ways.
	findingsOf := map[string][]findingRef{}
	for i, r := range p.PolicyResults {
		if r != nil && r.Address != "" {
			findingsOf[r.Address] = append(findingsOf[r.Address], findingRef{ID: fmt.Sprintf("f%d", i), RuleID: r.RuleID, Blocking: r.Blocking()})
		}
	}

	for _, k := range actionKeys {
		label := pg.T("action." + k)
		if pg.Drift {
			if l, ok := pg.cat["drift."+k]; ok {
				label = l
			}
		}
		pg.ActionCols = append(pg.ActionCols, actionCol{Key: k, Label: label})
	}
	colOf := map[string]int{}
	for i, k := range actionKeys {
		colOf[k] = i
	}
	counts := make([]int, len(actionKeys))
	byEnte := map[string]*groupCount{}
	byClass := map[string]*groupCount{}
	groups := map[string]*enteGroup{}
	modules := map[string]map[string]*moduleGroup{}
	hrefOf := map[string]string{}
	views := make([]*changeView, 0, len(changes))
	nodes := newGraphBuilder()

	for i, k := range changes {
		c := k.c
		cv := newChangeView(pg, scrub, c, k.addr, fmt.Sprintf("c%d", i), opts.Schemas)
		cv.Findings = findingsOf[k.addr]
		views = append(views, cv)
		if _, ok := hrefOf[k.addr]; !ok {
			hrefOf[k.addr] = "#" + cv.ID
		}
		col := colOf[cv.Action]
		counts[col]++
		if c.ImportID != "" && cv.Action != "import" {
			counts[colOf["import"]]++
		}
		if moved(c) && cv.Action != "move" {
			counts[colOf["move"]]++
		}
		tally(byEnte, cv.Ente, col)
		tally(byClass, cv.Class, col)

		g := groups[cv.Ente]
		if g == nil {
			g = &enteGroup{Name: cv.Ente, Unassigned: cv.Ente == ""}
			groups[cv.Ente] = g
			modules[cv.Ente] = map[string]*moduleGroup{}
		}
		g.Count++
		mod := c.Addr.Module.String()
		mg := modules[cv.Ente][mod]
		if mg == nil {
			mg = &moduleGroup{Name: mod}
			if mod == "" {
				mg.Name = pg.T("module.root")
			}
			modules[cv.Ente][mod] = mg
		}
		mg.Changes = append(mg.Changes, cv)
		nodes.add(c, cv)
	}
	pg.Total = len(views)
	always := map[string]bool{"create": true, "update": true, "replace": true, "delete": true}
	if pg.Drift {
		always = map[string]bool{"update": true, "delete": true}
	}
	var cols []int
	for i, k := range actionKeys {
		if always[k] || counts[i] > 0 {
			cols = append(cols, i)
			pg.Cols = append(pg.Cols, pg.ActionCols[i])
			pg.Counts = append(pg.Counts, count{Key: k, Label: pg.ActionCols[i].Label, N: counts[i]})
		}
	}
	pg.ByEnte = sortedCounts(byEnte, cols)
	pg.ByClass = sortedCounts(byClass, cols)
	pg.BeforeLabel, pg.AfterLabel = pg.T("col.before"), pg.T("col.after")
	if pg.Drift {
		pg.BeforeLabel, pg.AfterLabel = pg.T("col.state"), pg.T("col.remote")
	}

	// Enti by name, the unassigned last; modules root first, then by name.
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return groupLess(names[i], names[j]) })
	for i, n := range names {
		g := groups[n]
		g.ID = fmt.Sprintf("e%d", i)
		g.Modules = g.Modules[:0]
		mods := make([]string, 0, len(modules[n]))
		for m := range modules[n] {
			mods = append(mods, m)
		}
		sort.Strings(mods)
		for _, m := range mods {
			g.Modules = append(g.Modules, *modules[n][m])
		}
		pg.Groups = append(pg.Groups, *g)
	}

	pg.Policy = policy(pg, scrub, p.PolicyResults, hrefOf)
	blocking := len(pg.Policy.Blocking)
	pg.FindingCounts = pg.Tf("summary.findings", blocking, len(pg.Policy.Warnings), len(pg.Policy.Waived))
	switch {
	case p.Errored:
		pg.Status = status{"bad", pg.T("status.errored")}
	case blocking > 0:
		pg.Status = status{"bad", pg.Tf("status.blocked", blocking)}
	case pg.Drift && pg.Total == 0:
		pg.Status = status{"ok", pg.T("status.nodrift")}
	case pg.Drift:
		pg.Status = status{"warn", pg.Tf("status.drift", pg.Total)}
	case pg.Total == 0:
		pg.Status = status{"ok", pg.T("status.nochanges")}
	default:
		pg.Status = status{"info", pg.Tf("status.ready", pg.Total)}
	}
	if pg.Total > 0 {
		pg.Graph = nodes.layout()
		if pg.Graph.Omitted > 0 {
			pg.Graph.Note = pg.Tf("graph.omitted", pg.Graph.Omitted)
		} else if len(pg.Graph.Edges) == 0 {
			// Boxes without arrows say nothing the changes do not.
			pg.Graph.Nodes = nil
			pg.Graph.Note = pg.T("graph.none")
		}
	}

	pg.Outputs = outputs(pg, scrub, p.Outputs)
	pg.Variables = variables(pg, scrub, p)
	return pg
}

func groupLess(a, b string) bool {
	if (a == "") != (b == "") {
		return b == ""
	}
	return a < b
}

func tally(m map[string]*groupCount, name string, col int) {
	g := m[name]
	if g == nil {
		g = &groupCount{Name: name, Unassigned: name == "", Counts: make([]int, len(actionKeys))}
		m[name] = g
	}
	g.Counts[col]++
	g.Total++
}

func sortedCounts(m map[string]*groupCount, cols []int) []groupCount {
	out := make([]groupCount, 0, len(m))
	for _, g := range m {
		gc := *g
		gc.Counts = make([]int, len(cols))
		for i, c := range cols {
			gc.Counts[i] = g.Counts[c]
		}
		out = append(out, gc)
	}
	sort.Slice(out, func(i, j int) bool { return groupLess(out[i].Name, out[j].Name) })
	return out
}

// identifying are the attributes an update shows even when they do not
// change, so that the reader knows which object it is.
var identifying = map[string]bool{"id": true, "name": true}

func newChangeView(pg *page, scrub *scrubber, c *plan.ResourceChange, addr, id string, schemas plan.SchemaSource) *changeView {
	cv := &changeView{
		ID: id, Addr: addr, Deposed: c.DeposedKey, Provider: plan.ProviderSource(c.Provider),
		Action: actionKey(c), ImportID: c.ImportID,
	}
	cv.Ente, cv.Class = c.Labels()
	cv.ActionLabel = pg.T("action." + cv.Action)
	if pg.Drift {
		if l, ok := pg.cat["drift."+cv.Action]; ok {
			cv.ActionLabel = l
		}
	}
	if moved(c) {
		cv.PrevAddr = c.PrevRunAddr.String()
	}
	switch c.Action {
	case plan.CreateThenDelete:
		cv.Ordering = pg.T("replace.cbd")
	case plan.DeleteThenCreate:
		cv.Ordering = pg.T("replace.dbc")
	}
	switch {
	case c.Reason != plan.ReasonNone:
		cv.ReasonCode = string(c.Reason)
		cv.Reason = pg.T("reason." + string(c.Reason))
	case pg.Drift:
		cv.Reason = pg.T("reason.drift")
	case c.Action == plan.Delete && pg.mode == plan.DestroyMode:
		cv.Reason = pg.T("reason.destroy")
	}
	for _, rp := range c.RequiredReplace {
		cv.ReplacePaths = append(cv.ReplacePaths, scrub.text(pathString(rp)))
	}

	before, bs := unmark(c.Before, c.BeforeSensitive)
	after, as := unmark(c.After, c.AfterSensitive)
	if schemas != nil {
		res := c.Addr.Resource.Resource
		if s := schemas.ResourceTypeSchema(c.Provider, res.Mode, res.Type); s != nil && s.Block != nil {
			for _, sv := range []struct {
				v cty.Value
				t *trie
			}{{before, bs}, {after, as}} {
				if !absent(sv.v) && sv.v.IsKnown() {
					for _, p := range s.Block.SensitivePaths(sv.v, nil) {
						sv.t.Add(p)
					}
				}
			}
		}
	}
	d := &differ{t: pg.T, scrub: scrub, context: identifying}
	d.walk(-1, "", before, after, bs, as, newTrie(c.RequiredReplace))
	// The object itself is the walk's first row; its attributes follow.
	if len(d.rows) > 0 && d.rows[0].Depth == -1 {
		top := d.rows[0]
		d.rows = d.rows[1:]
		if !top.Group && (top.Before.Kind != "none" || top.After.Kind != "none") {
			// A whole object unknown or sensitive: one row says so.
			top.Depth, top.Name = 0, "*"
			d.rows = append([]row{top}, d.rows...)
		}
	}
	cv.Rows = finishRows(d.rows)
	if d.hidden > 0 {
		cv.Hidden = pg.Tf("change.hidden", d.hidden)
	}
	cv.ShowBefore, cv.ShowAfter = !absent(before), !absent(after)
	if !cv.ShowBefore && !cv.ShowAfter {
		cv.ShowBefore, cv.ShowAfter = true, true
	}
	return cv
}

// unmark strips marks from a value, adding the marked paths to the
// recorded sensitive ones: a mark that slipped through is a secret too.
func unmark(v cty.Value, paths []cty.Path) (cty.Value, *trie) {
	t := newTrie(paths)
	if v == cty.NilVal || !v.ContainsMarked() {
		return v, t
	}
	uv, pvm := v.UnmarkDeepWithPaths()
	for _, m := range pvm {
		t.Add(m.Path)
	}
	return uv, t
}

func policy(pg *page, scrub *scrubber, rs []*plan.PolicyResult, hrefOf map[string]string) policyView {
	var v policyView
	for i, r := range rs {
		if r == nil {
			continue
		}
		f := findingView{
			ID: fmt.Sprintf("f%d", i), RuleID: r.RuleID, Severity: r.Severity, Baseline: r.Baseline,
			Control: r.Control, Address: r.Address, Href: hrefOf[r.Address],
			Path: scrub.text(pathString(r.Path)), Message: scrub.text(r.Message),
		}
		f.SeverityText = pg.T("severity." + r.Severity)
		if f.Address == "" {
			f.Address = pg.T("policy.config")
		}
		if r.Filename != "" {
			f.Location = r.Filename
			if r.Line > 0 {
				f.Location += fmt.Sprintf(":%d", r.Line)
				if r.Column > 0 {
					f.Location += fmt.Sprintf(":%d", r.Column)
				}
			}
		}
		if r.Waiver != nil {
			w := *r.Waiver
			w.Reason = scrub.text(w.Reason)
			f.Waiver = &w
		}
		switch {
		case r.Waiver != nil:
			v.Waived = append(v.Waived, f)
		case r.Blocking():
			v.Blocking = append(v.Blocking, f)
		default:
			v.Warnings = append(v.Warnings, f)
		}
		v.Any = true
	}
	return v
}

func outputs(pg *page, scrub *scrubber, ocs []*plan.OutputChange) []outputView {
	var out []outputView
	for _, o := range ocs {
		if o == nil || o.Action == plan.NoOp {
			continue
		}
		ov := outputView{Name: o.Name, Action: actionKey(&plan.ResourceChange{Action: o.Action})}
		ov.ActionLabel = pg.T("action." + ov.Action)
		var sens *trie
		if o.Sensitive {
			sens = plan.AllPaths()
		}
		before, bs := unmark(o.Before, nil)
		after, as := unmark(o.After, nil)
		if sens != nil {
			bs, as = sens, sens
		}
		d := &differ{t: pg.T, scrub: scrub}
		d.walk(0, o.Name, before, after, bs, as, nil)
		ov.Rows = finishRows(d.rows)
		out = append(out, ov)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func variables(pg *page, scrub *scrubber, p *plan.Plan) []variableView {
	sensitive := map[string]bool{}
	for _, n := range p.SensitiveVariables {
		sensitive[n] = true
	}
	names := make([]string, 0, len(p.Variables))
	for n := range p.Variables {
		names = append(names, n)
	}
	sort.Strings(names)
	d := &differ{t: pg.T, scrub: scrub}
	out := make([]variableView, 0, len(names))
	for _, n := range names {
		v, sens := unmark(p.Variables[n], nil)
		if sensitive[n] {
			sens = plan.AllPaths()
		}
		r := row{Before: d.value(v, sens)}
		r.finish()
		out = append(out, variableView{Name: n, Value: r.Before})
	}
	return out
}
