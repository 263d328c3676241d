package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// metricsHooks reports the counters providers keep (API requests by
// service) when an operation ends: in the log at debug level, and as a
// "provider_metrics" event of the -json stream.
type metricsHooks struct {
	m *meta
}

func (h metricsHooks) ProviderMetrics(provider string, counters map[string]int64) {
	keys := make([]string, 0, len(counters))
	var total int64
	for k, v := range counters {
		keys = append(keys, k)
		total += v
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, counters[k])
	}
	msg := fmt.Sprintf("%s: %d API requests (%s)", provider, total, strings.Join(parts, " "))
	fmt.Fprintf(providerLog(), "%s [DEBUG] %s\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), msg)
	if h.m.jsonView != nil {
		h.m.jsonView.ProviderMetrics(provider, msg, counters, total)
	}
}
