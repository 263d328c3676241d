package plugins

import (
	"context"
	"time"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// metricsTimeout bounds the question for counters: they are a report, not
// worth holding up the end of a command.
const metricsTimeout = 5 * time.Second

// Metrics asks the plugin for its counters; a plugin without any, or one
// that cannot answer, has none.
func (c *grpcClient) Metrics(ctx context.Context) (m map[string]int64) {
	defer func() {
		if recover() != nil {
			m = nil
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, metricsTimeout)
	defer cancel()
	resp, err := c.rpc.GetMetrics(ctx, &proto.GetMetrics_Request{}, callOpts...)
	if err != nil {
		return nil
	}
	return resp.GetCounters()
}

// Metrics asks a running plugin for its counters.
func (p *launchedProvider) Metrics(ctx context.Context) map[string]int64 {
	if _, failed := p.failure(); failed {
		return nil
	}
	return p.inner.Metrics(context.WithoutCancel(ctx))
}

// GetMetrics answers with the provider's counters, when it keeps any.
func (s *grpcServer) GetMetrics(ctx context.Context, _ *proto.GetMetrics_Request) (resp *proto.GetMetrics_Response, _ error) {
	resp = &proto.GetMetrics_Response{}
	defer func() {
		if recover() != nil {
			resp = &proto.GetMetrics_Response{}
		}
	}()
	if mr, ok := s.provider.(MetricsReporter); ok {
		resp.Counters = mr.Metrics(ctx)
	}
	return resp, nil
}
