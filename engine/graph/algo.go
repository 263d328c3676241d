package graph

import (
	"slices"
)

// flat is a compressed-sparse-row copy of a graph. Vertices are renumbered
// 0..n-1 in insertion order, so sorting by index is sorting by insertion
// order, and the algorithms can use slices instead of maps.
type flat[T comparable] struct {
	vals   []T
	depOff []int32 // deps of i are depAdj[depOff[i]:depOff[i+1]]
	depAdj []int32
	revOff []int32 // dependents of i are revAdj[revOff[i]:revOff[i+1]]
	revAdj []int32
}

func (g *Graph[T]) flatten() *flat[T] {
	dense := make([]int32, len(g.nodes))
	f := &flat[T]{vals: make([]T, 0, g.live)}
	for id := range g.nodes {
		if !g.nodes[id].alive {
			dense[id] = -1
			continue
		}
		dense[id] = int32(len(f.vals))
		f.vals = append(f.vals, g.nodes[id].val)
	}
	n := len(f.vals)
	f.depOff = make([]int32, 1, n+1)
	f.revOff = make([]int32, 1, n+1)
	f.depAdj = make([]int32, 0, g.edges)
	f.revAdj = make([]int32, 0, g.edges)
	for id := range g.nodes {
		nd := &g.nodes[id]
		if !nd.alive {
			continue
		}
		for _, x := range nd.deps.order {
			if x >= 0 {
				f.depAdj = append(f.depAdj, dense[x])
			}
		}
		for _, x := range nd.dependents.order {
			if x >= 0 {
				f.revAdj = append(f.revAdj, dense[x])
			}
		}
		f.depOff = append(f.depOff, int32(len(f.depAdj)))
		f.revOff = append(f.revOff, int32(len(f.revAdj)))
	}
	return f
}

func (f *flat[T]) deps(i int32) []int32 { return f.depAdj[f.depOff[i]:f.depOff[i+1]] }

func (f *flat[T]) dependents(i int32) []int32 { return f.revAdj[f.revOff[i]:f.revOff[i+1]] }

// cycles returns the strongly connected components that contain a cycle
// (more than one vertex, or a self-loop), each sorted by index and ordered by
// their first index. It is Tarjan's algorithm with an explicit call stack, so
// that a chain of any length cannot exhaust the goroutine stack.
func (f *flat[T]) cycles() [][]int32 {
	n := len(f.vals)
	index := make([]int32, n)
	low := make([]int32, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	type frame struct{ v, next int32 }
	var (
		calls   []frame
		stack   []int32
		counter int32
		out     [][]int32
	)
	push := func(v int32) {
		index[v], low[v] = counter, counter
		counter++
		stack = append(stack, v)
		onStack[v] = true
		calls = append(calls, frame{v: v, next: f.depOff[v]})
	}
	for root := range int32(n) {
		if index[root] >= 0 {
			continue
		}
		push(root)
		for len(calls) > 0 {
			top := &calls[len(calls)-1]
			v := top.v
			if top.next < f.depOff[v+1] {
				w := f.depAdj[top.next]
				top.next++
				if index[w] < 0 {
					push(w)
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				p := calls[len(calls)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			i := len(stack) - 1
			for stack[i] != v {
				i--
			}
			comp := stack[i:]
			stack = stack[:i]
			for _, x := range comp {
				onStack[x] = false
			}
			if len(comp) > 1 || slices.Contains(f.deps(v), v) {
				c := slices.Clone(comp)
				slices.Sort(c)
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b []int32) int { return int(a[0] - b[0]) })
	return out
}

func (f *flat[T]) valuesOf(ids []int32) []T {
	out := make([]T, len(ids))
	for i, x := range ids {
		out[i] = f.vals[x]
	}
	return out
}

// Cycles returns every dependency cycle: each strongly connected component
// with more than one vertex, and each vertex with an edge to itself. Vertices
// within a cycle, and the cycles themselves, are in insertion order. It runs
// in O(V+E) and returns nil for an acyclic graph.
func (g *Graph[T]) Cycles() [][]T {
	f := g.flatten()
	var out [][]T
	for _, c := range f.cycles() {
		out = append(out, f.valuesOf(c))
	}
	return out
}

// TopoOrder returns every vertex with dependencies before their dependents.
// Among vertices that are ready at the same time the earliest inserted comes
// first, so the order is stable across runs; that tie break costs a heap, so
// the total is O(V log V + E). A cyclic graph yields a *CycleError.
func (g *Graph[T]) TopoOrder() ([]T, error) {
	f := g.flatten()
	n := len(f.vals)
	pending := make([]int32, n)
	var ready idHeap
	for i := range int32(n) {
		pending[i] = f.depOff[i+1] - f.depOff[i]
		if pending[i] == 0 {
			ready.push(i)
		}
	}
	out := make([]T, 0, n)
	for len(ready) > 0 {
		v := ready.pop()
		out = append(out, f.vals[v])
		for _, w := range f.dependents(v) {
			pending[w]--
			if pending[w] == 0 {
				ready.push(w)
			}
		}
	}
	if len(out) < n {
		err := &CycleError[T]{}
		for _, c := range f.cycles() {
			err.Cycles = append(err.Cycles, f.valuesOf(c))
		}
		return nil, err
	}
	return out, nil
}

// TransitiveReduction removes every edge that is implied by a longer path,
// leaving the smallest graph with the same reachability. It costs O(V*E) in
// the worst case (a search from each vertex with two or more dependencies),
// which is why the engine only uses it to make rendered graphs readable and
// never on the plan or apply path.
//
// The reduction of a cyclic graph is not unique, and removing edges that are
// each implied by a path through the other would change reachability, so on
// a cyclic graph it leaves every edge in place.
func (g *Graph[T]) TransitiveReduction() {
	f := g.flatten()
	if len(f.cycles()) > 0 {
		return
	}
	n := len(f.vals)
	mark := make([]int32, n) // mark[x] == u+1: x reachable from u by a path of length >= 2
	var stack []int32
	type edge struct{ from, to int32 }
	var redundant []edge
	for u := range int32(n) {
		deps := f.deps(u)
		if len(deps) < 2 {
			continue
		}
		stamp := u + 1
		for _, d := range deps {
			for _, x := range f.deps(d) {
				if mark[x] != stamp {
					mark[x] = stamp
					stack = append(stack, x)
				}
			}
		}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, y := range f.deps(x) {
				if mark[y] != stamp {
					mark[y] = stamp
					stack = append(stack, y)
				}
			}
		}
		for _, d := range deps {
			if mark[d] == stamp {
				redundant = append(redundant, edge{u, d})
			}
		}
	}
	for _, e := range redundant {
		g.disconnect(g.index[f.vals[e.from]], g.index[f.vals[e.to]])
	}
}

// Closure returns roots together with every vertex reachable from them,
// following edges towards dependencies when dependencies is true and towards
// dependents otherwise. Roots that are not in the graph are ignored.
func (g *Graph[T]) Closure(roots []T, dependencies bool) map[T]struct{} {
	out := make(map[T]struct{})
	seen := make([]bool, len(g.nodes))
	var stack []int32
	for _, r := range roots {
		if id, ok := g.index[r]; ok && !seen[id] {
			seen[id] = true
			stack = append(stack, id)
		}
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &g.nodes[id]
		out[n.val] = struct{}{}
		next := &n.dependents
		if dependencies {
			next = &n.deps
		}
		for _, x := range next.order {
			if x >= 0 && !seen[x] {
				seen[x] = true
				stack = append(stack, x)
			}
		}
	}
	return out
}

// idHeap is a min-heap of vertex indices; container/heap would box every
// element through an interface.
type idHeap []int32

func (h *idHeap) push(x int32) {
	*h = append(*h, x)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p] <= s[i] {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *idHeap) pop() int32 {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		m := l
		if r := l + 1; r < len(s) && s[r] < s[l] {
			m = r
		}
		if s[i] <= s[m] {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
