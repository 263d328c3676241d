package graph

// Graph is a directed graph whose vertices are values of T. Vertices are
// stored under small integer ids so that adjacency is cheap to copy into the
// flat form the algorithms use; the ids also record insertion order, which is
// what makes every listing deterministic.
//
// The zero value is not usable; create graphs with New.
type Graph[T comparable] struct {
	index map[T]int32
	nodes []node[T]
	live  int
	dead  int
	edges int
}

type node[T comparable] struct {
	val        T
	alive      bool
	deps       idSet
	dependents idSet
}

// New returns an empty graph.
func New[T comparable]() *Graph[T] {
	return &Graph[T]{index: make(map[T]int32)}
}

// Add inserts v if it is not already present. Re-adding a vertex that was
// removed places it at the end of the insertion order.
func (g *Graph[T]) Add(v T) {
	g.id(v)
}

func (g *Graph[T]) id(v T) int32 {
	if id, ok := g.index[v]; ok {
		return id
	}
	id := int32(len(g.nodes))
	g.nodes = append(g.nodes, node[T]{val: v, alive: true})
	g.index[v] = id
	g.live++
	return id
}

// Has reports whether v is a vertex of the graph.
func (g *Graph[T]) Has(v T) bool {
	_, ok := g.index[v]
	return ok
}

// Len returns the number of vertices.
func (g *Graph[T]) Len() int { return g.live }

// EdgeCount returns the number of edges. A self-loop counts once.
func (g *Graph[T]) EdgeCount() int { return g.edges }

// Connect records that dependent must wait for dependency, adding either
// vertex if it is missing. Connecting the same pair twice is a no-op, and
// connecting a vertex to itself creates a self-loop, which Cycles reports.
func (g *Graph[T]) Connect(dependent, dependency T) {
	a := g.id(dependent)
	b := g.id(dependency)
	if g.nodes[a].deps.add(b) {
		g.nodes[b].dependents.add(a)
		g.edges++
	}
}

// Disconnect removes the edge from dependent to dependency if it exists. The
// vertices themselves stay.
func (g *Graph[T]) Disconnect(dependent, dependency T) {
	a, ok := g.index[dependent]
	if !ok {
		return
	}
	b, ok := g.index[dependency]
	if !ok {
		return
	}
	g.disconnect(a, b)
}

func (g *Graph[T]) disconnect(a, b int32) {
	if g.nodes[a].deps.remove(b) {
		g.nodes[b].dependents.remove(a)
		g.edges--
	}
}

// Remove deletes v and every edge touching it. Its cost is proportional to
// the number of edges of v.
func (g *Graph[T]) Remove(v T) {
	id, ok := g.index[v]
	if !ok {
		return
	}
	n := &g.nodes[id]
	self := 0
	for _, d := range n.deps.order {
		switch {
		case d < 0:
		case d == id:
			self = 1
		default:
			g.nodes[d].dependents.remove(id)
		}
	}
	for _, u := range n.dependents.order {
		if u >= 0 && u != id {
			g.nodes[u].deps.remove(id)
		}
	}
	g.edges -= n.deps.len() + n.dependents.len() - self
	var zero T
	*n = node[T]{val: zero}
	delete(g.index, v)
	g.live--
	g.dead++
	// Dead slots are only reclaimed in bulk so that Remove stays
	// proportional to the vertex's degree; the threshold keeps small graphs
	// from renumbering on every removal.
	if g.dead > 64 && g.dead > g.live {
		g.compact()
	}
}

// compact renumbers the live vertices densely, preserving both vertex and
// edge order.
func (g *Graph[T]) compact() {
	remap := make([]int32, len(g.nodes))
	nodes := make([]node[T], 0, g.live)
	for id := range g.nodes {
		if !g.nodes[id].alive {
			remap[id] = -1
			continue
		}
		remap[id] = int32(len(nodes))
		nodes = append(nodes, node[T]{val: g.nodes[id].val, alive: true})
	}
	for id := range g.nodes {
		if nid := remap[id]; nid >= 0 {
			nodes[nid].deps = g.nodes[id].deps.remapped(remap)
			nodes[nid].dependents = g.nodes[id].dependents.remapped(remap)
			g.index[nodes[nid].val] = nid
		}
	}
	g.nodes = nodes
	g.dead = 0
}

// Vertices returns every vertex in insertion order.
func (g *Graph[T]) Vertices() []T {
	out := make([]T, 0, g.live)
	for i := range g.nodes {
		if g.nodes[i].alive {
			out = append(out, g.nodes[i].val)
		}
	}
	return out
}

// DependenciesOf returns the vertices v waits for, in the order the edges
// were added. It returns nil when v is not in the graph.
func (g *Graph[T]) DependenciesOf(v T) []T {
	id, ok := g.index[v]
	if !ok {
		return nil
	}
	return g.values(&g.nodes[id].deps)
}

// DependentsOf returns the vertices that wait for v, in the order the edges
// were added. It returns nil when v is not in the graph.
func (g *Graph[T]) DependentsOf(v T) []T {
	id, ok := g.index[v]
	if !ok {
		return nil
	}
	return g.values(&g.nodes[id].dependents)
}

func (g *Graph[T]) values(s *idSet) []T {
	out := make([]T, 0, s.len())
	for _, x := range s.order {
		if x >= 0 {
			out = append(out, g.nodes[x].val)
		}
	}
	return out
}

// Subgraph returns a new graph holding the vertices for which keep returns
// true and the edges between them, in the same order as g.
func (g *Graph[T]) Subgraph(keep func(T) bool) *Graph[T] {
	return g.derive(keep, false)
}

// Reverse returns a new graph with every edge flipped, so that dependents
// become dependencies. Destroy ordering is the main user.
func (g *Graph[T]) Reverse() *Graph[T] {
	return g.derive(nil, true)
}

func (g *Graph[T]) derive(keep func(T) bool, flip bool) *Graph[T] {
	out := New[T]()
	remap := make([]int32, len(g.nodes))
	for id := range g.nodes {
		n := &g.nodes[id]
		if !n.alive || (keep != nil && !keep(n.val)) {
			remap[id] = -1
			continue
		}
		remap[id] = out.id(n.val)
	}
	for id := range g.nodes {
		nid := remap[id]
		if nid < 0 {
			continue
		}
		deps := g.nodes[id].deps.remapped(remap)
		dependents := g.nodes[id].dependents.remapped(remap)
		if flip {
			deps, dependents = dependents, deps
		}
		out.nodes[nid].deps = deps
		out.nodes[nid].dependents = dependents
		out.edges += deps.len()
	}
	return out
}

// smallSet is the size up to which an idSet is searched linearly: most
// vertices have a handful of edges, and a map per vertex would dominate the
// memory of large graphs.
const smallSet = 8

// idSet is an insertion-ordered set of vertex ids. Once it grows past
// smallSet it keeps a position map and removal leaves a -1 tombstone, so
// that removing from a vertex with many edges is O(1) amortised.
type idSet struct {
	order []int32
	pos   map[int32]int32
	dead  int
}

func (s *idSet) len() int { return len(s.order) - s.dead }

func (s *idSet) has(id int32) bool {
	if s.pos != nil {
		_, ok := s.pos[id]
		return ok
	}
	for _, x := range s.order {
		if x == id {
			return true
		}
	}
	return false
}

func (s *idSet) add(id int32) bool {
	if s.has(id) {
		return false
	}
	if s.pos == nil && len(s.order) >= smallSet {
		s.pos = make(map[int32]int32, 2*len(s.order))
		for i, x := range s.order {
			s.pos[x] = int32(i)
		}
	}
	if s.pos != nil {
		s.pos[id] = int32(len(s.order))
	}
	s.order = append(s.order, id)
	return true
}

func (s *idSet) remove(id int32) bool {
	if s.pos == nil {
		for i, x := range s.order {
			if x == id {
				s.order = append(s.order[:i], s.order[i+1:]...)
				return true
			}
		}
		return false
	}
	i, ok := s.pos[id]
	if !ok {
		return false
	}
	delete(s.pos, id)
	s.order[i] = -1
	s.dead++
	if s.dead > len(s.order)/2 {
		s.compact()
	}
	return true
}

func (s *idSet) compact() {
	j := 0
	for _, x := range s.order {
		if x >= 0 {
			s.order[j] = x
			j++
		}
	}
	s.order = s.order[:j]
	s.dead = 0
	if j <= smallSet {
		s.pos = nil
		return
	}
	for i, x := range s.order {
		s.pos[x] = int32(i)
	}
}

// remapped returns a copy of s with ids translated through remap, dropping
// ids that map to -1.
func (s *idSet) remapped(remap []int32) idSet {
	var out idSet
	for _, x := range s.order {
		if x >= 0 && remap[x] >= 0 {
			out.add(remap[x])
		}
	}
	return out
}
