package compute

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Nova resource types.
func Resources() []*osfw.Resource {
	return nil
}

// DataSources are the Nova data sources.
func DataSources() []*osfw.DataSource {
	return nil
}
