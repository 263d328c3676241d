package report

import (
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// trie is a set of attribute paths followed step by step while values are
// walked. An attribute and a string index are the same step, since
// sensitive paths may spell an attribute either way.
type trie struct {
	end  bool
	kids map[string]*trie
}

func newTrie(sets ...[]cty.Path) *trie {
	t := &trie{}
	for _, ps := range sets {
		for _, p := range ps {
			t.add(p)
		}
	}
	return t
}

func (t *trie) add(p cty.Path) {
	cur := t
	for _, s := range p {
		k, ok := stepKey(s)
		if !ok {
			// A step that cannot be followed covers everything below it.
			break
		}
		if cur.kids == nil {
			cur.kids = map[string]*trie{}
		}
		next := cur.kids[k]
		if next == nil {
			next = &trie{}
			cur.kids[k] = next
		}
		cur = next
	}
	cur.end = true
}

func (t *trie) hit() bool { return t != nil && t.end }

func (t *trie) attr(name string) *trie {
	if t == nil || t.kids == nil {
		return nil
	}
	return t.kids["s"+name]
}

// elem follows a collection element: by its index or map key, or for a set
// by the element itself.
func (t *trie) elem(key cty.Value) *trie {
	if t == nil || t.kids == nil {
		return nil
	}
	k, ok := valueKey(key)
	if !ok {
		return nil
	}
	return t.kids[k]
}

// anyBelow reports whether some path goes below this point: a set element
// that holds a sensitive part is hidden whole, since its identity is its
// value.
func (t *trie) anyBelow() bool { return t != nil && (t.end || len(t.kids) > 0) }

func stepKey(s cty.PathStep) (string, bool) {
	switch s := s.(type) {
	case cty.GetAttrStep:
		return "s" + s.Name, true
	case cty.IndexStep:
		return valueKey(s.Key)
	}
	return "", false
}

func valueKey(k cty.Value) (string, bool) {
	if k == cty.NilVal || k.IsNull() || !k.IsWhollyKnown() {
		return "", false
	}
	k, _ = k.UnmarkDeep()
	switch k.Type() {
	case cty.String:
		return "s" + k.AsString(), true
	case cty.Number:
		return "n" + k.AsBigFloat().Text('f', -1), true
	}
	raw, err := ctyjson.Marshal(k, cty.DynamicPseudoType)
	if err != nil {
		return "", false
	}
	return "v" + string(raw), true
}

// pathString writes a path as configurations spell it: tags["ente"],
// rule[0].port. Set elements, which have no name, are written [*].
func pathString(p cty.Path) string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			b.WriteString(indexString(s.Key))
		}
	}
	return b.String()
}

func indexString(k cty.Value) string {
	if k == cty.NilVal || k.IsMarked() || !k.IsKnown() || k.IsNull() {
		return "[*]"
	}
	switch k.Type() {
	case cty.String:
		return "[" + strconv.Quote(k.AsString()) + "]"
	case cty.Number:
		return "[" + k.AsBigFloat().Text('f', -1) + "]"
	}
	return "[*]"
}
