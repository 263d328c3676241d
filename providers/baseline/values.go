package baseline

import (
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// These helpers read plan values defensively: a value of the wrong type, a
// null or an unknown is an answer ("not there", "not known"), never a
// panic.

// unmarked strips marks; cty.NilVal becomes a null.
func unmarked(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	v, _ = v.UnmarkDeep()
	return v
}

// isObject reports whether v is a known, non-null object or map.
func isObject(v cty.Value) bool {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return false
	}
	ty := v.Type()
	return ty.IsObjectType() || ty.IsMapType()
}

// hasAttr reports whether v's type has the attribute name, whatever its
// value.
func hasAttr(v cty.Value, name string) bool {
	if v == cty.NilVal {
		return false
	}
	ty := v.Type()
	return ty.IsObjectType() && ty.HasAttribute(name)
}

// attr is v.name: an unknown of no type when v is unknown, a null when v
// has no such attribute or is null.
func attr(v cty.Value, name string) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if !v.IsKnown() {
		return cty.DynamicVal
	}
	if v.IsNull() {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		if ty.HasAttribute(name) {
			return v.GetAttr(name)
		}
	case ty.IsMapType():
		k := cty.StringVal(name)
		if v.HasIndex(k).True() {
			return v.Index(k)
		}
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// arg is an argument's value as far as the plan tells it: after's value
// when known; a null when after's is unknown but the configuration leaves
// the argument unset (a computed argument the provider plans as unknown);
// unknown otherwise. config is cty.NilVal when the host sent none.
func arg(after, config cty.Value, name string) cty.Value {
	v := attr(after, name)
	if v.IsKnown() {
		return v
	}
	if config != cty.NilVal && config.IsKnown() && !config.IsNull() {
		if c := attr(config, name); c.IsKnown() && c.IsNull() {
			return c
		}
	}
	return v
}

// str returns v as a string when it is a known, non-null string.
func str(v cty.Value) (string, bool) {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// boolean returns v as a bool when it is a known, non-null bool.
func boolean(v cty.Value) (b, ok bool) {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() || v.Type() != cty.Bool {
		return false, false
	}
	return v.True(), true
}

// integer returns v as an int when it is a known, non-null whole number
// that fits.
func integer(v cty.Value) (int, bool) {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return 0, false
	}
	i, acc := v.AsBigFloat().Int64()
	if acc != big.Exact || i < -1<<31 || i > 1<<31-1 {
		return 0, false
	}
	return int(i), true
}

// isNull reports whether v is known to be null.
func isNull(v cty.Value) bool {
	return v == cty.NilVal || (v.IsKnown() && v.IsNull())
}

// isCollection reports whether v is a known, non-null list, set or tuple.
func isCollection(v cty.Value) bool {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() {
		return false
	}
	ty := v.Type()
	return ty.IsListType() || ty.IsSetType() || ty.IsTupleType()
}

// elements are a collection's elements (nil for anything else).
func elements(v cty.Value) []cty.Value {
	if !isCollection(v) {
		return nil
	}
	out := make([]cty.Value, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e)
	}
	return out
}

// elementAt is the i-th element of a list or tuple, or a null.
func elementAt(v cty.Value, i int) cty.Value {
	if !isCollection(v) || v.Type().IsSetType() || i >= v.LengthInt() {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return v.Index(cty.NumberIntVal(int64(i)))
}

// pathCovered reports whether p lies within one of paths.
func pathCovered(p cty.Path, paths []cty.Path) bool {
	for _, q := range paths {
		if len(q) <= len(p) && q.Equals(p[:len(q)]) {
			return true
		}
	}
	return false
}

// appendPath returns a new path: p then steps, never sharing p's array.
func appendPath(p cty.Path, steps ...cty.PathStep) cty.Path {
	out := make(cty.Path, 0, len(p)+len(steps))
	out = append(out, p...)
	return append(out, steps...)
}

// pathIn is the path of the argument name under base, where config is the
// configuration at base: base itself when the configuration leaves the
// argument unset (its value a provider's default or the cloud's), as no
// line of the configuration sets it.
func pathIn(config cty.Value, base cty.Path, name string) cty.Path {
	if config != cty.NilVal && config.IsKnown() && !config.IsNull() && isNull(attr(config, name)) {
		return base
	}
	return appendPath(base, cty.GetAttrStep{Name: name})
}
