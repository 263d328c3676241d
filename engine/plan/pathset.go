package plan

import "github.com/zclconf/go-cty/cty"

// PathSet is a set of attribute paths followed step by step while a value
// is walked, for renderers that hide sensitive values: an attribute step
// and a string index step are the same step. The zero of *PathSet (nil) is
// the empty set, below which nothing is in the set.
type PathSet = pathTrie

// NewPathSet makes a set of the paths given.
func NewPathSet(sets ...[]cty.Path) *PathSet { return newPathTrie(sets...) }

// Hit reports whether the path walked so far is in the set.
func (t *pathTrie) Hit() bool { return t.hit() }

// Attr follows an attribute (or a map's string key).
func (t *pathTrie) Attr(name string) *pathTrie { return t.child(attrKey(name)) }

// Elem follows a collection element: by its index or map key, or for a set
// by the element itself.
func (t *pathTrie) Elem(key cty.Value) *pathTrie { return elementKey(key, t) }

// AnyBelow reports whether the set holds this path or one below it: a set
// element that holds a sensitive part is hidden whole, since its identity
// is its value.
func (t *pathTrie) AnyBelow() bool { return t != nil && (t.end || len(t.kids) > 0) }

// ValueKey is a comparable key for a known value, as the set keys
// elements; ok is false for a null or unknown value.
func ValueKey(v cty.Value) (key string, ok bool) { return valueKey(v) }

// AllPaths is a set that holds every path: the whole value is sensitive.
func AllPaths() *PathSet { return &pathTrie{end: true} }

// Add puts a path in the set.
func (t *pathTrie) Add(p cty.Path) { t.add(p) }

// HasBelow reports whether the set holds paths strictly below this point.
func (t *pathTrie) HasBelow() bool { return t.hasKids() }
