package views

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/stretchr/testify/require"
)

// syncBuffer lets the test read what the reporter goroutine writes.
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

func TestApplyProgressLines(t *testing.T) {
	var buf syncBuffer
	p := NewApplyProgress(&buf, Options{})
	p.Start("null_resource.a", plan.Create)
	p.Complete("null_resource.a", plan.Create, "123", 300*time.Millisecond)
	p.StartWithID("null_resource.b", plan.Delete, "456")
	p.Complete("null_resource.b", plan.Delete, "456", 1200*time.Millisecond)
	p.Start("null_resource.c", plan.Update)
	p.Complete("null_resource.c", plan.Update, "789", 64*time.Second)
	p.Start("data.null_data_source.d", plan.Read)
	p.Complete("data.null_data_source.d", plan.Read, "d", 0)
	p.Start("null_resource.e", plan.Create)
	p.Errored("null_resource.e", plan.Create, time.Second)
	require.Equal(t, `null_resource.a: Creating...
null_resource.a: Creation complete after 0s [id=123]
null_resource.b: Destroying... [id=456]
null_resource.b: Destruction complete after 1s
null_resource.c: Modifying...
null_resource.c: Modifications complete after 1m4s [id=789]
data.null_data_source.d: Reading...
data.null_data_source.d: Read complete after 0s [id=d]
null_resource.e: Creating...
`, buf.String())

	var colored syncBuffer
	cp := NewApplyProgress(&colored, Options{Color: true})
	cp.Start("null_resource.a", plan.Create)
	cp.Complete("null_resource.a", plan.Create, "1", 0)
	require.Equal(t, "\x1b[1mnull_resource.a: Creating...\x1b[0m\n\x1b[1mnull_resource.a: Creation complete after 0s [id=1]\x1b[0m\n", colored.String())
}

func TestApplyProgressStillRunning(t *testing.T) {
	var buf syncBuffer
	p := NewApplyProgress(&buf, Options{})
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	p.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	p.tick = time.Millisecond

	p.StartWithID("null_resource.slow", plan.Create, "")
	p.StartWithID("null_resource.gone", plan.Delete, "x-1")
	advance(10 * time.Second)
	require.Eventually(t, func() bool {
		return strings.Contains(buf.String(), "null_resource.slow: Still creating... [10s elapsed]") &&
			strings.Contains(buf.String(), "null_resource.gone: Still destroying... [id=x-1, 10s elapsed]")
	}, 5*time.Second, time.Millisecond)
	p.Complete("null_resource.gone", plan.Delete, "", 10*time.Second)
	advance(10 * time.Second)
	require.Eventually(t, func() bool {
		return strings.Contains(buf.String(), "null_resource.slow: Still creating... [20s elapsed]")
	}, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	// Each period is reported once, however often the reporter looks.
	require.Equal(t, 1, strings.Count(buf.String(), "[20s elapsed]"))
	require.NotContains(t, buf.String(), "gone: Still destroying... [id=x-1, 20s")
	p.Complete("null_resource.slow", plan.Create, "s", 20*time.Second)

	// With nothing in flight the reporter goroutine ends.
	require.Eventually(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return !p.running
	}, 5*time.Second, time.Millisecond)
}

func TestApplyProgressManyFast(t *testing.T) {
	var buf syncBuffer
	p := NewApplyProgress(&buf, Options{})
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	peak := 0
	var peakMu sync.Mutex
	for w := 0; w < 10; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				addr := fmt.Sprintf("null_resource.r[%d]", w*1000+i)
				p.Start(addr, plan.Create)
				p.Complete(addr, plan.Create, "id", 0)
				if i%100 == 0 {
					peakMu.Lock()
					peak = max(peak, runtime.NumGoroutine())
					peakMu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	// The ten workers plus at most one reporter.
	require.LessOrEqual(t, peak, before+10+1)
	require.Equal(t, 20000, strings.Count(buf.String(), "\n"))
	p.mu.Lock()
	require.Empty(t, p.inflight)
	p.mu.Unlock()
}

func TestSummaries(t *testing.T) {
	require.Equal(t, "Apply complete! Resources: 1 added, 2 changed, 3 destroyed.", ApplySummary(1, 2, 3, 0))
	require.Equal(t, "Apply complete! Resources: 4 imported, 1 added, 2 changed, 3 destroyed.", ApplySummary(1, 2, 3, 4))
	require.Equal(t, "Destroy complete! Resources: 5 destroyed.", DestroySummary(5))
	var buf bytes.Buffer
	require.NoError(t, RenderApplySummary(&buf, 1, 0, 0, 0, Options{}))
	require.NoError(t, RenderDestroySummary(&buf, 2, Options{}))
	require.Equal(t, "\nApply complete! Resources: 1 added, 0 changed, 0 destroyed.\n\nDestroy complete! Resources: 2 destroyed.\n", buf.String())
}

func TestTruncateID(t *testing.T) {
	require.Equal(t, "short", truncateID("short", 80))
	long := strings.Repeat("a", 50) + strings.Repeat("b", 50)
	got := truncateID(long, 80)
	require.Equal(t, 80, len([]rune(got)))
	require.Contains(t, got, "...")
}
