package plugins

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/zclconf/go-cty/cty"
)

// Owner identifies the resource instance an object belongs to. Providers
// write it on every object they create (as tags, metadata or whatever the
// API keeps), so that an object whose create answer was lost can be found
// and adopted rather than created twice, and objects of a state that the
// state does not hold can be listed as orphans.
type Owner struct {
	// Address is the resource instance address, e.g.
	// `module.comune["prato"].openstack_networking_network_v2.net`.
	Address string
	// Lineage is the state's lineage.
	Lineage string
}

// OwnedResourceFinder is implemented by providers that mark the objects
// they create with their Owner.
type OwnedResourceFinder interface {
	// FindOwnedResource looks for the object of one resource instance by
	// its mark. Found is false when there is none; State is the object as
	// ReadResource would return it.
	FindOwnedResource(ctx context.Context, req FindOwnedResourceRequest) FindOwnedResourceResponse
	// ListOwnedResources lists the objects of the given types that carry
	// the lineage's mark.
	ListOwnedResources(ctx context.Context, req ListOwnedResourcesRequest) ListOwnedResourcesResponse
}

// FindOwnedResourceRequest names the instance to look for.
type FindOwnedResourceRequest struct {
	TypeName string
	Owner    Owner
}

// FindOwnedResourceResponse is the object found, if any.
type FindOwnedResourceResponse struct {
	Found       bool
	State       cty.Value
	Private     []byte
	Diagnostics Diagnostics
}

// ListOwnedResourcesRequest asks for every marked object of a lineage.
type ListOwnedResourcesRequest struct {
	Lineage   string
	TypeNames []string
}

// OwnedObject is one marked object in the cloud.
type OwnedObject struct {
	TypeName string
	// ID is what ImportResourceState takes to import it.
	ID string
	// Address is the resource instance the mark names.
	Address string
	// Name is the object's name, for people reading the list.
	Name string
}

// ListOwnedResourcesResponse lists the objects found.
type ListOwnedResourcesResponse struct {
	Objects     []OwnedObject
	Diagnostics Diagnostics
}

// OwnerAddressHash is the short form of a resource address that marks keep
// where the address itself does not fit: the first 16 hex digits of its
// SHA-256. OwnedObject.Address is "#" followed by it when the object's
// mark holds no more.
func OwnerAddressHash(addr string) string {
	sum := sha256.Sum256([]byte(addr))
	return hex.EncodeToString(sum[:8])
}
