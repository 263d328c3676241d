package osfw

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fastTransport() *Transport {
	t := NewTransport(nil, 3)
	t.BaseDelay, t.MaxDelay = time.Millisecond, 5*time.Millisecond
	return t
}

func TestTransportRetries(t *testing.T) {
	var calls atomic.Int32
	var status func(n int32, r *http.Request) (int, string, http.Header)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		code, msg, h := status(n, r)
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(msg + string(body)))
	}))
	defer srv.Close()
	do := func(tr *Transport, method, body string) *http.Response {
		calls.Store(0)
		req, err := http.NewRequest(method, srv.URL+"/v2.0/ports", strings.NewReader(body))
		require.NoError(t, err)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		require.NoError(t, err)
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp
	}

	// 429 waits for Retry-After, whatever the method.
	tr := fastTransport()
	status = func(n int32, _ *http.Request) (int, string, http.Header) {
		if n == 1 {
			return 429, "slow down", http.Header{"Retry-After": {"0"}}
		}
		return 201, "", nil
	}
	assert.Equal(t, 201, do(tr, "POST", `{"port":{}}`).StatusCode)
	assert.Equal(t, int32(2), calls.Load())

	// A 503 is retried for a GET, not for a POST (it may have been done).
	status = func(n int32, _ *http.Request) (int, string, http.Header) {
		if n == 1 {
			return 503, "busy", nil
		}
		return 200, "", nil
	}
	assert.Equal(t, 200, do(tr, "GET", "").StatusCode)
	assert.Equal(t, int32(2), calls.Load())
	assert.Equal(t, 503, do(tr, "POST", `{}`).StatusCode)
	assert.Equal(t, int32(1), calls.Load())

	// Neutron's IP exhaustion is retried, the body sent again whole.
	tr.Route(srv.URL, Network)
	var bodies []string
	status = func(n int32, r *http.Request) (int, string, http.Header) {
		if n == 1 {
			return 409, `{"NeutronError": {"type": "IpAddressGenerationFailure", "message": "No more IP addresses available"}}`, nil
		}
		return 201, "", nil
	}
	inner := status
	status = func(n int32, r *http.Request) (int, string, http.Header) {
		bodies = append(bodies, r.Header.Get("Content-Length"))
		return inner(n, r)
	}
	assert.Equal(t, 201, do(tr, "POST", `{"port":{"network_id":"n"}}`).StatusCode)
	assert.Equal(t, []string{"27", "27"}, bodies)
	// Another conflict is the caller's.
	status = func(int32, *http.Request) (int, string, http.Header) {
		return 409, `{"NeutronError": {"type": "MacAddressInUse"}}`, nil
	}
	assert.Equal(t, 409, do(tr, "POST", `{}`).StatusCode)
	assert.Equal(t, int32(1), calls.Load())

	// Retries end after MaxRetries.
	status = func(int32, *http.Request) (int, string, http.Header) { return 502, "", nil }
	assert.Equal(t, 502, do(tr, "GET", "").StatusCode)
	assert.Equal(t, int32(4), calls.Load())

	// Every attempt is counted for its service.
	assert.Positive(t, tr.Counts()[Network])
}

func TestRetryAfter(t *testing.T) {
	assert.Equal(t, 3*time.Second, retryAfter("3"))
	assert.Zero(t, retryAfter(""))
	assert.Zero(t, retryAfter("soon"))
	d := retryAfter(time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat))
	assert.InDelta(t, float64(10*time.Second), float64(d), float64(2*time.Second))
}
