package osfw

import (
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// Data is one object of a resource type or data source while the provider
// works on it: its attributes and nested blocks by name, the prior object
// when it is an update, and whether the object turned out to be gone.
type Data struct {
	block *plugins.Block
	attrs map[string]cty.Value
	old   map[string]cty.Value // prior values, for updates
	gone  bool
	// fresh: the attributes were set from the API's answer to the write,
	// so no read is needed after it.
	fresh bool
	// Timeouts holds the resource's timeouts block, when it has one.
	timeouts map[string]time.Duration
	// config is the configuration during an apply (cty.NilVal otherwise).
	config cty.Value
}

// NewData holds v, an object of block's type (or null: every attribute
// null).
func NewData(block *plugins.Block, v cty.Value) *Data {
	d := &Data{block: block, attrs: map[string]cty.Value{}}
	ty := block.ImpliedType()
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		for name, at := range ty.AttributeTypes() {
			d.attrs[name] = cty.NullVal(at)
		}
		return d
	}
	v, _ = v.UnmarkDeep()
	for name := range ty.AttributeTypes() {
		d.attrs[name] = v.GetAttr(name)
	}
	return d
}

// withOld records the prior object, for HasChange and Old.
func (d *Data) withOld(prior cty.Value) *Data {
	od := NewData(d.block, prior)
	d.old = od.attrs
	return d
}

// Get is the attribute's (or nested block's) value; cty.NilVal for a name
// the schema lacks.
func (d *Data) Get(name string) cty.Value { return d.attrs[name] }

// Old is the attribute's prior value in an update, null otherwise.
func (d *Data) Old(name string) cty.Value {
	if d.old == nil {
		if v, ok := d.attrs[name]; ok {
			return cty.NullVal(v.Type())
		}
		return cty.NilVal
	}
	return d.old[name]
}

// HasChange reports whether an update changes the attribute.
func (d *Data) HasChange(name string) bool {
	if d.old == nil {
		return true
	}
	a, b := d.attrs[name], d.old[name]
	if a == cty.NilVal || b == cty.NilVal {
		return a != b
	}
	return !a.RawEquals(b)
}

// Known reports whether the attribute is set to a known, non-null value.
func (d *Data) Known(name string) bool {
	v := d.attrs[name]
	return v != cty.NilVal && v.IsKnown() && !v.IsNull()
}

// ID is the object's id attribute, "" while unknown.
func (d *Data) ID() string { return d.String("id") }

// SetID sets the id attribute.
func (d *Data) SetID(id string) { d.Set("id", id) }

// MarkGone says the object no longer exists: a read returns null.
func (d *Data) MarkGone() { d.gone = true }

// MarkFresh says that d holds the object as the API answered the write
// (a create's answer is the whole object): the framework then skips the
// read after the write.
func (d *Data) MarkFresh() { d.fresh = true }

// Gone reports whether MarkGone was called.
func (d *Data) Gone() bool { return d.gone }

// String is a string attribute, "" when null or unknown.
func (d *Data) String(name string) string {
	v := d.attrs[name]
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.String) {
		return ""
	}
	return v.AsString()
}

// Int is a number attribute as an int, 0 when null or unknown.
func (d *Data) Int(name string) int {
	v := d.attrs[name]
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.Number) {
		return 0
	}
	i, _ := v.AsBigFloat().Int64()
	return int(i)
}

// Float is a number attribute as a float64, 0 when null or unknown.
func (d *Data) Float(name string) float64 {
	v := d.attrs[name]
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.Number) {
		return 0
	}
	f, _ := v.AsBigFloat().Float64()
	return f
}

// Bool is a bool attribute, false when null or unknown.
func (d *Data) Bool(name string) bool {
	v := d.attrs[name]
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.Bool) {
		return false
	}
	return v.True()
}

// BoolPtr is a bool attribute, nil when null or unknown.
func (d *Data) BoolPtr(name string) *bool {
	if !d.Known(name) {
		return nil
	}
	b := d.Bool(name)
	return &b
}

// StringPtr is a string attribute, nil when null or unknown.
func (d *Data) StringPtr(name string) *string {
	if !d.Known(name) {
		return nil
	}
	s := d.String(name)
	return &s
}

// StringList is a list or set of strings, in order (sets sorted); nil when
// null or unknown. Unknown elements are left out.
func (d *Data) StringList(name string) []string {
	return StringsOf(d.attrs[name])
}

// StringMap is a map of strings; nil when null or unknown.
func (d *Data) StringMap(name string) map[string]string {
	return StringMapOf(d.attrs[name])
}

// Blocks are the elements of a nested block (or an attribute of a
// collection of objects), each as Data of the nested block.
func (d *Data) Blocks(name string) []*Data {
	v := d.attrs[name]
	nb := d.block.BlockTypes[name]
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || nb == nil {
		return nil
	}
	if nb.Nesting == plugins.NestingSingle {
		return []*Data{NewData(&nb.Block, v)}
	}
	var out []*Data
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		out = append(out, NewData(&nb.Block, ev))
	}
	return out
}

// Set sets an attribute from a Go value (string, bool, int, int64, float64,
// []string, map[string]string, a pointer to one of those, or a cty.Value),
// converted to the schema's type. Nil pointers set null. Set panics on a
// name the schema lacks or a value that does not convert: both are bugs of
// the resource.
func (d *Data) Set(name string, v any) {
	cur, ok := d.attrs[name]
	if !ok {
		panic(fmt.Sprintf("osfw: %s is not in the schema", name))
	}
	ty := cur.Type()
	cv, err := ToCty(v, ty)
	if err != nil {
		panic(fmt.Sprintf("osfw: setting %s: %s", name, err))
	}
	d.attrs[name] = cv
}

// SetBlocks sets a nested block from a list of attribute maps.
func (d *Data) SetBlocks(name string, elems []map[string]any) {
	nb := d.block.BlockTypes[name]
	if nb == nil {
		panic(fmt.Sprintf("osfw: %s is not a nested block", name))
	}
	ety := nb.Block.ImpliedType()
	vals := make([]cty.Value, 0, len(elems))
	for _, e := range elems {
		ed := NewData(&nb.Block, cty.NullVal(ety))
		for k, v := range e {
			ed.Set(k, v)
		}
		vals = append(vals, ed.Value())
	}
	ty := d.attrs[name].Type()
	switch {
	case nb.Nesting == plugins.NestingSingle:
		if len(vals) == 0 {
			d.attrs[name] = cty.NullVal(ty)
		} else {
			d.attrs[name] = vals[0]
		}
	case ty.IsSetType():
		if len(vals) == 0 {
			d.attrs[name] = cty.SetValEmpty(ety)
		} else {
			d.attrs[name] = cty.SetVal(vals)
		}
	default:
		if len(vals) == 0 {
			d.attrs[name] = cty.ListValEmpty(ety)
		} else {
			d.attrs[name] = cty.ListVal(vals)
		}
	}
}

// Value is the object as a cty value of the block's type.
func (d *Data) Value() cty.Value {
	if d.gone {
		return cty.NullVal(d.block.ImpliedType())
	}
	return cty.ObjectVal(d.attrs)
}

// ToCty converts a Go value to a cty value of type ty.
func ToCty(v any, ty cty.Type) (cty.Value, error) {
	switch x := v.(type) {
	case nil:
		return cty.NullVal(ty), nil
	case cty.Value:
		if x == cty.NilVal {
			return cty.NullVal(ty), nil
		}
		return convert.Convert(x, ty)
	case *string:
		if x == nil {
			return cty.NullVal(ty), nil
		}
		return ToCty(*x, ty)
	case *bool:
		if x == nil {
			return cty.NullVal(ty), nil
		}
		return ToCty(*x, ty)
	case *int:
		if x == nil {
			return cty.NullVal(ty), nil
		}
		return ToCty(*x, ty)
	case []string:
		if x == nil {
			return cty.NullVal(ty), nil
		}
		if ty.IsSetType() || ty.IsListType() {
			if len(x) == 0 {
				if ty.IsSetType() {
					return cty.SetValEmpty(ty.ElementType()), nil
				}
				return cty.ListValEmpty(ty.ElementType()), nil
			}
		}
	case map[string]string:
		if x == nil {
			return cty.NullVal(ty), nil
		}
		if ty.IsMapType() && len(x) == 0 {
			return cty.MapValEmpty(ty.ElementType()), nil
		}
	}
	return gocty.ToCtyValue(v, ty)
}

// StringsOf is a list or set of strings as a Go slice; nil when null or
// unknown.
func StringsOf(v cty.Value) []string {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return nil
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsKnown() && !ev.IsNull() && ev.Type().Equals(cty.String) {
			out = append(out, ev.AsString())
		}
	}
	return out
}

// StringMapOf is a map of strings as a Go map; nil when null or unknown.
func StringMapOf(v cty.Value) map[string]string {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return nil
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsKnown() && !ev.IsNull() && ev.Type().Equals(cty.String) {
			out[k.AsString()] = ev.AsString()
		}
	}
	return out
}

// SortedKeys returns a map's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// bigInt is a helper for number conversions in tests.
var _ = big.NewInt
