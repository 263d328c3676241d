package graph

import (
	"fmt"
	"strings"
)

// CycleError reports dependency cycles. TopoOrder returns it for the whole
// graph; Walk attaches one to each vertex in a cycle, listing only that
// vertex's cycle.
type CycleError[T comparable] struct {
	Cycles [][]T
}

func (e *CycleError[T]) Error() string {
	var b strings.Builder
	b.WriteString("dependency cycle: ")
	for i, c := range e.Cycles {
		if i > 0 {
			b.WriteString("; ")
		}
		for j, v := range c {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// SkippedError is what Walk records for a vertex it did not visit because a
// transitive dependency failed (or sits in a cycle). Vertex is that failed
// dependency; when several failed, it is whichever failure Walk handled
// first.
//
// It deliberately does not unwrap to the dependency's error: errors.As on a
// skipped vertex's error must not find the failure type of some other
// vertex, otherwise callers could not tell "failed" from "skipped". The
// dependency's own error is in the map Walk returns, under Vertex.
type SkippedError[T comparable] struct {
	Vertex T
}

func (e *SkippedError[T]) Error() string {
	return fmt.Sprintf("skipped because dependency %v failed", e.Vertex)
}

// PanicError is what Walk records for a visit that panicked, so that one
// misbehaving visit fails its vertex instead of taking the process down.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %v\n\n%s", e.Value, e.Stack)
}
