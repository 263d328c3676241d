// Package networking holds the openstack provider's Neutron resource types
// and data sources: networks, subnets, routers and their interfaces, ports,
// floating IPs, security groups and rules, quotas.
//
// It may import osfw, plugins, gophercloud and the standard library.
package networking
