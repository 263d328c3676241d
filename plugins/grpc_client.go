package plugins

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/nuvola-pa/nuvola/plugins/internal/convert"
	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// NewGRPCClientFromConn returns a Provider whose methods call the provider
// plugin served on conn. The caller keeps ownership of conn: Close does not
// close it.
//
// Values are encoded against the plugin's schema, which the client asks for
// at once, with ctx, and then keeps; the schema's answer also says what the
// served provider does beyond Provider, so the client returned implements
// PolicyChecker exactly when the plugin's provider does. When the schema
// cannot be had (the error comes back on the first call that needs it),
// the client is a plain Provider.
func NewGRPCClientFromConn(ctx context.Context, conn grpc.ClientConnInterface) Provider {
	c := newGRPCClient(conn)
	_, _ = c.loadSchema(ctx)
	return c.withCapabilities()
}

// newGRPCClient returns a client that asks for the schema on the first call
// that needs it.
func newGRPCClient(conn grpc.ClientConnInterface) *grpcClient {
	rpc := proto.NewProviderClient(conn)
	return &grpcClient{rpc: rpc, batch: &batcher{rpc: rpc}}
}

// grpcClient never panics and never returns a Go error in place of
// diagnostics: a failed call becomes an error diagnostic naming the RPC.
type grpcClient struct {
	rpc proto.ProviderClient
	// batch carries the calls about resources and data sources, which
	// callers make many at a time; the calls about the provider itself go
	// as their own RPCs.
	batch *batcher

	// close, when set, ends the plugin process; the launcher sets it.
	close func() error

	schemaMu sync.Mutex
	schema   atomic.Pointer[clientSchema]
}

type clientSchema struct {
	resp    GetSchemaResponse
	schemas *convert.Schemas
	caps    *proto.Capabilities
}

// capabilities are the plugin's, once its schema has arrived; none before.
func (c *grpcClient) capabilities() *proto.Capabilities {
	if s := c.schema.Load(); s != nil {
		return s.caps
	}
	return nil
}

// callOpts raises the receive limit from gRPC's 4 MiB, which a large
// ReadResources batch or schema exceeds.
var callOpts = []grpc.CallOption{grpc.MaxCallRecvMsgSize(maxMessageSize)}

// schemas returns the plugin's schemas, asking for them the first time. A
// schema with errors is not kept: the call that needed it fails with those
// errors, and the next call asks again.
func (c *grpcClient) schemas(ctx context.Context) (*convert.Schemas, Diagnostics) {
	if s := c.schema.Load(); s != nil {
		return s.schemas, nil
	}
	s, diags := c.loadSchema(ctx)
	if s == nil {
		return nil, diags
	}
	return s.schemas, nil
}

func (c *grpcClient) loadSchema(ctx context.Context) (*clientSchema, Diagnostics) {
	c.schemaMu.Lock()
	defer c.schemaMu.Unlock()
	if s := c.schema.Load(); s != nil {
		return s, nil
	}
	pr, err := c.rpc.GetSchema(ctx, &proto.GetSchema_Request{}, callOpts...)
	if err != nil {
		return nil, rpcError("GetSchema", err)
	}
	resp := getSchemaResponseFromProto(pr)
	if resp.Diagnostics.HasErrors() {
		return nil, resp.Diagnostics
	}
	s := &clientSchema{resp: resp, schemas: schemasOf(resp), caps: pr.GetCapabilities()}
	c.schema.Store(s)
	return s, nil
}

// rpcError is the diagnostic for a call that did not get an answer from the
// plugin: the process died, the connection broke or the context ended.
func rpcError(rpc string, err error) Diagnostics {
	detail := err.Error()
	if st, ok := status.FromError(err); ok {
		detail = fmt.Sprintf("%s (%s)", st.Message(), st.Code())
	}
	return Diagnostics{{
		Severity: Error,
		Summary:  fmt.Sprintf("Provider plugin call %s failed", rpc),
		Detail:   fmt.Sprintf("nuvola could not get an answer to %s from the provider plugin: %s.", rpc, detail),
	}}
}

// encodeError is the diagnostic for a request value that does not fit the
// provider's schema.
func encodeError(rpc string, err error) Diagnostics {
	return Diagnostics{errorDiagnostic("Invalid value in request to provider", fmt.Errorf("%s: %w", rpc, err))}
}

// recoverClient turns a panic in the client into an error diagnostic on the
// method's response: malformed data from a plugin must not crash the host.
func recoverClient(rpc string, diags *Diagnostics) {
	if r := recover(); r != nil {
		*diags = append(*diags, Diagnostic{
			Severity: Error,
			Summary:  fmt.Sprintf("Provider plugin call %s failed", rpc),
			Detail:   fmt.Sprintf("nuvola failed to handle the provider's answer to %s: %v. This is a bug in nuvola.", rpc, r),
		})
	}
}

// GetSchema returns the plugin's schemas; once a schema without errors has
// arrived, later calls answer from it.
func (c *grpcClient) GetSchema(ctx context.Context, _ GetSchemaRequest) (resp GetSchemaResponse) {
	defer recoverClient("GetSchema", &resp.Diagnostics)
	if s := c.schema.Load(); s != nil {
		return s.resp
	}
	pr, err := c.rpc.GetSchema(ctx, &proto.GetSchema_Request{}, callOpts...)
	if err != nil {
		return GetSchemaResponse{Diagnostics: rpcError("GetSchema", err)}
	}
	resp = getSchemaResponseFromProto(pr)
	if !resp.Diagnostics.HasErrors() {
		c.schemaMu.Lock()
		if c.schema.Load() == nil {
			c.schema.Store(&clientSchema{resp: resp, schemas: schemasOf(resp), caps: pr.GetCapabilities()})
		}
		c.schemaMu.Unlock()
	}
	return resp
}

func (c *grpcClient) ValidateProviderConfig(ctx context.Context, req ValidateProviderConfigRequest) (resp ValidateProviderConfigResponse) {
	const rpc = "ValidateProviderConfig"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ValidateProviderConfigResponse{Diagnostics: diags}
	}
	preq, err := validateProviderConfigRequestToProto(schemas, req)
	if err != nil {
		return ValidateProviderConfigResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := c.rpc.ValidateProviderConfig(ctx, preq, callOpts...)
	if err != nil {
		return ValidateProviderConfigResponse{Diagnostics: rpcError(rpc, err)}
	}
	return validateProviderConfigResponseFromProto(presp)
}

func (c *grpcClient) ValidateResourceConfig(ctx context.Context, req ValidateResourceConfigRequest) (resp ValidateResourceConfigResponse) {
	const rpc = "ValidateResourceConfig"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ValidateResourceConfigResponse{Diagnostics: diags}
	}
	preq, err := validateResourceConfigRequestToProto(schemas, req)
	if err != nil {
		return ValidateResourceConfigResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_ValidateResourceConfig{ValidateResourceConfig: preq}}, (*proto.Batch_Result).GetValidateResourceConfig,
		func() (*proto.ValidateResourceConfig_Response, error) {
			return c.rpc.ValidateResourceConfig(ctx, preq, callOpts...)
		})
	if err != nil {
		return ValidateResourceConfigResponse{Diagnostics: rpcError(rpc, err)}
	}
	return validateResourceConfigResponseFromProto(presp)
}

func (c *grpcClient) ValidateDataSourceConfig(ctx context.Context, req ValidateDataSourceConfigRequest) (resp ValidateDataSourceConfigResponse) {
	const rpc = "ValidateDataSourceConfig"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ValidateDataSourceConfigResponse{Diagnostics: diags}
	}
	preq, err := validateDataSourceConfigRequestToProto(schemas, req)
	if err != nil {
		return ValidateDataSourceConfigResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_ValidateDataSourceConfig{ValidateDataSourceConfig: preq}}, (*proto.Batch_Result).GetValidateDataSourceConfig,
		func() (*proto.ValidateDataSourceConfig_Response, error) {
			return c.rpc.ValidateDataSourceConfig(ctx, preq, callOpts...)
		})
	if err != nil {
		return ValidateDataSourceConfigResponse{Diagnostics: rpcError(rpc, err)}
	}
	return validateDataSourceConfigResponseFromProto(presp)
}

func (c *grpcClient) ConfigureProvider(ctx context.Context, req ConfigureProviderRequest) (resp ConfigureProviderResponse) {
	const rpc = "ConfigureProvider"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ConfigureProviderResponse{Diagnostics: diags}
	}
	preq, err := configureProviderRequestToProto(schemas, req)
	if err != nil {
		return ConfigureProviderResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := c.rpc.ConfigureProvider(ctx, preq, callOpts...)
	if err != nil {
		return ConfigureProviderResponse{Diagnostics: rpcError(rpc, err)}
	}
	return configureProviderResponseFromProto(presp)
}

func (c *grpcClient) UpgradeResourceState(ctx context.Context, req UpgradeResourceStateRequest) (resp UpgradeResourceStateResponse) {
	const rpc = "UpgradeResourceState"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return UpgradeResourceStateResponse{Diagnostics: diags}
	}
	preq := upgradeResourceStateRequestToProto(req)
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_UpgradeResourceState{UpgradeResourceState: preq}}, (*proto.Batch_Result).GetUpgradeResourceState,
		func() (*proto.UpgradeResourceState_Response, error) {
			return c.rpc.UpgradeResourceState(ctx, preq, callOpts...)
		})
	if err != nil {
		return UpgradeResourceStateResponse{Diagnostics: rpcError(rpc, err)}
	}
	return upgradeResourceStateResponseFromProto(schemas, req.TypeName, presp)
}

func (c *grpcClient) ReadResource(ctx context.Context, req ReadResourceRequest) (resp ReadResourceResponse) {
	const rpc = "ReadResource"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ReadResourceResponse{Diagnostics: diags}
	}
	preq, err := readResourceRequestToProto(schemas, req)
	if err != nil {
		return ReadResourceResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_ReadResource{ReadResource: preq}}, (*proto.Batch_Result).GetReadResource,
		func() (*proto.ReadResource_Response, error) { return c.rpc.ReadResource(ctx, preq, callOpts...) })
	if err != nil {
		return ReadResourceResponse{Diagnostics: rpcError(rpc, err)}
	}
	return readResourceResponseFromProto(schemas, req.TypeName, req, preq, presp)
}

func (c *grpcClient) ReadResources(ctx context.Context, req ReadResourcesRequest) (resp ReadResourcesResponse) {
	const rpc = "ReadResources"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ReadResourcesResponse{Diagnostics: diags}
	}
	preq, err := readResourcesRequestToProto(schemas, req)
	if err != nil {
		return ReadResourcesResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_ReadResources{ReadResources: preq}}, (*proto.Batch_Result).GetReadResources,
		func() (*proto.ReadResources_Response, error) { return c.rpc.ReadResources(ctx, preq, callOpts...) })
	if err != nil {
		return ReadResourcesResponse{Diagnostics: rpcError(rpc, err)}
	}
	return readResourcesResponseFromProto(schemas, req, preq, presp)
}

func (c *grpcClient) PlanResourceChange(ctx context.Context, req PlanResourceChangeRequest) (resp PlanResourceChangeResponse) {
	const rpc = "PlanResourceChange"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return PlanResourceChangeResponse{Diagnostics: diags}
	}
	preq, err := planResourceChangeRequestToProto(schemas, req, c.capabilities().GetProposedIsPrior())
	if err != nil {
		return PlanResourceChangeResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_PlanResourceChange{PlanResourceChange: preq}}, (*proto.Batch_Result).GetPlanResourceChange,
		func() (*proto.PlanResourceChange_Response, error) {
			return c.rpc.PlanResourceChange(ctx, preq, callOpts...)
		})
	if err != nil {
		return PlanResourceChangeResponse{Diagnostics: rpcError(rpc, err)}
	}
	return planResourceChangeResponseFromProto(schemas, req, preq, presp)
}

// ValidateAndPlanResourceChange asks a plugin that can to validate and plan
// in one call; others get the two calls.
func (c *grpcClient) ValidateAndPlanResourceChange(ctx context.Context, req PlanResourceChangeRequest) (vresp ValidateResourceConfigResponse, resp PlanResourceChangeResponse) {
	const rpc = "PlanResourceChange"
	if !c.capabilities().GetValidateInPlan() {
		return validateThenPlan(ctx, c, req)
	}
	defer recoverClient(rpc, &vresp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ValidateResourceConfigResponse{Diagnostics: diags}, PlanResourceChangeResponse{}
	}
	preq, err := planResourceChangeRequestToProto(schemas, req, c.capabilities().GetProposedIsPrior())
	if err != nil {
		return ValidateResourceConfigResponse{Diagnostics: encodeError(rpc, err)}, PlanResourceChangeResponse{}
	}
	preq.ValidateConfig = true
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_PlanResourceChange{PlanResourceChange: preq}}, (*proto.Batch_Result).GetPlanResourceChange,
		func() (*proto.PlanResourceChange_Response, error) {
			return c.rpc.PlanResourceChange(ctx, preq, callOpts...)
		})
	if err != nil {
		return ValidateResourceConfigResponse{Diagnostics: rpcError(rpc, err)}, PlanResourceChangeResponse{}
	}
	vresp.Diagnostics = diagnosticsFromProto(presp.GetValidateDiagnostics())
	if vresp.Diagnostics.HasErrors() {
		return vresp, PlanResourceChangeResponse{}
	}
	return vresp, planResourceChangeResponseFromProto(schemas, req, preq, presp)
}

func (c *grpcClient) ApplyResourceChange(ctx context.Context, req ApplyResourceChangeRequest) (resp ApplyResourceChangeResponse) {
	const rpc = "ApplyResourceChange"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ApplyResourceChangeResponse{Diagnostics: diags}
	}
	preq, err := applyResourceChangeRequestToProto(schemas, req)
	if err != nil {
		return ApplyResourceChangeResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_ApplyResourceChange{ApplyResourceChange: preq}}, (*proto.Batch_Result).GetApplyResourceChange,
		func() (*proto.ApplyResourceChange_Response, error) {
			return c.rpc.ApplyResourceChange(ctx, preq, callOpts...)
		})
	if err != nil {
		return ApplyResourceChangeResponse{Diagnostics: rpcError(rpc, err)}
	}
	return applyResourceChangeResponseFromProto(schemas, req.TypeName, presp)
}

func (c *grpcClient) ImportResourceState(ctx context.Context, req ImportResourceStateRequest) (resp ImportResourceStateResponse) {
	const rpc = "ImportResourceState"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ImportResourceStateResponse{Diagnostics: diags}
	}
	preq := importResourceStateRequestToProto(req)
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_ImportResourceState{ImportResourceState: preq}}, (*proto.Batch_Result).GetImportResourceState,
		func() (*proto.ImportResourceState_Response, error) {
			return c.rpc.ImportResourceState(ctx, preq, callOpts...)
		})
	if err != nil {
		return ImportResourceStateResponse{Diagnostics: rpcError(rpc, err)}
	}
	return importResourceStateResponseFromProto(schemas, req.TypeName, presp)
}

func (c *grpcClient) ReadDataSource(ctx context.Context, req ReadDataSourceRequest) (resp ReadDataSourceResponse) {
	const rpc = "ReadDataSource"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return ReadDataSourceResponse{Diagnostics: diags}
	}
	preq, err := readDataSourceRequestToProto(schemas, req)
	if err != nil {
		return ReadDataSourceResponse{Diagnostics: encodeError(rpc, err)}
	}
	presp, err := batched(c, ctx, &proto.Batch_Call{Request: &proto.Batch_Call_ReadDataSource{ReadDataSource: preq}}, (*proto.Batch_Result).GetReadDataSource,
		func() (*proto.ReadDataSource_Response, error) { return c.rpc.ReadDataSource(ctx, preq, callOpts...) })
	if err != nil {
		return ReadDataSourceResponse{Diagnostics: rpcError(rpc, err)}
	}
	return readDataSourceResponseFromProto(schemas, req.TypeName, presp)
}

// Stop asks the plugin to cancel the calls in flight. It needs no schema, so
// it works even when the plugin never answered GetSchema.
func (c *grpcClient) Stop(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("provider plugin call Stop failed: %v", r)
		}
	}()
	resp, err := c.rpc.Stop(ctx, &proto.Stop_Request{}, callOpts...)
	if err != nil {
		return fmt.Errorf("provider plugin call Stop failed: %w", err)
	}
	if msg := resp.GetError(); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// Close ends the plugin process when the client was made by a launcher, and
// otherwise does nothing: the connection belongs to whoever made it.
func (c *grpcClient) Close() error {
	if c.close == nil {
		return nil
	}
	return c.close()
}
