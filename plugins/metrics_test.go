package plugins

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type counting struct{ *testProvider }

func (counting) Metrics(context.Context) map[string]int64 {
	return map[string]int64{"network": 12, "identity": 1}
}

func TestGRPCMetrics(t *testing.T) {
	ctx := context.Background()
	client, _ := connect(t, counting{newTestProvider()})
	mr, ok := client.(MetricsReporter)
	require.True(t, ok)
	assert.Equal(t, map[string]int64{"network": 12, "identity": 1}, mr.Metrics(ctx))

	// A provider that keeps no counters reports none.
	plain, _ := connect(t, newTestProvider())
	assert.Empty(t, plain.(MetricsReporter).Metrics(ctx))
}
