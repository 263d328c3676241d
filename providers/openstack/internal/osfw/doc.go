// Package osfw is the openstack provider's framework: how a resource type
// is declared (schema, create/read/update/delete, batched refresh, import,
// adoption of a create whose answer was lost), the generic plan, timeouts
// and default tags, the authenticated client with its error classifier,
// retries, per-service limits and request counts, and the waiters.
//
// The resource families (identity, networking, block and object storage,
// compute, images) build on it; the openstack package assembles them.
//
// It may import plugins, plugins/sdk, gophercloud and the standard library;
// nothing from engine/, hcl/ or cmd/.
package osfw
