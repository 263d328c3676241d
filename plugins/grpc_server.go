package plugins

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/nuvola-pa/nuvola/plugins/internal/convert"
	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// grpcServer serves a Provider to the host. Every handler recovers a panic
// into an error diagnostic: a provider bug then fails one call, visibly,
// instead of ending the plugin process and every call in flight with it.
type grpcServer struct {
	proto.UnimplementedProviderServer

	provider Provider
	workers  workers
	limit    callLimit

	// The schema is read from the provider once and kept both as sent to
	// the host and as decoded back from that, so that this side encodes
	// values against exactly the types the host has.
	schemaMu sync.Mutex
	schema   atomic.Pointer[serverSchema]

	// stop is cancelled by the Stop RPC, cancelling the context of every
	// call in flight; a new one takes its place for later calls.
	stopMu sync.Mutex
	stop   context.Context
	cancel context.CancelFunc
}

// capabilitiesOf are the additions to the protocol this side serves for p:
// all of them, and the policy RPCs when p checks plans.
func capabilitiesOf(p Provider) *proto.Capabilities {
	_, policy := p.(PolicyChecker)
	_, owned := p.(OwnedResourceFinder)
	return &proto.Capabilities{Batch: true, ProposedIsPrior: true, ValidateInPlan: true, PolicyChecker: policy, OwnedResources: owned}
}

type serverSchema struct {
	resp    *proto.GetSchema_Response
	schemas *convert.Schemas
}

var errStopped = errors.New("provider stopped by the host")

type callContextKey struct{}

func newGRPCServer(p Provider) *grpcServer {
	s := &grpcServer{provider: p, workers: workers{idle: make(chan func())}}
	s.stop, s.cancel = context.WithCancel(context.Background())
	return s
}

// callContext is the context a provider method runs with: cancelled when the
// host cancels the call or when the host calls Stop.
func (s *grpcServer) callContext(ctx context.Context) (context.Context, func()) {
	if ctx.Value(callContextKey{}) != nil {
		// A call of a batch: the batch's context already is one.
		return ctx, func() {}
	}
	s.stopMu.Lock()
	stop := s.stop
	s.stopMu.Unlock()
	ctx, cancel := context.WithCancelCause(context.WithValue(ctx, callContextKey{}, true))
	unhook := context.AfterFunc(stop, func() { cancel(errStopped) })
	return ctx, func() {
		unhook()
		cancel(nil)
	}
}

// begin prepares a call: its context and the schemas its values are encoded
// against. If the provider's schema has errors, no value can be decoded
// reliably, so the call answers with those errors (the non-nil diagnostics).
func (s *grpcServer) begin(ctx context.Context) (context.Context, func(), *convert.Schemas, []*proto.Diagnostic) {
	ctx, done := s.callContext(ctx)
	_, schemas, diags := s.loadSchemas(ctx)
	if schemas == nil {
		return ctx, done, nil, diagnosticsToProto(diags)
	}
	return ctx, done, schemas, nil
}

// loadSchemas returns the provider's schema as sent to the host and the
// types decoded back from it. A schema with errors is not kept, so a later
// call asks again (as the client does); the Schemas are then nil and diags
// says why.
func (s *grpcServer) loadSchemas(ctx context.Context) (*proto.GetSchema_Response, *convert.Schemas, Diagnostics) {
	// Every call needs the schema: once it is there, concurrent calls
	// must not queue on a lock for it.
	if sc := s.schema.Load(); sc != nil {
		return sc.resp, sc.schemas, nil
	}
	s.schemaMu.Lock()
	defer s.schemaMu.Unlock()
	if sc := s.schema.Load(); sc != nil {
		return sc.resp, sc.schemas, nil
	}
	resp := getSchemaResponseToProto(s.provider.GetSchema(ctx, GetSchemaRequest{}))
	resp.Capabilities = capabilitiesOf(s.provider)
	decoded := getSchemaResponseFromProto(resp)
	if decoded.Diagnostics.HasErrors() {
		return resp, nil, decoded.Diagnostics
	}
	sc := &serverSchema{resp: resp, schemas: schemasOf(decoded)}
	s.schema.Store(sc)
	return sc.resp, sc.schemas, nil
}

// recoverRPC is deferred first in every handler; fail replaces the
// handler's response with one carrying the panic as an error diagnostic.
func recoverRPC(rpc string, fail func([]*proto.Diagnostic)) {
	r := recover()
	if r == nil {
		return
	}
	// The stack goes to the plugin's stderr, which go-plugin copies into the
	// host's log; a diagnostic is the wrong place for forty lines of it.
	log.Printf("[ERROR] provider panicked in %s: %v\n%s", rpc, r, debug.Stack())
	fail(diagnosticsToProto(Diagnostics{panicDiagnostic(rpc, r)}))
}

func panicDiagnostic(rpc string, r any) Diagnostic {
	return Diagnostic{
		Severity: Error,
		Summary:  fmt.Sprintf("provider panicked: %v", r),
		Detail:   fmt.Sprintf("The provider's %s method panicked. This is a bug in the provider; the plugin's log has the stack trace.", rpc),
	}
}

// requestError reports a request whose values do not fit the provider's
// schema, which means host and plugin disagree about the schema.
func requestError(err error) []*proto.Diagnostic {
	return diagnosticsToProto(Diagnostics{errorDiagnostic("Invalid value in request to provider", err)})
}

func (s *grpcServer) GetSchema(ctx context.Context, _ *proto.GetSchema_Request) (resp *proto.GetSchema_Response, _ error) {
	defer recoverRPC("GetSchema", func(d []*proto.Diagnostic) { resp = &proto.GetSchema_Response{Diagnostics: d} })
	ctx, done := s.callContext(ctx)
	defer done()
	resp, _, _ = s.loadSchemas(ctx)
	return resp, nil
}

func (s *grpcServer) ValidateProviderConfig(ctx context.Context, req *proto.ValidateProviderConfig_Request) (resp *proto.ValidateProviderConfig_Response, _ error) {
	defer recoverRPC("ValidateProviderConfig", func(d []*proto.Diagnostic) { resp = &proto.ValidateProviderConfig_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ValidateProviderConfig_Response{Diagnostics: diags}, nil
	}
	r, err := validateProviderConfigRequestFromProto(schemas, req)
	if err != nil {
		return &proto.ValidateProviderConfig_Response{Diagnostics: requestError(err)}, nil
	}
	return validateProviderConfigResponseToProto(s.provider.ValidateProviderConfig(ctx, r)), nil
}

func (s *grpcServer) ValidateResourceConfig(ctx context.Context, req *proto.ValidateResourceConfig_Request) (resp *proto.ValidateResourceConfig_Response, _ error) {
	defer recoverRPC("ValidateResourceConfig", func(d []*proto.Diagnostic) { resp = &proto.ValidateResourceConfig_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ValidateResourceConfig_Response{Diagnostics: diags}, nil
	}
	r, err := validateResourceConfigRequestFromProto(schemas, req)
	if err != nil {
		return &proto.ValidateResourceConfig_Response{Diagnostics: requestError(err)}, nil
	}
	return validateResourceConfigResponseToProto(s.provider.ValidateResourceConfig(ctx, r)), nil
}

func (s *grpcServer) ValidateDataSourceConfig(ctx context.Context, req *proto.ValidateDataSourceConfig_Request) (resp *proto.ValidateDataSourceConfig_Response, _ error) {
	defer recoverRPC("ValidateDataSourceConfig", func(d []*proto.Diagnostic) { resp = &proto.ValidateDataSourceConfig_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ValidateDataSourceConfig_Response{Diagnostics: diags}, nil
	}
	r, err := validateDataSourceConfigRequestFromProto(schemas, req)
	if err != nil {
		return &proto.ValidateDataSourceConfig_Response{Diagnostics: requestError(err)}, nil
	}
	return validateDataSourceConfigResponseToProto(s.provider.ValidateDataSourceConfig(ctx, r)), nil
}

func (s *grpcServer) ConfigureProvider(ctx context.Context, req *proto.ConfigureProvider_Request) (resp *proto.ConfigureProvider_Response, _ error) {
	defer recoverRPC("ConfigureProvider", func(d []*proto.Diagnostic) { resp = &proto.ConfigureProvider_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ConfigureProvider_Response{Diagnostics: diags}, nil
	}
	r, err := configureProviderRequestFromProto(schemas, req)
	if err != nil {
		return &proto.ConfigureProvider_Response{Diagnostics: requestError(err)}, nil
	}
	return configureProviderResponseToProto(s.provider.ConfigureProvider(ctx, r)), nil
}

func (s *grpcServer) UpgradeResourceState(ctx context.Context, req *proto.UpgradeResourceState_Request) (resp *proto.UpgradeResourceState_Response, _ error) {
	defer recoverRPC("UpgradeResourceState", func(d []*proto.Diagnostic) { resp = &proto.UpgradeResourceState_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.UpgradeResourceState_Response{Diagnostics: diags}, nil
	}
	r := upgradeResourceStateRequestFromProto(req)
	return upgradeResourceStateResponseToProto(schemas, r.TypeName, s.provider.UpgradeResourceState(ctx, r)), nil
}

func (s *grpcServer) ReadResource(ctx context.Context, req *proto.ReadResource_Request) (resp *proto.ReadResource_Response, _ error) {
	defer recoverRPC("ReadResource", func(d []*proto.Diagnostic) { resp = &proto.ReadResource_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ReadResource_Response{Diagnostics: diags}, nil
	}
	r, err := readResourceRequestFromProto(schemas, req)
	if err != nil {
		return &proto.ReadResource_Response{Diagnostics: requestError(err)}, nil
	}
	return readResourceResponseToProto(schemas, r.TypeName, req, r.PriorState, s.provider.ReadResource(ctx, r)), nil
}

func (s *grpcServer) ReadResources(ctx context.Context, req *proto.ReadResources_Request) (resp *proto.ReadResources_Response, _ error) {
	defer recoverRPC("ReadResources", func(d []*proto.Diagnostic) { resp = &proto.ReadResources_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ReadResources_Response{Diagnostics: diags}, nil
	}
	r, err := readResourcesRequestFromProto(schemas, req)
	if err != nil {
		return &proto.ReadResources_Response{Diagnostics: requestError(err)}, nil
	}
	return readResourcesResponseToProto(schemas, req, r, s.provider.ReadResources(ctx, r)), nil
}

func (s *grpcServer) PlanResourceChange(ctx context.Context, req *proto.PlanResourceChange_Request) (resp *proto.PlanResourceChange_Response, _ error) {
	defer recoverRPC("PlanResourceChange", func(d []*proto.Diagnostic) { resp = &proto.PlanResourceChange_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.PlanResourceChange_Response{Diagnostics: diags}, nil
	}
	r, err := planResourceChangeRequestFromProto(schemas, req)
	if err != nil {
		return &proto.PlanResourceChange_Response{Diagnostics: requestError(err)}, nil
	}
	var validated []*proto.Diagnostic
	if req.GetValidateConfig() {
		v := s.provider.ValidateResourceConfig(ctx, ValidateResourceConfigRequest{TypeName: r.TypeName, Config: r.Config})
		validated = diagnosticsToProto(v.Diagnostics)
		if v.Diagnostics.HasErrors() {
			return &proto.PlanResourceChange_Response{ValidateDiagnostics: validated}, nil
		}
	}
	resp = planResourceChangeResponseToProto(schemas, req, r, s.provider.PlanResourceChange(ctx, r))
	resp.ValidateDiagnostics = validated
	return resp, nil
}

func (s *grpcServer) ApplyResourceChange(ctx context.Context, req *proto.ApplyResourceChange_Request) (resp *proto.ApplyResourceChange_Response, _ error) {
	defer recoverRPC("ApplyResourceChange", func(d []*proto.Diagnostic) { resp = &proto.ApplyResourceChange_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ApplyResourceChange_Response{Diagnostics: diags}, nil
	}
	r, err := applyResourceChangeRequestFromProto(schemas, req)
	if err != nil {
		return &proto.ApplyResourceChange_Response{Diagnostics: requestError(err)}, nil
	}
	return applyResourceChangeResponseToProto(schemas, r.TypeName, s.provider.ApplyResourceChange(ctx, r)), nil
}

func (s *grpcServer) ImportResourceState(ctx context.Context, req *proto.ImportResourceState_Request) (resp *proto.ImportResourceState_Response, _ error) {
	defer recoverRPC("ImportResourceState", func(d []*proto.Diagnostic) { resp = &proto.ImportResourceState_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ImportResourceState_Response{Diagnostics: diags}, nil
	}
	r := importResourceStateRequestFromProto(req)
	return importResourceStateResponseToProto(schemas, r.TypeName, s.provider.ImportResourceState(ctx, r)), nil
}

func (s *grpcServer) ReadDataSource(ctx context.Context, req *proto.ReadDataSource_Request) (resp *proto.ReadDataSource_Response, _ error) {
	defer recoverRPC("ReadDataSource", func(d []*proto.Diagnostic) { resp = &proto.ReadDataSource_Response{Diagnostics: d} })
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.ReadDataSource_Response{Diagnostics: diags}, nil
	}
	r, err := readDataSourceRequestFromProto(schemas, req)
	if err != nil {
		return &proto.ReadDataSource_Response{Diagnostics: requestError(err)}, nil
	}
	return readDataSourceResponseToProto(schemas, r.TypeName, s.provider.ReadDataSource(ctx, r)), nil
}

// Stop cancels the context of every call in flight before asking the
// provider to stop, so that work blocked on a context ends even if the
// provider's Stop does nothing.
func (s *grpcServer) Stop(ctx context.Context, _ *proto.Stop_Request) (resp *proto.Stop_Response, _ error) {
	defer recoverRPC("Stop", func(d []*proto.Diagnostic) {
		resp = &proto.Stop_Response{Error: d[0].GetSummary()}
	})
	s.stopMu.Lock()
	s.cancel()
	s.stop, s.cancel = context.WithCancel(context.Background())
	s.stopMu.Unlock()
	if err := s.provider.Stop(ctx); err != nil {
		return &proto.Stop_Response{Error: err.Error()}, nil
	}
	return &proto.Stop_Response{}, nil
}
