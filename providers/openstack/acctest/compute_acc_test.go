package acctest

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/quotasets"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servergroups"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sshPublicKey returns a fresh ed25519 public key in OpenSSH's format.
func sshPublicKey(t *testing.T) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	var b []byte
	put := func(s []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	put([]byte("ssh-ed25519"))
	put(pub)
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(b)
}

// nova64 is a compute client at microversion 2.64 (tags, server group
// policy).
func nova64(t *testing.T, e *Env, cloud string) *gophercloud.ServiceClient {
	cc := e.Client(e.Cloud(cloud).Compute)
	cc.Microversion = "2.64"
	return cc
}

func TestAccComputeKeypairServerGroup(t *testing.T) {
	t.Parallel()
	e := New(t)
	sweepComputeAtEnd(t, e)
	ctx := e.Context()
	cc := nova64(t, e, CloudDemo)
	w := e.NewWorkdir(CloudDemo)
	gen, mine, ha := e.Name("gen"), e.Name("mine"), e.Name("ha")
	pub := sshPublicKey(t)
	cfg := fmt.Sprintf(`
resource "openstack_compute_keypair_v2" "gen" {
  name = %q
}
resource "openstack_compute_keypair_v2" "mine" {
  name       = %q
  public_key = %q
}
resource "openstack_compute_servergroup_v2" "ha" {
  name     = %q
  policies = ["anti-affinity"]
  rules {
    max_server_per_host = 1
  }
}
data "openstack_compute_keypair_v2" "mine" {
  name = openstack_compute_keypair_v2.mine.id # the ID (= the name) is known once it exists
}
output "fingerprint" {
  value = data.openstack_compute_keypair_v2.mine.fingerprint
}
`, gen, mine, pub, ha)
	start := time.Now()
	w.Apply(cfg)
	t.Logf("apply: %s", time.Since(start))

	kg := w.Attrs("openstack_compute_keypair_v2.gen")
	assert.Equal(t, "(sensitive value)", kg["private_key"], "private_key is sensitive")
	stateFile, err := os.ReadFile(filepath.Join(w.Dir, "nuvola.tfstate"))
	require.NoError(t, err)
	assert.Contains(t, string(stateFile), "PRIVATE KEY", "Nova generated the key (microversion 2.64)")
	k, err := keypairs.Get(ctx, cc, gen, nil).Extract()
	require.NoError(t, err)
	assert.Equal(t, kg["public_key"], k.PublicKey)
	k, err = keypairs.Get(ctx, cc, mine, nil).Extract()
	require.NoError(t, err)
	assert.Equal(t, pub, strings.TrimSpace(k.PublicKey))
	assert.Equal(t, k.Fingerprint, w.Attrs("openstack_compute_keypair_v2.mine")["fingerprint"])

	gid := w.ID("openstack_compute_servergroup_v2.ha")
	g, err := servergroups.Get(ctx, cc, gid).Extract()
	require.NoError(t, err)
	require.NotNil(t, g.Policy)
	assert.Equal(t, "anti-affinity", *g.Policy)
	require.NotNil(t, g.Rules)
	assert.Equal(t, 1, g.Rules.MaxServerPerHost)

	w.PlanNoChanges()

	// Import round trip.
	for addr, id := range map[string]string{"openstack_compute_keypair_v2.gen": gen, "openstack_compute_keypair_v2.mine": mine, "openstack_compute_servergroup_v2.ha": gid} {
		w.StateRm(addr)
		w.Import(addr, id)
	}
	w.PlanNoChanges()

	w.Destroy()
	_, err = keypairs.Get(ctx, cc, gen, nil).Extract()
	assert.True(t, isGone(err), "key pair deleted: %v", err)
	_, err = servergroups.Get(ctx, cc, gid).Extract()
	assert.True(t, isGone(err), "server group deleted: %v", err)
}

func TestAccComputeFlavorQuotaSet(t *testing.T) {
	t.Parallel()
	e := New(t)
	sweepComputeAtEnd(t, e)
	ctx := e.Context()
	admin := e.Admin()
	cc := e.Client(admin.Compute)
	ic := e.Client(admin.Identity)
	proj, err := projects.Create(ctx, ic, projects.CreateOpts{Name: e.Name("quote"), DomainID: "default"}).Extract()
	require.NoError(t, err)

	name := e.Name("c2.large")
	w := e.NewWorkdir(CloudAdmin)
	cfg := func(specs string, instances int) string {
		return fmt.Sprintf(`
resource "openstack_compute_flavor_v2" "f" {
  name        = %q
  ram         = 1024
  vcpus       = 2
  disk        = 5
  is_public   = false
  extra_specs = { %s }
}
data "openstack_compute_flavor_v2" "f" {
  # read once the flavor exists (its id is known then)
  name      = split("|", "${openstack_compute_flavor_v2.f.id}|${openstack_compute_flavor_v2.f.name}")[1]
  is_public = false
}
resource "openstack_compute_quotaset_v2" "q" {
  project_id = %q
  instances  = %d
  cores      = 9
  key_pairs  = 12
}
output "ds_vcpus" {
  value = data.openstack_compute_flavor_v2.f.vcpus
}
`, name, specs, proj.ID, instances)
	}
	start := time.Now()
	w.Apply(cfg(`"hw:cpu_policy" = "dedicated"`, 7))
	t.Logf("apply: %s", time.Since(start))
	fid := w.ID("openstack_compute_flavor_v2.f")
	f, err := flavors.Get(ctx, cc, fid).Extract()
	require.NoError(t, err)
	assert.Equal(t, name, f.Name)
	assert.Equal(t, fid, w.Attrs("data.openstack_compute_flavor_v2.f")["id"], "the data source finds it")
	assert.Equal(t, 2, f.VCPUs)
	assert.False(t, f.IsPublic)
	specs, err := flavors.ListExtraSpecs(ctx, cc, fid).Extract()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"hw:cpu_policy": "dedicated"}, specs)
	q, err := quotasets.Get(ctx, cc, proj.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, 7, q.Instances)
	assert.Equal(t, 9, q.Cores)
	assert.Equal(t, 12, q.KeyPairs)
	w.PlanNoChanges()

	// In place: extra specs and a quota.
	w.Apply(cfg(`"hw:mem_page_size" = "large"`, 8))
	assert.Equal(t, fid, w.ID("openstack_compute_flavor_v2.f"), "updated in place")
	specs, err = flavors.ListExtraSpecs(ctx, cc, fid).Extract()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"hw:mem_page_size": "large"}, specs)
	q, err = quotasets.Get(ctx, cc, proj.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, 8, q.Instances)
	w.PlanNoChanges()

	qid := w.ID("openstack_compute_quotaset_v2.q")
	w.StateRm("openstack_compute_flavor_v2.f")
	w.Import("openstack_compute_flavor_v2.f", fid)
	w.StateRm("openstack_compute_quotaset_v2.q")
	w.Import("openstack_compute_quotaset_v2.q", qid)
	w.PlanNoChanges()

	w.Destroy()
	_, err = flavors.Get(ctx, cc, fid).Extract()
	assert.True(t, isGone(err), "flavor deleted: %v", err)
	q, err = quotasets.Get(ctx, cc, proj.ID).Extract()
	require.NoError(t, err)
	var def struct {
		QuotaSet struct {
			Instances int `json:"instances"`
			Cores     int `json:"cores"`
		} `json:"quota_set"`
	}
	_, err = cc.Get(ctx, cc.ServiceURL("os-quota-sets", proj.ID, "defaults"), &def, nil)
	require.NoError(t, err)
	assert.Equal(t, def.QuotaSet.Instances, q.Instances, "deleting the quota set resets the quotas")
	assert.Equal(t, def.QuotaSet.Cores, q.Cores)
}

// computeNet makes a network with a subnet and two security groups in the
// demo project for servers.
func computeNet(t *testing.T, e *Env) (netID string, sg1, sg2 string) {
	ctx := e.Context()
	nc := e.Client(e.Cloud(CloudDemo).Network)
	n, err := networks.Create(ctx, nc, networks.CreateOpts{Name: e.Name("vmnet")}).Extract()
	require.NoError(t, err)
	_, err = subnets.Create(ctx, nc, subnets.CreateOpts{Name: e.Name("vmsub"), NetworkID: n.ID, CIDR: "10.77.0.0/24", IPVersion: gophercloud.IPv4}).Extract()
	require.NoError(t, err)
	sg1, sg2 = e.Name("web"), e.Name("admin")
	for _, name := range []string{sg1, sg2} {
		_, err := groups.Create(ctx, nc, groups.CreateOpts{Name: name}).Extract()
		require.NoError(t, err)
	}
	return n.ID, sg1, sg2
}

func serverSGs(s *servers.Server) []string {
	var out []string
	for _, g := range s.SecurityGroups {
		if n, _ := g["name"].(string); n != "" && !contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestAccComputeInstance(t *testing.T) {
	t.Parallel()
	e := New(t)
	sweepComputeAtEnd(t, e)
	ctx := e.Context()
	cc := nova64(t, e, CloudDemo)
	bc := e.Client(e.Cloud(CloudDemo).BlockStorage)
	netID, sg1, sg2 := computeNet(t, e)
	vol, err := volumes.Create(ctx, bc, volumes.CreateOpts{Name: e.Name("data"), Size: 1}, nil).Extract()
	require.NoError(t, err)
	require.NoError(t, WaitFor(ctx, time.Second, func() (bool, error) {
		v, err := volumes.Get(ctx, bc, vol.ID).Extract()
		return err == nil && v.Status == "available", err
	}))

	w := e.NewWorkdir(CloudDemo)
	type opts struct {
		name, sgs, md, tags, power, flavor, userData string
	}
	cfg := func(o opts) string {
		return fmt.Sprintf(`
resource "openstack_compute_keypair_v2" "k" {
  name = %q
}
resource "openstack_compute_instance_v2" "vm" {
  name            = %q
  image_name      = "devcloud-tiny"
  flavor_name     = %q
  key_pair        = openstack_compute_keypair_v2.k.name
  security_groups = [%s]
  metadata        = { %s }
  tags            = [%s]
  power_state     = %q
  %s
  network {
    uuid = %q
  }
}
resource "openstack_compute_volume_attach_v2" "data" {
  instance_id = openstack_compute_instance_v2.vm.id
  volume_id   = %q
}
`, e.Name("key"), o.name, o.flavor, o.sgs, o.md, o.tags, o.power, o.userData, netID, vol.ID)
	}
	first := opts{name: e.Name("vm"), sgs: fmt.Sprintf("%q", sg1), md: `ruolo = "web"`, tags: `"pubblico"`, power: "active",
		flavor: "m1.tiny", userData: `user_data = "#cloud-config\nhostname: protocollo\n"`}
	start := time.Now()
	w.Apply(cfg(first))
	t.Logf("create (server ACTIVE, volume attached): %s", time.Since(start))

	id := w.ID("openstack_compute_instance_v2.vm")
	s, err := servers.Get(ctx, cc, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", s.Status)
	assert.Equal(t, "web", s.Metadata["ruolo"])
	require.NotNil(t, s.Tags)
	assert.ElementsMatch(t, []string{"pubblico"}, *s.Tags)
	assert.Equal(t, []string{sg1}, serverSGs(s))
	assert.Equal(t, e.Name("key"), s.KeyName)
	attrs := w.Attrs("openstack_compute_instance_v2.vm")
	assert.Len(t, attrs["user_data"], 40, "user_data kept as its SHA-1")
	nets := attrs["network"].([]any)
	require.Len(t, nets, 1)
	n0 := nets[0].(map[string]any)
	assert.Equal(t, netID, n0["uuid"])
	assert.NotEmpty(t, n0["port"])
	assert.NotEmpty(t, n0["mac"])
	assert.Equal(t, n0["fixed_ip_v4"], attrs["access_ip_v4"])
	assert.Equal(t, "m1.tiny", attrs["flavor_name"])
	v, err := volumes.Get(ctx, bc, vol.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "in-use", v.Status)
	require.Len(t, v.Attachments, 1)
	assert.Equal(t, id, v.Attachments[0].ServerID)
	assert.Equal(t, v.Attachments[0].Device, w.Attrs("openstack_compute_volume_attach_v2.data")["device"])
	w.PlanNoChanges()

	// In place: name, metadata, tags, security groups.
	second := first
	second.name, second.sgs, second.md, second.tags = e.Name("vm2"), fmt.Sprintf("%q, %q", sg1, sg2), `ambiente = "prod"`, `"pubblico", "protocollo"`
	start = time.Now()
	w.Apply(cfg(second))
	t.Logf("update in place: %s", time.Since(start))
	assert.Equal(t, id, w.ID("openstack_compute_instance_v2.vm"), "updated in place")
	s, err = servers.Get(ctx, cc, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, e.Name("vm2"), s.Name)
	assert.Equal(t, map[string]string{"ambiente": "prod"}, UnmarkedMeta(s.Metadata))
	assert.ElementsMatch(t, []string{"pubblico", "protocollo"}, *s.Tags)
	assert.ElementsMatch(t, []string{sg1, sg2}, serverSGs(s))
	w.PlanNoChanges()

	// Power state.
	third := second
	third.power = "shutoff"
	w.Apply(cfg(third))
	s, err = servers.Get(ctx, cc, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, "SHUTOFF", s.Status)
	w.PlanNoChanges()
	w.Apply(cfg(second))
	s, err = servers.Get(ctx, cc, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", s.Status)

	// A flavor change is a resize, confirmed. A single-host cloud that does
	// not allow resizing on the same host refuses it: the error says so
	// at once, and the server keeps its flavor.
	fourth := second
	fourth.flavor = "m1.small"
	w.Write(cfg(fourth))
	start = time.Now()
	out, errOut, code := w.Run("apply", "-auto-approve", "-input=false", "-no-color")
	t.Logf("resize: exit %d in %s", code, time.Since(start))
	s, err = servers.Get(ctx, cc, id).Extract()
	require.NoError(t, err)
	if code == 0 {
		assert.Equal(t, "m1.small", s.Flavor["original_name"])
		assert.Equal(t, "ACTIVE", s.Status)
		w.PlanNoChanges()
		w.Apply(cfg(second)) // and back
	} else {
		assert.Contains(t, errOut, "did not resize the server", out)
		assert.Less(t, time.Since(start), 5*time.Minute)
		assert.Equal(t, "m1.tiny", s.Flavor["original_name"])
		w.Write(cfg(second))
		w.PlanNoChanges()
	}

	// Import round trip (user_data cannot be read back: as in
	// terraform-provider-openstack, a configuration with it would plan a
	// replacement after an import).
	noUserData := second
	noUserData.userData = ""
	w.Write(cfg(noUserData))
	w.StateRm("openstack_compute_instance_v2.vm")
	w.StateRm("openstack_compute_volume_attach_v2.data")
	w.Import("openstack_compute_instance_v2.vm", id)
	w.Import("openstack_compute_volume_attach_v2.data", id+"/"+vol.ID)
	w.PlanNoChanges()
	// An apply with nothing to change records the dependencies the
	// imported objects lack in the state (the attachment goes before the
	// server at destroy).
	w.Apply(cfg(noUserData))

	start = time.Now()
	w.Destroy()
	t.Logf("destroy: %s", time.Since(start))
	assertServerGone(t, e, cc, id)
	v, err = volumes.Get(ctx, bc, vol.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "available", v.Status, "the volume was detached")
}

// Boot from volume: from a volume Nova makes from an image (the
// lift-and-shift case), and from a blank one. Nova makes the volumes and
// deletes them with the server.
func TestAccComputeBootFromVolume(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	cc := nova64(t, e, CloudDemo)
	bc := e.Client(e.Cloud(CloudDemo).BlockStorage)
	w := e.NewWorkdir(CloudDemo)
	start := time.Now()
	w.Apply(fmt.Sprintf(`
data "openstack_images_image_v2" "tiny" {
  name = "devcloud-tiny"
}
resource "openstack_compute_instance_v2" "from_image" {
  name         = %q
  flavor_name  = "m1.tiny"
  network_mode = "none"
  block_device {
    uuid                  = data.openstack_images_image_v2.tiny.id
    source_type           = "image"
    destination_type      = "volume"
    volume_size           = 1
    volume_type           = "standard"
    boot_index            = 0
    delete_on_termination = true
  }
}
resource "openstack_compute_instance_v2" "blank" {
  name         = %q
  flavor_name  = "m1.tiny"
  network_mode = "none"
  block_device {
    source_type           = "blank"
    destination_type      = "volume"
    volume_size           = 1
    boot_index            = 0
    delete_on_termination = true
  }
}
`, e.Name("bfv-image"), e.Name("bfv-blank")))
	t.Logf("two servers booted from volumes: %s", time.Since(start))
	var vols []string
	for _, addr := range []string{"openstack_compute_instance_v2.from_image", "openstack_compute_instance_v2.blank"} {
		id := w.ID(addr)
		s, err := servers.Get(ctx, cc, id).Extract()
		require.NoError(t, err)
		assert.Equal(t, "ACTIVE", s.Status, addr)
		assert.Nil(t, s.Image["id"], "%s has no image of its own", addr)
		require.Len(t, s.AttachedVolumes, 1, "%s booted from a volume", addr)
		vols = append(vols, s.AttachedVolumes[0].ID)
	}
	v, err := volumes.Get(ctx, bc, vols[0]).Extract()
	require.NoError(t, err)
	assert.Equal(t, "true", v.Bootable, "the volume made from the image is bootable")
	assert.Equal(t, "standard", v.VolumeType)
	assert.Equal(t, "Attempt to boot from volume - no image supplied", w.Attrs("openstack_compute_instance_v2.from_image")["image_id"])
	w.PlanNoChanges()
	w.Destroy()
	for _, vol := range vols {
		require.NoError(t, WaitFor(ctx, time.Second, func() (bool, error) {
			_, err := volumes.Get(ctx, bc, vol).Extract()
			return isGone(err), nil
		}), "the boot volume goes with the server")
	}
}

// A no-change plan of many servers, key pairs and images refreshes each
// type with one list request: no request per object, no port lookups.
func TestAccComputeRefreshRequestCount(t *testing.T) {
	t.Parallel()
	e := New(t)
	sweepComputeAtEnd(t, e)
	netID, _, _ := computeNet(t, e)
	path, format, _ := diskFile(t)
	w := e.NewWorkdir(CloudDemo)
	const n = 8
	start := time.Now()
	w.Apply(fmt.Sprintf(`
resource "openstack_compute_keypair_v2" "k" {
  count = %[1]d
  name  = "%[2]sk${count.index}"
}
resource "openstack_images_image_v2" "i" {
  count            = 3
  name             = "%[2]si${count.index}"
  container_format = "bare"
  disk_format      = %[4]q
  local_file_path  = %[5]q
}
resource "openstack_compute_instance_v2" "vm" {
  count       = %[1]d
  name        = "%[2]svm${count.index}"
  image_name  = "devcloud-tiny"
  flavor_name = "m1.tiny"
  key_pair    = openstack_compute_keypair_v2.k[count.index].name
  network {
    uuid = %[3]q
  }
}
`, n, e.Prefix, netID, format, path))
	t.Logf("apply of %d servers, %d key pairs, 3 images: %s", n, n, time.Since(start))
	start = time.Now()
	out, errOut, code := w.Run("plan", "-json", "-detailed-exitcode", "-input=false")
	if code != 0 {
		t.Fatalf("plan exited %d:\n%s\n%s", code, out, errOut)
	}
	var metrics struct {
		APIRequests map[string]int64 `json:"api_requests"`
		Total       int64            `json:"total"`
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev map[string]json.RawMessage
		if json.Unmarshal(sc.Bytes(), &ev) == nil && string(ev["type"]) == `"provider_metrics"` {
			require.NoError(t, json.Unmarshal(sc.Bytes(), &metrics))
		}
	}
	t.Logf("no-change plan of %d objects in %s: %d requests %v", 2*n+3, time.Since(start), metrics.Total, metrics.APIRequests)
	assert.LessOrEqual(t, metrics.APIRequests["compute"], int64(3), "one server list, one key pair list (and version discovery)")
	assert.LessOrEqual(t, metrics.APIRequests["image"], int64(2), "one image list (and version discovery)")
	assert.Zero(t, metrics.APIRequests["network"], "no port lookups")
	w.Destroy()
}

// assertServerGone checks a destroyed server is gone: deleted, or on its
// way out (Nova shows status DELETED for a moment after the deletion).
func assertServerGone(t *testing.T, e *Env, cc *gophercloud.ServiceClient, id string) {
	t.Helper()
	s, err := servers.Get(e.Context(), cc, id).Extract()
	if err == nil {
		assert.Equal(t, "DELETED", s.Status, "server %s deleted", id)
		return
	}
	assert.True(t, isGone(err), "server %s deleted: %v", id, err)
}
