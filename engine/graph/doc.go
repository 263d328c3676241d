// Package graph owns the engine's generic directed acyclic graph: vertices,
// dependency edges, cycle detection, topological ordering, transitive
// reduction and a bounded parallel walk used by plan and apply.
//
// An edge always points from a dependent to its dependency: the dependent
// must wait until the dependency has finished. Every result that lists
// vertices is deterministic, following the order in which vertices (and,
// for adjacency lists, edges) were added, so that plans, error messages and
// rendered graphs do not change between runs.
//
// The package may import only the standard library; it knows nothing of
// resources, providers or state, which keeps it reusable for every graph the
// engine builds and cheap to test in isolation.
//
// A Graph is not safe for concurrent modification. Walk works on a snapshot
// taken when it starts, so visits may read the graph but must not modify it.
package graph
