// Package openstack is nuvola's built-in OpenStack provider, served as a
// plugin like any other. Its resource types and arguments follow
// terraform-provider-openstack, so existing configurations run unchanged:
// identity (Keystone v3), networking (Neutron), block storage (Cinder v3),
// object storage (Swift), compute (Nova) and images (Glance v2), on
// gophercloud v2.
//
// This package assembles the families under internal/; the framework they
// share is internal/osfw. It may import plugins, its internal packages,
// gophercloud and the standard library.
package openstack
