//go:build !windows

package plugins_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/null"
)

// These benchmarks measure what the plugin boundary costs: the same null
// provider called in-process and through a plugin process, with calls made
// the way the engine makes them. bench/plugin-boundary.sh measures the same
// through the whole command.

var (
	nullBinOnce sync.Once
	nullBin     string
	nullBinErr  error
)

// launchNull starts the null provider as a plugin process.
func launchNull(b *testing.B) plugins.Provider {
	b.Helper()
	nullBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nuvola-bench-")
		if err != nil {
			nullBinErr = err
			return
		}
		nullBin = filepath.Join(dir, "nuvola-provider-null")
		out, err := exec.Command("go", "build", "-o", nullBin, "./testdata/nullprovider").CombinedOutput()
		if err != nil {
			nullBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if nullBinErr != nil {
		b.Fatal(nullBinErr)
	}
	p, err := plugins.Launch(context.Background(), plugins.LaunchConfig{Name: "null", Cmd: exec.Command(nullBin)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		p.Close()
		plugins.CleanupClients()
	})
	return p
}

// nullResource is resource "null_resource" "rN" { triggers = { v = "vN" } }:
// its configuration and, as applied, its state.
func nullResource(i int) (config, state cty.Value) {
	triggers := cty.MapVal(map[string]cty.Value{"v": cty.StringVal(fmt.Sprintf("v%d", i))})
	config = cty.ObjectVal(map[string]cty.Value{"id": cty.NullVal(cty.String), "triggers": triggers})
	state = cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal(fmt.Sprint(1000000 + i)), "triggers": triggers})
	return config, state
}

// planNull plans n applied, unchanged null_resources the way the engine
// does: one goroutine per resource (at most 256 at once), each refreshing
// its object, validating its configuration and planning, one call after
// the other, with at most parallelism calls in flight. With lend, a call
// lends its slot while it waits for the plugin (plugins.WithCallSlot).
func planNull(b *testing.B, p plugins.Provider, configs, states []cty.Value, parallelism int, lend bool) {
	sem := make(chan struct{}, parallelism)
	fanout := make(chan struct{}, 256)
	var wg sync.WaitGroup
	call := func(fn func(ctx context.Context)) {
		sem <- struct{}{}
		defer func() { <-sem }()
		ctx := context.Background()
		if lend {
			ctx = plugins.WithCallSlot(ctx, sem)
		}
		fn(ctx)
	}
	for i := range configs {
		fanout <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-fanout }()
			var rr plugins.ReadResourcesResponse
			call(func(ctx context.Context) {
				rr = p.ReadResources(ctx, plugins.ReadResourcesRequest{TypeName: "null_resource",
					Objects: []plugins.ReadResourceRequest{{TypeName: "null_resource", PriorState: states[i]}}})
			})
			var vr plugins.ValidateResourceConfigResponse
			call(func(ctx context.Context) {
				vr = p.ValidateResourceConfig(ctx, plugins.ValidateResourceConfigRequest{TypeName: "null_resource", Config: configs[i]})
			})
			if len(rr.Results) != 1 || rr.Diagnostics.HasErrors() || vr.Diagnostics.HasErrors() {
				b.Errorf("refresh or validate failed: %v %v", rr.Diagnostics.Err(), vr.Diagnostics.Err())
				return
			}
			prior := rr.Results[0].NewState
			proposed := cty.ObjectVal(map[string]cty.Value{"id": prior.GetAttr("id"), "triggers": configs[i].GetAttr("triggers")})
			var pr plugins.PlanResourceChangeResponse
			call(func(ctx context.Context) {
				pr = p.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{TypeName: "null_resource",
					PriorState: prior, ProposedNewState: proposed, Config: configs[i]})
			})
			if pr.Diagnostics.HasErrors() || !pr.PlannedState.RawEquals(prior) {
				b.Errorf("plan failed or not a no-op: %v", pr.Diagnostics.Err())
			}
		}()
	}
	wg.Wait()
}

// BenchmarkPluginPlan10k plans 10,000 null_resources in-process and
// through the plugin. One op is the whole plan; resources/s is reported
// too.
func BenchmarkPluginPlan10k(b *testing.B) {
	const n = 10000
	configs, states := make([]cty.Value, n), make([]cty.Value, n)
	for i := range n {
		configs[i], states[i] = nullResource(i)
	}
	for _, parallelism := range []int{10, 256} {
		b.Run(fmt.Sprintf("in-process/parallelism=%d", parallelism), func(b *testing.B) {
			p := null.New()
			host := cpuTime(os.Getpid())
			for b.Loop() {
				planNull(b, p, configs, states, parallelism, false)
			}
			b.ReportMetric(float64((cpuTime(os.Getpid())-host).Milliseconds())/float64(b.N), "host-cpu-ms/op")
		})
		for _, lend := range []bool{false, true} {
			name := fmt.Sprintf("plugin/parallelism=%d", parallelism)
			if lend {
				name += "/lend-slot"
			}
			b.Run(name, func(b *testing.B) {
				p := launchNull(b)
				planNull(b, p, configs[:100], states[:100], parallelism, lend)
				host, plugin := cpuTime(os.Getpid()), childrenCPUTime()
				for b.Loop() {
					planNull(b, p, configs, states, parallelism, lend)
				}
				b.ReportMetric(float64((cpuTime(os.Getpid())-host).Milliseconds())/float64(b.N), "host-cpu-ms/op")
				b.ReportMetric(float64((childrenCPUTime()-plugin).Milliseconds())/float64(b.N), "plugin-cpu-ms/op")
			})
		}
	}
}

// BenchmarkPluginCall is the latency of one PlanResourceChange through the
// plugin: alone (nothing else in flight, so it goes out at once, in a
// batch of one) and with 10 or 256 callers at once (the engine's default
// -parallelism, and the walk's fan-out), where calls share batches.
func BenchmarkPluginCall(b *testing.B) {
	ctx := context.Background()
	config, state := nullResource(1)
	req := plugins.PlanResourceChangeRequest{TypeName: "null_resource", PriorState: state, ProposedNewState: state, Config: config}
	p := launchNull(b)
	if resp := p.PlanResourceChange(ctx, req); resp.Diagnostics.HasErrors() {
		b.Fatal(resp.Diagnostics.Err())
	}
	b.Run("lone", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.PlanResourceChange(ctx, req)
		}
	})
	for _, callers := range []int{10, 256} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			b.ReportAllocs()
			// RunParallel runs parallelism goroutines per P.
			b.SetParallelism(max(1, callers/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					p.PlanResourceChange(ctx, req)
				}
			})
		})
	}
	b.Run("in-process", func(b *testing.B) {
		p := null.New()
		b.ReportAllocs()
		for b.Loop() {
			p.PlanResourceChange(ctx, req)
		}
	})
}

// cpuTime is the user and system time a process has used so far, from
// /proc (Linux only; elsewhere 0).
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces.
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	// Clock ticks; 100 a second on every Linux this runs on.
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// childrenCPUTime is the CPU time of the running children of this process:
// the plugin processes.
func childrenCPUTime() time.Duration {
	lists, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", os.Getpid()))
	var total time.Duration
	for _, list := range lists {
		data, err := os.ReadFile(list)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(f); err == nil {
				total += cpuTime(pid)
			}
		}
	}
	return total
}
