package identity

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Keystone resource types.
func Resources() []*osfw.Resource {
	return nil
}

// DataSources are the Keystone data sources.
func DataSources() []*osfw.DataSource {
	return nil
}
