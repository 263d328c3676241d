package views

import (
	"bytes"
	"sort"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

type action = plan.Action

const (
	actNoOp             = plan.NoOp
	actCreate           = plan.Create
	actRead             = plan.Read
	actUpdate           = plan.Update
	actDeleteThenCreate = plan.DeleteThenCreate
	actCreateThenDelete = plan.CreateThenDelete
	actDelete           = plan.Delete
	actForget           = plan.Forget
)

// paths is a set of attribute paths relative to the value being looked at.
// A sensitivity set inherits: once a value matches, everything beneath it
// matches too, so no descent can ever lose track of a secret.
type paths struct {
	list    []cty.Path
	inherit bool
}

func sensitivePaths(ps []cty.Path) paths { return paths{list: ps, inherit: true} }

func (p paths) matches() bool {
	for _, path := range p.list {
		if len(path) == 0 {
			return true
		}
	}
	return false
}

// force makes the set match here and, if inheriting, everywhere below.
func (p paths) force() paths {
	return paths{list: append(append([]cty.Path(nil), p.list...), cty.Path{}), inherit: p.inherit}
}

func (p paths) step(match func(cty.PathStep) bool) paths {
	if len(p.list) == 0 {
		return p
	}
	out := paths{inherit: p.inherit}
	for _, path := range p.list {
		if len(path) == 0 {
			if p.inherit {
				out.list = append(out.list, cty.Path{})
			}
			continue
		}
		if match(path[0]) {
			out.list = append(out.list, path[1:])
		}
	}
	return out
}

func (p paths) attr(name string) paths {
	return p.step(func(s cty.PathStep) bool {
		switch s := s.(type) {
		case cty.GetAttrStep:
			return s.Name == name
		case cty.IndexStep:
			return keyMatches(s.Key, cty.StringVal(name))
		}
		return false
	})
}

func (p paths) index(k cty.Value) paths {
	return p.step(func(s cty.PathStep) bool {
		switch s := s.(type) {
		case cty.GetAttrStep:
			return k.Type() == cty.String && k.AsString() == s.Name
		case cty.IndexStep:
			return keyMatches(s.Key, k)
		}
		return false
	})
}

// anyIndex is the step into a set element: set paths name elements by
// value, which cannot be matched reliably, so any index step applies to
// every element (hiding too much is safe, too little is not).
func (p paths) anyIndex() paths {
	return p.step(func(s cty.PathStep) bool {
		_, ok := s.(cty.IndexStep)
		return ok
	})
}

func keyMatches(stepKey, k cty.Value) bool {
	if stepKey == cty.NilVal || !stepKey.IsKnown() || stepKey.IsMarked() {
		return true
	}
	if stepKey.IsNull() || !stepKey.Type().Equals(k.Type()) {
		return false
	}
	return safeEqual(stepKey, k)
}

// change is one value before and after, with what is known about it.
// Explicitness only matters for values without a type to go by (outputs
// and dynamic attributes): there, a key that is present with a null value
// is a value in its own right rather than an absence.
type change struct {
	before, after        cty.Value
	bExplicit, aExplicit bool
	bSens, aSens         paths
	replace              paths
}

func normal(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return v
}

func isNull(v cty.Value) bool { return v == cty.NilVal || (v.IsKnown() && v.IsNull()) }

func isUnknown(v cty.Value) bool { return v != cty.NilVal && !v.IsKnown() }

func (c change) beforeAbsent() bool { return isNull(c.before) && !c.bExplicit }
func (c change) afterAbsent() bool  { return isNull(c.after) && !c.aExplicit }

func (c change) asDelete() change {
	return change{before: c.before, after: cty.NullVal(cty.DynamicPseudoType), bExplicit: c.bExplicit,
		bSens: c.bSens, aSens: paths{inherit: true}, replace: c.replace}
}

func (c change) asCreate() change {
	return change{before: cty.NullVal(cty.DynamicPseudoType), after: c.after, aExplicit: c.aExplicit,
		bSens: paths{inherit: true}, aSens: c.aSens, replace: c.replace}
}

// defaultAction is the action of a collection before looking at its
// elements.
func (c change) defaultAction() action {
	switch {
	case isNull(c.before) && !isNull(c.after):
		return actCreate
	case !isNull(c.before) && isNull(c.after):
		return actDelete
	}
	return actNoOp
}

// valueAction compares the values as wholes.
func (c change) valueAction() action {
	bAbsent, aAbsent := c.beforeAbsent(), c.afterAbsent()
	switch {
	case bAbsent && aAbsent:
		return actNoOp
	case bAbsent:
		return actCreate
	case aAbsent:
		return actDelete
	case safeEqual(c.before, c.after):
		return actNoOp
	}
	return actUpdate
}

func compareActions(current, next action) action {
	if next == actNoOp {
		return current
	}
	if current != next {
		return actUpdate
	}
	return current
}

// safeEqual reports whether two wholly known values are equal. Values of
// different types are compared by their JSON form, which is how OpenTofu
// compares dynamic values.
func safeEqual(a, b cty.Value) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	a, b = normal(a), normal(b)
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	if a.Type().Equals(b.Type()) {
		return a.Equals(b).True()
	}
	aj, err1 := ctyjson.Marshal(a, a.Type())
	bj, err2 := ctyjson.Marshal(b, b.Type())
	return err1 == nil && err2 == nil && bytes.Equal(aj, bj)
}

func hasKey(v cty.Value, name string) bool {
	if isNull(v) || !v.IsKnown() {
		return false
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		return ty.HasAttribute(name)
	case ty.IsMapType():
		return v.HasIndex(cty.StringVal(name)).True()
	}
	return false
}

func keyOf(v cty.Value, name string) cty.Value {
	if !hasKey(v, name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if v.Type().IsObjectType() {
		return v.GetAttr(name)
	}
	return v.Index(cty.StringVal(name))
}

func (c change) attr(name string) change {
	return change{
		before: keyOf(c.before, name), after: keyOf(c.after, name),
		bExplicit: hasKey(c.before, name), aExplicit: hasKey(c.after, name),
		bSens: c.bSens.attr(name), aSens: c.aSens.attr(name),
		replace: c.replace.attr(name),
	}
}

func (c change) mapElem(key string) change {
	k := cty.StringVal(key)
	return change{
		before: keyOf(c.before, key), after: keyOf(c.after, key),
		bExplicit: hasKey(c.before, key), aExplicit: hasKey(c.after, key),
		bSens: c.bSens.index(k), aSens: c.aSens.index(k),
		replace: c.replace.index(k),
	}
}

// keys is the sorted union of the keys of two maps or objects.
func keys(vs ...cty.Value) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if isNull(v) || !v.IsKnown() {
			continue
		}
		ty := v.Type()
		switch {
		case ty.IsObjectType():
			for name := range ty.AttributeTypes() {
				if !seen[name] {
					seen[name] = true
					out = append(out, name)
				}
			}
		case ty.IsMapType():
			for it := v.ElementIterator(); it.Next(); {
				k, _ := it.Element()
				if name := k.AsString(); !seen[name] {
					seen[name] = true
					out = append(out, name)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// elems lists the elements of a list, tuple or set.
func elems(v cty.Value) []cty.Value {
	if isNull(v) || !v.IsKnown() {
		return nil
	}
	ty := v.Type()
	if !ty.IsListType() && !ty.IsTupleType() && !ty.IsSetType() {
		return nil
	}
	out := make([]cty.Value, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e)
	}
	return out
}

// seq is a list, tuple or set split into elements, for pairing elements
// by index.
type seq struct {
	c              change
	b, a           []cty.Value
	bIsSet, aIsSet bool
}

func newSeq(c change) seq {
	return seq{c: c, b: elems(c.before), a: elems(c.after),
		bIsSet: !isNull(c.before) && c.before.Type().IsSetType(), aIsSet: !isNull(c.after) && c.after.Type().IsSetType()}
}

// child pairs before element bi with after element ai; an index past the
// end means that side is absent.
func (s seq) child(bi, ai int) change {
	ch := change{before: cty.NullVal(cty.DynamicPseudoType), after: cty.NullVal(cty.DynamicPseudoType)}
	if bi < len(s.b) {
		ch.before, ch.bExplicit = s.b[bi], true
	}
	if ai < len(s.a) {
		ch.after, ch.aExplicit = s.a[ai], true
	}
	if s.bIsSet {
		ch.bSens = s.c.bSens.anyIndex()
	} else {
		ch.bSens = s.c.bSens.index(cty.NumberIntVal(int64(bi)))
	}
	if s.aIsSet {
		ch.aSens = s.c.aSens.anyIndex()
		ch.replace = s.c.replace.anyIndex()
	} else {
		ch.aSens = s.c.aSens.index(cty.NumberIntVal(int64(ai)))
		ch.replace = s.c.replace.index(cty.NumberIntVal(int64(ai)))
	}
	return ch
}

// unify picks the type to render a value pair as when no schema says:
// the common shape of both sides, or dynamic when they disagree.
func unify(a, b cty.Type) cty.Type {
	switch {
	case a == cty.NilType || a == cty.DynamicPseudoType:
		if b == cty.NilType {
			return cty.DynamicPseudoType
		}
		return b
	case b == cty.NilType || b == cty.DynamicPseudoType:
		return a
	case a.Equals(b):
		return a
	case a.IsObjectType() && b.IsObjectType():
		at, bt := a.AttributeTypes(), b.AttributeTypes()
		out := make(map[string]cty.Type, len(at)+len(bt))
		for k, t := range at {
			out[k] = t
		}
		for k, t := range bt {
			if o, ok := out[k]; ok {
				out[k] = unify(o, t)
			} else {
				out[k] = t
			}
		}
		return cty.Object(out)
	case a.IsMapType() && b.IsMapType():
		return cty.Map(unify(a.ElementType(), b.ElementType()))
	case a.IsListType() && b.IsListType():
		return cty.List(unify(a.ElementType(), b.ElementType()))
	case a.IsSetType() && b.IsSetType():
		return cty.Set(unify(a.ElementType(), b.ElementType()))
	}
	return cty.DynamicPseudoType
}

func typeOf(v cty.Value) cty.Type {
	if v == cty.NilVal {
		return cty.DynamicPseudoType
	}
	return v.Type()
}

// unmark strips marks, recording every marked path as sensitive: a value
// that arrives still marked is treated as secret rather than trusted.
func unmark(v cty.Value, sens []cty.Path) (cty.Value, []cty.Path) {
	v = normal(v)
	if !containsMarked(v) {
		return v, sens
	}
	u, pvm := v.UnmarkDeepWithPaths()
	out := append([]cty.Path(nil), sens...)
	for _, pm := range pvm {
		out = append(out, pm.Path)
	}
	return u, out
}

// containsMarked is cty's Value.ContainsMarked without its cost: that walks
// the value with cty.Walk, which builds a path for every element visited,
// while only the answer is wanted here.
func containsMarked(v cty.Value) bool {
	if v.IsMarked() {
		return true
	}
	if !v.IsKnown() {
		// An unknown value can carry marks meant for its elements.
		return v.ContainsMarked()
	}
	if v.IsNull() || !v.CanIterateElements() {
		return false
	}
	for it := v.ElementIterator(); it.Next(); {
		if _, ev := it.Element(); containsMarked(ev) {
			return true
		}
	}
	return false
}
