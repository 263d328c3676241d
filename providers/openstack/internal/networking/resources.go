package networking

import "github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"

// Resources are the Neutron resource types.
func Resources() []*osfw.Resource {
	return []*osfw.Resource{
		Network(), Subnet(), Router(), RouterInterface(), Port(), FloatingIP(), FloatingIPAssociate(),
		SecGroup(), SecGroupRule(), Quota(),
	}
}

// DataSources are the Neutron data sources.
func DataSources() []*osfw.DataSource {
	return []*osfw.DataSource{NetworkData(), SubnetData(), SecGroupData()}
}
