package main

import (
	"bufio"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var completeLine = regexp.MustCompile(`^(\S+): Creation complete after \S+ \[id=([^\]]+)\]`)

// TestCrashDuringApply kills the binary with SIGKILL at random moments of
// an apply of 300 resources. After each kill the state must decode and hold
// every resource the apply reported finished (a finished change is durable
// before it is reported), and a new apply must converge without creating
// anything twice.
func TestCrashDuringApply(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns many processes")
	}
	cfg := independentConfig(300)
	// How long the apply phase takes here (from the first change to exit)
	// decides the kill window.
	probe := t.TempDir()
	writeFiles(t, probe, map[string]string{"main.tf": cfg})
	_, exited, phase := applyAndKill(t, probe, time.Hour)
	require.True(t, exited)

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	const wantMidway = 20
	killedMidway, trials := 0, 0
	for killedMidway < wantMidway && trials < 60 {
		trials++
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"main.tf": cfg})
		delay := time.Duration(rng.Int63n(int64(phase) + 1))
		finished, exited, _ := applyAndKill(t, dir, delay)
		statePath := filepath.Join(dir, "nuvola.tfstate")
		st := loadStateFile(t, statePath)
		ids := instanceIDs(t, st)
		for addr, id := range finished {
			require.Equal(t, id, ids[addr], "trial %d (killed %s into the apply): %s finished but state has %q", trials, delay, addr, ids[addr])
		}
		if !exited && len(ids) < 300 {
			killedMidway++
		}
		r := nuvola(t, dir, "apply", "-auto-approve")
		require.Equal(t, 0, r.code, "trial %d: %s", trials, r.stderr)
		after := instanceIDs(t, loadStateFile(t, statePath))
		require.Len(t, after, 300, "trial %d", trials)
		for addr, id := range ids {
			require.Equal(t, id, after[addr], "trial %d: %s was created twice", trials, addr)
		}
		r = nuvola(t, dir, "plan", "-detailed-exitcode")
		require.Equal(t, 0, r.code, "trial %d: %s%s", trials, r.stdout, r.stderr)
	}
	t.Logf("%d of %d kills landed mid-apply (apply phase %s)", killedMidway, trials, phase)
	require.GreaterOrEqual(t, killedMidway, wantMidway, "too few kills landed in the middle of an apply")
}

// applyAndKill starts an apply and kills it delay after its first change
// began. It returns the resources whose completion it printed, whether it
// exited by itself, and how long it ran after the first change.
func applyAndKill(t *testing.T, dir string, delay time.Duration) (map[string]string, bool, time.Duration) {
	t.Helper()
	cmd := exec.Command(nuvolaBin, "apply", "-auto-approve", "-parallelism=4")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	finished := map[string]string{}
	var mu sync.Mutex
	firstChange := make(chan time.Time, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		started := false
		for sc.Scan() {
			line := sc.Text()
			if !started && strings.Contains(line, ": Creating...") {
				started = true
				firstChange <- time.Now()
			}
			if m := completeLine.FindStringSubmatch(line); m != nil {
				mu.Lock()
				finished[m[1]] = m[2]
				mu.Unlock()
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { <-done; exited <- cmd.Wait() }()
	snapshot := func() map[string]string {
		mu.Lock()
		defer mu.Unlock()
		ret := make(map[string]string, len(finished))
		for k, v := range finished {
			ret[k] = v
		}
		return ret
	}
	var began time.Time
	select {
	case began = <-firstChange:
	case <-exited:
		return snapshot(), true, 0
	}
	select {
	case <-time.After(delay):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		return snapshot(), false, time.Since(began)
	case <-exited:
		return snapshot(), true, time.Since(began)
	}
}
