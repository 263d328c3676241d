package views

import (
	"sort"
	"strings"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// diff is the computed change of one value: how to draw it, what happens
// to it, and whether it forces the replacement of its resource.
type diff struct {
	r       renderer
	action  action
	replace bool
}

func (d diff) render(indent int, o ropts) string { return d.r.render(d, indent, o) }

func (d diff) warnings(indent int, o ropts) []string { return d.r.warnings(d, indent, o) }

type renderer interface {
	render(d diff, indent int, o ropts) string
	warnings(d diff, indent int, o ropts) []string
}

// diffForBlock diffs a value of a block's implied type.
func diffForBlock(c change, b *plugins.Block) diff {
	if d, ok := sensitiveBlockDiff(c); ok {
		return d
	}
	if isUnknown(c.after) {
		return unknownDiff(c, func(c change) diff { return diffForBlock(c, b) })
	}
	current := c.defaultAction()
	attrs := map[string]diff{}
	for name, a := range b.Attributes {
		child := c.attr(name)
		if a.Sensitive {
			child.bSens, child.aSens = child.bSens.force(), child.aSens.force()
		}
		// OpenTofu shows empty strings in blocks as absent: legacy providers
		// cannot store null strings.
		if isEmptyString(child.before) {
			child.before = cty.NullVal(cty.String)
		}
		if isEmptyString(child.after) {
			child.after = cty.NullVal(cty.String)
		}
		child.bExplicit, child.aExplicit = false, false
		d := diffForType(child, a.Type)
		if d.action == actNoOp && isNull(child.before) && isNull(child.after) {
			continue
		}
		attrs[name] = d
		current = compareActions(current, d.action)
	}
	bl := blocks{kinds: map[string]blockKind{}, replace: map[string]bool{}, bSens: map[string]bool{}, aSens: map[string]bool{},
		single: map[string]diff{}, list: map[string][]diff{}, set: map[string][]diff{}, maps: map[string]map[string]diff{}}
	for name, nb := range b.BlockTypes {
		child := c.attr(name)
		child.bExplicit, child.aExplicit = false, false
		bs, as, fr := child.bSens.matches(), child.aSens.matches(), child.replace.matches()
		inner := &nb.Block
		if isUnknown(child.after) {
			d := unknownDiff(child, func(c change) diff { return diffForBlock(c, inner) })
			bl.add(name, kindSingle, fr, bs, as)
			bl.single[name] = d
			current = compareActions(current, d.action)
			continue
		}
		switch nb.Nesting {
		case plugins.NestingList:
			s := newSeq(child)
			act := child.defaultAction()
			var ds []diff
			for i := 0; i < len(s.b) || i < len(s.a); i++ {
				d := diffForBlock(s.child(i, i), inner)
				ds = append(ds, d)
				act = compareActions(act, d.action)
			}
			if act == actNoOp && isNull(child.before) && isNull(child.after) {
				continue
			}
			bl.add(name, kindList, fr, bs, as)
			bl.list[name] = ds
			current = compareActions(current, act)
		case plugins.NestingSet:
			act := child.defaultAction()
			var ds []diff
			processSet(child, func(c change) {
				d := diffForBlock(c, inner)
				ds = append(ds, d)
				act = compareActions(act, d.action)
			})
			if act == actNoOp && isNull(child.before) && isNull(child.after) {
				continue
			}
			bl.add(name, kindSet, fr, bs, as)
			bl.set[name] = ds
			current = compareActions(current, act)
		case plugins.NestingMap:
			act := child.defaultAction()
			ds := map[string]diff{}
			for _, k := range keys(child.before, child.after) {
				d := diffForBlock(child.mapElem(k), inner)
				ds[k] = d
				act = compareActions(act, d.action)
			}
			if act == actNoOp && isNull(child.before) && isNull(child.after) {
				continue
			}
			bl.add(name, kindMap, fr, bs, as)
			bl.maps[name] = ds
			current = compareActions(current, act)
		default:
			d := diffForBlock(child, inner)
			if d.action == actNoOp && isNull(child.before) && isNull(child.after) {
				continue
			}
			bl.add(name, kindSingle, fr, bs, as)
			bl.single[name] = d
			current = compareActions(current, d.action)
		}
	}
	return diff{r: blockRenderer{attrs: attrs, blocks: bl}, action: current, replace: c.replace.matches()}
}

func isEmptyString(v cty.Value) bool {
	return v != cty.NilVal && v.IsKnown() && !v.IsNull() && v.Type() == cty.String && v.AsString() == ""
}

func sensitiveBlockDiff(c change) (diff, bool) {
	bs, as := c.bSens.matches(), c.aSens.matches()
	if !bs && !as {
		return diff{}, false
	}
	act := c.valueAction()
	inner := act
	if act == actNoOp && bs != as && !(c.beforeAbsent() && c.afterAbsent()) {
		act = actUpdate
	}
	return diff{r: sensitiveBlockRenderer{bSens: bs, aSens: as, inner: inner}, action: act, replace: c.replace.matches()}, true
}

func sensitiveDiff(c change) (diff, bool) {
	bs, as := c.bSens.matches(), c.aSens.matches()
	if !bs && !as {
		return diff{}, false
	}
	act := c.valueAction()
	inner := act
	if act == actNoOp && bs != as && !(c.beforeAbsent() && c.afterAbsent()) {
		act = actUpdate
	}
	return diff{r: sensitiveRenderer{bSens: bs, aSens: as, inner: inner}, action: act, replace: c.replace.matches()}, true
}

// unknownDiff draws a value that will only be known after apply, after
// what it was before if anything.
func unknownDiff(c change, before func(change) diff) diff {
	if c.beforeAbsent() {
		return diff{r: unknownRenderer{}, action: actCreate, replace: c.replace.matches()}
	}
	b := before(c.asDelete())
	return diff{r: unknownRenderer{before: &b}, action: actUpdate, replace: c.replace.matches()}
}

// diffForType diffs a value of a known type; a value that does not have
// the shape the type promises is diffed by its own shape instead.
func diffForType(c change, ty cty.Type) diff {
	if d, ok := sensitiveDiff(c); ok {
		return d
	}
	if isUnknown(c.after) {
		return unknownDiff(c, func(c change) diff { return diffForType(c, ty) })
	}
	if ty == cty.NilType || ty == cty.DynamicPseudoType || !conforms(c.before, ty) || !conforms(c.after, ty) {
		return diffDynamic(c)
	}
	switch {
	case ty.IsPrimitiveType():
		return diff{r: primitiveRenderer{before: c.before, after: c.after}, action: c.valueAction(), replace: c.replace.matches()}
	case ty.IsObjectType():
		attrs, act := diffObjectAttrs(c, ty.AttributeTypes())
		return diff{r: objectRenderer{attrs: attrs, overrideNullSuffix: true}, action: act, replace: c.replace.matches()}
	case ty.IsMapType():
		act := c.defaultAction()
		els := map[string]diff{}
		for _, k := range keys(c.before, c.after) {
			ch := c.mapElem(k)
			ch.bExplicit, ch.aExplicit = false, false
			d := diffForType(ch, ty.ElementType())
			els[k] = d
			act = compareActions(act, d.action)
		}
		return diff{r: mapRenderer{elements: els, alignKeys: true}, action: act, replace: c.replace.matches()}
	case ty.IsListType():
		ety := ty.ElementType()
		els, act := diffSlice(c, func(c change) diff { return diffForType(c, ety) }, func(a, b cty.Value) bool {
			return shouldDiffStrings(a, b) || ety.IsObjectType()
		})
		return diff{r: listRenderer{elements: els, displayContext: true}, action: act, replace: c.replace.matches()}
	case ty.IsTupleType():
		etys := ty.TupleElementTypes()
		s := newSeq(c)
		act := c.defaultAction()
		var els []diff
		for i, ety := range etys {
			d := diffForType(s.child(i, i), ety)
			els = append(els, d)
			act = compareActions(act, d.action)
		}
		return diff{r: listRenderer{elements: els, displayContext: true}, action: act, replace: c.replace.matches()}
	case ty.IsSetType():
		ety := ty.ElementType()
		act := c.defaultAction()
		var els []diff
		processSet(c, func(c change) {
			d := diffForType(c, ety)
			els = append(els, d)
			act = compareActions(act, d.action)
		})
		return diff{r: setRenderer{elements: els}, action: act, replace: c.replace.matches()}
	}
	return diffDynamic(c)
}

// conforms reports whether a value has the kind of shape ty describes.
func conforms(v cty.Value, ty cty.Type) bool {
	if isNull(v) || !v.IsKnown() {
		return true
	}
	vt := v.Type()
	switch {
	case ty.IsPrimitiveType():
		return vt.IsPrimitiveType()
	case ty.IsObjectType():
		return vt.IsObjectType()
	case ty.IsMapType():
		return vt.IsMapType()
	case ty.IsListType():
		return vt.IsListType()
	case ty.IsTupleType():
		return vt.IsTupleType() && len(vt.TupleElementTypes()) == len(ty.TupleElementTypes())
	case ty.IsSetType():
		return vt.IsSetType()
	}
	return false
}

// diffObjectAttrs diffs the attributes of an object; attributes null on
// both sides are left out altogether, not even counted as unchanged.
func diffObjectAttrs(c change, attrs map[string]cty.Type) (map[string]diff, action) {
	out := map[string]diff{}
	current := c.defaultAction()
	for name, aty := range attrs {
		child := c.attr(name)
		child.bExplicit, child.aExplicit = false, false
		d := diffForType(child, aty)
		if d.action == actNoOp && isNull(child.before) && isNull(child.after) {
			continue
		}
		out[name] = d
		current = compareActions(current, d.action)
	}
	return out, current
}

// jsonKind is the shape of a value as JSON sees it, which is how values
// without a declared type are compared.
type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonObject
	jsonArray
)

func kindOf(v cty.Value) jsonKind {
	if isNull(v) {
		return jsonNull
	}
	ty := v.Type()
	switch {
	case ty == cty.Bool:
		return jsonBool
	case ty == cty.Number:
		return jsonNumber
	case ty == cty.String:
		return jsonString
	case ty.IsObjectType() || ty.IsMapType():
		return jsonObject
	}
	return jsonArray
}

// diffDynamic diffs values by their own shapes, as OpenTofu diffs outputs.
func diffDynamic(c change) diff {
	if d, ok := sensitiveDiff(c); ok {
		return d
	}
	if isUnknown(c.after) {
		return unknownDiff(c, diffDynamic)
	}
	bk, ak := kindOf(c.before), kindOf(c.after)
	deleted := ak == jsonNull && !c.aExplicit
	created := bk == jsonNull && !c.bExplicit
	if bk == ak || created || deleted {
		k := bk
		if k == jsonNull {
			k = ak
		}
		return dynamicUpdate(c, k)
	}
	b := dynamicUpdate(c.asDelete(), bk)
	a := dynamicUpdate(c.asCreate(), ak)
	return diff{r: typeChangeRenderer{before: b, after: a}, action: actUpdate, replace: c.replace.matches()}
}

func dynamicUpdate(c change, k jsonKind) diff {
	switch k {
	case jsonObject:
		act := c.defaultAction()
		attrs := map[string]diff{}
		for _, name := range keys(c.before, c.after) {
			d := diffDynamic(c.attr(name))
			attrs[name] = d
			act = compareActions(act, d.action)
		}
		return diff{r: objectRenderer{attrs: attrs, overrideNullSuffix: true}, action: act, replace: c.replace.matches()}
	case jsonArray:
		els, act := diffSlice(c, diffDynamic, func(a, b cty.Value) bool {
			return shouldDiffStrings(a, b) || (kindOf(a) == jsonObject && kindOf(b) == jsonObject)
		})
		return diff{r: listRenderer{elements: els, displayContext: true}, action: act, replace: c.replace.matches()}
	}
	return diff{r: primitiveRenderer{before: c.before, after: c.after}, action: c.valueAction(), replace: c.replace.matches()}
}

// shouldDiffStrings pairs two multi-line strings sharing a line, so their
// change is shown line by line rather than as a removal and an addition.
func shouldDiffStrings(a, b cty.Value) bool {
	if kindOf(a) != jsonString || kindOf(b) != jsonString || !a.IsKnown() || !b.IsKnown() {
		return false
	}
	sa, sb := a.AsString(), b.AsString()
	if !strings.Contains(sa, "\n") && !strings.Contains(sb, "\n") {
		return false
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(sa, "\n") {
		lines[l] = true
	}
	for _, l := range strings.Split(sb, "\n") {
		if lines[l] {
			return true
		}
	}
	return false
}

// diffSlice aligns two sequences on their longest common subsequence and
// diffs the elements that do not line up.
func diffSlice(c change, compute func(change) diff, pair func(a, b cty.Value) bool) ([]diff, action) {
	s := newSeq(c)
	current := c.defaultAction()
	var out []diff
	processSlice(s.b, s.a, func(bi, ai int) {
		d := compute(s.child(bi, ai))
		out = append(out, d)
		current = compareActions(current, d.action)
	}, pair)
	return out, current
}

func processSlice(before, after []cty.Value, process func(bi, ai int), pair func(a, b cty.Value) bool) {
	lcs := longestCommonSubsequence(before, after)
	bi, ai, li := 0, 0, 0
	for bi < len(before) || ai < len(after) || li < len(lcs) {
		for bi < len(before) && (li >= len(lcs) || !safeEqual(before[bi], lcs[li])) {
			diffElements := ai < len(after) && pair(before[bi], after[ai])
			afterInLCS := li < len(lcs) && ai < len(after) && safeEqual(after[ai], lcs[li])
			if diffElements && !afterInLCS {
				process(bi, ai)
				bi++
				ai++
				continue
			}
			process(bi, len(after))
			bi++
		}
		for ai < len(after) && (li >= len(lcs) || !safeEqual(after[ai], lcs[li])) {
			if bi < len(before) && pair(before[bi], after[ai]) {
				process(bi, ai)
				bi++
				ai++
				continue
			}
			process(len(before), ai)
			ai++
		}
		if li < len(lcs) {
			process(bi, ai)
			bi++
			ai++
			li++
		}
	}
}

func longestCommonSubsequence(xs, ys []cty.Value) []cty.Value {
	return lcsOf(len(xs), len(ys), func(i, j int) bool { return safeEqual(xs[i], ys[j]) }, func(i int) cty.Value { return xs[i] })
}

// lcsOf finds a longest common subsequence of two sequences given by
// length and equality. The common prefix and suffix are taken off first,
// so the quadratic part only covers the region that changed.
func lcsOf[T any](n, m int, eq func(i, j int) bool, at func(i int) T) []T {
	pre := 0
	for pre < n && pre < m && eq(pre, pre) {
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && eq(n-1-suf, m-1-suf) {
		suf++
	}
	out := make([]T, 0, pre+suf)
	for i := 0; i < pre; i++ {
		out = append(out, at(i))
	}
	bn, bm := n-pre-suf, m-pre-suf
	if bn > 0 && bm > 0 {
		// Lengths of the longest common subsequences of the suffixes,
		// filled from the back so the walk below can go forwards.
		l := make([][]int32, bn+1)
		for i := range l {
			l[i] = make([]int32, bm+1)
		}
		for i := bn - 1; i >= 0; i-- {
			for j := bm - 1; j >= 0; j-- {
				if eq(pre+i, pre+j) {
					l[i][j] = l[i+1][j+1] + 1
				} else {
					l[i][j] = max(l[i+1][j], l[i][j+1])
				}
			}
		}
		for i, j := 0, 0; i < bn && j < bm; {
			switch {
			case eq(pre+i, pre+j) && l[i][j] == l[i+1][j+1]+1:
				out = append(out, at(pre+i))
				i++
				j++
			case l[i+1][j] >= l[i][j+1]:
				i++
			default:
				j++
			}
		}
	}
	for i := n - suf; i < n; i++ {
		out = append(out, at(i))
	}
	return out
}

// processSet matches equal elements of two sets as unchanged; the rest
// are removed or added.
func processSet(c change, process func(change)) {
	s := newSeq(c)
	matchedAfter := make([]bool, len(s.a))
	match := make([]int, len(s.b))
	for i := range s.b {
		match[i] = -1
		for j := range s.a {
			if matchedAfter[j] {
				continue
			}
			ch := s.child(i, j)
			if ch.bSens.matches() == ch.aSens.matches() && safeEqual(s.b[i], s.a[j]) {
				match[i] = j
				matchedAfter[j] = true
				break
			}
		}
	}
	for i := range s.b {
		if match[i] < 0 {
			process(s.child(i, len(s.a)))
		} else {
			process(s.child(i, match[i]))
		}
	}
	for j := range s.a {
		if !matchedAfter[j] {
			process(s.child(len(s.b), j))
		}
	}
}

// impliedBlock describes a value without a schema by its shape: objects,
// and collections of objects, become nested blocks.
func impliedBlock(ty cty.Type) *plugins.Block {
	b := &plugins.Block{Attributes: map[string]*plugins.Attribute{}, BlockTypes: map[string]*plugins.NestedBlock{}}
	if !ty.IsObjectType() {
		return b
	}
	names := make([]string, 0, len(ty.AttributeTypes()))
	for name := range ty.AttributeTypes() {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		aty := ty.AttributeType(name)
		switch {
		case aty.IsObjectType():
			b.BlockTypes[name] = &plugins.NestedBlock{Block: *impliedBlock(aty), Nesting: plugins.NestingSingle}
		case aty.IsListType() && aty.ElementType().IsObjectType():
			b.BlockTypes[name] = &plugins.NestedBlock{Block: *impliedBlock(aty.ElementType()), Nesting: plugins.NestingList}
		case aty.IsSetType() && aty.ElementType().IsObjectType():
			b.BlockTypes[name] = &plugins.NestedBlock{Block: *impliedBlock(aty.ElementType()), Nesting: plugins.NestingSet}
		case aty.IsMapType() && aty.ElementType().IsObjectType():
			b.BlockTypes[name] = &plugins.NestedBlock{Block: *impliedBlock(aty.ElementType()), Nesting: plugins.NestingMap}
		default:
			b.Attributes[name] = &plugins.Attribute{Type: aty}
		}
	}
	return b
}
