package identity

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Keystone resource types.
func Resources() []*osfw.Resource {
	return []*osfw.Resource{
		Project(), User(), Group(), Role(), RoleAssignment(), UserMembership(), ApplicationCredential(),
	}
}

// DataSources are the Keystone data sources.
func DataSources() []*osfw.DataSource {
	return []*osfw.DataSource{ProjectData(), RoleData(), AuthScopeData()}
}
