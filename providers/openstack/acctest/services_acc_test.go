package acctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Acceptance tests of the cloud itself, through gophercloud: they run with
// NUVOLA_ACC=1 against the devcloud (scripts/devcloud up) and skip otherwise.

func TestAccPasswordAndApplicationCredential(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	for _, name := range []string{CloudAdmin, CloudDemo, CloudAlt} {
		c := e.Cloud(name) // password authentication
		require.NotEmpty(t, c.UserID, name)
		require.NotEmpty(t, c.ProjectID, name)
	}

	demo := e.Cloud(CloudDemo)
	ic := e.Client(demo.Identity)
	ac, err := applicationcredentials.Create(ctx, ic, demo.UserID, applicationcredentials.CreateOpts{
		Name: e.Name("appcred"), Description: "acceptance test"}).Extract()
	require.NoError(t, err)

	appAuth := gophercloud.AuthOptions{IdentityEndpoint: demo.Auth.IdentityEndpoint,
		ApplicationCredentialID: ac.ID, ApplicationCredentialSecret: ac.Secret, AllowReauth: true}
	app, err := ConnectWith(ctx, "appcred", appAuth, demo.Endpoint)
	require.NoError(t, err, "authenticate with the application credential")
	assert.Equal(t, demo.UserID, app.UserID)
	assert.Equal(t, demo.ProjectID, app.ProjectID)
	// the application credential's token works against another service
	nc := e.Client(app.Network)
	_, err = networks.List(nc, networks.ListOpts{Name: "public"}).AllPages(ctx)
	require.NoError(t, err)

	require.NoError(t, applicationcredentials.Delete(ctx, ic, demo.UserID, ac.ID).ExtractErr())
	_, err = ConnectWith(ctx, "appcred", appAuth, demo.Endpoint)
	require.Error(t, err, "a deleted application credential must not authenticate")
}

func TestAccProject(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	admin := e.Admin()
	ic := e.Client(admin.Identity)

	p, err := projects.Create(ctx, ic, projects.CreateOpts{Name: e.Name("project"), Description: "acceptance test"}).Extract()
	require.NoError(t, err)
	u, err := users.Create(ctx, ic, users.CreateOpts{Name: e.Name("user"), Password: "pw-" + e.Prefix,
		DefaultProjectID: p.ID, DomainID: "default"}).Extract()
	require.NoError(t, err)
	member := roleID(t, e, "member")
	require.NoError(t, roles.Assign(ctx, ic, member, roles.AssignOpts{UserID: u.ID, ProjectID: p.ID}).ExtractErr())

	// the new user logs in to the new project with its password
	ao := gophercloud.AuthOptions{IdentityEndpoint: admin.Auth.IdentityEndpoint, Username: u.Name,
		Password: "pw-" + e.Prefix, DomainID: "default", Scope: &gophercloud.AuthScope{ProjectID: p.ID}}
	c, err := ConnectWith(ctx, "new-user", ao, admin.Endpoint)
	require.NoError(t, err)
	assert.Equal(t, p.ID, c.ProjectID)
	tok, err := tokens.Get(ctx, e.Client(c.Identity), c.Provider.Token()).ExtractRoles()
	require.NoError(t, err)
	var names []string
	for _, r := range tok {
		names = append(names, r.Name)
	}
	assert.Contains(t, names, "member") // and the roles member implies (reader)

	require.NoError(t, users.Delete(ctx, ic, u.ID).ExtractErr())
	require.NoError(t, projects.Delete(ctx, ic, p.ID).ExtractErr())
	_, err = projects.Get(ctx, ic, p.ID).Extract()
	assert.True(t, notFound(err), "project still there: %v", err)
}

func roleID(t *testing.T, e *Env, name string) string {
	t.Helper()
	pages, err := roles.List(e.Client(e.Admin().Identity), roles.ListOpts{Name: name}).AllPages(e.Context())
	require.NoError(t, err)
	rs, err := roles.ExtractRoles(pages)
	require.NoError(t, err)
	require.Len(t, rs, 1, "role %s", name)
	return rs[0].ID
}

func publicNetworkID(t *testing.T, e *Env, nc *gophercloud.ServiceClient) string {
	t.Helper()
	pages, err := networks.List(nc, networks.ListOpts{Name: "public"}).AllPages(e.Context())
	require.NoError(t, err)
	ns, err := networks.ExtractNetworks(pages)
	require.NoError(t, err)
	require.Len(t, ns, 1, "the devcloud's external network public")
	return ns[0].ID
}

func TestAccNetworkSubnetRouter(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	nc := e.Client(e.Cloud(CloudDemo).Network)

	net, err := networks.Create(ctx, nc, networks.CreateOpts{Name: e.Name("net")}).Extract()
	require.NoError(t, err)
	sub, err := subnets.Create(ctx, nc, subnets.CreateOpts{Name: e.Name("subnet"), NetworkID: net.ID,
		CIDR: "10.42.0.0/24", IPVersion: gophercloud.IPv4}).Extract()
	require.NoError(t, err)
	assert.Equal(t, "10.42.0.1", sub.GatewayIP)

	r, err := routers.Create(ctx, nc, routers.CreateOpts{Name: e.Name("router"),
		GatewayInfo: &routers.GatewayInfo{NetworkID: publicNetworkID(t, e, nc)}}).Extract()
	require.NoError(t, err)
	require.NotEmpty(t, r.GatewayInfo.ExternalFixedIPs, "gateway on the external network gets an address")
	_, err = routers.AddInterface(ctx, nc, r.ID, routers.AddInterfaceOpts{SubnetID: sub.ID}).Extract()
	require.NoError(t, err)

	_, err = routers.RemoveInterface(ctx, nc, r.ID, routers.RemoveInterfaceOpts{SubnetID: sub.ID}).Extract()
	require.NoError(t, err)
	require.NoError(t, routers.Delete(ctx, nc, r.ID).ExtractErr())
	require.NoError(t, networks.Delete(ctx, nc, net.ID).ExtractErr())
	_, err = subnets.Get(ctx, nc, sub.ID).Extract()
	assert.True(t, notFound(err), "subnet goes with its network: %v", err)
}

func TestAccSecurityGroup(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	nc := e.Client(e.Cloud(CloudDemo).Network)

	sg, err := groups.Create(ctx, nc, groups.CreateOpts{Name: e.Name("sg"), Description: "acceptance test"}).Extract()
	require.NoError(t, err)
	for _, port := range []int{22, 80, 443} {
		_, err := rules.Create(ctx, nc, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress,
			EtherType: rules.EtherType4, Protocol: rules.ProtocolTCP, PortRangeMin: port, PortRangeMax: port,
			RemoteIPPrefix: "192.0.2.0/24"}).Extract()
		require.NoError(t, err, "rule for port %d", port)
	}
	pages, err := rules.List(nc, rules.ListOpts{SecGroupID: sg.ID, Direction: "ingress"}).AllPages(ctx)
	require.NoError(t, err)
	rs, err := rules.ExtractRules(pages)
	require.NoError(t, err)
	assert.Len(t, rs, 3)
	require.NoError(t, groups.Delete(ctx, nc, sg.ID).ExtractErr())
}

func TestAccVolume(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	bc := e.Client(e.Cloud(CloudDemo).BlockStorage)

	for _, vt := range []string{"standard", "encrypted-luks"} {
		v, err := volumes.Create(ctx, bc, volumes.CreateOpts{Name: e.Name(vt), Size: 1, VolumeType: vt}, nil).Extract()
		require.NoError(t, err, vt)
		require.NoError(t, volumes.WaitForStatus(ctx, bc, v.ID, "available"), vt)
		got, err := volumes.Get(ctx, bc, v.ID).Extract()
		require.NoError(t, err)
		assert.Equal(t, vt, got.VolumeType)
		assert.Equal(t, vt == "encrypted-luks", got.Encrypted, vt)

		require.NoError(t, volumes.Delete(ctx, bc, v.ID, nil).ExtractErr())
		require.NoError(t, WaitFor(ctx, time.Second, func() (bool, error) {
			_, err := volumes.Get(ctx, bc, v.ID).Extract()
			return notFound(err), nil
		}), "volume %s deleted", vt)
	}
}

func TestAccObjectStorage(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	oc := e.Client(e.Cloud(CloudDemo).ObjectStorage)

	name := e.Name("container")
	_, err := containers.Create(ctx, oc, name, containers.CreateOpts{Metadata: map[string]string{"Owner": "nuvola"}}).Extract()
	require.NoError(t, err)
	body := "a municipal record\n"
	_, err = objects.Create(ctx, oc, name, "records/1.txt", objects.CreateOpts{Content: strings.NewReader(body)}).Extract()
	require.NoError(t, err)
	got, err := downloadObject(ctx, oc, name, "records/1.txt")
	require.NoError(t, err)
	assert.Equal(t, body, string(got))
	md, err := containers.Get(ctx, oc, name, nil).ExtractMetadata()
	require.NoError(t, err)
	assert.Equal(t, "nuvola", md["Owner"])

	_, err = objects.Delete(ctx, oc, name, "records/1.txt", nil).Extract()
	require.NoError(t, err)
	_, err = containers.Delete(ctx, oc, name).Extract()
	require.NoError(t, err)
}

func TestAccImage(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	ic := e.Client(e.Cloud(CloudDemo).Image)

	im, err := images.Create(ctx, ic, images.CreateOpts{Name: e.Name("image"), DiskFormat: "raw",
		ContainerFormat: "bare"}).Extract()
	require.NoError(t, err)
	data := make([]byte, 256<<10)
	_, _ = rand.Read(data)
	require.NoError(t, imagedata.Upload(ctx, ic, im.ID, bytes.NewReader(data)).ExtractErr())
	require.NoError(t, WaitFor(ctx, 500*time.Millisecond, func() (bool, error) {
		got, err := images.Get(ctx, ic, im.ID).Extract()
		if err != nil {
			return false, err
		}
		return got.Status == images.ImageStatusActive, nil
	}))
	rc, err := imagedata.Download(ctx, ic, im.ID).Extract()
	require.NoError(t, err)
	back, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, sha256.Sum256(data), sha256.Sum256(back), "downloaded image differs")

	require.NoError(t, images.Delete(ctx, ic, im.ID).ExtractErr())
}

func TestAccServer(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	demo := e.Cloud(CloudDemo)
	nc, cc, ic := e.Client(demo.Network), e.Client(demo.Compute), e.Client(demo.Image)

	net, err := networks.Create(ctx, nc, networks.CreateOpts{Name: e.Name("net")}).Extract()
	require.NoError(t, err)
	_, err = subnets.Create(ctx, nc, subnets.CreateOpts{Name: e.Name("subnet"), NetworkID: net.ID,
		CIDR: "10.43.0.0/24", IPVersion: gophercloud.IPv4}).Extract()
	require.NoError(t, err)

	fpages, err := flavors.ListDetail(cc, nil).AllPages(ctx)
	require.NoError(t, err)
	fls, err := flavors.ExtractFlavors(fpages)
	require.NoError(t, err)
	flavor := ""
	for _, f := range fls {
		if f.Name == "m1.tiny" {
			flavor = f.ID
		}
	}
	require.NotEmpty(t, flavor, "flavor m1.tiny")
	ipages, err := images.List(ic, images.ListOpts{Name: "devcloud-tiny"}).AllPages(ctx)
	require.NoError(t, err)
	ims, err := images.ExtractImages(ipages)
	require.NoError(t, err)
	require.Len(t, ims, 1, "image devcloud-tiny")

	srv, err := servers.Create(ctx, cc, servers.CreateOpts{Name: e.Name("server"), FlavorRef: flavor,
		ImageRef: ims[0].ID, Networks: []servers.Network{{UUID: net.ID}}}, nil).Extract()
	require.NoError(t, err)
	if err := servers.WaitForStatus(ctx, cc, srv.ID, "ACTIVE"); err != nil {
		got, _ := servers.Get(ctx, cc, srv.ID).Extract()
		if got != nil {
			t.Fatalf("server not ACTIVE: %v (status %s, fault %+v)", err, got.Status, got.Fault)
		}
		t.Fatalf("server not ACTIVE: %v", err)
	}
	got, err := servers.Get(ctx, cc, srv.ID).Extract()
	require.NoError(t, err)
	assert.Contains(t, got.Addresses, net.Name, "server has an address on its network")

	require.NoError(t, servers.Delete(ctx, cc, srv.ID).ExtractErr())
	require.NoError(t, WaitFor(ctx, time.Second, func() (bool, error) {
		_, err := servers.Get(ctx, cc, srv.ID).Extract()
		return notFound(err), nil
	}))
	require.NoError(t, networks.Delete(ctx, nc, net.ID).ExtractErr())
}

func downloadObject(ctx context.Context, oc *gophercloud.ServiceClient, container, name string) ([]byte, error) {
	r := objects.Download(ctx, oc, container, name, nil)
	return r.ExtractContent()
}
