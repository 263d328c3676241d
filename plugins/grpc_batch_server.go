package plugins

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc/status"
	protobuf "google.golang.org/protobuf/proto"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// Batch runs the calls of a batch concurrently, each as its own RPC would
// run, and sends the answers as they come. Once one answer is ready, it
// waits up to batchLinger for the others before sending what it has: most
// calls take microseconds, and a message for each answer would cost more
// than the calls, while a slow call holds up the answers of the others for
// no longer than that.
//
// The ReadResources calls of one resource type become one call of the
// provider, so that it can refresh all their objects with one request.
func (s *grpcServer) Batch(req *proto.Batch_Request, stream proto.Provider_BatchServer) error {
	// One context for all the calls: Stop and the host's cancelling
	// reach every call of a batch anyway.
	ctx, done := s.callContext(stream.Context())
	defer done()
	tasks := s.batchTasks(req.GetCalls())
	limit := s.limit.sem(int(req.GetMaxConcurrency()))
	if limit != nil {
		for i, task := range tasks {
			tasks[i] = func(ctx context.Context) []*proto.Batch_Result {
				limit <- struct{}{}
				defer func() { <-limit }()
				// The provider may lend the slot back while it waits
				// (Idle).
				return task(WithCallSlot(ctx, limit))
			}
		}
	}
	if len(tasks) == 1 {
		return sendResults(stream, tasks[0](ctx))
	}
	var (
		mu    sync.Mutex
		ready []*proto.Batch_Result
		left  = len(req.GetCalls())
		// more is signalled by the last answer, and by any answer while
		// anyWakes is set.
		more     = make(chan struct{}, 1)
		anyWakes bool
	)
	for _, task := range tasks {
		s.workers.run(func() {
			rs := task(ctx)
			mu.Lock()
			ready = append(ready, rs...)
			left -= len(rs)
			wake := left == 0 || anyWakes
			anyWakes = false
			mu.Unlock()
			if wake {
				select {
				case more <- struct{}{}:
				default:
				}
			}
		})
	}
	var linger *time.Timer
	defer func() {
		if linger != nil {
			linger.Stop()
		}
	}()
	lingering, lingered := false, false
	for sent := 0; sent < len(req.GetCalls()); {
		mu.Lock()
		out := ready
		var wait <-chan time.Time
		switch {
		case len(out) == 0:
			anyWakes = true
		case left > 0 && !lingered:
			if !lingering {
				if linger == nil {
					linger = time.NewTimer(batchLinger)
				} else {
					linger.Reset(batchLinger)
				}
				lingering = true
			}
			wait = linger.C
		default:
			ready = nil
			mu.Unlock()
			if err := sendResults(stream, out); err != nil {
				return err
			}
			sent += len(out)
			lingering, lingered = false, false
			continue
		}
		mu.Unlock()
		select {
		case <-more:
		case <-wait:
			lingering, lingered = false, true
		case <-stream.Context().Done():
			// The host gave up on every call; the calls see the same
			// context end. A Stop ends their context too, but not the
			// batch: they are asked to return, and what they return
			// (an object half made, say) must reach the host.
			return status.FromContextError(stream.Context().Err()).Err()
		}
	}
	return nil
}

// batchTask runs one or more calls of a batch and answers each of them.
type batchTask func(context.Context) []*proto.Batch_Result

// batchTasks divides a batch into tasks: one per call, except that the
// ReadResources calls of one type share one.
func (s *grpcServer) batchTasks(calls []*proto.Batch_Call) []batchTask {
	tasks := make([]batchTask, 0, len(calls))
	var reads map[string][]int // type name -> indices of its ReadResources calls
	for i, call := range calls {
		if rr := call.GetReadResources(); rr != nil {
			if reads == nil {
				reads = map[string][]int{}
			}
			reads[rr.GetTypeName()] = append(reads[rr.GetTypeName()], i)
			continue
		}
		tasks = append(tasks, func(ctx context.Context) []*proto.Batch_Result {
			return []*proto.Batch_Result{s.batchCall(ctx, uint32(i), call)}
		})
	}
	for _, indices := range reads {
		if len(indices) == 1 {
			i := indices[0]
			tasks = append(tasks, func(ctx context.Context) []*proto.Batch_Result {
				return []*proto.Batch_Result{s.batchCall(ctx, uint32(i), calls[i])}
			})
			continue
		}
		tasks = append(tasks, func(ctx context.Context) []*proto.Batch_Result {
			return s.readResourcesTogether(ctx, calls, indices)
		})
	}
	return tasks
}

// batchCall runs one call of a batch through its RPC's handler. A call of
// a kind this side does not know gets a result without a response, which
// tells the host to make it as its own RPC.
func (s *grpcServer) batchCall(ctx context.Context, i uint32, call *proto.Batch_Call) *proto.Batch_Result {
	r := &proto.Batch_Result{Index: i}
	switch c := call.GetRequest().(type) {
	case *proto.Batch_Call_ValidateResourceConfig:
		resp, _ := s.ValidateResourceConfig(ctx, c.ValidateResourceConfig)
		r.Response = &proto.Batch_Result_ValidateResourceConfig{ValidateResourceConfig: resp}
	case *proto.Batch_Call_ValidateDataSourceConfig:
		resp, _ := s.ValidateDataSourceConfig(ctx, c.ValidateDataSourceConfig)
		r.Response = &proto.Batch_Result_ValidateDataSourceConfig{ValidateDataSourceConfig: resp}
	case *proto.Batch_Call_UpgradeResourceState:
		resp, _ := s.UpgradeResourceState(ctx, c.UpgradeResourceState)
		r.Response = &proto.Batch_Result_UpgradeResourceState{UpgradeResourceState: resp}
	case *proto.Batch_Call_ReadResource:
		resp, _ := s.ReadResource(ctx, c.ReadResource)
		r.Response = &proto.Batch_Result_ReadResource{ReadResource: resp}
	case *proto.Batch_Call_ReadResources:
		resp, _ := s.ReadResources(ctx, c.ReadResources)
		r.Response = &proto.Batch_Result_ReadResources{ReadResources: resp}
	case *proto.Batch_Call_PlanResourceChange:
		resp, _ := s.PlanResourceChange(ctx, c.PlanResourceChange)
		r.Response = &proto.Batch_Result_PlanResourceChange{PlanResourceChange: resp}
	case *proto.Batch_Call_ApplyResourceChange:
		resp, _ := s.ApplyResourceChange(ctx, c.ApplyResourceChange)
		r.Response = &proto.Batch_Result_ApplyResourceChange{ApplyResourceChange: resp}
	case *proto.Batch_Call_ImportResourceState:
		resp, _ := s.ImportResourceState(ctx, c.ImportResourceState)
		r.Response = &proto.Batch_Result_ImportResourceState{ImportResourceState: resp}
	case *proto.Batch_Call_ReadDataSource:
		resp, _ := s.ReadDataSource(ctx, c.ReadDataSource)
		r.Response = &proto.Batch_Result_ReadDataSource{ReadDataSource: resp}
	}
	return r
}

// readResourcesTogether answers several ReadResources calls of one type
// with one call of the provider, so that it can refresh all their objects
// with one request. Each call gets its own objects' results; diagnostics
// about the provider's call as a whole go to each of them, since each of
// their reads was part of it.
func (s *grpcServer) readResourcesTogether(ctx context.Context, calls []*proto.Batch_Call, indices []int) (results []*proto.Batch_Result) {
	answer := func(i int, resp *proto.ReadResources_Response) {
		results = append(results, &proto.Batch_Result{
			Index:    uint32(i),
			Response: &proto.Batch_Result_ReadResources{ReadResources: resp},
		})
	}
	defer recoverRPC("ReadResources", func(d []*proto.Diagnostic) {
		results = results[:0]
		for _, i := range indices {
			answer(i, &proto.ReadResources_Response{Diagnostics: d})
		}
	})
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		for _, i := range indices {
			answer(i, &proto.ReadResources_Response{Diagnostics: diags})
		}
		return results
	}
	type part struct {
		i      int
		preq   *proto.ReadResources_Request
		req    ReadResourcesRequest
		offset int
	}
	parts := make([]part, 0, len(indices))
	var merged ReadResourcesRequest
	for _, i := range indices {
		preq := calls[i].GetReadResources()
		req, err := readResourcesRequestFromProto(schemas, preq)
		if err != nil {
			answer(i, &proto.ReadResources_Response{Diagnostics: requestError(err)})
			continue
		}
		merged.TypeName = req.TypeName
		for _, o := range req.Objects {
			// An object names its type, so that the provider reads
			// it as the call that sent it asked.
			o.TypeName = batchTypeName(req.TypeName, o.TypeName)
			merged.Objects = append(merged.Objects, o)
		}
		parts = append(parts, part{i: i, preq: preq, req: req, offset: len(merged.Objects) - len(req.Objects)})
	}
	if len(parts) == 0 {
		return results
	}
	resp := s.provider.ReadResources(ctx, merged)
	if len(resp.Results) != len(merged.Objects) {
		// The results cannot be told apart; each call gets the
		// provider's diagnostics and says what went wrong.
		d := append(Diagnostics{}, resp.Diagnostics...)
		d = append(d, Diagnostic{
			Severity: Error,
			Summary:  "Provider returned an invalid refresh result",
			Detail:   fmt.Sprintf("The provider answered %d objects of %s for %d.", len(resp.Results), merged.TypeName, len(merged.Objects)),
		})
		for _, p := range parts {
			answer(p.i, &proto.ReadResources_Response{Diagnostics: diagnosticsToProto(d)})
		}
		return results
	}
	for _, p := range parts {
		own := ReadResourcesResponse{
			Results:     resp.Results[p.offset : p.offset+len(p.req.Objects)],
			Diagnostics: resp.Diagnostics,
		}
		answer(p.i, readResourcesResponseToProto(schemas, p.preq, p.req, own))
	}
	return results
}

// sendResults sends answers, in as few messages as batchMaxBytes allows.
func sendResults(stream proto.Provider_BatchServer, out []*proto.Batch_Result) error {
	for len(out) > 0 {
		n, size := 0, 0
		for n < len(out) {
			m := protobuf.Size(out[n])
			if n > 0 && size+m > batchMaxBytes {
				break
			}
			size += m
			n++
		}
		if err := stream.Send(&proto.Batch_Response{Results: out[:n]}); err != nil {
			return err
		}
		out = out[n:]
	}
	return nil
}

// workers runs functions on goroutines that are kept for a while after,
// instead of a new goroutine each: a new goroutine's stack starts small
// and must grow, by copying, the first time it decodes a value.
type workers struct {
	idle chan func() // taken by a worker waiting for work
}

// workerIdle is how long a worker waits for work before it ends.
const workerIdle = 10 * time.Second

func (w *workers) run(f func()) {
	select {
	case w.idle <- f:
	default:
		go w.work(f)
	}
}

func (w *workers) work(f func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		f()
		idle.Reset(workerIdle)
		select {
		case f = <-w.idle:
		case <-idle.C:
			return
		}
	}
}

// callLimit bounds the calls of batches that run at once, as the host asks
// (Batch.Request.max_concurrency): its callers do not hold their own bound
// while their calls wait in a batch.
type callLimit struct {
	mu sync.Mutex
	n  int
	ch chan struct{}
}

// sem is the semaphore for a bound of n, nil for none. A new bound takes
// effect for the calls that start after it; those already running finish
// under the old one.
func (l *callLimit) sem(n int) chan struct{} {
	if n <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n != n {
		l.n, l.ch = n, make(chan struct{}, n)
	}
	return l.ch
}
