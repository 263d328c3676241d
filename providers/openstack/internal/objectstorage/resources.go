package objectstorage

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Swift resource types.
func Resources() []*osfw.Resource {
	return []*osfw.Resource{Container(), Object(), TempURL()}
}

// DataSources are the Swift data sources.
func DataSources() []*osfw.DataSource {
	return nil
}
