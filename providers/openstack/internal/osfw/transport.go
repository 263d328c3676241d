package osfw

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Transport is the HTTP transport under every request of the provider. It
// counts requests per service, bounds how many run at once per service (so
// a parallel apply does not trip the cloud's rate limits), and retries what
// is safe to retry:
//   - 429 Too Many Requests, after the Retry-After the server asked for;
//   - 5xx answers and connections reset or refused, for idempotent
//     methods only (GET, HEAD, PUT, DELETE, OPTIONS): a POST may have been
//     carried out;
//   - Neutron's 409 IpAddressGenerationFailure, which passes once ports
//     are freed.
//
// Waits grow exponentially with jitter, from BaseDelay, up to MaxDelay.
type Transport struct {
	Base       http.RoundTripper
	MaxRetries int
	BaseDelay  time.Duration
	MaxDelay   time.Duration
	// PerService bounds the requests in flight to one service.
	PerService int

	routes routes
	count  requestCounter
	limits limits
}

// NewTransport wraps base (http.DefaultTransport when nil).
func NewTransport(base http.RoundTripper, maxRetries int) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{Base: base, MaxRetries: maxRetries, BaseDelay: 250 * time.Millisecond, MaxDelay: 30 * time.Second, PerService: 10}
}

func (t *Transport) route(prefix, service string) { t.routes.add(prefix, service) }

func (t *Transport) counts() map[string]int64 { return t.count.snapshot() }

// Counts returns how many requests went to each service.
func (t *Transport) Counts() map[string]int64 { return t.count.snapshot() }

// Route records that URLs under prefix belong to service.
func (t *Transport) Route(prefix, service string) { t.routes.add(prefix, service) }

// RoundTrip sends the request, retrying as the type's comment says.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	service := t.routes.lookup(req.URL.String())
	release, err := t.limits.acquire(req.Context(), service, t.PerService)
	if err != nil {
		return nil, err
	}
	defer release()
	for attempt := 0; ; attempt++ {
		t.count.add(service)
		resp, err := t.Base.RoundTrip(req)
		wait, retry := t.shouldRetry(req, resp, err, attempt)
		if !retry {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
		}
		if req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return resp, err
			}
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, gerr
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
}

// shouldRetry decides on one attempt's outcome.
func (t *Transport) shouldRetry(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.MaxRetries {
		return 0, false
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return 0, false // a streamed body cannot be sent again
	}
	backoff := t.backoff(attempt)
	if err != nil {
		if req.Context().Err() != nil {
			return 0, false
		}
		return backoff, idempotent(req.Method) && transient(err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		if ra := retryAfter(resp.Header.Get("Retry-After")); ra > 0 {
			return min(ra, t.MaxDelay), true
		}
		return backoff, true
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return backoff, idempotent(req.Method)
	case resp.StatusCode == http.StatusConflict && t.routes.lookup(req.URL.String()) == Network:
		if ipExhausted(resp) {
			return backoff, true
		}
	}
	return 0, false
}

func (t *Transport) backoff(attempt int) time.Duration {
	d := t.BaseDelay << min(attempt, 16)
	if d > t.MaxDelay || d <= 0 {
		d = t.MaxDelay
	}
	// Full jitter between half and the whole.
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// transient reports an error a retry may get past: a connection reset,
// refused or cut short.
func transient(err error) bool {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe")
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// ipExhausted reports Neutron's IpAddressGenerationFailure, keeping the
// body readable for the caller.
func ipExhausted(resp *http.Response) bool {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return err == nil && bytes.Contains(body, []byte("IpAddressGenerationFailure"))
}

// limits holds one semaphore per service.
type limits struct {
	sems syncMap[string, chan struct{}]
}

func (l *limits) acquire(ctx context.Context, service string, n int) (func(), error) {
	if n <= 0 {
		return func() {}, nil
	}
	sem := l.sems.loadOrStore(service, func() chan struct{} { return make(chan struct{}, n) })
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
