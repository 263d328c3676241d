package plugins

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// ownerProvider marks what it creates and finds it again.
type ownerProvider struct {
	*testProvider
}

func (p *ownerProvider) FindOwnedResource(_ context.Context, req FindOwnedResourceRequest) FindOwnedResourceResponse {
	p.record("FindOwnedResource", req)
	if req.Owner.Address != "test_server.web" {
		return FindOwnedResourceResponse{}
	}
	return FindOwnedResourceResponse{Found: true, State: testServer("web"), Private: []byte("p"),
		Diagnostics: Diagnostics{{Severity: Warning, Summary: "adopted"}}}
}

func (p *ownerProvider) ListOwnedResources(_ context.Context, req ListOwnedResourcesRequest) ListOwnedResourcesResponse {
	p.record("ListOwnedResources", req)
	return ListOwnedResourcesResponse{Objects: []OwnedObject{
		{TypeName: "test_server", ID: "s-1", Address: "test_server.web", Name: "web"},
		{TypeName: "test_server", ID: "s-2", Address: "#" + OwnerAddressHash(`module.m["a"].test_server.x`)},
	}}
}

func TestGRPCOwnedResources(t *testing.T) {
	ctx := context.Background()
	plain, _ := connect(t, newTestProvider())
	_, ok := plain.(OwnedResourceFinder)
	assert.False(t, ok, "a provider that marks nothing gets a client that does not either")

	prov := &ownerProvider{newTestProvider()}
	client, _ := connect(t, prov)
	finder, ok := client.(OwnedResourceFinder)
	require.True(t, ok)
	_, ok = client.(PolicyChecker)
	assert.False(t, ok)

	found := finder.FindOwnedResource(ctx, FindOwnedResourceRequest{TypeName: "test_server", Owner: Owner{Address: "test_server.web", Lineage: "L"}})
	require.True(t, found.Found)
	assertValue(t, unmarked(testServer("web")), found.State)
	assert.Equal(t, []byte("p"), found.Private)
	assert.Equal(t, "adopted", found.Diagnostics[0].Summary)
	assert.Equal(t, FindOwnedResourceRequest{TypeName: "test_server", Owner: Owner{Address: "test_server.web", Lineage: "L"}}, prov.lastRequest("FindOwnedResource"))
	missing := finder.FindOwnedResource(ctx, FindOwnedResourceRequest{TypeName: "test_server", Owner: Owner{Address: "test_server.other", Lineage: "L"}})
	assert.False(t, missing.Found)
	assert.Empty(t, missing.Diagnostics)

	list := finder.ListOwnedResources(ctx, ListOwnedResourcesRequest{Lineage: "L", TypeNames: []string{"test_server"}})
	require.Len(t, list.Objects, 2)
	assert.Equal(t, OwnedObject{TypeName: "test_server", ID: "s-1", Address: "test_server.web", Name: "web"}, list.Objects[0])
	assert.Equal(t, ListOwnedResourcesRequest{Lineage: "L", TypeNames: []string{"test_server"}}, prov.lastRequest("ListOwnedResources"))

	// The owner of a create crosses with the apply.
	planned := testServer("web")
	client.ApplyResourceChange(ctx, ApplyResourceChangeRequest{TypeName: "test_server", PriorState: cty.NullVal(testServerType),
		PlannedState: planned, Config: planned, Owner: &Owner{Address: "test_server.web", Lineage: "L"}})
	got := prov.lastRequest("ApplyResourceChange").(ApplyResourceChangeRequest)
	require.NotNil(t, got.Owner)
	assert.Equal(t, Owner{Address: "test_server.web", Lineage: "L"}, *got.Owner)
	client.ApplyResourceChange(ctx, ApplyResourceChangeRequest{TypeName: "test_server", PriorState: planned, PlannedState: planned, Config: planned})
	assert.Nil(t, prov.lastRequest("ApplyResourceChange").(ApplyResourceChangeRequest).Owner, "no owner for an update")

	// Both capabilities at once.
	both, _ := connect(t, &policyOwnerProvider{&policyProvider{newTestProvider()}})
	_, ok = both.(OwnedResourceFinder)
	assert.True(t, ok)
	_, ok = both.(PolicyChecker)
	assert.True(t, ok)

	// A host that calls the RPCs of a plain provider gets a diagnostic.
	raw := &grpcOwnedClient{plain.(*grpcClient)}
	assert.True(t, raw.FindOwnedResource(ctx, FindOwnedResourceRequest{TypeName: "test_server"}).Diagnostics.HasErrors())
	assert.True(t, raw.ListOwnedResources(ctx, ListOwnedResourcesRequest{}).Diagnostics.HasErrors())
}

type policyOwnerProvider struct {
	*policyProvider
}

func (p *policyOwnerProvider) FindOwnedResource(context.Context, FindOwnedResourceRequest) FindOwnedResourceResponse {
	return FindOwnedResourceResponse{}
}

func (p *policyOwnerProvider) ListOwnedResources(context.Context, ListOwnedResourcesRequest) ListOwnedResourcesResponse {
	return ListOwnedResourcesResponse{}
}
