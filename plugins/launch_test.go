//go:build !windows

package plugins

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// The binaries are built once per test run: a go build takes seconds, and
// these tests are the few that start real processes.
var (
	binDir   string
	binMu    sync.Mutex
	binBuilt = map[string]string{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nuvola-plugins-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	CleanupClients()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// buildProvider builds a provider main package (a path relative to this
// package) and returns the binary's path.
func buildProvider(t *testing.T, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts provider processes")
	}
	binMu.Lock()
	defer binMu.Unlock()
	if p, ok := binBuilt[pkg]; ok {
		return p
	}
	out := filepath.Join(binDir, "nuvola-provider-"+filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s:\n%s", pkg, b)
	binBuilt[pkg] = out
	return out
}

// syncBuffer is the host's log in these tests; go-plugin writes it from
// its own goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func launch(t *testing.T, pkg, name string, cfg LaunchConfig) (*launchedProvider, *syncBuffer) {
	t.Helper()
	bin := buildProvider(t, pkg)
	log := &syncBuffer{}
	cfg.Name = name
	cfg.Cmd = exec.Command(bin)
	cfg.Stderr = log
	prov, err := Launch(context.Background(), cfg)
	require.NoError(t, err)
	p := prov.(*launchedProvider)
	require.NotZero(t, p.pid)
	t.Cleanup(func() { _ = p.Close() })
	return p, log
}

// processGone reports whether no process has the pid any more. A zombie
// would still answer signal 0, so this also shows the process was reaped.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func requireGone(t *testing.T, pid int) {
	t.Helper()
	require.True(t, processGone(pid), "provider process %d is still there", pid)
}

func thingObject(name string, id cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "id": id})
}

var thingType = cty.Object(map[string]cty.Type{"name": cty.String, "id": cty.String})

func applyThing(ctx context.Context, p Provider, typeName, name string) ApplyResourceChangeResponse {
	planned := thingObject(name, cty.UnknownVal(cty.String))
	return p.ApplyResourceChange(ctx, ApplyResourceChangeRequest{
		TypeName: typeName, PriorState: cty.NullVal(thingType), PlannedState: planned, Config: thingObject(name, cty.NullVal(cty.String)),
	})
}

func TestLaunchExampleProvider(t *testing.T) {
	ctx := context.Background()
	p, _ := launch(t, "../examples/provider-ente", "ente", LaunchConfig{CallTimeout: time.Minute})

	schemas := p.GetSchema(ctx, GetSchemaRequest{})
	require.False(t, schemas.Diagnostics.HasErrors(), "%v", schemas.Diagnostics.Err())
	reg := schemas.ResourceTypes["ente_registration"].Block
	require.NotNil(t, reg)
	assert.True(t, reg.Attributes["ipa_code"].Required)
	assert.True(t, reg.Attributes["ipa_code"].ForceNew)
	assert.True(t, reg.Attributes["contact_email"].Sensitive)
	assert.True(t, reg.Attributes["id"].Computed)
	assert.Equal(t, cty.StringVal("ordinario"), reg.Attributes["classification"].Default)
	require.Contains(t, schemas.DataSources, "ente_classification_levels")
	ty := reg.ImpliedType()

	config := cty.ObjectVal(map[string]cty.Value{
		"ipa_code":       cty.StringVal("c_d612"),
		"name":           cty.StringVal("Comune di Firenze"),
		"classification": cty.NullVal(cty.String),
		"contact_email":  cty.StringVal("ced@comune.fi.it"),
		"id":             cty.NullVal(cty.String),
	})

	bad := SetAttrs(config, map[string]cty.Value{"classification": cty.StringVal("urgente")})
	v := p.ValidateResourceConfig(ctx, ValidateResourceConfigRequest{TypeName: "ente_registration", Config: bad})
	require.Len(t, v.Diagnostics, 1)
	assert.Equal(t, "Invalid classification", v.Diagnostics[0].Summary)
	assert.Equal(t, cty.GetAttrPath("classification"), v.Diagnostics[0].Attribute)
	v = p.ValidateResourceConfig(ctx, ValidateResourceConfigRequest{TypeName: "ente_registration", Config: config})
	assert.Empty(t, v.Diagnostics)

	plan := p.PlanResourceChange(ctx, PlanResourceChangeRequest{
		TypeName: "ente_registration", PriorState: cty.NullVal(ty), ProposedNewState: config, Config: config,
	})
	require.False(t, plan.Diagnostics.HasErrors(), "%v", plan.Diagnostics.Err())
	assert.Equal(t, "ente:c_d612", plan.PlannedState.GetAttr("id").AsString())
	assert.Equal(t, "ordinario", plan.PlannedState.GetAttr("classification").AsString())

	applied := p.ApplyResourceChange(ctx, ApplyResourceChangeRequest{
		TypeName: "ente_registration", PriorState: cty.NullVal(ty), PlannedState: plan.PlannedState, Config: config,
	})
	require.False(t, applied.Diagnostics.HasErrors(), "%v", applied.Diagnostics.Err())
	assert.True(t, applied.NewState.RawEquals(plan.PlannedState), "applied %#v", applied.NewState)

	// A new IPA code is a new registration.
	moved := SetAttrs(config, map[string]cty.Value{"ipa_code": cty.StringVal("c_g999")})
	replan := p.PlanResourceChange(ctx, PlanResourceChangeRequest{
		TypeName: "ente_registration", PriorState: applied.NewState, ProposedNewState: SetAttrs(moved, map[string]cty.Value{"id": applied.NewState.GetAttr("id")}), Config: moved,
	})
	require.False(t, replan.Diagnostics.HasErrors(), "%v", replan.Diagnostics.Err())
	assert.Equal(t, []cty.Path{cty.GetAttrPath("ipa_code")}, replan.RequiresReplace)

	imp := p.ImportResourceState(ctx, ImportResourceStateRequest{TypeName: "ente_registration", ID: "ente:c_l378"})
	require.False(t, imp.Diagnostics.HasErrors(), "%v", imp.Diagnostics.Err())
	require.Len(t, imp.Imported, 1)
	assert.Equal(t, "c_l378", imp.Imported[0].State.GetAttr("ipa_code").AsString())

	ds := p.ReadDataSource(ctx, ReadDataSourceRequest{
		TypeName: "ente_classification_levels",
		Config:   cty.NullVal(schemas.DataSources["ente_classification_levels"].Block.ImpliedType()),
	})
	require.False(t, ds.Diagnostics.HasErrors(), "%v", ds.Diagnostics.Err())
	assert.Equal(t, cty.ListVal([]cty.Value{cty.StringVal("ordinario"), cty.StringVal("critico"), cty.StringVal("strategico")}), ds.State.GetAttr("levels"))

	require.NoError(t, p.Close())
	requireGone(t, p.pid)
	require.NoError(t, p.Close(), "a second Close")
	after := p.GetSchema(ctx, GetSchemaRequest{})
	require.Len(t, after.Diagnostics, 1)
	assert.Equal(t, "The provider ente was already shut down", after.Diagnostics[0].Summary)
}

func TestLaunchVersionFlag(t *testing.T) {
	bin := buildProvider(t, "../examples/provider-ente")
	out, err := exec.Command(bin, "-version").Output()
	require.NoError(t, err)
	assert.Equal(t, "0.1.0\n", string(out))
}

func TestLaunchProviderPanics(t *testing.T) {
	ctx := context.Background()
	p, log := launch(t, "./testdata/crashprovider", "crashy", LaunchConfig{})

	plan := p.PlanResourceChange(ctx, PlanResourceChangeRequest{
		TypeName: "crash_thing", PriorState: cty.NullVal(thingType),
		ProposedNewState: thingObject("a", cty.NullVal(cty.String)), Config: thingObject("a", cty.NullVal(cty.String)),
	})
	require.False(t, plan.Diagnostics.HasErrors(), "%v", plan.Diagnostics.Err())

	resp := applyThing(ctx, p, "crash_thing", "a")
	require.Len(t, resp.Diagnostics, 1, "%v", resp.Diagnostics.Err())
	d := resp.Diagnostics[0]
	assert.Equal(t, Error, d.Severity)
	assert.Equal(t, "The provider crashy crashed", d.Summary)
	assert.Contains(t, d.Detail, "ApplyResourceChange for crash_thing")
	assert.Contains(t, d.Detail, "panic: crashprovider: boom in ApplyResourceChange")
	assert.Equal(t, cty.NilVal, resp.NewState)

	// The panic report reached the host's log, not the terminal.
	assert.Contains(t, log.String(), "panic: crashprovider: boom in ApplyResourceChange")
	assert.Contains(t, log.String(), "crashprovider: applying crash_thing")

	start := time.Now()
	again := p.GetSchema(ctx, GetSchemaRequest{})
	assert.Less(t, time.Since(start), 100*time.Millisecond, "a call after the crash fails at once")
	require.Len(t, again.Diagnostics, 1)
	assert.Equal(t, d, again.Diagnostics[0])
	assert.Error(t, p.Stop(ctx))

	requireGone(t, p.pid)
	require.NoError(t, p.Close())
	requireGone(t, p.pid)
}

func TestLaunchProviderExits(t *testing.T) {
	p, _ := launch(t, "./testdata/crashprovider", "crashy", LaunchConfig{})
	resp := applyThing(context.Background(), p, "crash_thing", "exit")
	require.Len(t, resp.Diagnostics, 1, "%v", resp.Diagnostics.Err())
	assert.Equal(t, "The provider crashy crashed", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, "crashprovider: giving up")
	require.NoError(t, p.Close())
	requireGone(t, p.pid)
}

func TestLaunchProviderHangs(t *testing.T) {
	const timeout, grace = time.Second, 500 * time.Millisecond
	p, _ := launch(t, "./testdata/hangprovider", "hangy", LaunchConfig{CallTimeout: timeout, StopGrace: grace})
	ctx := context.Background()

	start := time.Now()
	resp := applyThing(ctx, p, "hang_thing", "stuck")
	took := time.Since(start)
	require.Len(t, resp.Diagnostics, 1, "%v", resp.Diagnostics.Err())
	d := resp.Diagnostics[0]
	assert.Equal(t, "The provider hangy did not respond within 1s", d.Summary)
	assert.Contains(t, d.Detail, "ApplyResourceChange for hang_thing was still running after 1s")
	assert.Contains(t, d.Detail, "500ms later")
	assert.GreaterOrEqual(t, took, timeout+grace)
	// go-plugin's Kill gives the process up to 2 s to leave on its own.
	assert.Less(t, took, timeout+grace+3*time.Second)

	// The call returns only once the process is gone.
	requireGone(t, p.pid)
	start = time.Now()
	again := applyThing(ctx, p, "hang_thing", "stuck")
	assert.Less(t, time.Since(start), 100*time.Millisecond)
	require.Len(t, again.Diagnostics, 1)
	assert.Equal(t, d, again.Diagnostics[0])
	require.NoError(t, p.Close())
}

func TestLaunchCancelStuckCall(t *testing.T) {
	p, _ := launch(t, "./testdata/hangprovider", "hangy", LaunchConfig{StopGrace: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)

	resp := applyThing(ctx, p, "hang_thing", "stuck")
	require.Len(t, resp.Diagnostics, 1, "%v", resp.Diagnostics.Err())
	assert.Equal(t, "The provider hangy did not stop when cancelled", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, "ApplyResourceChange for hang_thing")
	requireGone(t, p.pid)
}

func TestLaunchStopEndsPoliteCall(t *testing.T) {
	ctx := context.Background()
	p, _ := launch(t, "./testdata/hangprovider", "hangy", LaunchConfig{CallTimeout: 300 * time.Millisecond, StopGrace: 5 * time.Second})

	start := time.Now()
	resp := applyThing(ctx, p, "hang_thing", "polite")
	assert.Less(t, time.Since(start), 3*time.Second, "the provider returned when asked to stop")
	require.Len(t, resp.Diagnostics, 2, "%v", resp.Diagnostics.Err())
	assert.Equal(t, "Apply interrupted", resp.Diagnostics[0].Summary, "the provider's own diagnostic is kept")
	assert.Equal(t, "The provider hangy did not respond within 300ms", resp.Diagnostics[1].Summary)

	// The process was not killed and still answers.
	assert.False(t, processGone(p.pid))
	plan := p.PlanResourceChange(ctx, PlanResourceChangeRequest{
		TypeName: "hang_thing", PriorState: cty.NullVal(thingType),
		ProposedNewState: thingObject("b", cty.NullVal(cty.String)), Config: thingObject("b", cty.NullVal(cty.String)),
	})
	require.False(t, plan.Diagnostics.HasErrors(), "%v", plan.Diagnostics.Err())

	// A caller that cancels a polite call gets the provider's answer alone.
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	resp = applyThing(cctx, p, "hang_thing", "polite")
	require.Len(t, resp.Diagnostics, 1, "%v", resp.Diagnostics.Err())
	assert.Equal(t, "Apply interrupted", resp.Diagnostics[0].Summary)

	resp = applyThing(cctx, p, "hang_thing", "polite")
	require.Len(t, resp.Diagnostics, 1)
	assert.Equal(t, "Call to the provider hangy cancelled", resp.Diagnostics[0].Summary)

	require.NoError(t, p.Close())
	requireGone(t, p.pid)
}

// Each call has its own deadline, however many calls came and went before
// it, and the calls that share a context all end when it does.
func TestLaunchWatchdogPerCall(t *testing.T) {
	const timeout = 600 * time.Millisecond
	ctx := context.Background()
	p, _ := launch(t, "./testdata/hangprovider", "hangy", LaunchConfig{CallTimeout: timeout, StopGrace: 5 * time.Second})
	plan := func() PlanResourceChangeResponse {
		return p.PlanResourceChange(ctx, PlanResourceChangeRequest{
			TypeName: "hang_thing", PriorState: cty.NullVal(thingType),
			ProposedNewState: thingObject("b", cty.NullVal(cty.String)), Config: thingObject("b", cty.NullVal(cty.String)),
		})
	}

	// Calls that finish in time, for most of a timeout.
	for end := time.Now().Add(timeout * 2 / 3); time.Now().Before(end); {
		require.False(t, plan().Diagnostics.HasErrors())
	}
	// Then one that does not: it is stopped a timeout after its own start,
	// not after the first call's, while others still come and go.
	start := time.Now()
	stuck := make(chan ApplyResourceChangeResponse, 1)
	go func() { stuck <- applyThing(ctx, p, "hang_thing", "polite") }()
	for end := time.Now().Add(timeout / 2); time.Now().Before(end); {
		require.False(t, plan().Diagnostics.HasErrors(), "a call that finished in time was stopped")
	}
	resp := <-stuck
	took := time.Since(start)
	require.Len(t, resp.Diagnostics, 2, "%v", resp.Diagnostics.Err())
	assert.Equal(t, "The provider hangy did not respond within 600ms", resp.Diagnostics[1].Summary)
	assert.GreaterOrEqual(t, took, timeout)
	assert.Less(t, took, timeout+3*time.Second)

	// Calls on one context, cancelled: each is asked to stop, and each
	// answer comes back, those of calls that went in one batch included.
	const calls = 6
	cctx, cancel := context.WithCancel(ctx)
	results := make(chan ApplyResourceChangeResponse, calls)
	for range calls {
		go func() { results <- applyThing(cctx, p, "hang_thing", "polite") }()
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	for range calls {
		select {
		case r := <-results:
			require.Len(t, r.Diagnostics, 1, "%v", r.Diagnostics.Err())
			assert.Equal(t, "Apply interrupted", r.Diagnostics[0].Summary)
		case <-time.After(timeout / 2 * 3):
			t.Fatal("a call whose context ended was not stopped")
		}
	}
	assert.False(t, processGone(p.pid), "the provider stopped its calls, so it was not killed")
	require.NoError(t, p.Close())
}

func TestLaunchStartFailures(t *testing.T) {
	bin := buildProvider(t, "../examples/provider-ente")
	ctx := context.Background()

	t.Run("not a plugin", func(t *testing.T) {
		_, err := Launch(ctx, LaunchConfig{Name: "sh", Cmd: exec.Command("/bin/sh", "-c", "echo 'no handshake here' >&2; echo hello")})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "the provider sh could not be started")
		assert.Contains(t, err.Error(), "no handshake here")
	})
	t.Run("missing binary", func(t *testing.T) {
		_, err := Launch(ctx, LaunchConfig{Name: "ghost", Cmd: exec.Command(filepath.Join(t.TempDir(), "nuvola-provider-ghost"))})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "the provider ghost could not be started")
	})
	t.Run("checksum mismatch", func(t *testing.T) {
		cmd := exec.Command(bin)
		_, err := Launch(ctx, LaunchConfig{Name: "ente", Cmd: cmd, Checksum: "sha256:" + strings.Repeat("0", 64)})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "nuvola init -upgrade")
		assert.Nil(t, cmd.Process, "a binary with the wrong checksum is not run")
	})
	t.Run("checksum match", func(t *testing.T) {
		sum, err := FileSHA256(bin)
		require.NoError(t, err)
		p, err := Launch(ctx, LaunchConfig{Name: "ente", Cmd: exec.Command(bin), Checksum: sum})
		require.NoError(t, err)
		pid := p.(*launchedProvider).pid
		require.NoError(t, p.Close())
		requireGone(t, pid)
	})
	t.Run("bad checksum", func(t *testing.T) {
		_, err := Launch(ctx, LaunchConfig{Name: "ente", Cmd: exec.Command(bin), Checksum: "md5:abc"})
		require.ErrorContains(t, err, "sha256:<hex>")
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		cmd := exec.Command(bin)
		_, err := Launch(cctx, LaunchConfig{Name: "ente", Cmd: cmd})
		require.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, cmd.Process)
	})
	t.Run("no cmd", func(t *testing.T) {
		_, err := Launch(ctx, LaunchConfig{Name: "ente"})
		require.Error(t, err)
	})
}

func TestOutputTailExcerpt(t *testing.T) {
	var log bytes.Buffer
	tail := newOutputTail(&log)
	w := tail.writer()
	_, _ = w.Write([]byte("starting\n{\"@level\":\"debug\",\"@message\":\"plugin address\"}\nhalf a "))
	_, _ = w.Write([]byte("line\npanic: boom\n\ngoroutine 7 [running]:\n"))
	for range 100 {
		_, _ = w.Write([]byte("main.frame()\n"))
	}
	assert.True(t, strings.HasPrefix(log.String(), "starting\n{\"@level\""), "every line reaches the log")
	ex := tail.excerpt()
	assert.True(t, strings.HasPrefix(ex, "panic: boom\n\ngoroutine 7 [running]:\nmain.frame()"), ex)
	assert.Len(t, strings.Split(ex, "\n"), tailShow)

	tail = newOutputTail(nil)
	w = tail.writer()
	for i := range 300 {
		_, _ = w.Write([]byte(strings.Repeat("x", i%7) + "\n"))
	}
	_, _ = w.Write([]byte("last words\n"))
	ex = tail.excerpt()
	lines := strings.Split(ex, "\n")
	assert.Len(t, lines, tailShow)
	assert.Equal(t, "last words", lines[len(lines)-1])
}

func TestCleanupClients(t *testing.T) {
	p, _ := launch(t, "../examples/provider-ente", "ente", LaunchConfig{})
	require.False(t, processGone(p.pid))
	CleanupClients()
	requireGone(t, p.pid)
	CleanupClients()
	require.NoError(t, p.Close())
}
