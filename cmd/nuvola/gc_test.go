package main

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// nuvola's processes collect garbage less often, under a soft memory
// limit, unless GOGC and GOMEMLIMIT say otherwise.
func TestTuneGC(t *testing.T) {
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	tuneGC()
	assert.Equal(t, gcPercent, debug.SetGCPercent(100))
	assert.Equal(t, softMemoryLimit(memTotal()), debug.SetMemoryLimit(math.MaxInt64))
	if memTotal() > 0 {
		assert.Less(t, softMemoryLimit(memTotal()), int64(math.MaxInt64), "a machine's memory sets a limit")
	}

	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "3GiB")
	tuneGC()
	assert.Equal(t, 100, debug.SetGCPercent(100), "GOGC wins")
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(math.MaxInt64), "GOMEMLIMIT wins")
}

func TestSoftMemoryLimit(t *testing.T) {
	assert.Equal(t, int64(math.MaxInt64), softMemoryLimit(0), "unknown memory: no limit")
	assert.Equal(t, int64(1<<30), softMemoryLimit(2<<30), "at least 1 GiB")
	assert.Equal(t, int64(6<<30), softMemoryLimit(24<<30), "a quarter of the machine")
}
