package openstack

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/blockstorage"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/compute"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/identity"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/images"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/networking"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/objectstorage"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// unmarked are the resource types without an ownership mark, each for a
// reason osfw.MarkKind gives. A new type is marked, or added here with
// its reason there.
var unmarked = map[string]bool{
	"openstack_compute_quotaset_v2":                true,
	"openstack_blockstorage_quotaset_v3":           true,
	"openstack_networking_quota_v2":                true,
	"openstack_identity_role_assignment_v3":        true,
	"openstack_identity_user_membership_v3":        true,
	"openstack_networking_floatingip_associate_v2": true,
	"openstack_objectstorage_object_v1":            true,
	"openstack_networking_router_interface_v2":     true,
	"openstack_compute_volume_attach_v2":           true,
	"openstack_compute_keypair_v2":                 true,
	"openstack_identity_role_v3":                   true,
	"openstack_compute_servergroup_v2":             true,
	"openstack_objectstorage_tempurl_v1":           true,
}

func TestEveryResourceTypeIsMarkedOrSaysWhyNot(t *testing.T) {
	var all []*osfw.Resource
	for _, f := range []func() []*osfw.Resource{identity.Resources, networking.Resources, blockstorage.Resources,
		objectstorage.Resources, compute.Resources, images.Resources} {
		all = append(all, f()...)
	}
	seen := map[string]bool{}
	for _, r := range all {
		seen[r.Type] = true
		if unmarked[r.Type] {
			assert.Equal(t, osfw.NoMark, r.Mark, "%s is marked: take it off the list", r.Type)
			continue
		}
		assert.NotEqual(t, osfw.NoMark, r.Mark, "%s has no ownership mark and no reason for none", r.Type)
		assert.NotNil(t, r.ListMarked, r.Type)
	}
	for typ := range unmarked {
		assert.True(t, seen[typ], "%s is no resource type", typ)
	}
}
