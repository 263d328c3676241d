package views

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// ropts are the rendering options handed down the tree of diffs.
type ropts struct {
	c colorizer
	// overrideNullSuffix hides the "-> null" after deleted values.
	overrideNullSuffix bool
	// overrideForcesReplacement shows "# forces replacement" even on a
	// diff that does not itself force it; it never cascades (see clone).
	overrideForcesReplacement bool
	// showUnchanged renders unchanged children instead of counting them.
	showUnchanged bool
	// hideSymbols drops the action symbols and their columns (state view).
	hideSymbols bool
}

func (o ropts) clone() ropts {
	o.overrideForcesReplacement = false
	return o
}

func formatIndent(n int) string { return strings.Repeat("    ", n) }

func (o ropts) sym(a action) string {
	if o.hideSymbols {
		return ""
	}
	return o.c.symbol(a) + " "
}

func nullSuffix(a action, o ropts) string {
	if !o.overrideNullSuffix && a == actDelete {
		return " " + o.c.paint("-> null", ansiDarkGray)
	}
	return ""
}

func forcesReplacement(replace bool, o ropts) string {
	if replace || o.overrideForcesReplacement {
		return " " + o.c.paint("# forces replacement", ansiRed)
	}
	return ""
}

func unchanged(keyword string, n int, o ropts) string {
	if n != 1 {
		keyword += "s"
	}
	return o.c.paint(fmt.Sprintf("# (%d unchanged %s hidden)", n, keyword), ansiDarkGray)
}

func (o ropts) arrow() string { return o.c.paint("->", ansiYellow) }

// attrName quotes names that are not valid identifiers.
func attrName(name string) string {
	if plainIdentifier(name) || hclsyntax.ValidIdentifier(name) {
		return name
	}
	return strconv.Quote(name)
}

// plainIdentifier recognises the common ASCII identifiers without running
// HCL's scanner, which ValidIdentifier does for every call; rendering a
// large plan asks about every attribute of every object.
func plainIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// importantAttribute names attributes shown even when unchanged, as they
// identify the object.
func importantAttribute(name string) bool { return name == "id" || name == "name" || name == "tags" }

type noWarnings struct{}

func (noWarnings) warnings(diff, int, ropts) []string { return nil }

// primitiveRenderer draws a string, number, bool or null.
type primitiveRenderer struct {
	noWarnings
	before, after cty.Value
}

func (r primitiveRenderer) render(d diff, indent int, o ropts) string {
	if kindOf(r.before) == jsonString || kindOf(r.after) == jsonString {
		return r.renderString(d, indent, o)
	}
	b, a := primitiveValue(r.before, o), primitiveValue(r.after, o)
	switch d.action {
	case actCreate:
		return a + forcesReplacement(d.replace, o)
	case actDelete:
		return b + nullSuffix(d.action, o) + forcesReplacement(d.replace, o)
	case actNoOp:
		return b + forcesReplacement(d.replace, o)
	}
	return b + " " + o.arrow() + " " + a + forcesReplacement(d.replace, o)
}

func primitiveValue(v cty.Value, o ropts) string {
	switch {
	case isNull(v):
		return o.c.paint("null", ansiDarkGray)
	case !v.IsKnown():
		return "(known after apply)"
	}
	switch v.Type() {
	case cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case cty.String:
		return strconv.Quote(v.AsString())
	}
	return FormatValue(v, 0)
}

// evaluatedString is one side of a string diff; literal text (null, or a
// value that is not a string after all) is shown without quotes.
type evaluatedString struct {
	s         string
	null      bool
	literal   bool
	multiline bool
}

func evaluateString(v cty.Value, o ropts) evaluatedString {
	if isNull(v) || !v.IsKnown() || v.Type() != cty.String {
		return evaluatedString{s: primitiveValue(v, o), null: isNull(v), literal: true}
	}
	s := v.AsString()
	if strings.Contains(s, "\n") {
		return evaluatedString{s: strings.TrimSpace(s), multiline: true}
	}
	return evaluatedString{s: s}
}

func (e evaluatedString) simple() string {
	if e.literal {
		return e.s
	}
	return strconv.Quote(e.s)
}

func (r primitiveRenderer) renderString(d diff, indent int, o ropts) string {
	var lines []string
	heredocLines := func(s string) []string {
		ls := strings.Split(s, "\n")
		for i, l := range ls {
			ls[i] = formatIndent(indent+1) + o.sym(actNoOp) + replaceControlChars(l)
		}
		return ls
	}
	switch d.action {
	case actCreate, actNoOp:
		str := evaluateString(r.after, o)
		if d.action == actNoOp {
			str = evaluateString(r.before, o)
		}
		if !str.multiline {
			return str.simple() + forcesReplacement(d.replace, o)
		}
		lines = heredocLines(str.s)
	case actDelete:
		str := evaluateString(r.before, o)
		if str.null {
			return str.simple() + forcesReplacement(d.replace, o)
		}
		if !str.multiline {
			return str.simple() + nullSuffix(d.action, o) + forcesReplacement(d.replace, o)
		}
		lines = heredocLines(str.s)
	default:
		b, a := evaluateString(r.before, o), evaluateString(r.after, o)
		if !b.multiline && !a.multiline {
			return b.simple() + " " + o.arrow() + " " + a.simple() + forcesReplacement(d.replace, o)
		}
		bl, al := strings.Split(b.s, "\n"), strings.Split(a.s, "\n")
		common := lcsOf(len(bl), len(al), func(i, j int) bool { return bl[i] == al[j] }, func(i int) string { return bl[i] })
		bi, ai, li := 0, 0, 0
		emit := func(act action, l string) {
			lines = append(lines, formatIndent(indent+1)+o.sym(act)+replaceControlChars(l))
		}
		for bi < len(bl) || ai < len(al) || li < len(common) {
			for bi < len(bl) && (li >= len(common) || bl[bi] != common[li]) {
				emit(actDelete, bl[bi])
				bi++
			}
			for ai < len(al) && (li >= len(common) || al[ai] != common[li]) {
				emit(actCreate, al[ai])
				ai++
			}
			if li < len(common) {
				emit(actNoOp, bl[bi])
				bi++
				ai++
				li++
			}
		}
	}
	return "<<-EOT" + forcesReplacement(d.replace, o) + "\n" + strings.Join(lines, "\n") + "\n" +
		formatIndent(indent) + o.sym(actNoOp) + "EOT" + nullSuffix(d.action, o)
}

// sensitiveRenderer hides a value; nothing of the value is kept.
type sensitiveRenderer struct {
	bSens, aSens bool
	inner        action
}

func (r sensitiveRenderer) render(d diff, _ int, o ropts) string {
	return "(sensitive value)" + nullSuffix(d.action, o) + forcesReplacement(d.replace, o)
}

func (r sensitiveRenderer) warnings(_ diff, indent int, o ropts) []string {
	if r.bSens == r.aSens || r.inner == actCreate || r.inner == actDelete {
		return nil
	}
	warning := "Warning"
	var w string
	if r.bSens {
		w = fmt.Sprintf("  # %s: this attribute value will no longer be marked as sensitive\n%s  # after applying this change.",
			o.c.paint(warning, ansiYellow), formatIndent(indent))
	} else {
		w = fmt.Sprintf("  # %s: this attribute value will be marked as sensitive and will not\n%s  # display in UI output after applying this change.",
			o.c.paint(warning, ansiYellow), formatIndent(indent))
	}
	if r.inner == actNoOp {
		w += " The value is unchanged."
	}
	return []string{w}
}

// sensitiveBlockRenderer hides a whole nested block.
type sensitiveBlockRenderer struct {
	bSens, aSens bool
	inner        action
}

func (r sensitiveBlockRenderer) render(d diff, indent int, o ropts) string {
	p := formatIndent(indent) + o.sym(actNoOp)
	return fmt.Sprintf("{%s\n%s  # At least one attribute in this block is (or was) sensitive,\n%s  # so its contents will not be displayed.\n%s}",
		forcesReplacement(d.replace, o), p, p, p)
}

func (r sensitiveBlockRenderer) warnings(_ diff, indent int, o ropts) []string {
	if r.bSens == r.aSens || r.inner == actCreate || r.inner == actDelete {
		return nil
	}
	if r.bSens {
		return []string{fmt.Sprintf("  # %s: this block will no longer be marked as sensitive\n%s  # after applying this change.",
			o.c.paint("Warning", ansiYellow), formatIndent(indent))}
	}
	return []string{fmt.Sprintf("  # %s: this block will be marked as sensitive and will not\n%s  # display in UI output after applying this change.",
		o.c.paint("Warning", ansiYellow), formatIndent(indent))}
}

// unknownRenderer draws a value known only after apply.
type unknownRenderer struct {
	noWarnings
	before *diff
}

func (r unknownRenderer) render(d diff, indent int, o ropts) string {
	if d.action == actCreate || r.before == nil {
		return "(known after apply)" + forcesReplacement(d.replace, o)
	}
	o.overrideNullSuffix = true
	return r.before.render(indent, o) + " " + o.arrow() + " (known after apply)" + forcesReplacement(d.replace, o)
}

// typeChangeRenderer draws a value whose type changes as old -> new.
type typeChangeRenderer struct {
	noWarnings
	before, after diff
}

func (r typeChangeRenderer) render(_ diff, indent int, o ropts) string {
	o.overrideNullSuffix = true
	return r.before.render(indent, o) + " " + o.arrow() + " " + r.after.render(indent, o)
}

// objectRenderer draws an object-typed attribute value.
type objectRenderer struct {
	noWarnings
	attrs              map[string]diff
	overrideNullSuffix bool
}

func (r objectRenderer) render(d diff, indent int, o ropts) string {
	if len(r.attrs) == 0 {
		return "{}" + nullSuffix(d.action, o) + forcesReplacement(d.replace, o)
	}
	ao := o.clone()
	ao.overrideNullSuffix = r.overrideNullSuffix
	names, width := sortedNames(r.attrs, attrName)
	unchangedN := 0
	var b strings.Builder
	b.WriteString("{" + forcesReplacement(d.replace, o) + "\n")
	for _, name := range names {
		a := r.attrs[name]
		eo := ao
		if importantAttribute(name) {
			eo = ao.clone()
			eo.showUnchanged = true
		} else if a.action == actNoOp && !o.showUnchanged {
			unchangedN++
			continue
		}
		for _, w := range a.warnings(indent+1, eo) {
			b.WriteString(formatIndent(indent+1) + w + "\n")
		}
		fmt.Fprintf(&b, "%s%s%-*s = %s\n", formatIndent(indent+1), eo.sym(a.action), width, attrName(name), a.render(indent+1, eo))
	}
	if unchangedN > 0 {
		b.WriteString(formatIndent(indent+1) + o.sym(actNoOp) + unchanged("attribute", unchangedN, o) + "\n")
	}
	b.WriteString(formatIndent(indent) + o.sym(actNoOp) + "}" + nullSuffix(d.action, o))
	return b.String()
}

func sortedNames(m map[string]diff, escape func(string) string) ([]string, int) {
	names := make([]string, 0, len(m))
	width := 0
	for k := range m {
		names = append(names, k)
		width = max(width, len(escape(k)))
	}
	sort.Strings(names)
	return names, width
}

// mapRenderer draws a map value with quoted keys.
type mapRenderer struct {
	noWarnings
	elements                  map[string]diff
	overrideNullSuffix        bool
	overrideForcesReplacement bool
	alignKeys                 bool
}

func (r mapRenderer) render(d diff, indent int, o ropts) string {
	self := d.replace && !r.overrideForcesReplacement
	children := d.replace && r.overrideForcesReplacement
	if len(r.elements) == 0 {
		return "{}" + nullSuffix(d.action, o) + forcesReplacement(self, o)
	}
	keys, width := sortedNames(r.elements, strconv.Quote)
	eo := o.clone()
	eo.overrideNullSuffix = d.action == actDelete || r.overrideNullSuffix
	eo.overrideForcesReplacement = children
	unchangedN := 0
	var b strings.Builder
	b.WriteString("{" + forcesReplacement(self, o) + "\n")
	for _, k := range keys {
		e := r.elements[k]
		if e.action == actNoOp && !o.showUnchanged {
			unchangedN++
			continue
		}
		for _, w := range e.warnings(indent+1, o) {
			b.WriteString(formatIndent(indent+1) + w + "\n")
		}
		comma := ""
		if _, ok := e.r.(objectRenderer); ok {
			comma = ","
		}
		if r.alignKeys {
			fmt.Fprintf(&b, "%s%s%-*s = %s%s\n", formatIndent(indent+1), eo.sym(e.action), width, strconv.Quote(k), e.render(indent+1, eo), comma)
		} else {
			fmt.Fprintf(&b, "%s%s%s = %s%s\n", formatIndent(indent+1), eo.sym(e.action), strconv.Quote(k), e.render(indent+1, eo), comma)
		}
	}
	if unchangedN > 0 {
		b.WriteString(formatIndent(indent+1) + o.sym(actNoOp) + unchanged("element", unchangedN, o) + "\n")
	}
	b.WriteString(formatIndent(indent) + o.sym(actNoOp) + "}" + nullSuffix(d.action, o))
	return b.String()
}

// listRenderer draws a list; with displayContext it also shows the
// unchanged neighbours of each change, since order matters.
type listRenderer struct {
	noWarnings
	elements       []diff
	displayContext bool
}

func (r listRenderer) render(d diff, indent int, o ropts) string {
	if len(r.elements) == 0 {
		return "[]" + nullSuffix(d.action, o) + forcesReplacement(d.replace, o)
	}
	eo := o.clone()
	eo.overrideNullSuffix = true
	uo := o.clone()
	uo.showUnchanged = true
	var pending []diff
	renderNext := false
	var b strings.Builder
	b.WriteString("[" + forcesReplacement(d.replace, o) + "\n")
	for _, e := range r.elements {
		if e.action == actNoOp && !renderNext && !o.showUnchanged {
			pending = append(pending, e)
			continue
		}
		renderNext = false
		opts := eo
		if r.displayContext {
			if len(pending) > 1 {
				b.WriteString(formatIndent(indent+1) + opts.sym(actNoOp) + unchanged("element", len(pending)-1, opts) + "\n")
			}
			if len(pending) > 0 {
				last := pending[len(pending)-1]
				b.WriteString(formatIndent(indent+1) + uo.sym(last.action) + last.render(indent+1, uo) + ",\n")
			}
			pending = nil
			if e.action == actNoOp {
				opts = uo
			} else {
				renderNext = true
			}
		}
		for _, w := range e.warnings(indent+1, opts) {
			b.WriteString(formatIndent(indent+1) + w + "\n")
		}
		b.WriteString(formatIndent(indent+1) + opts.sym(e.action) + e.render(indent+1, opts) + ",\n")
	}
	if len(pending) > 0 {
		b.WriteString(formatIndent(indent+1) + o.sym(actNoOp) + unchanged("element", len(pending), o) + "\n")
	}
	b.WriteString(formatIndent(indent) + o.sym(actNoOp) + "]" + nullSuffix(d.action, o))
	return b.String()
}

// setRenderer draws a set; order carries no meaning, so no context.
type setRenderer struct {
	noWarnings
	elements                  []diff
	overrideForcesReplacement bool
}

func (r setRenderer) render(d diff, indent int, o ropts) string {
	self := d.replace && !r.overrideForcesReplacement
	children := d.replace && r.overrideForcesReplacement
	if len(r.elements) == 0 {
		return "[]" + nullSuffix(d.action, o) + forcesReplacement(self, o)
	}
	eo := o.clone()
	eo.overrideNullSuffix = true
	eo.overrideForcesReplacement = children
	unchangedN := 0
	var b strings.Builder
	b.WriteString("[" + forcesReplacement(self, o) + "\n")
	for _, e := range r.elements {
		if e.action == actNoOp && !o.showUnchanged {
			unchangedN++
			continue
		}
		for _, w := range e.warnings(indent+1, o) {
			b.WriteString(formatIndent(indent+1) + w + "\n")
		}
		b.WriteString(formatIndent(indent+1) + eo.sym(e.action) + e.render(indent+1, eo) + ",\n")
	}
	if unchangedN > 0 {
		b.WriteString(formatIndent(indent+1) + o.sym(actNoOp) + unchanged("element", unchangedN, o) + "\n")
	}
	b.WriteString(formatIndent(indent) + o.sym(actNoOp) + "]" + nullSuffix(d.action, o))
	return b.String()
}

type blockKind int

const (
	kindSingle blockKind = iota
	kindList
	kindSet
	kindMap
)

// blocks are the nested blocks of a block, by type name.
type blocks struct {
	kinds                 map[string]blockKind
	replace, bSens, aSens map[string]bool
	single                map[string]diff
	list, set             map[string][]diff
	maps                  map[string]map[string]diff
}

func (b *blocks) add(name string, k blockKind, replace, bSens, aSens bool) {
	b.kinds[name] = k
	b.replace[name] = replace
	b.bSens[name] = bSens
	b.aSens[name] = aSens
}

// blockRenderer draws a resource or nested block body.
type blockRenderer struct {
	noWarnings
	attrs  map[string]diff
	blocks blocks
}

func (r blockRenderer) render(d diff, indent int, o ropts) string {
	if len(r.attrs) == 0 && len(r.blocks.kinds) == 0 {
		return "{}" + forcesReplacement(d.replace, o)
	}
	names, width := sortedNames(r.attrs, attrName)
	io := o.clone()
	io.showUnchanged = true
	ao := o.clone()
	unchangedAttrs, unchangedBlocks := 0, 0
	var b strings.Builder
	b.WriteString("{" + forcesReplacement(d.replace, o) + "\n")
	for _, name := range names {
		a := r.attrs[name]
		eo := ao
		if importantAttribute(name) {
			eo = io
		} else if a.action == actNoOp && !o.showUnchanged {
			unchangedAttrs++
			continue
		}
		for _, w := range a.warnings(indent+1, eo) {
			b.WriteString(formatIndent(indent+1) + w + "\n")
		}
		fmt.Fprintf(&b, "%s%s%-*s = %s\n", formatIndent(indent+1), eo.sym(a.action), width, attrName(name), a.render(indent+1, eo))
	}
	if unchangedAttrs > 0 {
		b.WriteString(formatIndent(indent+1) + o.sym(actNoOp) + unchanged("attribute", unchangedAttrs, o) + "\n")
	}
	blockNames := make([]string, 0, len(r.blocks.kinds))
	for name := range r.blocks.kinds {
		blockNames = append(blockNames, name)
	}
	sort.Strings(blockNames)
	for _, name := range blockNames {
		found := false
		renderBlock := func(bd diff, mapKey string, opts ropts) {
			bs, as := r.blocks.bSens[name], r.blocks.aSens[name]
			if (bd.action == actCreate && as) || (bd.action == actDelete && bs) ||
				((bd.action == actUpdate || bd.action == actNoOp) && (as || bs)) {
				act := bd.action
				if act == actNoOp && bs != as {
					act = actUpdate
				}
				bd = diff{r: sensitiveBlockRenderer{bSens: bs, aSens: as, inner: bd.action}, action: act, replace: bd.replace}
			}
			if bd.action == actNoOp && !opts.showUnchanged {
				unchangedBlocks++
				return
			}
			if !found && len(r.attrs) > 0 {
				b.WriteString("\n")
				found = true
			}
			bo := opts.clone()
			bo.overrideForcesReplacement = r.blocks.replace[name]
			for _, w := range bd.warnings(indent+1, bo) {
				b.WriteString(formatIndent(indent+1) + w + "\n")
			}
			fmt.Fprintf(&b, "%s%s%s%s %s\n", formatIndent(indent+1), bo.sym(bd.action), attrName(name), mapKey, bd.render(indent+1, bo))
		}
		switch r.blocks.kinds[name] {
		case kindSingle:
			renderBlock(r.blocks.single[name], "", o)
		case kindMap:
			ks := make([]string, 0, len(r.blocks.maps[name]))
			for k := range r.blocks.maps[name] {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			for _, k := range ks {
				renderBlock(r.blocks.maps[name][k], " "+strconv.Quote(k), o)
			}
		case kindSet:
			for _, bd := range r.blocks.set[name] {
				renderBlock(bd, "", o)
			}
		case kindList:
			for _, bd := range r.blocks.list[name] {
				renderBlock(bd, "", o)
			}
		}
	}
	if unchangedBlocks > 0 {
		b.WriteString("\n" + formatIndent(indent+1) + o.sym(actNoOp) + unchanged("block", unchangedBlocks, o) + "\n")
	}
	b.WriteString(formatIndent(indent) + o.sym(actNoOp) + "}")
	return b.String()
}
