package plugins

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// watchdog ends the calls of a provider that overran the call timeout or
// whose context ended: first by asking the provider to stop, then by
// killing the process. A large plan makes tens of thousands of calls, so it
// keeps no timer and no context hook per call: the calls in flight form a
// list, oldest first, which one timer walks at the oldest call's deadline,
// and the calls that share a context (in the engine, every call of an
// operation) share one hook on it.
type watchdog struct {
	mu         sync.Mutex
	head, tail *inflight
	timer      *time.Timer // armed while calls are in flight and a timeout applies
	armed      bool
	hooks      map[<-chan struct{}]*ctxHook // by the callers' ctx.Done()
}

// watch is what the watchdog keeps of one call.
type watch struct {
	prev, next *inflight
	deadline   time.Time          // zero without a call timeout
	done       <-chan struct{}    // the caller's ctx.Done(), nil if it has none
	cancelRPC  context.CancelFunc // cuts the call off once the process is killed

	// Guarded by the watchdog's mu.
	fired    bool
	timeout  bool          // fired by the call timeout, not by the context
	returned chan struct{} // made when fired; closed when the call has returned
	stopped  chan struct{} // made when fired; closed when stopOrKill has ended
}

// ctxHook is the one context.AfterFunc of the calls that share a context.
type ctxHook struct {
	calls int
	stop  func() bool
}

// begin puts c in flight.
func (w *watchdog) begin(p *launchedProvider, ctx context.Context, c *inflight) {
	if p.callTimeout > 0 {
		c.deadline = time.Now().Add(p.callTimeout)
	}
	c.done = ctx.Done()
	w.mu.Lock()
	defer w.mu.Unlock()
	c.prev = w.tail
	if w.tail != nil {
		w.tail.next = c
	} else {
		w.head = c
	}
	w.tail = c
	if p.callTimeout > 0 && !w.armed {
		w.armed = true
		if w.timer == nil {
			w.timer = time.AfterFunc(p.callTimeout, func() { w.expire(p) })
		} else {
			w.timer.Reset(time.Until(w.head.deadline))
		}
	}
	if c.done != nil {
		h := w.hooks[c.done]
		if h == nil {
			if w.hooks == nil {
				w.hooks = map[<-chan struct{}]*ctxHook{}
			}
			done := c.done
			h = &ctxHook{stop: context.AfterFunc(ctx, func() { w.cancelled(p, done) })}
			w.hooks[done] = h
		}
		h.calls++
	}
}

// end takes c out of flight once it has returned. If the watchdog fired
// for it, end waits until the watchdog is done with the process.
func (w *watchdog) end(c *inflight) {
	w.mu.Lock()
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		w.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		w.tail = c.prev
	}
	c.prev, c.next = nil, nil
	if c.done != nil {
		if h := w.hooks[c.done]; h != nil {
			if h.calls--; h.calls == 0 {
				h.stop()
				delete(w.hooks, c.done)
			}
		}
	}
	fired := c.fired
	if fired {
		close(c.returned)
	}
	w.mu.Unlock()
	if fired {
		<-c.stopped
	}
}

// expire fires the calls past their deadline and arms the timer for the
// next one. The calls share one timeout, so deadlines come in list order.
func (w *watchdog) expire(p *launchedProvider) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	c := w.head
	for ; c != nil && !c.deadline.After(now); c = c.next {
		w.fireLocked(p, c, true)
	}
	for c != nil && c.fired {
		c = c.next
	}
	if c == nil {
		w.armed = false
		return
	}
	w.timer.Reset(c.deadline.Sub(now))
}

// cancelled fires the calls whose context ended.
func (w *watchdog) cancelled(p *launchedProvider, done <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for c := w.head; c != nil; c = c.next {
		if c.done == done {
			w.fireLocked(p, c, false)
		}
	}
}

func (w *watchdog) fireLocked(p *launchedProvider, c *inflight, timeout bool) {
	if c.fired {
		return
	}
	c.fired, c.timeout = true, timeout
	c.returned, c.stopped = make(chan struct{}), make(chan struct{})
	go p.stopOrKill(c)
}

// stop disarms the timer, once the provider is closed.
func (w *watchdog) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
		w.armed = false
	}
}

// overran reports a call that hit the call timeout yet returned after Stop.
func (c *inflight) overran() bool {
	return c.fired && c.timeout // set before the call returned; read after end
}

// stopOrKill asks the provider to stop c's call and, if it has not returned
// within the grace, kills the process.
func (p *launchedProvider) stopOrKill(c *inflight) {
	defer close(c.stopped)
	graceCtx, cancel := context.WithTimeout(context.Background(), p.grace)
	defer cancel()
	// The provider's answer to Stop does not matter: only whether the call
	// returns within the grace.
	_ = p.inner.Stop(graceCtx)
	select {
	case <-c.returned:
		return
	case <-graceCtx.Done():
	}
	p.calls.mu.Lock()
	returned := false
	select {
	case <-c.returned: // closed under mu
		returned = true
	default:
	}
	p.calls.mu.Unlock()
	if returned {
		return
	}
	var d Diagnostic
	if c.timeout {
		d = Diagnostic{
			Severity: Error,
			Summary:  fmt.Sprintf("The provider %s did not respond within %s", p.name, p.callTimeout),
			Detail: fmt.Sprintf("%s was still running after %s. nuvola asked the provider to stop and, as it had not returned %s later, "+
				"ended its process. Calls that had already finished are not affected.", c.what(), p.callTimeout, p.grace),
		}
	} else {
		d = Diagnostic{
			Severity: Error,
			Summary:  fmt.Sprintf("The provider %s did not stop when cancelled", p.name),
			Detail: fmt.Sprintf("The operation was cancelled while %s was running. nuvola asked the provider to stop and, as it had not returned %s later, "+
				"ended its process. Calls that had already finished are not affected.", c.what(), p.grace),
		}
	}
	p.fail(d)
	c.cancelRPC()
	p.kill()
}
