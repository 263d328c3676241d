package engine

import (
	"fmt"

	"github.com/nuvola-pa/nuvola/hcl/funcs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// markSensitive marks the values at paths as sensitive.
func markSensitive(v cty.Value, paths []cty.Path) cty.Value {
	if len(paths) == 0 {
		return v
	}
	pvm := make([]cty.PathValueMarks, 0, len(paths))
	for _, p := range paths {
		pvm = append(pvm, cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(funcs.SensitiveMark)})
	}
	return v.MarkWithPaths(pvm)
}

// unmarkSensitive removes every mark, returning the paths that were
// sensitive.
func unmarkSensitive(v cty.Value) (cty.Value, []cty.Path) {
	if !containsMarked(v) {
		return v, nil
	}
	uv, pvm := v.UnmarkDeepWithPaths()
	var paths []cty.Path
	for _, m := range pvm {
		if _, ok := m.Marks[funcs.SensitiveMark]; ok {
			paths = append(paths, m.Path)
		}
	}
	return uv, paths
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

// mergePaths joins two path lists without duplicates.
func mergePaths(a, b []cty.Path) []cty.Path {
	if len(b) == 0 {
		return a
	}
	out := append([]cty.Path(nil), a...)
	for _, p := range b {
		dup := false
		for _, q := range out {
			if p.Equals(q) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// proposedNew merges configuration into the prior object as OpenTofu does:
// arguments take the configured value, computed attributes left unset in
// configuration keep their prior value.
func proposedNew(b *plugins.Block, prior, config cty.Value) cty.Value {
	if config.IsNull() || !config.IsKnown() {
		return config
	}
	if prior.IsNull() || !prior.IsKnown() {
		// Only its nullness matters below, so no type is worked out.
		prior = cty.NullVal(cty.DynamicPseudoType)
	}
	out := make(map[string]cty.Value, len(b.Attributes)+len(b.BlockTypes))
	for name, a := range b.Attributes {
		cv := config.GetAttr(name)
		var pv cty.Value
		if prior.IsNull() {
			pv = cty.NullVal(a.Type)
		} else {
			pv = prior.GetAttr(name)
		}
		switch {
		case a.Computed && cv.IsNull():
			out[name] = pv
		default:
			out[name] = cv
		}
	}
	for name, nb := range b.BlockTypes {
		cv := config.GetAttr(name)
		var pv cty.Value
		if prior.IsNull() {
			pv = cty.NullVal(cv.Type())
		} else {
			pv = prior.GetAttr(name)
		}
		if nb.Nesting == plugins.NestingSingle {
			out[name] = proposedNew(&nb.Block, pv, cv)
			continue
		}
		// Collections of blocks: configuration decides the elements;
		// nested computed attributes without a stable identity are left
		// as configured.
		out[name] = cv
	}
	return cty.ObjectVal(out)
}

// applyIgnoreChanges copies the prior values of ignored attributes into the
// configuration value.
func applyIgnoreChanges(config, prior cty.Value, paths []cty.Path, all bool) cty.Value {
	if prior.IsNull() || config.IsNull() {
		return config
	}
	if all {
		return prior
	}
	ret := config
	for _, p := range paths {
		pv, err := p.Apply(prior)
		if err != nil {
			continue
		}
		nv, err := setPath(ret, p, pv)
		if err == nil {
			ret = nv
		}
	}
	return ret
}

// setPath replaces the value at a path (attribute and index steps) in v.
func setPath(v cty.Value, p cty.Path, nv cty.Value) (cty.Value, error) {
	if len(p) == 0 {
		return nv, nil
	}
	if v.IsNull() || !v.IsKnown() {
		return v, fmt.Errorf("cannot set inside null or unknown")
	}
	switch step := p[0].(type) {
	case cty.GetAttrStep:
		if !v.Type().IsObjectType() || !v.Type().HasAttribute(step.Name) {
			return v, fmt.Errorf("no attribute %q", step.Name)
		}
		m := v.AsValueMap()
		inner, err := setPath(m[step.Name], p[1:], nv)
		if err != nil {
			return v, err
		}
		m[step.Name] = inner
		return cty.ObjectVal(m), nil
	case cty.IndexStep:
		if v.Type().IsMapType() || v.Type().IsObjectType() {
			if step.Key.Type() != cty.String {
				return v, fmt.Errorf("bad key")
			}
			m := v.AsValueMap()
			k := step.Key.AsString()
			cur, ok := m[k]
			if !ok {
				return v, fmt.Errorf("no key %q", k)
			}
			inner, err := setPath(cur, p[1:], nv)
			if err != nil {
				return v, err
			}
			m[k] = inner
			if v.Type().IsMapType() {
				return cty.MapVal(m), nil
			}
			return cty.ObjectVal(m), nil
		}
		if v.Type().IsListType() || v.Type().IsTupleType() {
			l := v.AsValueSlice()
			bf := step.Key.AsBigFloat()
			i, _ := bf.Int64()
			if i < 0 || int(i) >= len(l) {
				return v, fmt.Errorf("index out of range")
			}
			inner, err := setPath(l[i], p[1:], nv)
			if err != nil {
				return v, err
			}
			l[i] = inner
			if v.Type().IsListType() {
				return cty.ListVal(l), nil
			}
			return cty.TupleVal(l), nil
		}
	}
	return v, fmt.Errorf("unsupported path step")
}

// valuesEqual compares two objects, treating unknowns as unequal.
func valuesEqual(a, b cty.Value) bool {
	// Identical values, the common case of a plan with few changes, are
	// found in one walk of both; the general comparison below walks each
	// value twice more.
	if knownRawEqual(a, b) {
		return true
	}
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	// Identical values, the common case, are equal; comparing them raw is
	// one walk, while Equals builds a result value at every level.
	if a.RawEquals(b) {
		return true
	}
	return a.Equals(b).True()
}

// conformsToPlan checks that a value planned again at apply keeps every value
// that was already known when the plan was made.
func conformsToPlan(planned, actual cty.Value) []cty.Path {
	var bad []cty.Path
	_ = cty.Walk(planned, func(p cty.Path, pv cty.Value) (bool, error) {
		if !pv.IsKnown() {
			return false, nil
		}
		if pv.Type().IsSetType() && !pv.IsNull() {
			// Set elements are addressed by value: compare the whole set
			// when it is known, else only what an unknown cannot change.
			av, err := p.Apply(actual)
			switch {
			case err != nil:
				bad = append(bad, p.Copy())
			case !av.IsKnown():
			case pv.IsWhollyKnown():
				if av.IsWhollyKnown() && (av.IsNull() || !av.Equals(pv).True()) {
					bad = append(bad, p.Copy())
				}
			case av.IsNull() || av.LengthInt() > pv.LengthInt():
				bad = append(bad, p.Copy())
			}
			return false, nil
		}
		if pv.Type().IsPrimitiveType() || pv.IsNull() {
			av, err := p.Apply(actual)
			if err != nil {
				bad = append(bad, p.Copy())
				return false, nil
			}
			if !av.IsKnown() {
				return false, nil
			}
			if av.IsNull() != pv.IsNull() || (!pv.IsNull() && !pv.Type().Equals(cty.DynamicPseudoType) && !av.Equals(pv).True()) {
				bad = append(bad, p.Copy())
			}
			return false, nil
		}
		return true, nil
	})
	return bad
}

// echoedSensitivePaths finds where an object repeats a value that was
// sensitive in its configuration. Providers often echo arguments into
// computed attributes (terraform_data's output is its input), and the echo
// must stay as secret as the argument.
func echoedSensitivePaths(config cty.Value, sensitive []cty.Path, obj cty.Value) []cty.Path {
	if len(sensitive) == 0 || obj == cty.NilVal || obj.IsNull() || !obj.IsKnown() {
		return nil
	}
	secrets := map[string]bool{}
	for _, p := range sensitive {
		v, err := p.Apply(config)
		if err != nil {
			continue
		}
		_ = cty.Walk(v, func(_ cty.Path, leaf cty.Value) (bool, error) {
			if leaf.IsKnown() && !leaf.IsNull() && leaf.Type().IsPrimitiveType() {
				if k := secretKey(leaf); k != "" {
					secrets[k] = true
				}
			}
			return true, nil
		})
	}
	if len(secrets) == 0 {
		return nil
	}
	var out []cty.Path
	_ = cty.Walk(obj, func(p cty.Path, leaf cty.Value) (bool, error) {
		if leaf.IsKnown() && !leaf.IsNull() && leaf.Type().IsPrimitiveType() && secrets[secretKey(leaf)] {
			out = append(out, p.Copy())
		}
		return true, nil
	})
	return out
}

// secretKey identifies a secret by value; booleans and tiny values are too
// common to be told apart from ordinary ones and are not tracked.
func secretKey(v cty.Value) string {
	switch v.Type() {
	case cty.String:
		if s := v.AsString(); len(s) >= 4 {
			return "s:" + s
		}
	case cty.Number:
		if s := v.AsBigFloat().Text('f', -1); len(s) >= 4 {
			return "n:" + s
		}
	}
	return ""
}

// knownRawEqual reports whether a and b are wholly known, carry no marks and
// are raw-equal, walking both at once. False means only that this walk
// cannot tell: the values may differ, hold an unknown, a mark or a set, or
// be of a kind it leaves to cty.
func knownRawEqual(a, b cty.Value) bool {
	if a.IsMarked() || b.IsMarked() || !a.IsKnown() || !b.IsKnown() {
		return false
	}
	ty, bty := a.Type(), b.Type()
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull() && ty.Equals(bty)
	}
	switch {
	case ty == cty.String:
		return bty == cty.String && a.AsString() == b.AsString()
	case ty == cty.Bool:
		return bty == cty.Bool && a.True() == b.True()
	case ty == cty.Number:
		return bty == cty.Number && a.RawEquals(b)
	case ty.IsObjectType():
		if !bty.IsObjectType() || len(ty.AttributeTypes()) != len(bty.AttributeTypes()) {
			return false
		}
		for name := range ty.AttributeTypes() {
			if !bty.HasAttribute(name) || !knownRawEqual(a.GetAttr(name), b.GetAttr(name)) {
				return false
			}
		}
		return true
	case ty.IsMapType() && bty.IsMapType(), ty.IsListType() && bty.IsListType(), ty.IsTupleType() && bty.IsTupleType():
		n := a.LengthInt()
		if n != b.LengthInt() {
			return false
		}
		if n == 0 {
			return ty.Equals(bty)
		}
		// Maps iterate in key order, lists and tuples in index order.
		ai, bi := a.ElementIterator(), b.ElementIterator()
		for ai.Next() && bi.Next() {
			ak, av := ai.Element()
			bk, bv := bi.Element()
			if !knownRawEqual(ak, bk) || !knownRawEqual(av, bv) {
				return false
			}
		}
		return true
	}
	return false
}
