package engine

import (
	"context"
	"sync"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// prefetchChunk is how many objects one ReadResources call of the refresh
// prefetch carries at most: large enough that the per-call cost vanishes,
// small enough that the first resources need not wait for the whole estate.
const prefetchChunk = 512

// refreshPrefetch reads, as soon as a provider is configured, every object
// in state that the provider manages, in a few large ReadResources calls per
// resource type instead of one call per resource. A provider can then answer
// a whole chunk with one list request. The resource nodes of the walk take
// their results from here; reading early changes nothing, because planning
// changes nothing remote.
type refreshPrefetch struct {
	mu      sync.Mutex
	started map[string]*sync.Once     // by provider address
	entries map[string]*prefetchEntry // by AbsResource.String()
	running sync.WaitGroup
}

func newRefreshPrefetch() *refreshPrefetch {
	return &refreshPrefetch{started: map[string]*sync.Once{}, entries: map[string]*prefetchEntry{}}
}

// prefetchEntry is the prefetched refresh of one resource.
type prefetchEntry struct {
	provider string
	objs     []*state.Object // as read from state, to check nothing moved since
	vals     []cty.Value     // the objects decoded (and upgraded)
	chunk    *prefetchChunkCall
	first    int // index of the first object in the chunk's call
}

// prefetchChunkCall is one ReadResources call shared by several resources.
type prefetchChunkCall struct {
	done  chan struct{}
	count int // objects asked for
	resp  plugins.ReadResourcesResponse
}

// startPrefetch begins the refresh prefetch for a configured provider the
// first time it is called for it. It does nothing outside a refreshing,
// untargeted plan.
func (w *walker) startPrefetch(pa providerAddr, prov plugins.Provider) {
	if w.prefetch == nil {
		return
	}
	pf := w.prefetch
	key := pa.String()
	pf.mu.Lock()
	once := pf.started[key]
	if once == nil {
		once = new(sync.Once)
		pf.started[key] = once
	}
	pf.mu.Unlock()
	// Callers that come while the first one collects the objects wait for
	// it, so that none of them reads its objects on its own meanwhile.
	once.Do(func() { w.prefetchProvider(pa, prov) })
}

func (w *walker) prefetchProvider(pa providerAddr, prov plugins.Provider) {
	pf := w.prefetch
	key := pa.String()

	// Collect the resources of this provider that the configuration
	// declares; orphans are dealt with apart.
	type item struct {
		abs  addrs.AbsResource
		objs []*state.Object
	}
	byType := map[string][]item{}
	var types []string
	w.mu.Lock()
	for _, r := range w.refreshed.SortedResources() {
		if r.Provider != key || r.Addr.Resource.Mode != addrs.ManagedResourceMode {
			continue
		}
		if !declaredManaged(w.popts.Config, r.Addr) {
			continue
		}
		var objs []*state.Object
		for _, k := range r.SortedKeys() {
			if inst := r.Instances[k]; inst.Current != nil {
				objs = append(objs, inst.Current)
			}
		}
		if len(objs) == 0 {
			continue
		}
		t := r.Addr.Resource.Type
		if _, ok := byType[t]; !ok {
			types = append(types, t)
		}
		byType[t] = append(byType[t], item{abs: r.Addr, objs: objs})
	}
	w.mu.Unlock()

	for _, t := range types {
		schema, err := w.provs.resourceSchema(w.ctx, pa.Source, addrs.ManagedResourceMode, t)
		if err != nil {
			continue // the resource node reports it
		}
		items := byType[t]
		for len(items) > 0 {
			// Fill a chunk with whole resources.
			n, count := 0, 0
			for n < len(items) && (n == 0 || count+len(items[n].objs) <= prefetchChunk) {
				count += len(items[n].objs)
				n++
			}
			batch := items[:n]
			items = items[n:]
			call := &prefetchChunkCall{done: make(chan struct{}), count: count}
			entries := make([]*prefetchEntry, len(batch))
			pf.mu.Lock()
			first := 0
			for i, it := range batch {
				entries[i] = &prefetchEntry{provider: key, objs: it.objs, chunk: call, first: first}
				first += len(it.objs)
				pf.entries[it.abs.String()] = entries[i]
			}
			pf.mu.Unlock()
			pf.running.Add(1)
			go func() {
				defer pf.running.Done()
				w.runPrefetchChunk(prov, t, schema, entries, call)
			}()
		}
	}
}

// declaredManaged reports whether the configuration declares the managed
// resource, whatever its module instance keys.
func declaredManaged(root *configs.Config, abs addrs.AbsResource) bool {
	c := root.Descendant(abs.Module.Module())
	return c != nil && c.Module.ManagedResources[abs.Resource.String()] != nil
}

// prefetchEarly configures, while the graph is still being built, each
// provider that manages objects in state and has no configuration block,
// and starts reading its objects. The provider's start, its configuration
// (for a cloud, the authentication) and the refresh then overlap with the
// building of the graph instead of waiting for the walk's first resource.
// A configuration that fails is reported by the first resource that needs
// the provider, as without the early start.
func (w *walker) prefetchEarly() {
	if w.prefetch == nil {
		return
	}
	root := w.popts.Config
	var early []providerAddr
	seen := map[string]bool{}
	w.mu.Lock()
	for _, r := range w.refreshed.Resources {
		if r.Addr.Resource.Mode != addrs.ManagedResourceMode || seen[r.Provider] {
			continue
		}
		seen[r.Provider] = true
		src, ok := providerSourceOf(r.Provider)
		if !ok {
			continue
		}
		pa := providerAddr{Source: src}
		if pa.String() != r.Provider || hasProviderBlock(root, src) || !w.provs.known(src) {
			continue
		}
		early = append(early, pa)
	}
	w.mu.Unlock()
	for _, pa := range early {
		w.prefetch.running.Add(1)
		go func() {
			defer w.prefetch.running.Done()
			if p, _ := w.configureImplied(pa); p != nil {
				w.startPrefetch(pa, p)
			}
		}()
	}
}

// hasProviderBlock reports whether the root module configures the default
// (unaliased) configuration of a provider.
func hasProviderBlock(root *configs.Config, source string) bool {
	for _, pc := range root.Module.ProviderConfigs {
		if pc.Alias == "" && providerSource(root.Module, pc.Name) == source {
			return true
		}
	}
	return false
}

func (w *walker) runPrefetchChunk(prov plugins.Provider, typ string, schema *plugins.Schema, entries []*prefetchEntry, call *prefetchChunkCall) {
	defer close(call.done)
	req := plugins.ReadResourcesRequest{TypeName: typ, Objects: make([]plugins.ReadResourceRequest, 0, call.count)}
	for _, e := range entries {
		e.vals = make([]cty.Value, len(e.objs))
		for i, obj := range e.objs {
			v, err := w.upgrade(prov, typ, schema, obj)
			if err != nil {
				// The resource node reads and reports it itself.
				call.resp.Diagnostics = call.resp.Diagnostics.FromErr(err, nil)
				return
			}
			e.vals[i] = v
			req.Objects = append(req.Objects, plugins.ReadResourceRequest{TypeName: typ, PriorState: v, Private: obj.Private})
		}
	}
	w.call(func(ctx context.Context) { call.resp = prov.ReadResources(ctx, req) })
}

// wait returns once no prefetch call is running any more.
func (pf *refreshPrefetch) wait() {
	if pf != nil {
		pf.running.Wait()
	}
}

// prefetched returns the prefetched refresh of a resource: the decoded
// prior objects and the provider's answer for each. ok is false when there
// is none, or when the prefetch failed, so that the resource reads its
// objects itself and reports any error where it belongs.
func (w *walker) prefetched(abs addrs.AbsResource, pa providerAddr, objs []*state.Object) (vals []cty.Value, results []plugins.ReadResourceResponse, ok bool) {
	if w.prefetch == nil {
		return nil, nil, false
	}
	pf := w.prefetch
	pf.mu.Lock()
	e := pf.entries[abs.String()]
	delete(pf.entries, abs.String())
	pf.mu.Unlock()
	if e == nil || e.provider != pa.String() || len(e.objs) != len(objs) {
		return nil, nil, false
	}
	for i := range objs {
		if e.objs[i] != objs[i] {
			return nil, nil, false
		}
	}
	select {
	case <-e.chunk.done:
	case <-w.ctx.Done():
		return nil, nil, false
	}
	resp := e.chunk.resp
	if resp.Diagnostics.HasErrors() || len(resp.Results) != e.chunk.count {
		return nil, nil, false
	}
	return e.vals, resp.Results[e.first : e.first+len(objs)], true
}
