// Package compute holds the openstack provider's Nova resource types and
// data sources.
//
// It may import osfw, plugins, gophercloud and the standard library.
package compute
