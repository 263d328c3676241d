// Package images holds the openstack provider's Glance resource types and
// data sources.
//
// It may import osfw, plugins, gophercloud and the standard library.
package images
