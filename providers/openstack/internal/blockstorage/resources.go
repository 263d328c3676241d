package blockstorage

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Cinder resource types.
func Resources() []*osfw.Resource {
	return nil
}

// DataSources are the Cinder data sources.
func DataSources() []*osfw.DataSource {
	return nil
}
