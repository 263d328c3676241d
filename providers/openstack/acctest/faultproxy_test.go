package acctest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultProxy(t *testing.T) {
	var hits int
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path": %q}`, r.URL.Path)
	}))
	defer service.Close()
	keystone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token": {"catalog": [{"endpoints": [{"url": "%s/v2.0"}]}]}}`, service.URL)
	}))
	defer keystone.Close()

	p, authURL := NewFaultProxy(t, keystone.URL+"/v3", 7, 0)
	assert.NotContains(t, authURL, keystone.URL)
	resp, err := http.Post(authURL+"/auth/tokens", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotContains(t, string(body), service.URL, "the catalog points at the proxy")
	start := strings.Index(string(body), "http://")
	end := strings.Index(string(body), "/v2.0")
	serviceFront := string(body)[start:end]

	get := func() (int, error) {
		c := &http.Client{Timeout: 2 * time.Second}
		resp, err := c.Get(serviceFront + "/v2.0/networks")
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}
	code, err := get()
	require.NoError(t, err)
	assert.Equal(t, 200, code)
	assert.Equal(t, 1, hits)

	// Every request faulted: each kind does what it says.
	p.Rate = 1
	p.Delay = 2500 * time.Millisecond
	seen := map[string]bool{}
	for i := 0; i < 40 && len(seen) < len(FaultKinds); i++ {
		before := hits
		counts, _ := p.Counts()
		code, err := get()
		after, _ := p.Counts()
		var kind string
		for _, k := range FaultKinds {
			if after[k] > counts[k] {
				kind = k
			}
		}
		require.NotEmpty(t, kind)
		seen[kind] = true
		switch kind {
		case Fault503:
			assert.Equal(t, 503, code)
			assert.Equal(t, before, hits, "not forwarded")
		case Fault429:
			assert.Equal(t, 429, code)
			assert.Equal(t, before, hits)
		case FaultResetBefore:
			assert.Error(t, err)
			assert.Equal(t, before, hits)
		case FaultResetAfter:
			assert.Error(t, err)
			assert.Equal(t, before+1, hits, "the server acted")
		case FaultDelay:
			assert.Error(t, err, "the client timed out")
		}
	}
	assert.Len(t, seen, len(FaultKinds))

	// The same seed draws the same faults.
	a, _ := NewFaultProxy(t, keystone.URL, 42, 0.3)
	b, _ := NewFaultProxy(t, keystone.URL, 42, 0.3)
	r, _ := http.NewRequest(http.MethodGet, "http://x/v2.0/ports", nil)
	for range 50 {
		require.Equal(t, a.draw(r), b.draw(r))
	}
	p.SetEnabled(false)
	code, err = get()
	require.NoError(t, err)
	assert.Equal(t, 200, code)
	assert.Contains(t, p.Summary(), "faults in")
}
