package graph

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"
)

// errGoexit is recorded for a visit that ended its goroutine with
// runtime.Goexit (t.FailNow in a test, for instance) instead of returning.
var errGoexit = errors.New("visit called runtime.Goexit")

// errStuck should never be seen: once cycles are excluded every remaining
// vertex becomes ready eventually. It is there so that a broken invariant
// shows up as an error on the vertex rather than as a silently missing one.
var errStuck = errors.New("vertex was never ready to visit")

type walkState uint8

const (
	waiting walkState = iota
	scheduled
	finished
)

type walkResult struct {
	v       int32
	err     error
	started bool
}

// Walk calls visit for every vertex, each only after all of its dependencies
// were visited successfully, with at most parallelism visits running at once
// (values below 1 mean 1). Vertices that become ready at the same time start
// in insertion order.
//
// The returned map holds only the vertices that did not succeed; it is empty
// when every visit returned nil. The error for a vertex is:
//   - whatever visit returned, or a *PanicError if visit panicked;
//   - a *SkippedError[T] naming the failed vertex, for every transitive
//     dependent of a vertex that failed; vertices that do not depend on the
//     failure are still visited;
//   - a *CycleError[T] for each vertex in a dependency cycle, none of which
//     are visited (their dependents get a *SkippedError[T]);
//   - ctx.Err() for every vertex not yet started when ctx was cancelled;
//     visits already running are waited for, and receive ctx so they can
//     stop early.
//
// Scheduling costs O(V+E) in total: each vertex carries a count of
// unfinished dependencies and enters a ready queue when it drops to zero,
// and a fixed pool of workers takes vertices from that queue.
func (g *Graph[T]) Walk(ctx context.Context, parallelism int, visit func(ctx context.Context, v T) error) map[T]error {
	f := g.flatten()
	n := len(f.vals)
	errs := make([]error, n)
	state := make([]walkState, n)
	pending := make([]int32, n)
	for i := range int32(n) {
		pending[i] = f.depOff[i+1] - f.depOff[i]
	}

	// skip marks every transitive dependent of failed that has not been
	// dealt with yet. A vertex already finished had its own dependents
	// handled then, so the search stops there and each vertex is touched
	// once over the whole walk.
	var stack []int32
	skip := func(failed int32) {
		stack = append(stack[:0], f.dependents(failed)...)
		for len(stack) > 0 {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if state[w] != waiting {
				continue
			}
			state[w] = finished
			errs[w] = &SkippedError[T]{Vertex: f.vals[failed]}
			stack = append(stack, f.dependents(w)...)
		}
	}

	// Vertices in cycles would never become ready, so they fail up front
	// and the rest of the walk runs on what is left, which is acyclic.
	cycles := f.cycles()
	for _, c := range cycles {
		cerr := &CycleError[T]{Cycles: [][]T{f.valuesOf(c)}}
		for _, v := range c {
			state[v] = finished
			errs[v] = cerr
		}
	}
	for _, c := range cycles {
		for _, v := range c {
			skip(v)
		}
	}

	ready := make([]int32, 0, n)
	for i := range int32(n) {
		if state[i] == waiting && pending[i] == 0 {
			ready = append(ready, i)
		}
	}

	if parallelism < 1 {
		parallelism = 1
	}
	if parallelism > n {
		parallelism = n
	}
	// Both channels are buffered to the pool size and at most parallelism
	// vertices are ever in flight, so neither the coordinator nor a worker
	// can block on a send.
	work := make(chan int32, parallelism)
	done := make(chan walkResult, parallelism)
	var wg sync.WaitGroup
	var worker func()
	worker = func() {
		for v := range work {
			runVisit(ctx, f.vals[v], v, visit, done, &wg, worker)
		}
		wg.Done()
	}
	wg.Add(parallelism)
	for range parallelism {
		go worker()
	}

	head, running := 0, 0
	for {
		for running < parallelism && head < len(ready) && ctx.Err() == nil {
			v := ready[head]
			head++
			state[v] = scheduled
			work <- v
			running++
		}
		if running == 0 {
			break
		}
		r := <-done
		running--
		switch {
		case !r.started:
			state[r.v] = waiting // cancelled before it began; reported below
		case r.err != nil:
			state[r.v] = finished
			errs[r.v] = r.err
			skip(r.v)
		default:
			state[r.v] = finished
			for _, w := range f.dependents(r.v) {
				pending[w]--
				if pending[w] == 0 && state[w] == waiting {
					ready = append(ready, w)
				}
			}
		}
	}
	close(work)
	wg.Wait()

	out := make(map[T]error)
	cerr := ctx.Err()
	for i := range n {
		if state[i] != finished {
			if cerr != nil {
				errs[i] = cerr
			} else {
				errs[i] = errStuck
			}
		}
		if errs[i] != nil {
			out[f.vals[i]] = errs[i]
		}
	}
	return out
}

// runVisit performs one visit and always reports it on done, whether visit
// returns, panics or calls runtime.Goexit. Goexit ends the worker's
// goroutine regardless, so in that case a replacement worker is started to
// keep the pool at its size and drain the work channel.
func runVisit[T comparable](ctx context.Context, val T, v int32, visit func(context.Context, T) error, done chan<- walkResult, wg *sync.WaitGroup, worker func()) {
	if ctx.Err() != nil {
		done <- walkResult{v: v}
		return
	}
	var err error
	returned := false
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		} else if !returned {
			done <- walkResult{v: v, err: errGoexit, started: true}
			wg.Add(1)
			go worker()
			wg.Done()
			return
		}
		done <- walkResult{v: v, err: err, started: true}
	}()
	err = visit(ctx, val)
	returned = true
}
