package graph

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type edge struct{ from, to string }

func build(vertices []string, edges []edge) *Graph[string] {
	g := New[string]()
	for _, v := range vertices {
		g.Add(v)
	}
	for _, e := range edges {
		g.Connect(e.from, e.to)
	}
	return g
}

func edgesOf(g *Graph[string]) []edge {
	var out []edge
	for _, v := range g.Vertices() {
		for _, d := range g.DependenciesOf(v) {
			out = append(out, edge{v, d})
		}
	}
	return out
}

// chain returns 0 <- 1 <- ... <- n-1: each vertex depends on the previous.
func chain(n int) *Graph[int] {
	g := New[int]()
	g.Add(0)
	for i := 1; i < n; i++ {
		g.Connect(i, i-1)
	}
	return g
}

func TestBasics(t *testing.T) {
	g := New[string]()
	g.Add("a")
	g.Add("a")
	g.Connect("b", "a")
	g.Connect("c", "a")
	g.Connect("c", "b")
	g.Connect("c", "b")

	assert.Equal(t, 3, g.Len())
	assert.Equal(t, 3, g.EdgeCount())
	assert.True(t, g.Has("c"))
	assert.False(t, g.Has("z"))
	assert.Equal(t, []string{"a", "b", "c"}, g.Vertices())
	assert.Equal(t, []string{"a", "b"}, g.DependenciesOf("c"))
	assert.Equal(t, []string{"b", "c"}, g.DependentsOf("a"))
	assert.Nil(t, g.DependenciesOf("z"))
	assert.Nil(t, g.DependentsOf("z"))

	g.Disconnect("c", "a")
	assert.Equal(t, 2, g.EdgeCount())
	assert.Equal(t, []string{"b"}, g.DependenciesOf("c"))
	assert.Equal(t, []string{"b"}, g.DependentsOf("a"))

	g.Remove("b")
	assert.Equal(t, 2, g.Len())
	assert.Equal(t, 0, g.EdgeCount())
	assert.False(t, g.Has("b"))
	assert.Equal(t, []string{"a", "c"}, g.Vertices())
	assert.Empty(t, g.DependenciesOf("c"))
	assert.Empty(t, g.DependentsOf("a"))

	g.Add("b")
	assert.Equal(t, []string{"a", "c", "b"}, g.Vertices(), "re-added vertex goes last")

	g.Connect("s", "s")
	assert.Equal(t, 1, g.EdgeCount())
	g.Remove("s")
	assert.Equal(t, 0, g.EdgeCount())
}

func TestRemoveManyKeepsOrder(t *testing.T) {
	// Enough removals to trigger renumbering, and a hub big enough for its
	// edge sets to switch to the map representation.
	g := New[int]()
	for i := 1; i < 300; i++ {
		g.Connect(i, 0)
		g.Connect(1000, i)
	}
	for i := 1; i < 300; i++ {
		if i%3 != 0 {
			g.Remove(i)
		}
	}
	var want []int
	for i := 3; i < 300; i += 3 {
		want = append(want, i)
	}
	assert.Equal(t, want, g.DependentsOf(0))
	assert.Equal(t, want, g.DependenciesOf(1000))
	assert.Equal(t, append([]int{0, 1000}, want...), g.Vertices())
	assert.Equal(t, 2*len(want), g.EdgeCount())
	assert.Equal(t, len(want)+2, g.Len())
	order, err := g.TopoOrder()
	require.NoError(t, err)
	assert.Equal(t, 0, order[0])
	assert.Equal(t, 1000, order[len(order)-1])
}

func TestCycles(t *testing.T) {
	tests := map[string]struct {
		vertices []string
		edges    []edge
		want     [][]string
	}{
		"acyclic": {
			edges: []edge{{"b", "a"}, {"c", "b"}, {"c", "a"}},
		},
		"empty": {},
		"two-cycle": {
			edges: []edge{{"a", "b"}, {"b", "a"}},
			want:  [][]string{{"a", "b"}},
		},
		"three-cycle": {
			vertices: []string{"x"},
			edges:    []edge{{"c", "a"}, {"a", "b"}, {"b", "c"}, {"x", "a"}},
			want:     [][]string{{"c", "a", "b"}},
		},
		"self-loop": {
			edges: []edge{{"b", "a"}, {"a", "a"}},
			want:  [][]string{{"a"}},
		},
		"two separate cycles": {
			vertices: []string{"p", "q", "r", "s", "t"},
			edges:    []edge{{"r", "s"}, {"s", "r"}, {"p", "q"}, {"q", "p"}, {"t", "p"}, {"t", "r"}},
			want:     [][]string{{"p", "q"}, {"r", "s"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := build(tc.vertices, tc.edges)
			assert.Equal(t, tc.want, g.Cycles())
			_, err := g.TopoOrder()
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			var cerr *CycleError[string]
			require.ErrorAs(t, err, &cerr)
			assert.Equal(t, tc.want, cerr.Cycles)
		})
	}
}

func TestTopoOrder(t *testing.T) {
	tests := map[string]struct {
		vertices []string
		edges    []edge
		want     []string
	}{
		"no edges keeps insertion order": {
			vertices: []string{"c", "a", "b"},
			want:     []string{"c", "a", "b"},
		},
		"chain": {
			edges: []edge{{"c", "b"}, {"b", "a"}},
			want:  []string{"a", "b", "c"},
		},
		"diamond": {
			vertices: []string{"top", "left", "right", "bottom"},
			edges:    []edge{{"top", "left"}, {"top", "right"}, {"left", "bottom"}, {"right", "bottom"}},
			want:     []string{"bottom", "left", "right", "top"},
		},
		"ties broken by insertion order": {
			vertices: []string{"z", "y", "x", "w"},
			edges:    []edge{{"z", "w"}, {"y", "w"}},
			want:     []string{"x", "w", "z", "y"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := build(tc.vertices, tc.edges)
			got, err := g.TopoOrder()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestTransitiveReduction(t *testing.T) {
	tests := map[string]struct {
		edges []edge
		want  []edge
	}{
		"triangle": {
			edges: []edge{{"c", "b"}, {"b", "a"}, {"c", "a"}},
			want:  []edge{{"c", "b"}, {"b", "a"}},
		},
		"long shortcut": {
			edges: []edge{{"e", "a"}, {"b", "a"}, {"c", "b"}, {"d", "c"}, {"e", "d"}},
			want:  []edge{{"e", "d"}, {"b", "a"}, {"c", "b"}, {"d", "c"}},
		},
		"diamond keeps both sides": {
			edges: []edge{{"t", "l"}, {"t", "r"}, {"l", "b"}, {"r", "b"}, {"t", "b"}},
			want:  []edge{{"t", "l"}, {"t", "r"}, {"l", "b"}, {"r", "b"}},
		},
		"nothing to remove": {
			edges: []edge{{"b", "a"}, {"c", "a"}},
			want:  []edge{{"b", "a"}, {"c", "a"}},
		},
		"cyclic graph is left alone": {
			edges: []edge{{"a", "b"}, {"b", "a"}, {"c", "a"}, {"c", "b"}},
			want:  []edge{{"a", "b"}, {"b", "a"}, {"c", "a"}, {"c", "b"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := build(nil, tc.edges)
			g.TransitiveReduction()
			assert.Equal(t, tc.want, edgesOf(g))
			assert.Equal(t, len(tc.want), g.EdgeCount())
		})
	}
}

func TestClosure(t *testing.T) {
	// d -> c -> b -> a, e -> b, x unrelated
	g := build([]string{"x"}, []edge{{"b", "a"}, {"c", "b"}, {"d", "c"}, {"e", "b"}})
	set := func(vs ...string) map[string]struct{} {
		m := make(map[string]struct{})
		for _, v := range vs {
			m[v] = struct{}{}
		}
		return m
	}
	tests := map[string]struct {
		roots        []string
		dependencies bool
		want         map[string]struct{}
	}{
		"dependencies":         {roots: []string{"c"}, dependencies: true, want: set("c", "b", "a")},
		"dependents":           {roots: []string{"b"}, want: set("b", "c", "d", "e")},
		"several roots":        {roots: []string{"d", "e"}, dependencies: true, want: set("a", "b", "c", "d", "e")},
		"unknown roots ignore": {roots: []string{"nope", "x"}, want: set("x")},
		"no roots":             {want: set()},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, g.Closure(tc.roots, tc.dependencies))
		})
	}
}

func TestSubgraphAndReverse(t *testing.T) {
	g := build([]string{"a", "b", "c", "d"}, []edge{{"b", "a"}, {"c", "b"}, {"d", "c"}, {"d", "a"}})

	sub := g.Subgraph(func(v string) bool { return v != "c" })
	assert.Equal(t, []string{"a", "b", "d"}, sub.Vertices())
	assert.Equal(t, []edge{{"b", "a"}, {"d", "a"}}, edgesOf(sub))
	assert.Equal(t, 2, sub.EdgeCount())
	assert.Equal(t, 4, g.EdgeCount(), "original untouched")

	rev := g.Reverse()
	assert.Equal(t, g.Vertices(), rev.Vertices())
	assert.Equal(t, []edge{{"a", "b"}, {"a", "d"}, {"b", "c"}, {"c", "d"}}, edgesOf(rev))
	assert.Equal(t, g.DependenciesOf("d"), rev.DependentsOf("d"))
	assert.Equal(t, 4, rev.EdgeCount())
}

func TestDot(t *testing.T) {
	g := build([]string{"a", `q"x`}, []edge{{"b", "a"}, {"b", `q"x`}})
	want := "digraph {\n" +
		"\t\"a\";\n" +
		"\t\"q\\\"x\";\n" +
		"\t\"b\";\n" +
		"\t\"b\" -> \"a\";\n" +
		"\t\"b\" -> \"q\\\"x\";\n" +
		"}\n"
	assert.Equal(t, want, g.Dot(nil))
	assert.Contains(t, g.Dot(func(s string) string { return "r." + s }), `"r.b" -> "r.a";`)
}

// recorder collects visit order safely from concurrent visits.
type recorder struct {
	mu    sync.Mutex
	order []string
}

func (r *recorder) add(v string) {
	r.mu.Lock()
	r.order = append(r.order, v)
	r.mu.Unlock()
}

func TestWalkOrder(t *testing.T) {
	edges := []edge{
		{"b", "a"}, {"c", "a"}, {"d", "b"}, {"d", "c"}, {"e", "d"},
		{"f", "a"}, {"g", "f"}, {"g", "e"}, {"h", "x"},
	}
	for _, par := range []int{0, 1, 3, 16} {
		t.Run(fmt.Sprint("parallelism ", par), func(t *testing.T) {
			g := build([]string{"x"}, edges)
			var rec recorder
			errs := g.Walk(context.Background(), par, func(_ context.Context, v string) error {
				time.Sleep(time.Millisecond)
				rec.add(v)
				return nil
			})
			assert.Empty(t, errs)
			require.ElementsMatch(t, g.Vertices(), rec.order)
			pos := make(map[string]int)
			for i, v := range rec.order {
				pos[v] = i
			}
			for _, e := range edges {
				assert.Less(t, pos[e.to], pos[e.from], "%s visited before its dependency %s", e.from, e.to)
			}
		})
	}
}

func TestWalkParallelismBound(t *testing.T) {
	tests := map[string]struct {
		parallelism int
		wantMax     int
	}{
		"bound 1": {parallelism: 1, wantMax: 1},
		"bound 0": {parallelism: 0, wantMax: 1},
		"bound 4": {parallelism: 4, wantMax: 4},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := New[int]()
			for i := range 8 {
				g.Add(i)
			}
			var cur, peak atomic.Int32
			errs := g.Walk(context.Background(), tc.parallelism, func(context.Context, int) error {
				n := cur.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(20 * time.Millisecond)
				cur.Add(-1)
				return nil
			})
			assert.Empty(t, errs)
			assert.LessOrEqual(t, int(peak.Load()), tc.wantMax)
			if tc.wantMax > 1 {
				assert.Greater(t, int(peak.Load()), 1, "independent vertices should run concurrently")
			}
		})
	}
}

func TestWalkErrorSkipsDependentsOnly(t *testing.T) {
	// a <- b <- c, a <- d;  x <- y independent; e depends on b and y.
	g := build([]string{"a", "x"}, []edge{{"b", "a"}, {"c", "b"}, {"d", "a"}, {"y", "x"}, {"e", "b"}, {"e", "y"}})
	boom := errors.New("boom")
	var rec recorder
	errs := g.Walk(context.Background(), 2, func(_ context.Context, v string) error {
		rec.add(v)
		if v == "b" {
			return boom
		}
		return nil
	})
	assert.ElementsMatch(t, []string{"a", "x", "b", "d", "y"}, rec.order)
	require.Len(t, errs, 3)
	assert.ErrorIs(t, errs["b"], boom)
	var skipped *SkippedError[string]
	assert.False(t, errors.As(errs["b"], &skipped), "the failed vertex is not skipped")
	for _, v := range []string{"c", "e"} {
		require.ErrorAs(t, errs[v], &skipped, v)
		assert.Equal(t, "b", skipped.Vertex)
		assert.NotErrorIs(t, errs[v], boom)
	}
}

func TestWalkPanicRecovered(t *testing.T) {
	g := build([]string{"ok"}, []edge{{"after", "bad"}})
	errs := g.Walk(context.Background(), 2, func(_ context.Context, v string) error {
		if v == "bad" {
			panic("kaboom")
		}
		return nil
	})
	require.Len(t, errs, 2)
	var perr *PanicError
	require.ErrorAs(t, errs["bad"], &perr)
	assert.Equal(t, "kaboom", perr.Value)
	assert.Contains(t, errs["bad"].Error(), "kaboom")
	assert.Contains(t, errs["bad"].Error(), "graph_test.go", "stack is included")
	var skipped *SkippedError[string]
	require.ErrorAs(t, errs["after"], &skipped)
	assert.Equal(t, "bad", skipped.Vertex)
}

func TestWalkGoexit(t *testing.T) {
	g := New[int]()
	for i := range 6 {
		g.Add(i)
	}
	var visited atomic.Int32
	errs := g.Walk(context.Background(), 2, func(_ context.Context, v int) error {
		visited.Add(1)
		if v < 3 {
			runtime.Goexit()
		}
		return nil
	})
	assert.Equal(t, int32(6), visited.Load())
	require.Len(t, errs, 3)
	for i := range 3 {
		assert.ErrorIs(t, errs[i], errGoexit)
	}
}

func TestWalkCancel(t *testing.T) {
	t.Run("cancelled midway", func(t *testing.T) {
		g := chain(10)
		g.Add(100) // independent, inserted last so it is queued behind 0
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var rec []int
		errs := g.Walk(ctx, 1, func(ctx context.Context, v int) error {
			rec = append(rec, v)
			if v == 3 {
				cancel()
			}
			return nil
		})
		assert.Equal(t, []int{0, 100, 1, 2, 3}, rec)
		require.Len(t, errs, 6)
		for v := 4; v < 10; v++ {
			assert.ErrorIs(t, errs[v], context.Canceled, v)
		}
	})
	t.Run("cancelled before start", func(t *testing.T) {
		g := chain(5)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var calls atomic.Int32
		errs := g.Walk(ctx, 4, func(context.Context, int) error {
			calls.Add(1)
			return nil
		})
		assert.Zero(t, calls.Load())
		require.Len(t, errs, 5)
		for _, err := range errs {
			assert.ErrorIs(t, err, context.Canceled)
		}
	})
}

func TestWalkCyclic(t *testing.T) {
	g := build([]string{"free"}, []edge{{"a", "b"}, {"b", "a"}, {"c", "a"}, {"s", "s"}, {"free2", "free"}})
	var rec recorder
	done := make(chan map[string]error)
	go func() {
		done <- g.Walk(context.Background(), 2, func(_ context.Context, v string) error {
			rec.add(v)
			return nil
		})
	}()
	var errs map[string]error
	select {
	case errs = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Walk hung on a cyclic graph")
	}
	assert.ElementsMatch(t, []string{"free", "free2"}, rec.order)
	require.Len(t, errs, 4)
	var cerr *CycleError[string]
	for _, v := range []string{"a", "b"} {
		require.ErrorAs(t, errs[v], &cerr)
		assert.Equal(t, [][]string{{"a", "b"}}, cerr.Cycles)
	}
	require.ErrorAs(t, errs["s"], &cerr)
	assert.Equal(t, [][]string{{"s"}}, cerr.Cycles)
	var skipped *SkippedError[string]
	require.ErrorAs(t, errs["c"], &skipped)
	assert.Equal(t, "a", skipped.Vertex)
}

func TestWalkEmpty(t *testing.T) {
	errs := New[string]().Walk(context.Background(), 4, func(context.Context, string) error {
		t.Fatal("no vertices to visit")
		return nil
	})
	assert.NotNil(t, errs)
	assert.Empty(t, errs)
}

func TestLargeChain(t *testing.T) {
	const n = 100_000
	g := chain(n)
	assert.Equal(t, n-1, g.EdgeCount())
	assert.Nil(t, g.Cycles())

	order, err := g.TopoOrder()
	require.NoError(t, err)
	for i, v := range order {
		if v != i {
			require.Equal(t, i, v)
		}
	}
	assert.Len(t, g.Closure([]int{n - 1}, true), n)
	assert.Len(t, g.Closure([]int{0}, false), n)

	g.TransitiveReduction()
	assert.Equal(t, n-1, g.EdgeCount())

	next := 0
	errs := g.Walk(context.Background(), 8, func(_ context.Context, v int) error {
		// The chain allows one visit at a time, so no lock is needed.
		if v != next {
			return fmt.Errorf("visited %d, expected %d", v, next)
		}
		next++
		return nil
	})
	assert.Empty(t, errs)
	assert.Equal(t, n, next)

	// Closing the chain into one huge cycle must not overflow either.
	g.Connect(0, n-1)
	cycles := g.Cycles()
	require.Len(t, cycles, 1)
	assert.Len(t, cycles[0], n)
}

func TestLargeFan(t *testing.T) {
	const n = 100_000
	g := New[int]()
	for i := 1; i < n; i++ {
		g.Connect(0, i) // the root waits for everything
	}
	assert.Equal(t, n, g.Len())
	assert.Len(t, g.DependenciesOf(0), n-1)

	g.TransitiveReduction()
	assert.Equal(t, n-1, g.EdgeCount())

	var count atomic.Int32
	var rootSeen atomic.Bool
	errs := g.Walk(context.Background(), 8, func(_ context.Context, v int) error {
		if v == 0 {
			rootSeen.Store(true)
			if got := count.Load(); got != n-1 {
				return fmt.Errorf("root visited after %d leaves", got)
			}
		}
		count.Add(1)
		return nil
	})
	assert.Empty(t, errs)
	assert.True(t, rootSeen.Load())
	assert.Equal(t, int32(n), count.Load())

	order, err := g.TopoOrder()
	require.NoError(t, err)
	assert.Equal(t, 0, order[n-1])
	assert.True(t, slices.IsSorted(order[:n-1]))

	// Removing leaves one by one stays linear thanks to the map-backed set.
	for i := 1; i < n; i += 2 {
		g.Remove(i)
	}
	assert.Equal(t, n/2-1, g.EdgeCount())
	assert.Len(t, g.DependenciesOf(0), n/2-1)
}

func BenchmarkWalkIndependent10k(b *testing.B) {
	g := New[int]()
	for i := range 10_000 {
		g.Add(i)
	}
	b.ResetTimer()
	for b.Loop() {
		g.Walk(context.Background(), 8, func(context.Context, int) error { return nil })
	}
}

func BenchmarkWalkChain10k(b *testing.B) {
	g := chain(10_000)
	b.ResetTimer()
	for b.Loop() {
		g.Walk(context.Background(), 8, func(context.Context, int) error { return nil })
	}
}

func BenchmarkBuild100k(b *testing.B) {
	for b.Loop() {
		g := New[int]()
		g.Add(0)
		for i := 1; i < 100_000; i++ {
			g.Connect(i, i-1)
			g.Connect(i, i/2)
		}
		if _, err := g.TopoOrder(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	tests := map[string]struct {
		err  error
		want string
	}{
		"one cycle":   {err: &CycleError[string]{Cycles: [][]string{{"a", "b"}}}, want: "dependency cycle: a, b"},
		"two cycles":  {err: &CycleError[int]{Cycles: [][]int{{1, 2}, {3}}}, want: "dependency cycle: 1, 2; 3"},
		"skipped":     {err: &SkippedError[string]{Vertex: "db"}, want: "skipped because dependency db failed"},
		"panic value": {err: &PanicError{Value: "x", Stack: []byte("stack")}, want: "panic: x\n\nstack"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}
