package acctest

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumetypes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// EnvLifecycle turns on TestDevcloudLifecycle, which stops, restarts and
// wipes the devcloud: it must not run beside other acceptance tests.
const EnvLifecycle = "NUVOLA_ACC_DEVCLOUD_LIFECYCLE"

// devcloudScript finds scripts/devcloud above the working directory.
func devcloudScript(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		p := filepath.Join(dir, "scripts", "devcloud")
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			require.FileExists(t, p)
			return p
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the working directory")
		dir = parent
	}
}

// devcloud runs scripts/devcloud with args and returns its output and duration.
func devcloud(t *testing.T, ctx context.Context, args ...string) (string, time.Duration, error) {
	t.Helper()
	start := time.Now()
	cmd := exec.CommandContext(ctx, devcloudScript(t), args...)
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	t.Logf("scripts/devcloud %s: %v, %v\n%s", strings.Join(args, " "), d.Round(100*time.Millisecond), err, out)
	return string(out), d, err
}

// TestDevcloudLifecycle checks scripts/devcloud itself: a second up is a
// quick no-op, down stops every service and keeps the data, up after down
// brings it all back, reset gives an empty cloud with only its fixtures.
func TestDevcloudLifecycle(t *testing.T) {
	SkipUnlessEnabled(t)
	if os.Getenv(EnvLifecycle) != "1" {
		t.Skipf("stops and wipes the devcloud: set %s=1 (scripts/test.sh does in CI)", EnvLifecycle)
	}
	prefix := NewPrefix()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	// up on a running devcloud: nothing to do
	out, d, err := devcloud(t, ctx, "up")
	require.NoError(t, err)
	assert.Contains(t, out, "already up: nothing started")
	assert.Less(t, d, 30*time.Second, "a second up must be quick")

	// an object to see across down/up and reset
	demo, err := Connect(ctx, CloudDemo)
	require.NoError(t, err)
	nc, err := demo.Network()
	require.NoError(t, err)
	marker, err := networks.Create(ctx, nc, networks.CreateOpts{Name: prefix + "marker"}).Extract()
	require.NoError(t, err)
	t.Cleanup(func() {
		// after a failure half way: leave no marker behind
		if c, err := Connect(context.Background(), AdminCloudName()); err == nil {
			_ = Sweep(context.Background(), c, nil, prefix)
		}
	})

	// down: every service stops, the APIs stop answering
	_, _, err = devcloud(t, ctx, "down")
	require.NoError(t, err)
	out, _, err = devcloud(t, ctx, "status")
	require.Error(t, err, "status must fail while the devcloud is down")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if strings.HasPrefix(line, "directory:") {
			continue
		}
		assert.Contains(t, strings.Fields(line)[1], "down", line)
	}
	_, err = (&http.Client{Timeout: 3 * time.Second}).Get("http://127.0.0.1:5000/v3")
	require.Error(t, err, "keystone still answers after down")

	// up after down: everything back, data kept
	out, _, err = devcloud(t, ctx, "up")
	require.NoError(t, err)
	assert.Contains(t, out, "started:")
	_, _, err = devcloud(t, ctx, "status")
	require.NoError(t, err, "status after up")
	demo, err = Connect(ctx, CloudDemo)
	require.NoError(t, err)
	nc, err = demo.Network()
	require.NoError(t, err)
	got, err := networks.Get(ctx, nc, marker.ID).Extract()
	require.NoError(t, err, "the marker network survives down and up")
	assert.Equal(t, prefix+"marker", got.Name)

	// reset: an empty cloud with the fixtures only
	_, _, err = devcloud(t, ctx, "reset")
	require.NoError(t, err)
	admin, err := Connect(ctx, CloudAdmin)
	require.NoError(t, err)
	checkPristine(t, ctx, admin)
	demo, err = Connect(ctx, CloudDemo)
	require.NoError(t, err)
	oc, err := demo.ObjectStorage()
	require.NoError(t, err)
	pages, err := containers.List(oc, nil).AllPages(ctx)
	require.NoError(t, err)
	names, err := containers.ExtractNames(pages)
	require.NoError(t, err)
	assert.Empty(t, names, "containers after reset")

	// and a second up after reset is again a no-op
	out, _, err = devcloud(t, ctx, "up")
	require.NoError(t, err)
	assert.Contains(t, out, "already up: nothing started")
}

// checkPristine asserts the cloud holds exactly what scripts/devcloud creates.
func checkPristine(t *testing.T, ctx context.Context, admin *Cloud) {
	t.Helper()
	ic, err := admin.Identity()
	require.NoError(t, err)
	pp, err := projects.List(ic, nil).AllPages(ctx)
	require.NoError(t, err)
	ps, err := projects.ExtractProjects(pp)
	require.NoError(t, err)
	assert.Equal(t, []string{"admin", "alt_demo", "demo", "service"}, sorted(names(ps, func(p projects.Project) string { return p.Name })))

	nc, err := admin.Network()
	require.NoError(t, err)
	np, err := networks.List(nc, nil).AllPages(ctx)
	require.NoError(t, err)
	ns, err := networks.ExtractNetworks(np)
	require.NoError(t, err)
	assert.Equal(t, []string{"public"}, names(ns, func(n networks.Network) string { return n.Name }))

	cc, err := admin.Compute()
	require.NoError(t, err)
	sp, err := servers.List(cc, servers.ListOpts{AllTenants: true}).AllPages(ctx)
	require.NoError(t, err)
	ss, err := servers.ExtractServers(sp)
	require.NoError(t, err)
	assert.Empty(t, ss, "servers")
	fp, err := flavors.ListDetail(cc, nil).AllPages(ctx)
	require.NoError(t, err)
	fs, err := flavors.ExtractFlavors(fp)
	require.NoError(t, err)
	assert.Equal(t, []string{"m1.medium", "m1.small", "m1.tiny"}, sorted(names(fs, func(f flavors.Flavor) string { return f.Name })))

	bc, err := admin.BlockStorage()
	require.NoError(t, err)
	vp, err := volumes.List(bc, volumes.ListOpts{AllTenants: true}).AllPages(ctx)
	require.NoError(t, err)
	vs, err := volumes.ExtractVolumes(vp)
	require.NoError(t, err)
	assert.Empty(t, vs, "volumes")
	tp, err := volumetypes.List(bc, nil).AllPages(ctx)
	require.NoError(t, err)
	ts, err := volumetypes.ExtractVolumeTypes(tp)
	require.NoError(t, err)
	assert.Subset(t, names(ts, func(v volumetypes.VolumeType) string { return v.Name }), []string{"standard", "encrypted-luks"})

	imc, err := admin.Image()
	require.NoError(t, err)
	ip, err := images.List(imc, nil).AllPages(ctx)
	require.NoError(t, err)
	is, err := images.ExtractImages(ip)
	require.NoError(t, err)
	assert.Equal(t, []string{"devcloud-tiny"}, names(is, func(i images.Image) string { return i.Name }))
	if t.Failed() {
		t.Log(errors.New("the cloud after reset is not the pristine devcloud"))
	}
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}
