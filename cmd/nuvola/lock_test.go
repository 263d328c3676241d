package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/stretchr/testify/require"
)

func twoGroups(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"terraform_data\" \"a\" {\n  count = %d\n  input = \"a${count.index}\"\n}\n", n)
	fmt.Fprintf(&b, "resource \"terraform_data\" \"b\" {\n  count = %d\n  input = \"b${count.index}\"\n}\n", n)
	return b.String()
}

// TestLockHeldFailsAtOnceOrWaits: a lock held elsewhere makes apply fail at
// once naming the holder, or wait under -lock-timeout.
func TestLockHeldFailsAtOnceOrWaits(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": twoGroups(3)})
	b := state.NewLocal(filepath.Join(dir, "nuvola.tfstate"))
	unlock, err := b.Lock(context.Background(), state.LockInfo{Operation: "OperationTypeApply", Who: "auditor@example"}, 0)
	require.NoError(t, err)

	start := time.Now()
	r := nuvola(t, dir, "apply", "-auto-approve")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "Error acquiring the state lock")
	require.Contains(t, r.stderr, "auditor@example")
	require.Less(t, time.Since(start), 5*time.Second)

	go func() {
		time.Sleep(700 * time.Millisecond)
		_ = unlock()
	}()
	r = nuvola(t, dir, "apply", "-auto-approve", "-lock-timeout=20s")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, 6, loadStateFile(t, filepath.Join(dir, "nuvola.tfstate")).InstanceCount())
}

// TestConcurrentApplies runs two applies on one state at once: one waits for
// the other; the final state holds both runs' work and the serial only grows.
func TestConcurrentApplies(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": twoGroups(400)})
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i, target := range []string{"terraform_data.a", "terraform_data.b"} {
		wg.Add(1)
		go func(i int, target string) {
			defer wg.Done()
			results[i] = nuvola(t, dir, "apply", "-auto-approve", "-lock-timeout=60s", "-target="+target)
		}(i, target)
	}
	wg.Wait()
	for _, r := range results {
		require.Equal(t, 0, r.code, r.stderr)
	}
	st := loadStateFile(t, filepath.Join(dir, "nuvola.tfstate"))
	require.Equal(t, 800, st.InstanceCount())
	// A fresh state is written once before the first change, then each run
	// persists once more: the serial never went back.
	require.GreaterOrEqual(t, st.Serial, uint64(3))
	serial := st.Serial
	r := nuvola(t, dir, "apply", "-auto-approve")
	require.Equal(t, 0, r.code, r.stderr)
	st2 := loadStateFile(t, filepath.Join(dir, "nuvola.tfstate"))
	require.Greater(t, st2.Serial, serial)
	r = nuvola(t, dir, "plan", "-detailed-exitcode")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
}
