package openstack

import (
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/blockstorage"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/compute"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/identity"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/images"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/networking"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/objectstorage"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// Sources are the provider source addresses the built-in provider answers
// to: terraform-provider-openstack's, and the implied one of a
// configuration that declares nothing.
var Sources = []string{
	"registry.opentofu.org/terraform-provider-openstack/openstack",
	"registry.terraform.io/terraform-provider-openstack/openstack",
	"registry.opentofu.org/hashicorp/openstack",
	"registry.terraform.io/hashicorp/openstack",
}

// New returns the openstack provider.
func New() plugins.Provider {
	var resources []*osfw.Resource
	var dataSources []*osfw.DataSource
	for _, f := range []struct {
		r func() []*osfw.Resource
		d func() []*osfw.DataSource
	}{
		{identity.Resources, identity.DataSources},
		{networking.Resources, networking.DataSources},
		{blockstorage.Resources, blockstorage.DataSources},
		{objectstorage.Resources, objectstorage.DataSources},
		{compute.Resources, compute.DataSources},
		{images.Resources, images.DataSources},
	} {
		resources = append(resources, f.r()...)
		dataSources = append(dataSources, f.d()...)
	}
	return osfw.NewProvider(osfw.ProviderBlock(), osfw.Configure, resources, dataSources)
}
