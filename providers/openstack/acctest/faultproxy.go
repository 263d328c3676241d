package acctest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault kinds the proxy injects.
const (
	Fault503         = "503"
	Fault429         = "429"
	FaultResetBefore = "reset-before"
	FaultResetAfter  = "reset-after"
	FaultDelay       = "delay"
)

// FaultKinds are every kind, in the order the proxy draws them.
var FaultKinds = []string{Fault503, Fault429, FaultResetBefore, FaultResetAfter, FaultDelay}

// FaultProxy stands between the provider and the cloud: one listener on
// 127.0.0.1 per service endpoint, the Identity service's catalog rewritten
// so that every endpoint points at its listener. With a seeded random draw
// per request it answers 503 or 429 (with Retry-After) without forwarding,
// resets the connection before forwarding, forwards and then resets the
// connection instead of answering (the server acted, the client never
// hears), or holds the request longer than the client waits and forwards
// it afterwards. Token requests are never faulted: a client that cannot
// authenticate does nothing at all.
type FaultProxy struct {
	t     testing.TB
	Rate  float64
	Delay time.Duration

	mu      sync.Mutex
	rng     *rand.Rand
	enabled bool
	routes  map[string]string // upstream host:port -> proxy host:port
	servers []*http.Server
	counts  map[string]int
	total   int
	client  *http.Client
}

// NewFaultProxy starts a proxy for the Identity endpoint authURL, faulting
// rate of the requests (0..1) with the random sequence of seed.
func NewFaultProxy(t testing.TB, authURL string, seed uint64, rate float64) (*FaultProxy, string) {
	t.Helper()
	p := &FaultProxy{t: t, Rate: rate, Delay: 8 * time.Second, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		enabled: true, routes: map[string]string{}, counts: map[string]int{},
		client: &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatalf("fault proxy: %v", err)
	}
	front := p.listen(u.Host)
	t.Cleanup(p.Close)
	u.Host = front
	return p, u.String()
}

// SetEnabled turns fault injection on or off; requests are forwarded
// either way.
func (p *FaultProxy) SetEnabled(on bool) {
	p.mu.Lock()
	p.enabled = on
	p.mu.Unlock()
}

// Counts returns the faults injected so far by kind, and the requests seen.
func (p *FaultProxy) Counts() (map[string]int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.counts))
	for k, v := range p.counts {
		out[k] = v
	}
	return out, p.total
}

// Summary is the counts as one line, for logs.
func (p *FaultProxy) Summary() string {
	counts, total := p.Counts()
	var parts []string
	n := 0
	for _, k := range FaultKinds {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
		n += counts[k]
	}
	return fmt.Sprintf("%d faults in %d requests (%s)", n, total, strings.Join(parts, " "))
}

// Close stops every listener.
func (p *FaultProxy) Close() {
	p.mu.Lock()
	servers := p.servers
	p.servers = nil
	p.mu.Unlock()
	for _, s := range servers {
		_ = s.Close()
	}
}

// listen returns the proxy address for an upstream host:port, starting a
// listener for it the first time.
func (p *FaultProxy) listen(upstream string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if front, ok := p.routes[upstream]; ok {
		return front
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		p.t.Fatalf("fault proxy: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, upstream) }),
		ReadHeaderTimeout: time.Minute}
	go func() { _ = srv.Serve(ln) }()
	p.servers = append(p.servers, srv)
	p.routes[upstream] = ln.Addr().String()
	return ln.Addr().String()
}

// draw picks the fault for one request ("" for none).
func (p *FaultProxy) draw(r *http.Request) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total++
	if !p.enabled || strings.HasSuffix(r.URL.Path, "/auth/tokens") {
		return ""
	}
	if p.rng.Float64() >= p.Rate {
		return ""
	}
	kind := FaultKinds[p.rng.IntN(len(FaultKinds))]
	p.counts[kind]++
	return kind
}

func (p *FaultProxy) serve(w http.ResponseWriter, r *http.Request, upstream string) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fault := p.draw(r)
	switch fault {
	case Fault503:
		http.Error(w, `{"message": "injected: service unavailable"}`, http.StatusServiceUnavailable)
		return
	case Fault429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"message": "injected: too many requests"}`, http.StatusTooManyRequests)
		return
	case FaultResetBefore:
		reset(w)
		return
	case FaultDelay:
		// The client gives up first; the request still reaches the
		// server afterwards, as a slow network would deliver it.
		time.Sleep(p.Delay)
	}
	resp, err := p.forward(r, body, upstream)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if fault == FaultResetAfter || fault == FaultDelay {
		reset(w)
		return
	}
	data = p.rewrite(data, resp.Header.Get("Content-Type"))
	for k, vs := range resp.Header {
		if strings.EqualFold(k, "Content-Length") {
			continue
		}
		for _, v := range vs {
			if strings.EqualFold(k, "Location") {
				v = string(p.rewrite([]byte(v), "text/plain"))
			}
			w.Header().Add(k, v)
		}
	}
	if r.Method != http.MethodHead {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(data)
}

func (p *FaultProxy) forward(r *http.Request, body []byte, upstream string) (*http.Response, error) {
	u := *r.URL
	u.Scheme, u.Host = "http", upstream
	req, err := http.NewRequest(r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	req.Header.Del("Accept-Encoding")
	req.ContentLength = int64(len(body))
	return p.client.Do(req)
}

// rewrite points every URL of the cloud in a JSON answer (the catalog,
// version documents, links) at the proxy, starting listeners for the
// endpoints it has not seen yet.
func (p *FaultProxy) rewrite(data []byte, contentType string) []byte {
	if !strings.Contains(contentType, "json") && !strings.HasPrefix(contentType, "text/plain") {
		return data
	}
	for _, host := range hostsIn(data) {
		if p.isFront(host) {
			continue
		}
		front := p.listen(host)
		data = bytes.ReplaceAll(data, []byte("//"+host), []byte("//"+front))
		data = bytes.ReplaceAll(data, []byte(`\/\/`+host), []byte(`\/\/`+front))
	}
	return data
}

func (p *FaultProxy) isFront(host string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.routes {
		if f == host {
			return true
		}
	}
	return false
}

// hostsIn finds the host:port of every http URL in data, local ones only:
// the devcloud listens on 127.0.0.1.
func hostsIn(data []byte) []string {
	seen := map[string]bool{}
	for _, prefix := range []string{"http://", `http:\/\/`} {
		s := string(data)
		for {
			i := strings.Index(s, prefix)
			if i < 0 {
				break
			}
			s = s[i+len(prefix):]
			end := strings.IndexAny(s, `/"\ ?`)
			if end < 0 {
				end = len(s)
			}
			host := s[:end]
			if strings.HasPrefix(host, "127.0.0.1:") || strings.HasPrefix(host, "localhost:") {
				seen[host] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for h := range seen {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// reset closes the client's connection without an answer.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST, not FIN
	}
	_ = conn.Close()
}
