package plugins

import (
	"context"
	"fmt"

	"github.com/nuvola-pa/nuvola/plugins/internal/convert"
	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// The ownership RPCs carry OwnedResourceFinder, for plugins whose provider
// announces Capabilities.owned_resources.

// grpcOwnedClient is the host's client of a plugin whose provider marks
// the objects it creates.
type grpcOwnedClient struct {
	*grpcClient
}

// grpcPolicyOwnedClient is both.
type grpcPolicyOwnedClient struct {
	grpcPolicyClient
}

var (
	_ OwnedResourceFinder = (*grpcOwnedClient)(nil)
	_ OwnedResourceFinder = (*grpcPolicyOwnedClient)(nil)
	_ PolicyChecker       = (*grpcPolicyOwnedClient)(nil)
)

func (c *grpcOwnedClient) FindOwnedResource(ctx context.Context, req FindOwnedResourceRequest) FindOwnedResourceResponse {
	return c.findOwnedResource(ctx, req)
}

func (c *grpcOwnedClient) ListOwnedResources(ctx context.Context, req ListOwnedResourcesRequest) ListOwnedResourcesResponse {
	return c.listOwnedResources(ctx, req)
}

func (c *grpcPolicyOwnedClient) FindOwnedResource(ctx context.Context, req FindOwnedResourceRequest) FindOwnedResourceResponse {
	return c.findOwnedResource(ctx, req)
}

func (c *grpcPolicyOwnedClient) ListOwnedResources(ctx context.Context, req ListOwnedResourcesRequest) ListOwnedResourcesResponse {
	return c.listOwnedResources(ctx, req)
}

func (c *grpcClient) findOwnedResource(ctx context.Context, req FindOwnedResourceRequest) (resp FindOwnedResourceResponse) {
	const rpc = "FindOwnedResource"
	defer recoverClient(rpc, &resp.Diagnostics)
	schemas, diags := c.schemas(ctx)
	if diags != nil {
		return FindOwnedResourceResponse{Diagnostics: diags}
	}
	presp, err := c.rpc.FindOwnedResource(ctx, &proto.FindOwnedResource_Request{
		TypeName: req.TypeName, Owner: &proto.Owner{Address: req.Owner.Address, Lineage: req.Owner.Lineage}}, callOpts...)
	if err != nil {
		return FindOwnedResourceResponse{Diagnostics: rpcError(rpc, err)}
	}
	var c2 convert.Values
	resp = FindOwnedResourceResponse{Found: presp.GetFound(), Private: presp.GetPrivate(), Diagnostics: diagnosticsFromProto(presp.GetDiagnostics())}
	if resp.Found {
		resp.State = c2.Dec("state", presp.GetState(), schemas.ResourceType(req.TypeName))
		if c2.Err != nil {
			resp.Found = false
			resp.Diagnostics = append(resp.Diagnostics, encodeError(rpc, c2.Err)...)
		}
	}
	return resp
}

func (c *grpcClient) listOwnedResources(ctx context.Context, req ListOwnedResourcesRequest) (resp ListOwnedResourcesResponse) {
	const rpc = "ListOwnedResources"
	defer recoverClient(rpc, &resp.Diagnostics)
	presp, err := c.rpc.ListOwnedResources(ctx, &proto.ListOwnedResources_Request{Lineage: req.Lineage, TypeNames: req.TypeNames}, callOpts...)
	if err != nil {
		return ListOwnedResourcesResponse{Diagnostics: rpcError(rpc, err)}
	}
	resp.Diagnostics = diagnosticsFromProto(presp.GetDiagnostics())
	for _, o := range presp.GetObjects() {
		if o == nil {
			continue
		}
		resp.Objects = append(resp.Objects, OwnedObject{TypeName: o.GetTypeName(), ID: o.GetId(), Address: o.GetAddress(), Name: o.GetName()})
	}
	return resp
}

// notOwnedResources answers the ownership RPCs of a provider that marks
// nothing; a host only calls them when the capability says otherwise.
func notOwnedResources(rpc string) []*proto.Diagnostic {
	return diagnosticsToProto(Diagnostics{{
		Severity: Error,
		Summary:  "The provider does not mark the objects it creates",
		Detail:   fmt.Sprintf("nuvola called %s, but this provider keeps no ownership marks.", rpc),
	}})
}

func (s *grpcServer) FindOwnedResource(ctx context.Context, req *proto.FindOwnedResource_Request) (resp *proto.FindOwnedResource_Response, _ error) {
	const rpc = "FindOwnedResource"
	defer recoverRPC(rpc, func(d []*proto.Diagnostic) { resp = &proto.FindOwnedResource_Response{Diagnostics: d} })
	f, ok := s.provider.(OwnedResourceFinder)
	if !ok {
		return &proto.FindOwnedResource_Response{Diagnostics: notOwnedResources(rpc)}, nil
	}
	ctx, done, schemas, diags := s.begin(ctx)
	defer done()
	if diags != nil {
		return &proto.FindOwnedResource_Response{Diagnostics: diags}, nil
	}
	r := f.FindOwnedResource(ctx, FindOwnedResourceRequest{TypeName: req.GetTypeName(),
		Owner: Owner{Address: req.GetOwner().GetAddress(), Lineage: req.GetOwner().GetLineage()}})
	var c convert.Values
	out := &proto.FindOwnedResource_Response{Found: r.Found, Private: r.Private}
	if r.Found {
		out.State = c.Enc("state", r.State, schemas.ResourceType(req.GetTypeName()))
	}
	out.Diagnostics = diagnosticsToProto(responseDiags(r.Diagnostics, c.Err))
	if c.Err != nil {
		out.Found, out.State = false, nil
	}
	return out, nil
}

func (s *grpcServer) ListOwnedResources(ctx context.Context, req *proto.ListOwnedResources_Request) (resp *proto.ListOwnedResources_Response, _ error) {
	const rpc = "ListOwnedResources"
	defer recoverRPC(rpc, func(d []*proto.Diagnostic) { resp = &proto.ListOwnedResources_Response{Diagnostics: d} })
	f, ok := s.provider.(OwnedResourceFinder)
	if !ok {
		return &proto.ListOwnedResources_Response{Diagnostics: notOwnedResources(rpc)}, nil
	}
	ctx, done := s.callContext(ctx)
	defer done()
	r := f.ListOwnedResources(ctx, ListOwnedResourcesRequest{Lineage: req.GetLineage(), TypeNames: req.GetTypeNames()})
	out := &proto.ListOwnedResources_Response{Diagnostics: diagnosticsToProto(r.Diagnostics)}
	for _, o := range r.Objects {
		out.Objects = append(out.Objects, &proto.ListOwnedResources_Object{TypeName: o.TypeName, Id: o.ID, Address: o.Address, Name: o.Name})
	}
	return out, nil
}
