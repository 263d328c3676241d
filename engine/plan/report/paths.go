package report

import (
	"strconv"
	"strings"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// trie is the set of sensitive (or replace-forcing) paths followed while
// values are walked.
type trie = plan.PathSet

func newTrie(sets ...[]cty.Path) *trie { return plan.NewPathSet(sets...) }

func valueKey(k cty.Value) (string, bool) { return plan.ValueKey(k) }

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
