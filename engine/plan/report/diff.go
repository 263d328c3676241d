package report

import (
	"sort"
	"strconv"
	"strings"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// The operations a diff row shows.
const (
	opAdd    = "add"
	opRemove = "remove"
	opChange = "change"
	opSame   = "same"
)

// row is one line of an attribute diff: an attribute, map entry or
// collection element, indented under the one that holds it.
type row struct {
	Depth int
	Op    string
	Name  string
	// Group rows hold the rows that follow at a greater depth; their own
	// values are shown only when empty ([] or {}).
	Group         bool
	Before, After val
	// Forces is set on the attributes whose change forces a replacement.
	Forces bool
	// Class and Mark (+, -, ~) are set by finish.
	Class, Mark string
}

// val is a rendered value: Text and the Kind that styles it.
type val struct {
	Text string
	// Kind is one of none, null, str, multi (a multi-line string), num,
	// bool, unknown, sensitive, compact (a whole collection on one line).
	Kind string
	// Class and Pre are what the page needs of Kind, worked out once by
	// finish: a page holds thousands of values.
	Class string
	Pre   bool
}

// finish fills in what the page shows of a row: its classes and marker.
func (r *row) finish() {
	r.Class = "op-" + r.Op + " d" + strconv.Itoa(r.Depth)
	if r.Forces {
		r.Class += " forces"
	}
	switch r.Op {
	case opAdd:
		r.Mark = "+"
	case opRemove:
		r.Mark = "-"
	case opChange:
		r.Mark = "~"
	}
	for _, v := range []*val{&r.Before, &r.After} {
		if v.Kind != "" && v.Kind != "none" {
			v.Class = "v " + v.Kind
		}
		v.Pre = v.Kind == "multi"
	}
}

// finishRows caps the indentation the page styles and fills in every
// row.
func finishRows(rows []row) []row {
	for i := range rows {
		rows[i].Depth = max(0, min(rows[i].Depth, maxDepthClass))
		rows[i].finish()
	}
	return rows
}

// maxCompact bounds a collection written on one line.
const maxCompact = 400

// lcsLimit bounds the table of the longest-common-subsequence match of two
// lists; longer lists are compared element by element.
const lcsLimit = 1 << 18

// differ builds the rows of one object's diff.
type differ struct {
	t      func(string) string
	scrub  *scrubber
	rows   []row
	hidden int
	// context names the top-level attributes shown even when unchanged,
	// so that an update says which object it is about.
	context map[string]bool
}

func absent(v cty.Value) bool { return v == cty.NilVal || (v.IsKnown() && v.IsNull()) }

type kind int

const (
	kLeaf kind = iota
	kObject
	kSeq
	kSet
)

func kindOf(v cty.Value) kind {
	if v == cty.NilVal {
		return kLeaf
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType() || ty.IsMapType():
		return kObject
	case ty.IsListType() || ty.IsTupleType():
		return kSeq
	case ty.IsSetType():
		return kSet
	}
	return kLeaf
}

func opOf(b, a cty.Value) string {
	switch {
	case absent(b):
		return opAdd
	case absent(a):
		return opRemove
	case b.RawEquals(a):
		return opSame
	}
	return opChange
}

// walk appends the rows of one attribute or element and returns what
// happens to it ("" when it is null on both sides). bs and as are the
// sensitive paths below it before and after, rr the paths that force a
// replacement.
func (d *differ) walk(depth int, name string, b, a cty.Value, bs, as, rr *trie) string {
	if absent(b) && absent(a) {
		return ""
	}
	name = d.scrub.text(name)
	if bs.Hit() || as.Hit() {
		op := opOf(b, a)
		if op == opSame && !d.shown(depth, name) {
			d.hidden++
			return op
		}
		d.rows = append(d.rows, row{Depth: depth, Op: op, Name: name, Before: d.secret(b), After: d.secret(a), Forces: rr.Hit()})
		return op
	}
	if (a != cty.NilVal && !a.IsKnown()) || (b != cty.NilVal && !b.IsKnown()) {
		op := opChange
		if absent(b) {
			op = opAdd
		}
		d.rows = append(d.rows, row{Depth: depth, Op: op, Name: name, Before: d.value(b, bs), After: d.value(a, as), Forces: rr.Hit()})
		return op
	}
	kb, ka := kindOf(b), kindOf(a)
	switch {
	case absent(b):
		kb = ka
	case absent(a):
		ka = kb
	}
	if kb != ka || kb == kLeaf {
		op := opOf(b, a)
		if op == opSame && !d.shown(depth, name) {
			d.hidden++
			return op
		}
		d.rows = append(d.rows, row{Depth: depth, Op: op, Name: name, Before: d.value(b, bs), After: d.value(a, as), Forces: rr.Hit()})
		return op
	}

	if (kb == kSeq || kb == kSet) && (absent(b) || absent(a)) && flat(b, bs) && flat(a, as) {
		// A list of plain values that comes or goes whole reads best on
		// one line.
		d.rows = append(d.rows, row{Depth: depth, Op: opOf(b, a), Name: name, Before: d.value(b, bs), After: d.value(a, as), Forces: rr.Hit()})
		return opOf(b, a)
	}
	at := len(d.rows)
	d.rows = append(d.rows, row{Depth: depth, Name: name, Group: true, Forces: rr.Hit()})
	hiddenBefore := d.hidden
	var changed bool
	switch kb {
	case kObject:
		changed = d.object(depth+1, b, a, bs, as, rr)
	case kSeq:
		changed = d.seq(depth+1, b, a, bs, as, rr)
	case kSet:
		changed = d.set(depth+1, b, a, bs, as, rr)
	}
	op := opSame
	switch {
	case absent(b):
		op = opAdd
	case absent(a):
		op = opRemove
	case changed:
		op = opChange
	}
	if op == opSame && !d.shown(depth, name) {
		// An unchanged collection is one hidden attribute, however much
		// it holds.
		d.rows = d.rows[:at]
		d.hidden = hiddenBefore + 1
		return op
	}
	r := &d.rows[at]
	r.Op = op
	if len(d.rows) == at+1 {
		// Nothing inside: show the empty collection itself.
		r.Group = false
		r.Before, r.After = d.value(b, bs), d.value(a, as)
	}
	return op
}

// shown reports whether an unchanged value still gets a row: the object
// itself (depth -1) and its context attributes do.
func (d *differ) shown(depth int, name string) bool {
	return depth < 0 || depth == 0 && d.context[name]
}

// flat reports whether a collection holds only known plain values, none of
// them sensitive.
func flat(v cty.Value, sens *trie) bool {
	if absent(v) {
		return true
	}
	if sens.HasBelow() {
		return false
	}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.IsKnown() || isCollection(e) {
			return false
		}
	}
	return true
}

func elements(v cty.Value) (keys, vals []cty.Value) {
	if absent(v) {
		return nil, nil
	}
	n := v.LengthInt()
	keys, vals = make([]cty.Value, 0, n), make([]cty.Value, 0, n)
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		keys, vals = append(keys, k), append(vals, e)
	}
	return keys, vals
}

func (d *differ) object(depth int, b, a cty.Value, bs, as, rr *trie) bool {
	bk, bv := elements(b)
	ak, av := elements(a)
	before := make(map[string]cty.Value, len(bk))
	after := make(map[string]cty.Value, len(ak))
	names := make([]string, 0, len(bk)+len(ak))
	for i, k := range bk {
		before[k.AsString()] = bv[i]
		names = append(names, k.AsString())
	}
	for i, k := range ak {
		s := k.AsString()
		if _, ok := before[s]; !ok {
			names = append(names, s)
		}
		after[s] = av[i]
	}
	sort.Strings(names)
	isMap := (b != cty.NilVal && b.Type().IsMapType()) || (a != cty.NilVal && a.Type().IsMapType())
	changed := false
	for _, n := range names {
		label := n
		if isMap {
			label = strconv.Quote(n)
		}
		if op := d.walk(depth, label, before[n], after[n], bs.Attr(n), as.Attr(n), rr.Attr(n)); op != opSame && op != "" {
			changed = true
		}
	}
	return changed
}

func isCollection(v cty.Value) bool {
	ty := v.Type()
	return ty.IsObjectType() || ty.IsMapType() || ty.IsListType() || ty.IsTupleType() || ty.IsSetType()
}

func (d *differ) seq(depth int, b, a cty.Value, bs, as, rr *trie) bool {
	_, bv := elements(b)
	_, av := elements(a)
	idx := func(i int) cty.Value { return cty.NumberIntVal(int64(i)) }
	label := func(i int) string { return "[" + strconv.Itoa(i) + "]" }
	changed := false
	step := func(name string, bi, ai int) {
		var be, ae cty.Value
		var bt, at, rt *trie
		if bi >= 0 {
			be, bt = bv[bi], bs.Elem(idx(bi))
		}
		if ai >= 0 {
			ae, at, rt = av[ai], as.Elem(idx(ai)), rr.Elem(idx(ai))
		} else {
			rt = rr.Elem(idx(bi))
		}
		if op := d.walk(depth, name, be, ae, bt, at, rt); op != opSame && op != "" {
			changed = true
		}
	}
	structured := false
	for _, v := range append(bv[:len(bv):len(bv)], av...) {
		if v.IsKnown() && !v.IsNull() && isCollection(v) {
			structured = true
			break
		}
	}
	if structured || len(bv) == 0 || len(av) == 0 || len(bv)*len(av) > lcsLimit {
		// Blocks and lists of objects are compared by position, as their
		// elements are edited in place.
		for i := 0; i < max(len(bv), len(av)); i++ {
			bi, ai := i, i
			if i >= len(bv) {
				bi = -1
			}
			if i >= len(av) {
				ai = -1
			}
			step(label(i), bi, ai)
		}
		return changed
	}
	for _, p := range lcs(bv, av) {
		if p[1] >= 0 {
			step(label(p[1]), p[0], p[1])
		} else {
			step(label(p[0]), p[0], -1)
		}
	}
	return changed
}

// lcs aligns two lists on their longest common subsequence: pairs of
// (before index, after index), -1 for an element only one side has.
func lcs(b, a []cty.Value) [][2]int {
	eq := func(i, j int) bool { return b[i].IsWhollyKnown() && a[j].IsWhollyKnown() && b[i].RawEquals(a[j]) }
	n, m := len(b), len(a)
	t := make([]int32, (n+1)*(m+1))
	at := func(i, j int) *int32 { return &t[i*(m+1)+j] }
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if eq(i, j) {
				*at(i, j) = *at(i+1, j+1) + 1
			} else {
				*at(i, j) = max(*at(i+1, j), *at(i, j+1))
			}
		}
	}
	var out [][2]int
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case eq(i, j):
			out = append(out, [2]int{i, j})
			i++
			j++
		case *at(i+1, j) >= *at(i, j+1):
			out = append(out, [2]int{i, -1})
			i++
		default:
			out = append(out, [2]int{-1, j})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, [2]int{i, -1})
	}
	for ; j < m; j++ {
		out = append(out, [2]int{-1, j})
	}
	return out
}

const setElem = "•"

func (d *differ) set(depth int, b, a cty.Value, bs, as, rr *trie) bool {
	_, bv := elements(b)
	_, av := elements(a)
	inBefore := make(map[string]int, len(bv))
	for _, v := range bv {
		if k, ok := valueKey(v); ok {
			inBefore[k]++
		}
	}
	matched := make(map[string]int, len(av))
	changed := false
	emit := func(be, ae cty.Value, bt, at, rt *trie) {
		// An element with a sensitive part is hidden whole: a set
		// element is known by its value.
		if bt.AnyBelow() {
			bt = plan.AllPaths()
		}
		if at.AnyBelow() {
			at = plan.AllPaths()
		}
		if op := d.walk(depth, setElem, be, ae, bt, at, rt); op != opSame && op != "" {
			changed = true
		}
	}
	var added []cty.Value
	for _, v := range av {
		if k, ok := valueKey(v); ok && matched[k] < inBefore[k] {
			matched[k]++
			emit(v, v, bs.Elem(v), as.Elem(v), rr.Elem(v))
			continue
		}
		added = append(added, v)
	}
	for _, v := range bv {
		if k, ok := valueKey(v); ok && matched[k] > 0 {
			matched[k]--
			continue
		}
		emit(v, cty.NilVal, bs.Elem(v), nil, rr.Elem(v))
	}
	for _, v := range added {
		emit(cty.NilVal, v, nil, as.Elem(v), rr.Elem(v))
	}
	return changed
}

// secret renders a sensitive value: its text never, only that there is
// one.
func (d *differ) secret(v cty.Value) val {
	switch {
	case v == cty.NilVal:
		return val{Kind: "none"}
	case v.IsKnown() && v.IsNull():
		return val{Kind: "null", Text: "null"}
	}
	return val{Kind: "sensitive", Text: d.t("value.sensitive")}
}

// value renders a value that is not sensitive as a whole; sens marks its
// sensitive parts.
func (d *differ) value(v cty.Value, sens *trie) val {
	switch {
	case v == cty.NilVal:
		return val{Kind: "none"}
	case sens.Hit():
		return d.secret(v)
	case !v.IsKnown():
		return val{Kind: "unknown", Text: d.t("value.unknown")}
	case v.IsNull():
		return val{Kind: "null", Text: "null"}
	}
	switch ty := v.Type(); {
	case ty == cty.String:
		s := v.AsString()
		if d.scrub.secret(s) {
			return d.secret(v)
		}
		s = d.scrub.text(s)
		if strings.Contains(s, "\n") {
			return val{Kind: "multi", Text: s}
		}
		return val{Kind: "str", Text: strconv.Quote(s)}
	case ty == cty.Number:
		s := v.AsBigFloat().Text('f', -1)
		if d.scrub.secret(s) {
			return d.secret(v)
		}
		return val{Kind: "num", Text: s}
	case ty == cty.Bool:
		return val{Kind: "bool", Text: strconv.FormatBool(v.True())}
	}
	var b strings.Builder
	d.compact(&b, v, sens)
	s := b.String()
	if len(s) > maxCompact {
		s = truncate(s, maxCompact)
	}
	return val{Kind: "compact", Text: s}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// compact writes a value on one line, in configuration syntax, with its
// sensitive and unknown parts marked; it stops once past maxCompact.
func (d *differ) compact(b *strings.Builder, v cty.Value, sens *trie) {
	if b.Len() > maxCompact {
		return
	}
	switch {
	case sens.Hit():
		b.WriteString(d.t("value.sensitive"))
		return
	case !v.IsKnown():
		b.WriteString(d.t("value.unknown"))
		return
	case v.IsNull():
		b.WriteString("null")
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String, ty == cty.Number, ty == cty.Bool:
		b.WriteString(d.value(v, nil).Text)
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		b.WriteByte('[')
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			k, e := it.Element()
			if i > 0 {
				b.WriteString(", ")
			}
			et := sens.Elem(k)
			if ty.IsSetType() {
				et = sens.Elem(e)
				if et.AnyBelow() {
					et = plan.AllPaths()
				}
			}
			d.compact(b, e, et)
			if b.Len() > maxCompact {
				return
			}
		}
		b.WriteByte(']')
	case ty.IsMapType() || ty.IsObjectType():
		b.WriteByte('{')
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			k, e := it.Element()
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteByte(' ')
			name := d.scrub.text(k.AsString())
			if ty.IsMapType() {
				name = strconv.Quote(name)
			}
			b.WriteString(name)
			b.WriteString(" = ")
			d.compact(b, e, sens.Attr(k.AsString()))
			if b.Len() > maxCompact {
				return
			}
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('}')
	default:
		b.WriteString("?")
	}
}
