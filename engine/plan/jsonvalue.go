package plan

import (
	"encoding/json"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// SensitiveValue replaces every sensitive value in the plan JSON. OpenTofu
// writes sensitive values in clear and leaves hiding them to the reader;
// a plan JSON is typically handed to policy tools and CI logs, so nuvola
// keeps them out of the file altogether.
const SensitiveValue = "(sensitive value)"

// pathTrie is a set of paths that can be followed step by step while a
// value is walked. Attribute steps and string index steps are the same
// step here: JSON cannot tell an object attribute from a map key, and
// sensitive paths may come from either spelling.
type pathTrie struct {
	end  bool
	kids map[string]*pathTrie
}

func newPathTrie(sets ...[]cty.Path) *pathTrie {
	t := &pathTrie{}
	for _, ps := range sets {
		for _, p := range ps {
			t.add(p)
		}
	}
	return t
}

func (t *pathTrie) add(p cty.Path) {
	cur := t
	for _, s := range p {
		k, ok := stepKey(s)
		if !ok {
			// A step that cannot be followed marks everything from here.
			break
		}
		if cur.kids == nil {
			cur.kids = map[string]*pathTrie{}
		}
		next := cur.kids[k]
		if next == nil {
			next = &pathTrie{}
			cur.kids[k] = next
		}
		cur = next
	}
	cur.end = true
}

func (t *pathTrie) child(key string) *pathTrie {
	if t == nil || t.kids == nil {
		return nil
	}
	return t.kids[key]
}

func (t *pathTrie) hit() bool { return t != nil && t.end }

func (t *pathTrie) hasKids() bool { return t != nil && len(t.kids) > 0 }

func stepKey(s cty.PathStep) (string, bool) {
	switch s := s.(type) {
	case cty.GetAttrStep:
		return attrKey(s.Name), true
	case cty.IndexStep:
		return valueKey(s.Key)
	}
	return "", false
}

func attrKey(name string) string { return "s" + name }

func valueKey(k cty.Value) (string, bool) {
	if k == cty.NilVal || k.IsNull() || !k.IsWhollyKnown() {
		return "", false
	}
	k, _ = k.UnmarkDeep()
	switch k.Type() {
	case cty.String:
		return attrKey(k.AsString()), true
	case cty.Number:
		return "n" + k.AsBigFloat().Text('f', -1), true
	}
	raw, err := ctyjson.Marshal(k, cty.DynamicPseudoType)
	if err != nil {
		return "", false
	}
	return "v" + string(raw), true
}

// elementKey follows a collection element's step: its index, its map key,
// or for a set the element itself. The key is only computed when some path
// goes below this collection.
func elementKey(k cty.Value, t *pathTrie) *pathTrie {
	if !t.hasKids() {
		return nil
	}
	key, ok := valueKey(k)
	if !ok {
		return nil
	}
	return t.child(key)
}

// unmarkInto strips marks, adding the marked paths to the sensitive set:
// plan values should be unmarked already, and a mark that slipped through
// is treated as sensitive rather than dropped.
func unmarkInto(v cty.Value, sens *pathTrie) (cty.Value, *pathTrie) {
	if v == cty.NilVal || !v.ContainsMarked() {
		return v, sens
	}
	uv, pvm := v.UnmarkDeepWithPaths()
	if sens == nil {
		sens = &pathTrie{}
	}
	for _, m := range pvm {
		sens.add(m.Path)
	}
	return uv, sens
}

// jsonOf renders v as JSON: sensitive leaves become SensitiveValue,
// unknown leaves null. cty.NilVal is null.
func jsonOf(v cty.Value, sens *pathTrie) (json.RawMessage, error) {
	v, sens = unmarkInto(v, sens)
	tree, err := valueTree(v, sens)
	if err != nil {
		return nil, err
	}
	return json.Marshal(tree)
}

func valueTree(v cty.Value, sens *pathTrie) (any, error) {
	if v == cty.NilVal || !v.IsKnown() {
		return nil, nil
	}
	if sens.hit() && !v.IsNull() {
		return SensitiveValue, nil
	}
	if v.IsNull() {
		return nil, nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Number:
		return json.Number(v.AsBigFloat().Text('f', -1)), nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			e, err := valueTree(ev, elementKey(k, sens))
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	case ty.IsMapType() || ty.IsObjectType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			e, err := valueTree(ev, sens.child(attrKey(k.AsString())))
			if err != nil {
				return nil, err
			}
			out[k.AsString()] = e
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot render a value of type %s as JSON", ty.FriendlyName())
}

// sensitiveTree is OpenTofu's before_sensitive/after_sensitive shape: true
// for a sensitive value, objects holding only their sensitive attributes,
// sequences holding every element, false for the rest.
func sensitiveTree(v cty.Value, sens *pathTrie) any {
	v, sens = unmarkInto(v, sens)
	return sensitiveBools(v, sens)
}

func sensitiveBools(v cty.Value, sens *pathTrie) any {
	if sens.hit() {
		return true
	}
	if v == cty.NilVal || v.IsNull() {
		return false
	}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := []any{}
		if !v.IsKnown() {
			return out
		}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			out = append(out, sensitiveBools(ev, elementKey(k, sens)))
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := map[string]any{}
		if !v.IsKnown() {
			return out
		}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if s := sensitiveBools(ev, sens.child(attrKey(k.AsString()))); s != false {
				out[k.AsString()] = s
			}
		}
		return out
	}
	return false
}

// unknownTree is OpenTofu's after_unknown shape: true for an unknown value,
// objects holding only their unknown attributes, sequences every element.
func unknownTree(v cty.Value) any {
	v, _ = v.UnmarkDeep()
	return unknownBools(v)
}

func unknownBools(v cty.Value) any {
	if v == cty.NilVal || v.IsNull() {
		return false
	}
	if !v.IsKnown() {
		return true
	}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			out = append(out, unknownBools(ev))
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if u := unknownBools(ev); u != false {
				out[k.AsString()] = u
			}
		}
		return out
	}
	return false
}

func mustJSON(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		// Only trees of maps, slices, strings, numbers and bools get here.
		panic(err)
	}
	return raw
}

// encodeJSONPaths renders paths as OpenTofu's replace_paths: each path an
// array of attribute names and index keys.
func encodeJSONPaths(ps []cty.Path) (json.RawMessage, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	out := make([][]json.RawMessage, 0, len(ps))
	for _, p := range ps {
		steps := make([]json.RawMessage, 0, len(p))
		for _, s := range p {
			switch s := s.(type) {
			case cty.GetAttrStep:
				steps = append(steps, mustJSON(s.Name))
			case cty.IndexStep:
				k, _ := s.Key.UnmarkDeep()
				raw, err := ctyjson.Marshal(k, k.Type())
				if err != nil {
					return nil, fmt.Errorf("path index key: %w", err)
				}
				steps = append(steps, raw)
			default:
				return nil, fmt.Errorf("unsupported path step %T", s)
			}
		}
		out = append(out, steps)
	}
	return json.Marshal(out)
}
