package views

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// SchemaSource finds the schema of a resource type or data source; it may
// return nil, and values are then drawn by their shape alone.
type SchemaSource interface {
	ResourceTypeSchema(provider string, mode addrs.ResourceMode, typ string) *plugins.Schema
}

func blockFor(schemas SchemaSource, provider string, mode addrs.ResourceMode, typ string, before, after cty.Value) *plugins.Block {
	if schemas != nil {
		if s := schemas.ResourceTypeSchema(provider, mode, typ); s != nil && s.Block != nil {
			return s.Block
		}
	}
	return impliedBlock(unify(typeOf(before), typeOf(after)))
}

// RenderPlan writes the plan as `nuvola plan` shows it.
func RenderPlan(w io.Writer, p *plan.Plan, schemas SchemaSource, opts Options) error {
	if p == nil {
		return nil
	}
	c := colorizer(opts.Color)
	width := opts.width()
	// The text goes out as it is rendered: for thousands of resources,
	// holding all of it in memory first only raised the peak.
	out := bufio.NewWriterSize(w, 64<<10)

	type keyed struct {
		rc   *plan.ResourceChange
		addr string
	}
	sorted := make([]keyed, 0, len(p.Changes))
	for _, rc := range p.Changes {
		if rc != nil {
			sorted = append(sorted, keyed{rc, rc.Addr.String()})
		}
	}
	// OpenTofu orders changes by the text of their addresses, printed once
	// each rather than at every comparison.
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].addr, sorted[j].addr
		if a != b {
			return a < b
		}
		return sorted[i].rc.DeposedKey < sorted[j].rc.DeposedKey
	})
	changes := make([]*plan.ResourceChange, len(sorted))
	for i, k := range sorted {
		changes[i] = k.rc
	}

	counts := map[action]int{}
	importing := 0
	var shown []*plan.ResourceChange
	for _, rc := range changes {
		act := rc.Action
		if act == actNoOp && !moved(rc) && rc.ImportID == "" {
			continue
		}
		if act == actDelete && rc.Addr.Resource.Resource.Mode == addrs.DataResourceMode {
			continue
		}
		shown = append(shown, rc)
		if rc.ImportID != "" {
			importing++
		}
		if act != actNoOp {
			counts[act]++
		}
	}

	outputs := renderOutputChanges(p.Outputs, c)

	if len(shown) == 0 && outputs == "" {
		if p.Errored {
			out.WriteString("\n" + c.paint("Planning failed.", ansiBold, ansiRed) +
				c.paint(" nuvola encountered an error while generating this plan.", ansiBold) + "\n\n")
		} else {
			var head, body string
			switch p.Mode {
			case plan.RefreshOnlyMode:
				head = " Your infrastructure still matches the configuration."
				body = "nuvola has checked that the real remote objects still match the result of your most recent changes, and found no differences."
			case plan.DestroyMode:
				head = " No objects need to be destroyed."
				body = "Either you have not created any objects yet or the existing objects were already deleted outside of nuvola."
			default:
				head = " Your infrastructure matches the configuration."
				body = "nuvola has compared your real infrastructure against your configuration and found no differences, so no changes are needed."
			}
			out.WriteString("\n" + c.paint("No changes.", ansiBold, ansiGreen) + c.paint(head, ansiBold) + "\n\n")
			out.WriteString(wordWrap(body, width) + "\n")
		}
	}

	if len(counts) > 0 {
		out.WriteString(wordWrap("\nnuvola used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:", width) + "\n")
		for _, a := range []action{actCreate, actUpdate, actDelete, actDeleteThenCreate, actCreateThenDelete, actRead, actForget} {
			if counts[a] > 0 {
				out.WriteString(actionDescription(a, c) + "\n")
			}
		}
	}

	if len(shown) > 0 {
		if p.Errored {
			out.WriteString("\nnuvola planned the following actions, but then encountered a problem:\n")
		} else {
			out.WriteString("\nnuvola will perform the following actions:\n")
		}
		for _, rc := range shown {
			out.WriteString("\n")
			out.WriteString(renderResourceChange(rc, schemas, c))
			out.WriteString("\n")
		}
		toAdd := counts[actCreate] + counts[actDeleteThenCreate] + counts[actCreateThenDelete]
		toDestroy := counts[actDelete] + counts[actDeleteThenCreate] + counts[actCreateThenDelete]
		out.WriteString("\n" + c.paint("Plan:", ansiBold) + " ")
		if importing > 0 {
			fmt.Fprintf(out, "%d to import, ", importing)
		}
		fmt.Fprintf(out, "%d to add, %d to change, %d to destroy", toAdd, counts[actUpdate], toDestroy)
		if counts[actForget] > 0 {
			fmt.Fprintf(out, ", %d to forget", counts[actForget])
		}
		out.WriteString(".\n")
	}

	if outputs != "" {
		out.WriteString("\nChanges to Outputs:\n" + outputs + "\n")
		if len(counts) == 0 {
			out.WriteString(wordWrap("\nYou can apply this plan to save these new output values to the nuvola state, without changing any real infrastructure.", width) + "\n")
		}
	}
	renderPolicyResults(out, p.PolicyResults, c)
	return out.Flush()
}

// renderPolicyResults lists the baseline findings: violations that block
// apply, waived findings with their waiver, and warnings.
func renderPolicyResults(out *bufio.Writer, results []*plan.PolicyResult, c colorizer) {
	if len(results) == 0 {
		return
	}
	blocking, waived, warnings := 0, 0, 0
	for _, r := range results {
		switch {
		case r.Waiver != nil:
			waived++
		case r.Blocking():
			blocking++
		default:
			warnings++
		}
	}
	fmt.Fprintf(out, "\n%s %d violation(s), %d waived, %d warning(s)\n", c.paint("Baseline checks:", ansiBold), blocking, waived, warnings)
	for _, r := range results {
		mark := c.paint("  ✗", ansiBold, ansiRed)
		switch {
		case r.Waiver != nil:
			mark = c.paint("  ~", ansiBold, ansiYellow)
		case !r.Blocking():
			mark = c.paint("  !", ansiBold, ansiYellow)
		}
		fmt.Fprintf(out, "%s %s", mark, c.paint(r.RuleID, ansiBold))
		if r.Address != "" {
			fmt.Fprintf(out, " %s", r.Address)
		}
		fmt.Fprintf(out, ": %s", r.Message)
		if r.Filename != "" {
			fmt.Fprintf(out, " (%s:%d)", r.Filename, r.Line)
		}
		out.WriteString("\n")
		if r.Control != "" {
			fmt.Fprintf(out, "      control: %s\n", r.Control)
		}
		if w := r.Waiver; w != nil {
			fmt.Fprintf(out, "      waived: approved by %s, expires %s: %s\n", w.ApprovedBy, w.Expires, w.Reason)
		}
	}
}

func moved(rc *plan.ResourceChange) bool {
	prev := rc.PrevRunAddr
	if prev.Resource.Resource.Type == "" {
		return false
	}
	return !prev.Equal(rc.Addr)
}

func actionDescription(a action, c colorizer) string {
	switch a {
	case actCreate:
		return c.symbol(a) + " create"
	case actDelete:
		return c.symbol(a) + " destroy"
	case actUpdate:
		return c.symbol(a) + " update in-place (current -> planned)"
	case actCreateThenDelete:
		return c.symbol(a) + " create replacement and then destroy"
	case actDeleteThenCreate:
		return c.symbol(a) + " destroy and then create replacement"
	case actRead:
		return c.symbol(a) + " read (data resources)"
	case actForget:
		return c.symbol(a) + " forget"
	}
	return c.symbol(a) + " " + a.String()
}

// resourceChange builds the change of a resource instance's whole object.
func resourceChange(rc *plan.ResourceChange) change {
	before, bs := unmark(rc.Before, rc.BeforeSensitive)
	after, as := unmark(rc.After, rc.AfterSensitive)
	return change{before: before, after: after, bSens: sensitivePaths(bs), aSens: sensitivePaths(as),
		replace: paths{list: rc.RequiredReplace}}
}

func renderResourceChange(rc *plan.ResourceChange, schemas SchemaSource, c colorizer) string {
	var b strings.Builder
	b.WriteString(resourceChangeComment(rc, c))
	ch := resourceChange(rc)
	res := rc.Addr.Resource.Resource
	block := blockFor(schemas, rc.Provider, res.Mode, res.Type, ch.before, ch.after)
	o := ropts{c: c, showUnchanged: rc.ImportID != ""}
	d := diffForBlock(ch, block)
	fmt.Fprintf(&b, "%s %s %s", c.symbol(rc.Action), resourceHeader(res), d.render(0, o))
	return b.String()
}

func resourceHeader(r addrs.Resource) string {
	mode := "resource"
	if r.Mode == addrs.DataResourceMode {
		mode = "data"
	}
	return fmt.Sprintf("%s %q %q", mode, r.Type, r.Name)
}

func resourceChangeComment(rc *plan.ResourceChange, c colorizer) string {
	var b strings.Builder
	addr := replaceControlChars(rc.Addr.String())
	if rc.DeposedKey != "" {
		addr = fmt.Sprintf("%s (deposed object %s)", addr, replaceControlChars(rc.DeposedKey))
	}
	head := c.paint("  # "+addr, ansiBold)
	replaced := c.paint("replaced", ansiBold, ansiRed)
	printedMoved := false
	switch rc.Action {
	case actCreate:
		b.WriteString(head + " will be created")
	case actRead:
		b.WriteString(head + " will be read during apply")
		switch rc.Reason {
		case plan.ReasonReadBecauseConfigUnknown:
			b.WriteString("\n  # (config refers to values not yet known)")
		case plan.ReasonReadBecauseDependencyChange:
			b.WriteString("\n  # (depends on a resource or a module with changes pending)")
		}
	case actUpdate:
		b.WriteString(head + " will be updated in-place")
	case actCreateThenDelete, actDeleteThenCreate:
		switch rc.Reason {
		case plan.ReasonReplaceBecauseTainted:
			b.WriteString(head + " is tainted, so it must be " + replaced)
		case plan.ReasonReplaceByRequest:
			b.WriteString(head + " will be " + replaced + ", as requested")
		case plan.ReasonReplaceByTriggers:
			b.WriteString(head + " will be " + replaced + " due to changes in replace_triggered_by")
		default:
			b.WriteString(head + " must be " + replaced)
		}
	case actDelete:
		b.WriteString(head + " will be " + c.paint("destroyed", ansiBold, ansiRed))
		res := rc.Addr.Resource
		switch rc.Reason {
		case plan.ReasonDeleteNoResourceConfig:
			fmt.Fprintf(&b, "\n  # (because %s.%s is not in configuration)", res.Resource.Type, res.Resource.Name)
		case plan.ReasonDeleteNoMoveTarget:
			fmt.Fprintf(&b, "\n  # (because %s was moved to %s, which is not in configuration)", rc.PrevRunAddr, rc.Addr)
		case plan.ReasonDeleteNoModule:
			fmt.Fprintf(&b, "\n  # (because %s is not in configuration)", rc.Addr.Module)
		case plan.ReasonDeleteWrongRepetition:
			switch res.Key.(type) {
			case nil:
				b.WriteString("\n  # (because resource uses count or for_each)")
			case addrs.IntKey:
				b.WriteString("\n  # (because resource does not use count)")
			case addrs.StringKey:
				b.WriteString("\n  # (because resource does not use for_each)")
			}
		case plan.ReasonDeleteCountIndex:
			fmt.Fprintf(&b, "\n  # (because index %s is out of range for count)", keyText(res.Key))
		case plan.ReasonDeleteEachKey:
			fmt.Fprintf(&b, "\n  # (because key %s is not in for_each map)", keyText(res.Key))
		}
		if rc.DeposedKey != "" {
			b.WriteString("\n  # (left over from a partially-failed replacement of this instance)")
		}
	case actNoOp:
		if moved(rc) {
			fmt.Fprintf(&b, "%s has moved to %s", c.paint("  # "+replaceControlChars(rc.PrevRunAddr.String()), ansiBold), c.paint(addr, ansiBold))
			printedMoved = true
			break
		}
		if rc.ImportID != "" {
			b.WriteString(head + " will be imported")
			break
		}
		b.WriteString(head + " has no changes")
	case actForget:
		b.WriteString(head + " will be removed from the nuvola state but will not be destroyed")
	default:
		fmt.Fprintf(&b, "%s has an action the plan renderer doesn't support (this is a bug)", addr)
	}
	b.WriteString("\n")
	if moved(rc) && !printedMoved {
		fmt.Fprintf(&b, "  # (moved from %s)\n", replaceControlChars(rc.PrevRunAddr.String()))
	}
	if rc.ImportID != "" {
		fmt.Fprintf(&b, "  # (imported from \"%s\")\n", replaceControlChars(rc.ImportID))
		if rc.Action.IsReplace() {
			b.WriteString("  # " + c.paint("Warning: this will destroy the imported resource", ansiYellow) + "\n")
		}
	}
	return b.String()
}

func keyText(k addrs.InstanceKey) string {
	if k == nil {
		return "[]"
	}
	return replaceControlChars(k.String())
}

// renderOutputChanges draws the changed root module outputs, or "".
func renderOutputChanges(changes []*plan.OutputChange, c colorizer) string {
	type row struct {
		name string
		d    diff
	}
	var rows []row
	width := 0
	for _, oc := range changes {
		if oc == nil || oc.Action == actNoOp {
			continue
		}
		before, bs := unmark(oc.Before, nil)
		after, as := unmark(oc.After, nil)
		ch := change{before: before, after: after, bExplicit: !isNull(before), aExplicit: !isNull(after),
			bSens: sensitivePaths(bs), aSens: sensitivePaths(as)}
		if oc.Sensitive {
			ch.bSens, ch.aSens = ch.bSens.force(), ch.aSens.force()
		}
		d := diffDynamic(ch)
		if d.action == actNoOp {
			continue
		}
		rows = append(rows, row{oc.Name, d})
		width = max(width, len(attrName(oc.Name)))
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	lines := make([]string, 0, len(rows))
	o := ropts{c: c}
	for _, r := range rows {
		lines = append(lines, fmt.Sprintf("%s %-*s = %s", c.symbol(r.d.action), width, attrName(r.name), r.d.render(0, o)))
	}
	return strings.Join(lines, "\n")
}
