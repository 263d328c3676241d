package report

import (
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// minEmbedded is the shortest secret looked for inside longer text; a
// shorter one is hidden only where it is the whole value, since looking
// for it inside every text would hide much that is not secret.
const minEmbedded = 4

// scrubber hides the values of sensitive variables wherever they recur in
// values the plan does not mark sensitive: a provider may echo a secret
// into another attribute, a name or a message.
type scrubber struct {
	secrets     map[string]bool
	embedded    []string
	placeholder string
}

func newScrubber(vars map[string]cty.Value, sensitive []string, placeholder string) *scrubber {
	s := &scrubber{secrets: map[string]bool{}, placeholder: placeholder}
	for _, name := range sensitive {
		v, ok := vars[name]
		if !ok {
			continue
		}
		v, _ = v.UnmarkDeep()
		collectSecrets(v, s.secrets)
	}
	for sec := range s.secrets {
		if len(sec) >= minEmbedded {
			s.embedded = append(s.embedded, sec)
		}
	}
	// Longest first, so that a secret holding another is hidden whole.
	sort.Slice(s.embedded, func(i, j int) bool {
		if len(s.embedded[i]) != len(s.embedded[j]) {
			return len(s.embedded[i]) > len(s.embedded[j])
		}
		return s.embedded[i] < s.embedded[j]
	})
	return s
}

func collectSecrets(v cty.Value, into map[string]bool) {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() {
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		if s := v.AsString(); s != "" {
			into[s] = true
		}
	case ty == cty.Number:
		into[v.AsBigFloat().Text('f', -1)] = true
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			collectSecrets(e, into)
		}
	}
}

// secret reports whether s is, as a whole, the value of a sensitive
// variable.
func (s *scrubber) secret(text string) bool { return s != nil && s.secrets[text] }

// text returns text with every embedded secret replaced.
func (s *scrubber) text(text string) string {
	if s == nil || len(s.secrets) == 0 {
		return text
	}
	if s.secrets[text] {
		return s.placeholder
	}
	for _, sec := range s.embedded {
		if strings.Contains(text, sec) {
			text = strings.ReplaceAll(text, sec, s.placeholder)
		}
	}
	return text
}
