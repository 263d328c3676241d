package plugins

import (
	"context"
	"testing"

	"github.com/zclconf/go-cty/cty"

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

// A read the provider answers with the prior object comes back marked
// unchanged, so the host need not compare the two; a changed one does not.
func TestGRPCReadUnchanged(t *testing.T) {
	ctx := context.Background()
	client, _ := connect(t, newTestProvider())
	prior := unmarked(testServer("web"))
	// The test provider sets fingerprint to "read": an object that has it
	// already comes back as it was.
	same := SetAttrs(prior, map[string]cty.Value{"fingerprint": cty.StringVal("read")})
	resp := client.ReadResources(ctx, ReadResourcesRequest{TypeName: "test_server", Objects: []ReadResourceRequest{
		{TypeName: "test_server", PriorState: same},
		{TypeName: "test_server", PriorState: prior},
	}})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
	require.Len(t, resp.Results, 2)
	assert.True(t, resp.Results[0].Unchanged)
	assert.True(t, resp.Results[0].NewState.RawEquals(same))
	assert.False(t, resp.Results[1].Unchanged)
	assert.Equal(t, "read", resp.Results[1].NewState.GetAttr("fingerprint").AsString())
}
