package main

import (
	"bufio"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// gcPercent is the garbage collector's target for nuvola's processes, the
// command and its built-in providers alike, unless GOGC sets one.
//
// A command lives for seconds to minutes and keeps its whole configuration
// and state alive; with Go's default of 100 it collects at every doubling
// of that heap, and a 10,000-resource plan spends a third of its CPU time
// collecting. At 400 the same plan takes about a fifth less time, for
// about a fifth more peak memory. A provider's process keeps little and
// decodes and encodes every value the command sends it, which the same
// target makes cheaper.
const gcPercent = 400

// tuneGC sets the collector's target, and a soft memory limit (a quarter
// of the machine's memory, at least 1 GiB) that makes it collect more often
// again before a very large estate would take more than that: GOGC and
// GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit(memTotal()))
	}
}

// softMemoryLimit is the limit for a machine with total bytes of memory
// (0 when unknown: no limit).
func softMemoryLimit(total int64) int64 {
	if total <= 0 {
		return math.MaxInt64
	}
	return max(total/4, 1<<30)
}

// memTotal is the machine's memory in bytes, from /proc/meminfo; 0 where
// that cannot be read.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
