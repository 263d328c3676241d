package audit

import (
	"encoding/json"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// enteAttrs are the attributes that may name an object's ente, in order of
// preference: all_tags includes the provider's default tags, tags only the
// resource's own; objects without tags carry metadata.
var enteAttrs = []string{"all_tags", "tags", "all_metadata", "metadata"}

// enteKey is the tag key ("ente=c_a662") or metadata key that names the
// public body by its IPA code.
const enteKey = "ente"

// EnteOfValue finds the ente an object belongs to: a tag "ente=CODE" in
// a list or set of tags, or the key "ente" of a tags or metadata map. It
// does not look at attributes under a sensitive path, and returns "" when
// the value is unknown or says nothing.
func EnteOfValue(v cty.Value, sensitive []cty.Path) string {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
		return ""
	}
	for _, name := range enteAttrs {
		if !v.Type().HasAttribute(name) || sensitiveAttr(name, sensitive) {
			continue
		}
		if e := enteOfCty(v.GetAttr(name)); e != "" {
			return e
		}
	}
	return ""
}

func sensitiveAttr(name string, paths []cty.Path) bool {
	for _, p := range paths {
		if len(p) == 0 {
			return true
		}
		if s, ok := p[0].(cty.GetAttrStep); ok && s.Name == name {
			return true
		}
	}
	return false
}

func enteOfCty(v cty.Value) string {
	if v.ContainsMarked() || !v.IsWhollyKnown() || v.IsNull() {
		return ""
	}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, el := it.Element()
			if el.Type() == cty.String && !el.IsNull() {
				if e := enteOfTag(el.AsString()); e != "" {
					return e
				}
			}
		}
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, el := it.Element()
			if k.AsString() == enteKey && el.Type() == cty.String && !el.IsNull() {
				return strings.TrimSpace(el.AsString())
			}
		}
	}
	return ""
}

func enteOfTag(tag string) string {
	k, v, ok := strings.Cut(tag, "=")
	if ok && strings.TrimSpace(k) == enteKey {
		return strings.TrimSpace(v)
	}
	return ""
}

// EnteOfJSON is EnteOfValue for an object stored as JSON, as the state
// keeps it.
func EnteOfJSON(attrs []byte, sensitive []cty.Path) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(attrs, &obj) != nil {
		return ""
	}
	for _, name := range enteAttrs {
		raw, ok := obj[name]
		if !ok || sensitiveAttr(name, sensitive) {
			continue
		}
		var list []string
		if json.Unmarshal(raw, &list) == nil {
			for _, t := range list {
				if e := enteOfTag(t); e != "" {
					return e
				}
			}
			continue
		}
		var m map[string]string
		if json.Unmarshal(raw, &m) == nil {
			if e := strings.TrimSpace(m[enteKey]); e != "" {
				return e
			}
		}
	}
	return ""
}
