package osfwtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nuvola-pa/nuvola/plugins"
)

// Creates watches the create requests of one collection: it records their
// JSON bodies and can make the cloud lose the answer to the next one after
// carrying it out (the connection is closed, as a reset after the server
// acted does).
type Creates struct {
	mu      sync.Mutex
	bodies  []map[string]any
	headers []http.Header
	lose    int
}

// WatchCreates watches the requests of method whose path ends in suffix
// (a method and a collection: "POST", "/networks").
func (c *Cloud) WatchCreates(method, suffix string) *Creates {
	w := &Creates{}
	inner := c.Server.Config.Handler
	c.Server.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != method || !strings.HasSuffix(r.URL.Path, suffix) {
			inner.ServeHTTP(rw, r)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		w.mu.Lock()
		w.bodies = append(w.bodies, m)
		w.headers = append(w.headers, r.Header.Clone())
		lose := w.lose > 0
		if lose {
			w.lose--
		}
		w.mu.Unlock()
		if !lose {
			inner.ServeHTTP(rw, r)
			return
		}
		inner.ServeHTTP(httptest.NewRecorder(), r) // made...
		if conn, _, err := rw.(http.Hijacker).Hijack(); err == nil {
			_ = conn.Close() // ...and the answer lost
		}
	})
	return w
}

// LoseNext makes the cloud carry out the next watched request and drop
// its answer.
func (w *Creates) LoseNext() {
	w.mu.Lock()
	w.lose++
	w.mu.Unlock()
}

// Count is how many watched requests arrived.
func (w *Creates) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.bodies)
}

// Body is the JSON body of the i-th watched request (nil when it had
// none).
func (w *Creates) Body(i int) map[string]any {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i >= len(w.bodies) {
		return nil
	}
	return w.bodies[i]
}

// Header is the header of the i-th watched request (Swift's creates say
// everything in headers).
func (w *Creates) Header(i int) http.Header {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i >= len(w.headers) {
		return nil
	}
	return w.headers[i]
}

// Find looks for the object of an owner with the provider's
// FindOwnedResource; errors fail the test.
func Find(t testing.TB, p plugins.Provider, typ string, owner plugins.Owner) plugins.FindOwnedResourceResponse {
	t.Helper()
	finder, ok := p.(plugins.OwnedResourceFinder)
	require.True(t, ok, "the provider does not find owned objects")
	resp := finder.FindOwnedResource(context.Background(), plugins.FindOwnedResourceRequest{TypeName: typ, Owner: owner})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	return resp
}

// Owned lists the objects of the types that carry the lineage's mark;
// errors fail the test.
func Owned(t testing.TB, p plugins.Provider, lineage string, types ...string) []plugins.OwnedObject {
	t.Helper()
	finder, ok := p.(plugins.OwnedResourceFinder)
	require.True(t, ok, "the provider does not find owned objects")
	resp := finder.ListOwnedResources(context.Background(), plugins.ListOwnedResourcesRequest{Lineage: lineage, TypeNames: types})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	return resp.Objects
}
