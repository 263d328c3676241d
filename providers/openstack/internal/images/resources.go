package images

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Glance resource types.
func Resources() []*osfw.Resource {
	return []*osfw.Resource{Image()}
}

// DataSources are the Glance data sources.
func DataSources() []*osfw.DataSource {
	return []*osfw.DataSource{ImageData()}
}
