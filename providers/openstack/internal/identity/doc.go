// Package identity holds the openstack provider's Keystone resource types and
// data sources.
//
// It may import osfw, plugins, gophercloud and the standard library.
package identity
