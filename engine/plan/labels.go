package plan

import (
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// The tag keys under which nuvola's default tags record the public body an
// object belongs to and the classification of its data.
const (
	TagEnte           = "ente"
	TagClassification = "classification"
)

// Objects carry tags either as a list or set of "key=value" strings (what
// the openstack provider writes for default_tags) or as a string map; the
// all_ attribute holds the tags as applied, default tags included, so it is
// read first.
var (
	stringTagAttrs = []string{"all_tags", "tags"}
	mapTagAttrs    = []string{"all_metadata", "metadata"}
)

// Tag returns the value of the tag key on the change's object: on the
// object after the change or, where that does not tell (a deletion, tags
// known only after apply), before it. It is "" when the object carries no
// such tag. Tags at sensitive paths are not read.
func (c *ResourceChange) Tag(key string) string {
	if c == nil {
		return ""
	}
	if v, ok := ObjectTag(c.After, c.AfterSensitive, key); ok {
		return v
	}
	v, _ := ObjectTag(c.Before, c.BeforeSensitive, key)
	return v
}

// Ente is the ente tag of the change's object ("" when it has none).
func (c *ResourceChange) Ente() string { return c.Tag(TagEnte) }

// Classification is the classification tag of the change's object ("" when
// it has none).
func (c *ResourceChange) Classification() string { return c.Tag(TagClassification) }

// ObjectTag finds the tag key on a resource object: among its all_tags or
// tags strings ("key=value"), then its all_metadata or metadata entries.
// ok is false when the object has no such tag, or its tags are unknown,
// null or sensitive.
func ObjectTag(obj cty.Value, sensitive []cty.Path, key string) (value string, ok bool) {
	if obj == cty.NilVal || !obj.IsKnown() || obj.IsNull() || !obj.Type().IsObjectType() {
		return "", false
	}
	for _, p := range sensitive {
		if len(p) == 0 {
			return "", false
		}
	}
	readable := func(attr string) (cty.Value, bool) {
		if !obj.Type().HasAttribute(attr) || sensitiveAttr(sensitive, attr) {
			return cty.NilVal, false
		}
		v := obj.GetAttr(attr)
		if !v.IsWhollyKnown() || v.IsNull() || v.ContainsMarked() {
			return cty.NilVal, false
		}
		return v, true
	}
	for _, attr := range stringTagAttrs {
		v, ok := readable(attr)
		if !ok {
			continue
		}
		ty := v.Type()
		if !(ty.IsListType() || ty.IsSetType()) || ty.ElementType() != cty.String {
			continue
		}
		for it := v.ElementIterator(); it.Next(); {
			_, t := it.Element()
			if t.IsNull() {
				continue
			}
			if k, val, found := strings.Cut(t.AsString(), "="); found && k == key {
				return val, true
			}
		}
	}
	for _, attr := range mapTagAttrs {
		v, ok := readable(attr)
		if !ok {
			continue
		}
		ty := v.Type()
		if !ty.IsMapType() && !ty.IsObjectType() {
			continue
		}
		if ty.IsObjectType() && !ty.HasAttribute(key) {
			continue
		}
		if ty.IsMapType() && !v.HasIndex(cty.StringVal(key)).True() {
			continue
		}
		var e cty.Value
		if ty.IsMapType() {
			e = v.Index(cty.StringVal(key))
		} else {
			e = v.GetAttr(key)
		}
		if e.Type() == cty.String && !e.IsNull() {
			return e.AsString(), true
		}
	}
	return "", false
}

// sensitiveAttr reports whether a sensitive path covers the attribute or
// something inside it. A path whose first step names no attribute cannot
// be placed and is taken to cover everything.
func sensitiveAttr(sensitive []cty.Path, attr string) bool {
	for _, p := range sensitive {
		switch s := p[0].(type) {
		case cty.GetAttrStep:
			if s.Name == attr {
				return true
			}
		case cty.IndexStep:
			// Sensitive paths may spell an attribute as a string index.
			if s.Key.IsMarked() || s.Key.Type() != cty.String || !s.Key.IsKnown() || s.Key.IsNull() || s.Key.AsString() == attr {
				return true
			}
		default:
			return true
		}
	}
	return false
}
