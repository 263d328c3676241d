package compute

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Nova resource types.
func Resources() []*osfw.Resource {
	return []*osfw.Resource{Instance(), Keypair(), ServerGroup(), Flavor(), QuotaSet(), VolumeAttach()}
}

// DataSources are the Nova data sources.
func DataSources() []*osfw.DataSource {
	return []*osfw.DataSource{FlavorData(), KeypairData()}
}
