package plugins

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	protobuf "google.golang.org/protobuf/proto"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// itemProvider has one resource type, item, and lets a test hold its calls
// and watch how many run at once.
type itemProvider struct {
	Base

	// hold, when set, blocks each call until it returns.
	hold func(name string)

	running, maxRunning atomic.Int32
	calls               atomic.Int32

	mu    sync.Mutex
	reads [][]string // the objects of each ReadResources call, by name
}

var itemSchema = Schema{Block: &Block{Attributes: map[string]*Attribute{
	"name": {Type: cty.String, Required: true},
	"id":   {Type: cty.String, Computed: true},
	"tags": {Type: cty.Map(cty.String), Optional: true},
}}}

var itemType = itemSchema.Block.ImpliedType()

func newItemProvider() *itemProvider {
	p := &itemProvider{}
	p.Self = p
	return p
}

func item(name string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(name),
		"id":   cty.StringVal("id-" + name),
		"tags": cty.MapVal(map[string]cty.Value{"k": cty.StringVal(name)}),
	})
}

func (p *itemProvider) GetSchema(context.Context, GetSchemaRequest) GetSchemaResponse {
	return GetSchemaResponse{Provider: Schema{Block: &Block{}}, ResourceTypes: map[string]Schema{"item": itemSchema}}
}

func (p *itemProvider) enter(name string) func() {
	p.calls.Add(1)
	n := p.running.Add(1)
	for {
		m := p.maxRunning.Load()
		if n <= m || p.maxRunning.CompareAndSwap(m, n) {
			break
		}
	}
	if p.hold != nil {
		p.hold(name)
	}
	return func() { p.running.Add(-1) }
}

// PlanResourceChange plans no change, returning the proposed state as it
// came.
func (p *itemProvider) PlanResourceChange(_ context.Context, req PlanResourceChangeRequest) PlanResourceChangeResponse {
	defer p.enter(req.ProposedNewState.GetAttr("name").AsString())()
	return PlanResourceChangeResponse{PlannedState: req.ProposedNewState}
}

func (p *itemProvider) ApplyResourceChange(_ context.Context, req ApplyResourceChangeRequest) ApplyResourceChangeResponse {
	return ApplyResourceChangeResponse{NewState: req.PlannedState}
}

// ReadResources finds every object unchanged but one named "drifted".
func (p *itemProvider) ReadResources(_ context.Context, req ReadResourcesRequest) ReadResourcesResponse {
	var names []string
	resp := ReadResourcesResponse{Diagnostics: Diagnostics{{Severity: Warning, Summary: "read in one call"}}}
	for _, o := range req.Objects {
		name := o.PriorState.GetAttr("name").AsString()
		names = append(names, name)
		state := o.PriorState
		if name == "drifted" {
			state = SetAttrs(state, map[string]cty.Value{"id": cty.StringVal("changed")})
		}
		resp.Results = append(resp.Results, ReadResourceResponse{NewState: state})
	}
	p.mu.Lock()
	p.reads = append(p.reads, names)
	p.mu.Unlock()
	return resp
}

// countingServer serves a provider and counts the batches it gets. With
// old set it is a plugin built before Batch: it neither announces nor
// serves it.
type countingServer struct {
	*grpcServer
	old bool

	batches, maxCalls atomic.Int32
}

func (s *countingServer) GetSchema(ctx context.Context, req *proto.GetSchema_Request) (*proto.GetSchema_Response, error) {
	resp, err := s.grpcServer.GetSchema(ctx, req)
	if s.old && resp != nil {
		resp = protobuf.Clone(resp).(*proto.GetSchema_Response)
		resp.Capabilities = nil
	}
	return resp, err
}

func (s *countingServer) Batch(req *proto.Batch_Request, stream proto.Provider_BatchServer) error {
	if s.old {
		return status.Error(codes.Unimplemented, "method Batch not implemented")
	}
	s.batches.Add(1)
	n := int32(len(req.GetCalls()))
	for {
		m := s.maxCalls.Load()
		if n <= m || s.maxCalls.CompareAndSwap(m, n) {
			break
		}
	}
	return s.grpcServer.Batch(req, stream)
}

type countingPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	srv *countingServer
}

func (p *countingPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	proto.RegisterProviderServer(s, p.srv)
	return nil
}

func (p *countingPlugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return NewGRPCClientFromConn(ctx, c), nil
}

// connectCounting serves prov through a countingServer.
func connectCounting(t *testing.T, prov Provider, old bool) (Provider, *countingServer, *grpc.ClientConn) {
	t.Helper()
	srv := &countingServer{grpcServer: newGRPCServer(prov), old: old}
	client, server := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{ProviderPluginName: &countingPlugin{srv: srv}})
	t.Cleanup(func() {
		if err := client.Close(); err != nil {
			server.Stop()
		}
	})
	raw, err := client.Dispense(ProviderPluginName)
	require.NoError(t, err)
	return raw.(Provider), srv, client.Conn
}

func planItem(ctx context.Context, p Provider, name string) PlanResourceChangeResponse {
	v := item(name)
	return p.PlanResourceChange(ctx, PlanResourceChangeRequest{TypeName: "item", PriorState: v, ProposedNewState: v, Config: v})
}

// TestBatchCoalesces makes many calls at once while the plugin is busy:
// they travel in a few batches, and each caller gets its own answer.
func TestBatchCoalesces(t *testing.T) {
	const n = 50
	prov := newItemProvider()
	arrived := make(chan struct{}, n)
	release := make(chan struct{})
	prov.hold = func(string) {
		arrived <- struct{}{}
		<-release
	}
	client, srv, _ := connectCounting(t, prov, false)
	require.False(t, client.GetSchema(context.Background(), GetSchemaRequest{}).Diagnostics.HasErrors())

	var wg sync.WaitGroup
	resps := make([]PlanResourceChangeResponse, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resps[i] = planItem(context.Background(), client, fmt.Sprintf("i%d", i))
		}()
	}
	for range n {
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			t.Fatalf("only some calls reached the provider")
		}
	}
	close(release)
	wg.Wait()
	for i, resp := range resps {
		require.Empty(t, resp.Diagnostics)
		assert.True(t, resp.PlannedState.RawEquals(item(fmt.Sprintf("i%d", i))), "call %d got %#v", i, resp.PlannedState)
	}
	assert.Less(t, srv.batches.Load(), int32(n/2), "the calls should have shared batches")
	assert.Equal(t, int32(n), prov.calls.Load())
}

// TestBatchLoneCall shows that a call with nothing else in flight goes out
// at once, in a batch of its own, rather than waiting for company.
func TestBatchLoneCall(t *testing.T) {
	client, srv, _ := connectCounting(t, newItemProvider(), false)
	for i := range 3 {
		start := time.Now()
		resp := planItem(context.Background(), client, "alone")
		require.Empty(t, resp.Diagnostics)
		assert.Less(t, time.Since(start), time.Second)
		assert.Equal(t, int32(i+1), srv.batches.Load())
	}
	assert.Equal(t, int32(1), srv.maxCalls.Load())
}

// TestBatchSlowCall sends a batch in which one call hangs: the answers of
// the others arrive without waiting for it.
func TestBatchSlowCall(t *testing.T) {
	prov := newItemProvider()
	release := make(chan struct{})
	prov.hold = func(name string) {
		if name == "slow" {
			<-release
		}
	}
	client, _, conn := connectCounting(t, prov, false)
	require.False(t, client.GetSchema(context.Background(), GetSchemaRequest{}).Diagnostics.HasErrors())

	call := func(name string) *proto.Batch_Call {
		req, err := planResourceChangeRequestToProto(client.(*grpcClient).schema.Load().schemas,
			PlanResourceChangeRequest{TypeName: "item", PriorState: item(name), ProposedNewState: item(name), Config: item(name)}, true)
		require.NoError(t, err)
		return &proto.Batch_Call{Request: &proto.Batch_Call_PlanResourceChange{PlanResourceChange: req}}
	}
	stream, err := proto.NewProviderClient(conn).Batch(context.Background(), &proto.Batch_Request{
		Calls: []*proto.Batch_Call{call("slow"), call("fast1"), call("fast2")},
	})
	require.NoError(t, err)
	first, err := stream.Recv()
	require.NoError(t, err)
	var got []uint32
	for _, r := range first.GetResults() {
		got = append(got, r.GetIndex())
		assert.True(t, r.GetPlanResourceChange().GetPlannedIsProposed())
	}
	assert.ElementsMatch(t, []uint32{1, 2}, got, "the fast calls are answered while the slow one runs")
	close(release)
	last, err := stream.Recv()
	require.NoError(t, err)
	require.Len(t, last.GetResults(), 1)
	assert.Equal(t, uint32(0), last.GetResults()[0].GetIndex())
	_, err = stream.Recv()
	assert.Equal(t, io.EOF, err)
}

// TestBatchReadResourcesTogether sends the refreshes of three resources of
// one type in one batch: the provider reads their objects in one call, and
// each resource gets its own results.
func TestBatchReadResourcesTogether(t *testing.T) {
	prov := newItemProvider()
	client, _, conn := connectCounting(t, prov, false)
	require.False(t, client.GetSchema(context.Background(), GetSchemaRequest{}).Diagnostics.HasErrors())
	schemas := client.(*grpcClient).schema.Load().schemas

	reqs := []ReadResourcesRequest{
		{TypeName: "item", Objects: []ReadResourceRequest{{TypeName: "item", PriorState: item("a")}, {TypeName: "item", PriorState: item("drifted")}}},
		{TypeName: "item", Objects: []ReadResourceRequest{{TypeName: "item", PriorState: item("b")}}},
		{TypeName: "item", Objects: []ReadResourceRequest{{TypeName: "item", PriorState: item("c")}}},
	}
	batch := &proto.Batch_Request{}
	var preqs []*proto.ReadResources_Request
	for _, r := range reqs {
		preq, err := readResourcesRequestToProto(schemas, r)
		require.NoError(t, err)
		preqs = append(preqs, preq)
		batch.Calls = append(batch.Calls, &proto.Batch_Call{Request: &proto.Batch_Call_ReadResources{ReadResources: preq}})
	}
	stream, err := proto.NewProviderClient(conn).Batch(context.Background(), batch)
	require.NoError(t, err)
	results := map[uint32]*proto.ReadResources_Response{}
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		for _, r := range resp.GetResults() {
			results[r.GetIndex()] = r.GetReadResources()
		}
	}
	require.Len(t, results, 3)
	assert.Equal(t, [][]string{{"a", "drifted", "b", "c"}}, prov.reads, "one call of the provider for all objects")

	for i, r := range reqs {
		got := readResourcesResponseFromProto(schemas, r, preqs[i], results[uint32(i)])
		assertDiags(t, Diagnostics{{Severity: Warning, Summary: "read in one call"}}, got.Diagnostics)
		require.Len(t, got.Results, len(r.Objects))
		for j, o := range r.Objects {
			want := o.PriorState
			if want.GetAttr("name").AsString() == "drifted" {
				want = SetAttrs(want, map[string]cty.Value{"id": cty.StringVal("changed")})
				assert.False(t, results[uint32(i)].GetResults()[j].GetUnchanged())
			} else {
				assert.True(t, results[uint32(i)].GetResults()[j].GetUnchanged(), "an unchanged object is not sent back")
			}
			assertValue(t, want, got.Results[j].NewState)
		}
	}
}

// TestBatchOldPlugin talks to a plugin built before Batch: every call
// goes as its own RPC, and nothing is left out of its answers.
func TestBatchOldPlugin(t *testing.T) {
	prov := newItemProvider()
	client, srv, _ := connectCounting(t, prov, true)
	ctx := context.Background()
	for _, name := range []string{"a", "b"} {
		resp := planItem(ctx, client, name)
		require.Empty(t, resp.Diagnostics)
		assertValue(t, item(name), resp.PlannedState)
	}
	rr := client.ReadResources(ctx, ReadResourcesRequest{TypeName: "item", Objects: []ReadResourceRequest{{TypeName: "item", PriorState: item("drifted")}}})
	require.Len(t, rr.Results, 1)
	assertValue(t, SetAttrs(item("drifted"), map[string]cty.Value{"id": cty.StringVal("changed")}), rr.Results[0].NewState)
	assert.Zero(t, srv.batches.Load())
}

// TestBatchUnimplemented talks to a plugin that announces Batch but does
// not serve it: the calls fall back to their own RPCs.
func TestBatchUnimplemented(t *testing.T) {
	prov := newItemProvider()
	client, srv, _ := connectCounting(t, prov, false)
	require.False(t, client.GetSchema(context.Background(), GetSchemaRequest{}).Diagnostics.HasErrors())
	srv.old = true // Batch now answers Unimplemented; the schema is already kept
	for _, name := range []string{"a", "b"} {
		resp := planItem(context.Background(), client, name)
		require.Empty(t, resp.Diagnostics)
		assertValue(t, item(name), resp.PlannedState)
	}
	assert.True(t, client.(*grpcClient).batch.unsupported.Load())
}

// TestBatchCallerGivesUp cancels one caller of a batch: it returns at
// once, while the other caller still gets its answer.
func TestBatchCallerGivesUp(t *testing.T) {
	prov := newItemProvider()
	release := make(chan struct{})
	arrived := make(chan string, 2)
	prov.hold = func(name string) {
		arrived <- name
		<-release
	}
	client, _, _ := connectCounting(t, prov, false)
	require.False(t, client.GetSchema(context.Background(), GetSchemaRequest{}).Diagnostics.HasErrors())

	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan PlanResourceChangeResponse, 1)
	go func() { cancelled <- planItem(ctx, client, "cancelled") }()
	kept := make(chan PlanResourceChangeResponse, 1)
	go func() { kept <- planItem(context.Background(), client, "kept") }()
	<-arrived
	<-arrived
	cancel()
	select {
	case resp := <-cancelled:
		require.Len(t, resp.Diagnostics, 1)
		assert.Contains(t, resp.Diagnostics[0].Detail, "Canceled")
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled caller did not return")
	}
	close(release)
	resp := <-kept
	require.Empty(t, resp.Diagnostics)
	assertValue(t, item("kept"), resp.PlannedState)
}

// planUnderSlots has callers plan an item each, as the engine calls under
// -parallelism: each holds a slot of sem for its call and lends it while
// the call waits.
func planUnderSlots(t *testing.T, p Provider, callers int, sem chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			assert.Empty(t, planItem(WithCallSlot(context.Background(), sem), p, fmt.Sprintf("i%d", i)).Diagnostics)
		}()
	}
	return &wg
}

// TestWithCallSlot has 40 callers share 3 slots, lending theirs while their
// calls wait: more than 3 calls travel together, but the plugin never runs
// more than 3 at once.
func TestWithCallSlot(t *testing.T) {
	const callers, slots = 40, 3
	prov := newItemProvider()
	prov.hold = func(string) { time.Sleep(2 * time.Millisecond) }
	client, srv, _ := connectCounting(t, prov, false)
	require.False(t, client.GetSchema(context.Background(), GetSchemaRequest{}).Diagnostics.HasErrors())

	sem := make(chan struct{}, slots)
	planUnderSlots(t, client, callers, sem).Wait()
	assert.Equal(t, int32(callers), prov.calls.Load())
	assert.LessOrEqual(t, prov.maxRunning.Load(), int32(slots))
	assert.Greater(t, srv.maxCalls.Load(), int32(slots), "callers that lent their slots shared batches")
	assert.Len(t, sem, 0, "every slot was given back")
}

// TestPlanLeavesOutEqualStates checks what a plan of an unchanged object
// sends: the proposed state, equal to the prior state, is not sent, and the
// planned state, equal to the proposed one, does not come back; unless the
// value has marks, which the answer must not carry back.
func TestPlanLeavesOutEqualStates(t *testing.T) {
	schemas := schemasOf(newItemProvider().GetSchema(context.Background(), GetSchemaRequest{}))
	v := item("x")
	req := PlanResourceChangeRequest{TypeName: "item", PriorState: v, ProposedNewState: v, Config: v}
	preq, err := planResourceChangeRequestToProto(schemas, req, true)
	require.NoError(t, err)
	assert.True(t, preq.GetProposedIsPrior())
	assert.Nil(t, preq.GetProposedNewState())
	assert.True(t, preq.GetOmitProposed())

	decoded, err := planResourceChangeRequestFromProto(schemas, preq)
	require.NoError(t, err)
	assertValue(t, v, decoded.ProposedNewState)
	presp := planResourceChangeResponseToProto(schemas, preq, decoded, PlanResourceChangeResponse{PlannedState: decoded.ProposedNewState})
	assert.True(t, presp.GetPlannedIsProposed())
	assert.Nil(t, presp.GetPlannedState())
	resp := planResourceChangeResponseFromProto(schemas, req, preq, presp)
	assertValue(t, v, resp.PlannedState)

	t.Run("without the capability", func(t *testing.T) {
		preq, err := planResourceChangeRequestToProto(schemas, req, false)
		require.NoError(t, err)
		assert.False(t, preq.GetProposedIsPrior())
		assert.NotNil(t, preq.GetProposedNewState())
	})
	t.Run("marked", func(t *testing.T) {
		marked := SetAttrs(v, map[string]cty.Value{"name": cty.StringVal("x").Mark("sensitive")})
		req := PlanResourceChangeRequest{TypeName: "item", PriorState: marked, ProposedNewState: marked, Config: marked}
		preq, err := planResourceChangeRequestToProto(schemas, req, true)
		require.NoError(t, err)
		assert.False(t, preq.GetOmitProposed())
		decoded, err := planResourceChangeRequestFromProto(schemas, preq)
		require.NoError(t, err)
		presp := planResourceChangeResponseToProto(schemas, preq, decoded, PlanResourceChangeResponse{PlannedState: decoded.ProposedNewState})
		assert.False(t, presp.GetPlannedIsProposed())
		resp := planResourceChangeResponseFromProto(schemas, req, preq, presp)
		assert.False(t, resp.PlannedState.ContainsMarked(), "values from a plugin have no marks")
		assertValue(t, v, resp.PlannedState)
	})
	t.Run("handed back", func(t *testing.T) {
		// The very value proposed comes back as "planned is proposed"
		// without being encoded: bytes that no longer match its encoding
		// do not change the answer. An equal value is encoded and compared.
		tampered := protobuf.Clone(preq).(*proto.PlanResourceChange_Request)
		tampered.PriorState.Msgpack = append([]byte(nil), tampered.PriorState.Msgpack...)
		tampered.PriorState.Msgpack[len(tampered.PriorState.Msgpack)-1] ^= 1
		presp := planResourceChangeResponseToProto(schemas, tampered, decoded, PlanResourceChangeResponse{PlannedState: decoded.ProposedNewState})
		assert.True(t, presp.GetPlannedIsProposed())
		assert.Nil(t, presp.GetPlannedState())
		presp = planResourceChangeResponseToProto(schemas, tampered, decoded, PlanResourceChangeResponse{PlannedState: item("x")})
		assert.False(t, presp.GetPlannedIsProposed())
		assertValue(t, v, planResourceChangeResponseFromProto(schemas, req, preq, presp).PlannedState)
	})
	t.Run("changed", func(t *testing.T) {
		presp := planResourceChangeResponseToProto(schemas, preq, decoded, PlanResourceChangeResponse{PlannedState: item("y")})
		assert.False(t, presp.GetPlannedIsProposed())
		assertValue(t, item("y"), planResourceChangeResponseFromProto(schemas, req, preq, presp).PlannedState)
	})
}

// TestReadLeavesOutHandedBack checks that an object a read hands back as it
// was given comes back as "unchanged" without being encoded, while an equal
// object built apart is encoded and compared.
func TestReadLeavesOutHandedBack(t *testing.T) {
	schemas := schemasOf(newItemProvider().GetSchema(context.Background(), GetSchemaRequest{}))
	req := ReadResourcesRequest{TypeName: "item", Objects: []ReadResourceRequest{{PriorState: item("x")}, {PriorState: item("y")}}}
	preq, err := readResourcesRequestToProto(schemas, req)
	require.NoError(t, err)
	decoded, err := readResourcesRequestFromProto(schemas, preq)
	require.NoError(t, err)
	// Bytes that no longer match the objects' encodings: only an answer
	// that is the very object received can be "unchanged".
	for _, o := range preq.GetObjects() {
		o.PriorState.Msgpack = append([]byte(nil), o.PriorState.Msgpack...)
		o.PriorState.Msgpack[len(o.PriorState.Msgpack)-1] ^= 1
	}
	presp := readResourcesResponseToProto(schemas, preq, decoded, ReadResourcesResponse{Results: []ReadResourceResponse{
		{NewState: decoded.Objects[0].PriorState}, {NewState: item("y")},
	}})
	require.Len(t, presp.GetResults(), 2)
	assert.True(t, presp.GetResults()[0].GetUnchanged())
	assert.Nil(t, presp.GetResults()[0].GetNewState())
	assert.False(t, presp.GetResults()[1].GetUnchanged())
	resp := readResourcesResponseFromProto(schemas, req, preq, presp)
	assertValue(t, item("x"), resp.Results[0].NewState)
	assertValue(t, item("y"), resp.Results[1].NewState)
}

// idleProvider's plans wait, through Idle, until every caller's plan has
// arrived: a wait that only ends if waiting calls do not hold the slots.
type idleProvider struct {
	*itemProvider
	arrived chan struct{}
	all     chan struct{}
}

func (p *idleProvider) PlanResourceChange(ctx context.Context, req PlanResourceChangeRequest) PlanResourceChangeResponse {
	Idle(ctx, func() {
		p.arrived <- struct{}{}
		<-p.all
	})
	return p.itemProvider.PlanResourceChange(ctx, req)
}

// TestIdleLendsTheSlot has more callers than slots wait for each other in
// the plugin: each lends its slot while it waits (Idle), so all of them get
// in, whether the bound is the host's (in process) or the plugin's own.
func TestIdleLendsTheSlot(t *testing.T) {
	const callers, slots = 12, 3
	for _, viaPlugin := range []bool{false, true} {
		t.Run(fmt.Sprintf("plugin=%v", viaPlugin), func(t *testing.T) {
			prov := &idleProvider{itemProvider: newItemProvider(), arrived: make(chan struct{}, callers), all: make(chan struct{})}
			prov.Self = prov
			var p Provider = prov
			if viaPlugin {
				p, _, _ = connectCounting(t, prov, false)
				require.False(t, p.GetSchema(context.Background(), GetSchemaRequest{}).Diagnostics.HasErrors())
			}
			go func() {
				for range callers {
					select {
					case <-prov.arrived:
					case <-time.After(10 * time.Second):
						return
					}
				}
				close(prov.all)
			}()
			sem := make(chan struct{}, slots)
			done := make(chan struct{})
			wg := planUnderSlots(t, p, callers, sem)
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("the callers waiting in Idle kept the others out")
			}
			assert.Len(t, sem, 0, "every slot was given back")
			assert.LessOrEqual(t, prov.maxRunning.Load(), int32(slots), "outside Idle, the bound holds")
		})
	}
}
