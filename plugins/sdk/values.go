package sdk

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// SetComputedUnknown returns proposed with every null computed attribute,
// in the block and its nested blocks, set to unknown: what a provider plans
// for a create (or a replacement), where the values it will choose are not
// known until apply. Attributes the configuration set stay as they are.
func SetComputedUnknown(b *plugins.Block, proposed cty.Value) cty.Value {
	return walkBlock(b, proposed, func(a *plugins.Attribute, v cty.Value) cty.Value {
		if a.Computed && v.IsNull() {
			return cty.UnknownVal(a.Type)
		}
		return v
	})
}

// ApplyDefaults returns v with every null attribute that has a Default, in
// the block and its nested blocks, set to that default. A provider calls it
// in PlanResourceChange before SetComputedUnknown, so defaulted attributes
// are planned known.
func ApplyDefaults(b *plugins.Block, v cty.Value) cty.Value {
	return walkBlock(b, v, func(a *plugins.Attribute, v cty.Value) cty.Value {
		if a.Default != cty.NilVal && v.IsNull() {
			return a.Default
		}
		return v
	})
}

// StringAttr returns a string attribute of an object and whether it is
// known and not null.
func StringAttr(obj cty.Value, name string) (string, bool) {
	if obj.IsNull() || !obj.IsKnown() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return "", false
	}
	v := obj.GetAttr(name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// walkBlock rebuilds an object of the block's type with f applied to each
// attribute, nested blocks included. Null and unknown objects are returned
// as they are: there is nothing inside them to change.
func walkBlock(b *plugins.Block, v cty.Value, f func(*plugins.Attribute, cty.Value) cty.Value) cty.Value {
	if b == nil || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
		return v
	}
	attrs := v.AsValueMap()
	if attrs == nil {
		return v
	}
	for name, a := range b.Attributes {
		if cur, ok := attrs[name]; ok {
			attrs[name] = f(a, cur)
		}
	}
	for name, nb := range b.BlockTypes {
		cur, ok := attrs[name]
		if !ok {
			continue
		}
		if nb.Nesting == plugins.NestingSingle {
			attrs[name] = walkBlock(&nb.Block, cur, f)
			continue
		}
		attrs[name] = walkElements(cur, func(ev cty.Value) cty.Value { return walkBlock(&nb.Block, ev, f) })
	}
	return cty.ObjectVal(attrs)
}

// walkElements rebuilds a collection (or, for blocks with dynamic types, a
// tuple or object) with f applied to each element.
func walkElements(v cty.Value, f func(cty.Value) cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() || v.LengthInt() == 0 {
		return v
	}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		elems := make([]cty.Value, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			elems = append(elems, f(ev))
		}
		switch {
		case ty.IsListType():
			return cty.ListVal(elems)
		case ty.IsSetType():
			return cty.SetVal(elems)
		default:
			return cty.TupleVal(elems)
		}
	case ty.IsMapType() || ty.IsObjectType():
		elems := make(map[string]cty.Value, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			elems[k.AsString()] = f(ev)
		}
		if ty.IsMapType() {
			return cty.MapVal(elems)
		}
		return cty.ObjectVal(elems)
	}
	return v
}
