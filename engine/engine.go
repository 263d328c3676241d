package engine

import (
	"context"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/policy"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// Version is nuvola's version, written into state and plans.
var Version = "0.1.0-dev"

// LanguageVersion is the OpenTofu language level nuvola implements;
// required_version constraints are checked against it so existing
// configurations keep working.
const LanguageVersion = "1.10.0"

// Hooks observe an operation's progress. Implementations must be safe for
// concurrent use.
type Hooks interface {
	PreApply(addr addrs.AbsResourceInstance, deposed string, action plan.Action, prior cty.Value)
	PostApply(addr addrs.AbsResourceInstance, deposed string, action plan.Action, newVal cty.Value, err error)
	PreRefresh(addr addrs.AbsResource, n int)
	PostRefresh(addr addrs.AbsResource, n int)
}

// NoHooks ignores everything.
type NoHooks struct{}

func (NoHooks) PreApply(addrs.AbsResourceInstance, string, plan.Action, cty.Value)         {}
func (NoHooks) PostApply(addrs.AbsResourceInstance, string, plan.Action, cty.Value, error) {}
func (NoHooks) PreRefresh(addrs.AbsResource, int)                                          {}
func (NoHooks) PostRefresh(addrs.AbsResource, int)                                         {}

// StateSink makes each finished change durable as soon as it finishes. A
// nil object removes the instance (or the deposed object). Put queues the
// change behind every change queued before it and returns a function that
// waits until it is durable; the engine reports a change finished only
// after that wait.
type StateSink interface {
	Put(addr addrs.AbsResourceInstance, deposed string, obj *state.Object, provider string) (wait func() error)
}

// CreateRecorder is implemented by sinks that record creates in flight:
// Creating queues the record that a create request for addr is about to be
// sent and returns a function that waits until it is durable. The engine
// sends the request only after that, so a crash or a lost answer leaves a
// record of every address that may have an object state has not seen.
type CreateRecorder interface {
	Creating(addr addrs.AbsResourceInstance, provider string) (wait func() error)
}

// PlanOptions says what to plan.
type PlanOptions struct {
	Config *configs.Config
	// Sources is the configuration snapshot stored in the plan.
	Sources    map[string][]byte
	PriorState *state.State
	Variables  map[string]cty.Value
	Mode       plan.Mode
	// SkipRefresh is -refresh=false.
	SkipRefresh  bool
	Targets      []addrs.Target
	ForceReplace []addrs.AbsResourceInstance
	Parallelism  int
	Providers    ProviderFactories
	Hooks        Hooks
}

// ApplyOptions says how to apply.
type ApplyOptions struct {
	Config      *configs.Config
	Parallelism int
	Providers   ProviderFactories
	Hooks       Hooks
	Sink        StateSink
}

func parallelism(n int) int {
	if n < 1 {
		return 10
	}
	return n
}

// walkParallelism bounds node visits and instance goroutines. It is larger
// than the provider-call bound: a finished change waits for its journal
// record to be durable without holding a provider slot, so many records
// share one fsync.
func walkParallelism(n int) int {
	return max(256, 4*parallelism(n))
}

// walker is the state shared by the node visits of one walk.
type walker struct {
	ctx    context.Context
	ev     *evaluator
	provs  *providers
	dg     *depGraph
	sem    chan struct{} // provider calls in flight
	fanout chan struct{} // instance goroutines
	hooks  Hooks

	mu    sync.Mutex
	diags hcl.Diagnostics
	// implied are the configurations of providers that have no
	// configuration block, made once each, by provider address.
	implied map[string]*impliedConfig
	// shown are the diagnostics already added that several nodes share,
	// such as a failed implied configuration: each is reported once.
	shown map[*hcl.Diagnostic]bool

	// plan
	popts     *PlanOptions
	refreshed *state.State
	changes   []*plan.ResourceChange
	seen      map[string]bool // instance addresses in configuration
	outputs   []*plan.OutputChange
	targetSet map[string]struct{}
	// directTargets are the resource nodes a -target names, as opposed to
	// those planned because a target depends on them.
	directTargets map[string]bool
	forceRepl     map[string]bool
	moved         map[string]addrs.AbsResourceInstance
	drift         []*plan.ResourceChange // objects changed outside nuvola
	// pendingNodes are the managed resource nodes with a change planned.
	pendingNodes map[string]bool
	// prefetch reads the state's objects in large batches per provider;
	// nil when the plan does not refresh.
	prefetch *refreshPrefetch
	// importTargets caches the expansion of import blocks with for_each.
	importTargets map[importForEachKey]map[string]repetition
	// policyOn records each instance's evaluated configuration in its
	// change, for the policy step.
	policyOn bool
	// policyRanges are the source ranges of the policy results.
	policyRanges policy.Ranges

	// apply
	plan *plan.Plan
	// byRes holds the changes of each resource: planned so far while
	// planning, all of them while applying.
	byRes      map[string][]*plan.ResourceChange
	working    *state.State
	sink       StateSink
	failed     map[string]bool
	cbdDeposed map[string]string
	// durable tracks changes whose journal records are still being
	// written; Apply returns only after all of them.
	durable        sync.WaitGroup
	durableMu      sync.Mutex
	durableQueue   []durableReport
	durableRunning bool
}

func (w *walker) addDiags(d hcl.Diagnostics) {
	if len(d) == 0 {
		return
	}
	w.mu.Lock()
	for _, diag := range d {
		if w.shown[diag] {
			continue
		}
		if w.shown == nil {
			w.shown = map[*hcl.Diagnostic]bool{}
		}
		w.shown[diag] = true
		w.diags = append(w.diags, diag)
	}
	w.mu.Unlock()
}

func (w *walker) acquire() { w.sem <- struct{}{} }
func (w *walker) release() { <-w.sem }

// call runs one provider call within the -parallelism bound. The context
// lends the slot back while a plugin's call waits for its batched round
// trip, so concurrent calls share round trips; the plugin itself still runs
// at most -parallelism of them at once.
func (w *walker) call(fn func(ctx context.Context)) {
	w.acquire()
	defer w.release()
	fn(plugins.WithCallSlot(w.ctx, w.sem))
}

// forEachParallel runs fn for 0..n-1 concurrently, bounded by the fanout.
func (w *walker) forEachParallel(n int, fn func(i int)) {
	if n == 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		w.fanout <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-w.fanout }()
			fn(i)
		}(i)
	}
	wg.Wait()
}
