// Package blockstorage holds the openstack provider's Cinder resource types and
// data sources.
//
// It may import osfw, plugins, gophercloud and the standard library.
package blockstorage
