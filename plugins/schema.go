package plugins

import (
	"sort"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// Schema describes one resource type, data source or provider configuration.
// Version is the schema version stored with each object in state; a provider
// upgrades older objects in UpgradeResourceState.
type Schema struct {
	Version int64
	Block   *Block
}

// Block is a configuration block: attributes and nested blocks.
type Block struct {
	Attributes  map[string]*Attribute
	BlockTypes  map[string]*NestedBlock
	Description string
	Deprecated  bool
}

// Attribute is one argument or computed attribute of a block.
type Attribute struct {
	Type        cty.Type
	Description string
	Required    bool
	Optional    bool
	Computed    bool
	Sensitive   bool
	// ForceNew marks an attribute whose change cannot be made in place: the
	// object must be replaced.
	ForceNew bool
	// Default, when not cty.NilVal, is used when the configuration leaves the
	// attribute null.
	Default    cty.Value
	Deprecated bool
}

// NestingMode says how often a nested block may appear and how its values are
// collected.
type NestingMode int

const (
	// NestingSingle is at most one block, an object value (null when absent).
	NestingSingle NestingMode = iota + 1
	// NestingList is a list of blocks in source order.
	NestingList
	// NestingSet is a set of blocks: order does not matter, diffs are by value.
	NestingSet
	// NestingMap is blocks with one label each, a map keyed by that label.
	NestingMap
)

// NestedBlock is a block type nested in another block.
type NestedBlock struct {
	Block
	Nesting  NestingMode
	MinItems int
	MaxItems int
}

// ImpliedType is the cty type of an object that conforms to the block.
func (b *Block) ImpliedType() cty.Type {
	if b == nil {
		return cty.EmptyObject
	}
	atys := make(map[string]cty.Type, len(b.Attributes)+len(b.BlockTypes))
	for name, a := range b.Attributes {
		atys[name] = a.Type
	}
	for name, nb := range b.BlockTypes {
		ety := nb.Block.ImpliedType()
		switch nb.Nesting {
		case NestingSingle:
			atys[name] = ety
		case NestingList:
			if ety.HasDynamicTypes() {
				atys[name] = cty.DynamicPseudoType
			} else {
				atys[name] = cty.List(ety)
			}
		case NestingSet:
			atys[name] = cty.Set(ety)
		case NestingMap:
			if ety.HasDynamicTypes() {
				atys[name] = cty.DynamicPseudoType
			} else {
				atys[name] = cty.Map(ety)
			}
		}
	}
	return cty.Object(atys)
}

// DecoderSpec is the hcldec specification that decodes a configuration body
// into a value of ImpliedType. Computed-only attributes are in the spec so the
// value has every attribute; UnconfigurablePaths reports any that were set.
func (b *Block) DecoderSpec() hcldec.Spec {
	ret := hcldec.ObjectSpec{}
	if b == nil {
		return ret
	}
	for name, a := range b.Attributes {
		ret[name] = &hcldec.AttrSpec{Name: name, Type: a.Type, Required: a.Required}
	}
	for name, nb := range b.BlockTypes {
		child := nb.Block.DecoderSpec()
		switch nb.Nesting {
		case NestingSingle:
			ret[name] = &hcldec.BlockSpec{TypeName: name, Nested: child, Required: nb.MinItems == 1}
		case NestingList:
			if nb.Block.ImpliedType().HasDynamicTypes() {
				ret[name] = &hcldec.BlockTupleSpec{TypeName: name, Nested: child, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
			} else {
				ret[name] = &hcldec.BlockListSpec{TypeName: name, Nested: child, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
			}
		case NestingSet:
			ret[name] = &hcldec.BlockSetSpec{TypeName: name, Nested: child, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
		case NestingMap:
			if nb.Block.ImpliedType().HasDynamicTypes() {
				ret[name] = &hcldec.BlockObjectSpec{TypeName: name, Nested: child, LabelNames: []string{"key"}}
			} else {
				ret[name] = &hcldec.BlockMapSpec{TypeName: name, Nested: child, LabelNames: []string{"key"}}
			}
		}
	}
	return ret
}

// AttributeNames returns the block's attribute names in sorted order.
func (b *Block) AttributeNames() []string {
	names := make([]string, 0, len(b.Attributes))
	for n := range b.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SensitivePaths lists the paths of attributes the schema marks sensitive,
// within an object value of the block's type. Nested blocks are walked with
// their actual elements so each sensitive leaf gets its own path.
func (b *Block) SensitivePaths(val cty.Value, prefix cty.Path) []cty.Path {
	if b == nil || val.IsNull() || !val.IsKnown() || !val.Type().IsObjectType() {
		return nil
	}
	var out []cty.Path
	for _, name := range b.AttributeNames() {
		if b.Attributes[name].Sensitive {
			out = append(out, copyPath(prefix).GetAttr(name))
		}
	}
	for name, nb := range b.BlockTypes {
		if !val.Type().HasAttribute(name) {
			continue
		}
		v := val.GetAttr(name)
		if v.IsNull() || !v.IsKnown() {
			continue
		}
		p := copyPath(prefix).GetAttr(name)
		switch nb.Nesting {
		case NestingSingle:
			out = append(out, nb.Block.SensitivePaths(v, p)...)
		default:
			if v.Type().IsSetType() {
				// Set elements have no stable path: a sensitive attribute
				// inside a set marks the whole set.
				if nb.Block.hasSensitive() {
					out = append(out, p)
				}
				continue
			}
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				out = append(out, nb.Block.SensitivePaths(ev, copyPath(p).Index(k))...)
			}
		}
	}
	return out
}

func (b *Block) hasSensitive() bool {
	for _, a := range b.Attributes {
		if a.Sensitive {
			return true
		}
	}
	for _, nb := range b.BlockTypes {
		if nb.Block.hasSensitive() {
			return true
		}
	}
	return false
}

// ForceNewPaths lists the paths of top-level and nested single attributes
// marked ForceNew whose values differ between prior and planned.
func (b *Block) ForceNewPaths(prior, planned cty.Value) []cty.Path {
	if b == nil || prior.IsNull() || planned.IsNull() {
		return nil
	}
	// Providers call this for every planned object, and most attributes
	// are not force-new: the names are sorted only when several differ.
	var names []string
	for name, a := range b.Attributes {
		if !a.ForceNew {
			continue
		}
		pv, nv := prior.GetAttr(name), planned.GetAttr(name)
		if !nv.IsWhollyKnown() || !pv.RawEquals(nv) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	out := make([]cty.Path, len(names))
	for i, name := range names {
		out[i] = cty.GetAttrPath(name)
	}
	return out
}

func copyPath(p cty.Path) cty.Path {
	ret := make(cty.Path, len(p), len(p)+2)
	copy(ret, p)
	return ret
}

// UnconfigurablePaths lists computed-only attributes that a configuration
// value sets, which is an error.
func (b *Block) UnconfigurablePaths(config cty.Value) []cty.Path {
	if b == nil || config.IsNull() || !config.IsKnown() || !config.Type().IsObjectType() {
		return nil
	}
	var out []cty.Path
	for _, name := range b.AttributeNames() {
		a := b.Attributes[name]
		if a.Computed && !a.Optional && !a.Required && config.Type().HasAttribute(name) && !config.GetAttr(name).IsNull() {
			out = append(out, cty.GetAttrPath(name))
		}
	}
	for name, nb := range b.BlockTypes {
		if nb.Nesting == NestingSingle && config.Type().HasAttribute(name) {
			for _, p := range nb.Block.UnconfigurablePaths(config.GetAttr(name)) {
				out = append(out, append(cty.GetAttrPath(name), p...))
			}
		}
	}
	return out
}
