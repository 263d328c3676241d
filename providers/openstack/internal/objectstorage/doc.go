// Package objectstorage holds the openstack provider's Swift resource types and
// data sources.
//
// It may import osfw, plugins, gophercloud and the standard library.
package objectstorage
