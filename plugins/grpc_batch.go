package plugins

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	protobuf "google.golang.org/protobuf/proto"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// A round trip to the plugin costs tens of microseconds of gRPC, HTTP/2 and
// TLS work on each side, far more than most calls cost the provider: a plan
// of ten thousand resources makes thirty thousand calls. So the client
// coalesces the calls its callers make at the same time into one Batch RPC.
// A call that finds a free slot goes out at once, alone if need be, so a
// lone call waits for nothing; only while every slot is taken do calls
// queue, and whatever has queued goes out together as soon as a slot frees.
const (
	// batchSlots is how many batches may be on their way before calls
	// queue. One keeps batches largest; a second lets one batch form
	// while the other is still being written and read.
	batchSlots = 2
	// batchHold is the longest a batch keeps its slot without an answer.
	// A batch frees its slot when its first answer arrives; a batch of
	// slow calls (a create that takes minutes) frees it after batchHold,
	// so that it does not keep later calls from going out.
	batchHold = time.Millisecond
	// batchMaxCalls and batchMaxBytes bound one batch, and batchMaxBytes
	// also one message of answers, well below maxMessageSize. A single
	// call larger than that still goes, alone.
	batchMaxCalls = 512
	batchMaxBytes = 4 << 20
	// batchLinger is how long the plugin holds the answers that are
	// ready while it waits for the rest of the batch.
	batchLinger = 200 * time.Microsecond
)

// errNoBatch tells a caller to make its call as its own RPC: the plugin
// does not serve Batch (it was built before Batch existed) or did not know
// the kind of call.
var errNoBatch = errors.New("the provider plugin does not take this call in a batch")

// batcher sends the calls of one client in batches.
type batcher struct {
	rpc proto.ProviderClient

	// unsupported is set once the plugin answered Unimplemented.
	unsupported atomic.Bool

	mu    sync.Mutex
	queue []*batchedCall
	busy  int // slots taken
}

// batchedCall is one caller's call, from the queue to its answer.
type batchedCall struct {
	call  *proto.Batch_Call
	size  int
	limit int // the caller's bound on calls in flight; 0 for none

	// abandoned is set by a caller whose context ended, so that the call
	// is not sent if it has not been yet; run is the batch it went in.
	// Each side sets its own first and reads the other's after, so at
	// least one of them sees both and tells the batch.
	abandoned atomic.Bool
	run       atomic.Pointer[batchRun]

	done     chan struct{} // closed when result or err is set
	answered bool          // guarded by the batchRun's mu
	gone     bool          // the caller's context ended; guarded likewise
	result   *proto.Batch_Result
	err      error
}

// batched makes one call, in a batch when the plugin takes batches and as
// the unary RPC unary otherwise. get picks the call's response out of its
// batch result.
func batched[R any](c *grpcClient, ctx context.Context, call *proto.Batch_Call, get func(*proto.Batch_Result) *R, unary func() (*R, error)) (*R, error) {
	if b := c.batch; b != nil && !b.unsupported.Load() && c.capabilities().GetBatch() {
		r, err := b.do(ctx, call)
		switch {
		case err == nil:
			if resp := get(r); resp != nil {
				return resp, nil
			}
		case !errors.Is(err, errNoBatch):
			// As the unary interceptor would have: Launch tells a
			// crashed plugin from a slow one by this.
			noteCallError(ctx, err)
			return nil, err
		}
	}
	return unary()
}

// do queues a call and waits for its answer. When the caller's context
// ends first, do returns at once with the context's error, as a unary RPC
// would; the answer, if it comes, is dropped.
func (b *batcher) do(ctx context.Context, call *proto.Batch_Call) (*proto.Batch_Result, error) {
	c := &batchedCall{call: call, size: protobuf.Size(call), done: make(chan struct{})}
	slot, _ := ctx.Value(callSlotKey{}).(chan struct{})
	c.limit = cap(slot)
	b.mu.Lock()
	b.queue = append(b.queue, c)
	var batch []*batchedCall
	if b.busy < batchSlots {
		b.busy++
		batch = b.takeLocked()
	}
	b.mu.Unlock()
	if batch != nil {
		// Sent from the caller's goroutine: a lone call should cost no
		// more than a unary RPC, and handing it to another goroutine
		// first would add a wake-up to every round trip.
		b.send(batch)
	}
	if slot != nil {
		// Waiting for the plugin is not work the bound is there to
		// limit; the plugin limits the calls it runs instead.
		<-slot
		defer func() { slot <- struct{}{} }()
	}
	select {
	case <-c.done:
		return c.result, c.err
	case <-ctx.Done():
		c.abandoned.Store(true)
		if br := c.run.Load(); br != nil {
			br.giveUp(c)
		}
		select {
		case <-c.done:
			return c.result, c.err
		default:
		}
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

// takeLocked takes the next batch off the queue, nil if it is empty.
func (b *batcher) takeLocked() []*batchedCall {
	n, size := 0, 0
	for n < len(b.queue) && n < batchMaxCalls {
		c := b.queue[n]
		if n > 0 && size+c.size > batchMaxBytes {
			break
		}
		size += c.size
		n++
	}
	if n == 0 {
		return nil
	}
	batch := b.queue[:n:n]
	if n == len(b.queue) {
		b.queue = nil
	} else {
		b.queue = b.queue[n:]
	}
	return batch
}

// release frees a batch's slot, or, when calls queued meanwhile, sends
// them in it.
func (b *batcher) release() {
	b.mu.Lock()
	next := b.takeLocked()
	if next == nil {
		b.busy--
	}
	b.mu.Unlock()
	if next != nil {
		b.send(next)
	}
}

// batchRun is one Batch RPC in flight.
type batchRun struct {
	b     *batcher
	calls []*batchedCall

	// release frees the batch's slot, once.
	releaseOnce sync.Once

	mu      sync.Mutex
	waiting int // calls neither answered nor given up by their callers
	cancel  context.CancelFunc
}

func (br *batchRun) release() { br.releaseOnce.Do(br.b.release) }

// send sends one batch, which has taken a slot, and receives its answers
// in a goroutine of its own. The RPC runs on its own context, since its
// calls come from many callers; it is cancelled only when all of them have
// given up.
func (b *batcher) send(batch []*batchedCall) {
	br := &batchRun{b: b}
	if b.unsupported.Load() {
		br.failAll(batch, errNoBatch)
		br.release()
		return
	}
	for _, c := range batch {
		if !c.abandoned.Load() {
			br.calls = append(br.calls, c)
		}
	}
	if len(br.calls) == 0 {
		br.release()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	br.waiting, br.cancel = len(br.calls), cancel
	req := &proto.Batch_Request{Calls: make([]*proto.Batch_Call, len(br.calls))}
	for i, c := range br.calls {
		req.Calls[i] = c.call
		req.MaxConcurrency = max(req.MaxConcurrency, uint32(c.limit))
		c.run.Store(br)
		if c.abandoned.Load() {
			br.giveUp(c)
		}
	}
	stream, err := b.rpc.Batch(ctx, req, callOpts...)
	if err != nil {
		br.failAll(br.calls, err)
		cancel()
		br.release()
		return
	}
	go br.receive(stream)
}

// receive hands every answer to its caller as it arrives. The slot is
// freed once the first answers are handed out, so the calls that queued
// meanwhile go out while the plugin still works on the rest of this batch.
func (br *batchRun) receive(stream proto.Provider_BatchClient) {
	defer br.cancel()
	defer br.release()
	timer := time.AfterFunc(batchHold, br.release)
	defer timer.Stop()
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			if status.Code(err) == codes.Unimplemented {
				br.b.unsupported.Store(true)
				err = errNoBatch
			}
			br.failAll(br.calls, err)
			return
		}
		for _, r := range resp.GetResults() {
			if i := r.GetIndex(); int(i) < len(br.calls) {
				br.answer(br.calls[i], r, nil)
			}
		}
		br.release()
	}
	br.failAll(br.calls, status.Error(codes.Internal, "the provider's Batch ended without answering every call"))
}

// answer gives a call its result or error, unless it already has one.
func (br *batchRun) answer(c *batchedCall, r *proto.Batch_Result, err error) {
	br.mu.Lock()
	if c.answered {
		br.mu.Unlock()
		return
	}
	c.answered = true
	if !c.gone {
		br.waiting--
	}
	br.mu.Unlock()
	c.result, c.err = r, err
	close(c.done)
}

// failAll gives every call not yet answered the error.
func (br *batchRun) failAll(calls []*batchedCall, err error) {
	for _, c := range calls {
		br.answer(c, nil, err)
	}
}

// giveUp records a caller whose context ended; once no caller waits for
// the batch, the RPC is cancelled, which cancels the calls in the plugin.
func (br *batchRun) giveUp(c *batchedCall) {
	br.mu.Lock()
	defer br.mu.Unlock()
	if c.answered || c.gone {
		return
	}
	c.gone = true
	br.waiting--
	if br.waiting == 0 {
		br.cancel()
	}
}

type callSlotKey struct{}

// WithCallSlot returns the context for one provider call made while its
// caller holds a slot of sem, the semaphore (a send takes a slot, a receive
// gives one back) that bounds the host's provider calls in flight, such as
// the engine's -parallelism.
//
// A plugin's client gives the slot back while the call waits for the round
// trip of its batch, and takes one again before it returns: waiting is not
// work, and a caller that holds its slot while it waits keeps the others
// from adding their calls to the batch, so that batches stay small and
// round trips many. The plugin then runs at most cap(sem) of the host's
// calls at once itself, so the bound still holds where the work is done.
// A provider that is not a plugin ignores it.
func WithCallSlot(ctx context.Context, sem chan struct{}) context.Context {
	return context.WithValue(ctx, callSlotKey{}, sem)
}

// Idle runs wait, a wait that does no work of its own (for other calls to
// join a combined request, say), outside the slot that the call whose
// context ctx is holds under the -parallelism bound, and takes a slot again
// before it returns. Calls that wait to be combined then do not keep the
// calls they wait for from starting: with every slot held by a waiting
// call, the others would come one at a time and nothing would combine.
// Without a slot in ctx, Idle just runs wait.
func Idle(ctx context.Context, wait func()) {
	slot, _ := ctx.Value(callSlotKey{}).(chan struct{})
	if slot == nil {
		wait()
		return
	}
	<-slot
	defer func() { slot <- struct{}{} }()
	wait()
}
