package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A built-in provider's process collects garbage less often, unless GOGC
// says otherwise.
func TestProviderGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })

	t.Setenv("GOGC", "")
	setProviderGC()
	assert.Equal(t, providerGCPercent, debug.SetGCPercent(100))

	t.Setenv("GOGC", "150")
	setProviderGC()
	assert.Equal(t, 100, debug.SetGCPercent(100), "GOGC wins")
}
