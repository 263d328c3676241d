package graph

import (
	"fmt"
	"strings"
)

// Dot renders the graph in Graphviz DOT syntax, one node statement per vertex
// and then one edge statement per edge from dependent to dependency, both in
// insertion order so that the output can be diffed between runs. name labels
// each vertex; nil means fmt.Sprint.
func (g *Graph[T]) Dot(name func(T) string) string {
	if name == nil {
		name = func(v T) string { return fmt.Sprint(v) }
	}
	f := g.flatten()
	labels := make([]string, len(f.vals))
	for i, v := range f.vals {
		labels[i] = dotQuote(name(v))
	}
	var b strings.Builder
	b.WriteString("digraph {\n")
	for _, l := range labels {
		fmt.Fprintf(&b, "\t%s;\n", l)
	}
	for i := range int32(len(f.vals)) {
		for _, d := range f.deps(i) {
			fmt.Fprintf(&b, "\t%s -> %s;\n", labels[i], labels[d])
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote makes s a DOT quoted ID. strconv.Quote is not suitable: DOT does
// not understand Go's \x and \u escapes.
func dotQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
