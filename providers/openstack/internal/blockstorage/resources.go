package blockstorage

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Cinder resource types.
func Resources() []*osfw.Resource {
	return []*osfw.Resource{Volume(), VolumeType(), Quotaset(), Snapshot(), Backup()}
}

// DataSources are the Cinder data sources.
func DataSources() []*osfw.DataSource {
	return []*osfw.DataSource{VolumeData(), SnapshotData(), VolumeTypeData(), AvailabilityZonesData(), QuotasetData()}
}
