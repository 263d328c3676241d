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
	return c.Tags(key)[0]
}

// Tags is Tag for several keys, reading the tags once.
func (c *ResourceChange) Tags(keys ...string) []string {
	vals := make([]string, len(keys))
	if c == nil {
		return vals
	}
	found := make([]bool, len(keys))
	objectTags(c.After, c.AfterSensitive, keys, vals, found)
	objectTags(c.Before, c.BeforeSensitive, keys, vals, found)
	return vals
}

// Labels are the change's ente and classification tags ("" for a tag the
// object does not carry).
func (c *ResourceChange) Labels() (ente, classification string) {
	v := c.Tags(TagEnte, TagClassification)
	return v[0], v[1]
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
	vals, found := []string{""}, []bool{false}
	objectTags(obj, sensitive, []string{key}, vals, found)
	return vals[0], found[0]
}

// objectTags fills in the values of the keys not found yet, reading each
// tag attribute of obj once.
func objectTags(obj cty.Value, sensitive []cty.Path, keys []string, vals []string, found []bool) {
	missing := 0
	for _, f := range found {
		if !f {
			missing++
		}
	}
	if missing == 0 || obj == cty.NilVal || !obj.IsKnown() || obj.IsNull() || obj.IsMarked() || !obj.Type().IsObjectType() {
		return
	}
	for _, p := range sensitive {
		if len(p) == 0 {
			return
		}
	}
	set := func(k, v string) {
		for i, key := range keys {
			if !found[i] && key == k {
				vals[i], found[i] = v, true
				missing--
			}
		}
	}
	readable := func(attr string) (cty.Value, bool) {
		if !obj.Type().HasAttribute(attr) || sensitiveAttr(sensitive, attr) {
			return cty.NilVal, false
		}
		v := obj.GetAttr(attr)
		if !v.IsWhollyKnown() || v.IsNull() || v.IsMarked() {
			return cty.NilVal, false
		}
		return v, true
	}
	for _, attr := range stringTagAttrs {
		if missing == 0 {
			return
		}
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
			if t.IsNull() || t.IsMarked() {
				continue
			}
			if k, val, ok := strings.Cut(t.AsString(), "="); ok {
				set(k, val)
			}
		}
	}
	for _, attr := range mapTagAttrs {
		if missing == 0 {
			return
		}
		v, ok := readable(attr)
		if !ok {
			continue
		}
		ty := v.Type()
		if !ty.IsMapType() && !ty.IsObjectType() {
			continue
		}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if e.Type() == cty.String && !e.IsNull() && !e.IsMarked() {
				set(k.AsString(), e.AsString())
			}
		}
	}
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
