package sdk

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// Attrs is a block's attributes by name.
type Attrs = map[string]*plugins.Attribute

// Blocks is a block's nested block types by name.
type Blocks = map[string]*plugins.NestedBlock

// Required is an attribute the configuration must set.
func Required(ty cty.Type) *plugins.Attribute {
	return &plugins.Attribute{Type: ty, Required: true}
}

// Optional is an attribute the configuration may set; left out, it is null.
func Optional(ty cty.Type) *plugins.Attribute {
	return &plugins.Attribute{Type: ty, Optional: true}
}

// Computed is an attribute only the provider sets.
func Computed(ty cty.Type) *plugins.Attribute {
	return &plugins.Attribute{Type: ty, Computed: true}
}

// OptionalComputed is an attribute the configuration may set and the
// provider fills in when it does not.
func OptionalComputed(ty cty.Type) *plugins.Attribute {
	return &plugins.Attribute{Type: ty, Optional: true, Computed: true}
}

// The modifiers below return a modified copy, so a shared attribute
// definition is never changed behind its other users' backs.

// Sensitive hides the attribute's value in plans and output.
func Sensitive(a *plugins.Attribute) *plugins.Attribute {
	c := *a
	c.Sensitive = true
	return &c
}

// ForceNew makes a change of the attribute replace the object.
func ForceNew(a *plugins.Attribute) *plugins.Attribute {
	c := *a
	c.ForceNew = true
	return &c
}

// Default gives the value ApplyDefaults uses when the configuration leaves
// the attribute null. Such an attribute is optional and computed, as in
// OpenTofu: its planned value differs from its (null) configuration.
func Default(a *plugins.Attribute, v cty.Value) *plugins.Attribute {
	c := *a
	c.Default = v
	c.Required = false
	c.Optional = true
	c.Computed = true
	return &c
}

// Describe sets the attribute's documentation.
func Describe(a *plugins.Attribute, description string) *plugins.Attribute {
	c := *a
	c.Description = description
	return &c
}

// Deprecated marks the attribute deprecated.
func Deprecated(a *plugins.Attribute) *plugins.Attribute {
	c := *a
	c.Deprecated = true
	return &c
}

// Block is a block with the given attributes and nested blocks; either may
// be nil.
func Block(attrs Attrs, blocks Blocks) *plugins.Block {
	if attrs == nil {
		attrs = Attrs{}
	}
	if blocks == nil {
		blocks = Blocks{}
	}
	return &plugins.Block{Attributes: attrs, BlockTypes: blocks}
}

// SingleBlock is a nested block that may appear at most once; its value is
// an object, null when the block is absent.
func SingleBlock(b *plugins.Block) *plugins.NestedBlock {
	return &plugins.NestedBlock{Block: *b, Nesting: plugins.NestingSingle}
}

// RequiredBlock is a nested block that must appear exactly once.
func RequiredBlock(b *plugins.Block) *plugins.NestedBlock {
	return &plugins.NestedBlock{Block: *b, Nesting: plugins.NestingSingle, MinItems: 1, MaxItems: 1}
}

// ListBlock is a repeatable nested block whose value is a list in source
// order. maxItems 0 means no limit.
func ListBlock(b *plugins.Block, minItems, maxItems int) *plugins.NestedBlock {
	return &plugins.NestedBlock{Block: *b, Nesting: plugins.NestingList, MinItems: minItems, MaxItems: maxItems}
}

// SetBlock is a repeatable nested block whose order does not matter.
// maxItems 0 means no limit.
func SetBlock(b *plugins.Block, minItems, maxItems int) *plugins.NestedBlock {
	return &plugins.NestedBlock{Block: *b, Nesting: plugins.NestingSet, MinItems: minItems, MaxItems: maxItems}
}

// MapBlock is a nested block with one label; its value is a map keyed by
// the label.
func MapBlock(b *plugins.Block) *plugins.NestedBlock {
	return &plugins.NestedBlock{Block: *b, Nesting: plugins.NestingMap}
}
