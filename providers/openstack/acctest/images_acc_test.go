package acctest

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diskFile writes a small disk image: qcow2 when qemu-img is there (with
// some random data written into a raw file first), else raw. It returns
// the path, the format and the file's MD5.
func diskFile(t *testing.T) (string, string, string) {
	dir := t.TempDir()
	raw := filepath.Join(dir, "disk.raw")
	f, err := os.Create(raw)
	require.NoError(t, err)
	_, err = io.CopyN(f, rand.Reader, 3<<20)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	path, format := raw, "raw"
	if qemu, err := exec.LookPath("qemu-img"); err == nil {
		q := filepath.Join(dir, "disk.qcow2")
		if out, err := exec.Command(qemu, "convert", "-f", "raw", "-O", "qcow2", raw, q).CombinedOutput(); err == nil {
			path, format = q, "qcow2"
		} else {
			t.Logf("qemu-img convert: %v %s; uploading raw", err, out)
		}
	}
	data, err := os.Open(path)
	require.NoError(t, err)
	defer data.Close()
	h := md5.New()
	_, err = io.Copy(h, data)
	require.NoError(t, err)
	return path, format, hex.EncodeToString(h.Sum(nil))
}

func TestAccImagesImageAndServer(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	ic := e.Client(e.Cloud(CloudDemo).Image)
	cc := nova64(t, e, CloudDemo)
	path, format, sum := diskFile(t)
	w := e.NewWorkdir(CloudDemo)
	name := e.Name("protocollo-disk")
	type opts struct {
		name, visibility, props, tags, source, data string
	}
	cfg := func(o opts) string {
		return fmt.Sprintf(`
resource "openstack_images_image_v2" "disk" {
  name             = %q
  container_format = "bare"
  disk_format      = %q
  %s
  visibility       = %q
  properties       = { %s }
  tags             = [%s]
}
%s
resource "openstack_compute_instance_v2" "vm" {
  name         = %q
  image_id     = openstack_images_image_v2.disk.id
  flavor_name  = "m1.tiny"
  network_mode = "none"
}
`, o.name, format, o.source, o.visibility, o.props, o.tags, o.data, e.Name("vm"))
	}
	first := opts{name: name, visibility: "private", props: `os_type = "linux", source_system = "vmware"`, tags: `"migrazione"`,
		source: fmt.Sprintf("local_file_path  = %q", path),
		// Read once the image exists (its id is known then).
		data: `data "openstack_images_image_v2" "disk" {
  name        = openstack_images_image_v2.disk.id == "" ? "" : openstack_images_image_v2.disk.name
  most_recent = true
}`}
	start := time.Now()
	w.Apply(cfg(first))
	t.Logf("upload %s + boot: %s", format, time.Since(start))

	id := w.ID("openstack_images_image_v2.disk")
	im, err := images.Get(ctx, ic, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, images.ImageStatusActive, im.Status)
	assert.Equal(t, sum, im.Checksum, "Glance has the file's data")
	assert.Equal(t, "linux", im.Properties["os_type"])
	assert.Equal(t, []string{"migrazione"}, im.Tags)
	attrs := w.Attrs("openstack_images_image_v2.disk")
	assert.Equal(t, sum, attrs["checksum"])
	assert.Equal(t, map[string]any{"os_type": "linux", "source_system": "vmware"}, attrs["properties"], "only the user's properties")
	assert.Equal(t, id, w.Attrs("data.openstack_images_image_v2.disk")["id"], "the data source finds it")

	sid := w.ID("openstack_compute_instance_v2.vm")
	s, err := servers.Get(ctx, cc, sid).Extract()
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", s.Status)
	assert.Equal(t, id, s.Image["id"], "booted from the uploaded image")
	w.PlanNoChanges()

	// In place: name, visibility, properties, tags.
	second := first
	second.data = ""
	second.name, second.visibility, second.props, second.tags = name+"-v2", "shared", `os_type = "linux", hw_disk_bus = "scsi"`, `"migrazione", "pnrr"`
	w.Apply(cfg(second))
	assert.Equal(t, id, w.ID("openstack_images_image_v2.disk"), "updated in place")
	assert.Equal(t, sid, w.ID("openstack_compute_instance_v2.vm"), "the server stays")
	im, err = images.Get(ctx, ic, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, name+"-v2", im.Name)
	assert.Equal(t, images.ImageVisibilityShared, im.Visibility)
	assert.Equal(t, "scsi", im.Properties["hw_disk_bus"])
	assert.NotContains(t, im.Properties, "source_system")
	assert.ElementsMatch(t, []string{"migrazione", "pnrr"}, im.Tags)
	w.PlanNoChanges()

	// Import round trip (the data's source cannot be read back: as in
	// terraform-provider-openstack, a configuration naming it plans a
	// replacement after an import).
	noSource := second
	noSource.source = ""
	w.Write(cfg(noSource))
	w.StateRm("openstack_images_image_v2.disk")
	w.StateRm("openstack_compute_instance_v2.vm")
	w.Import("openstack_images_image_v2.disk", id)
	w.Import("openstack_compute_instance_v2.vm", sid)
	w.PlanNoChanges()
	w.Apply(cfg(noSource))

	w.Destroy()
	_, err = images.Get(ctx, ic, id).Extract()
	assert.True(t, isGone(err), "image deleted: %v", err)
	assertServerGone(t, e, cc, sid)
}

// An image from a URL nuvola fetches and streams to Glance (the URL need
// not be reachable from Glance).
func TestAccImagesFromURL(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	ic := e.Client(e.Cloud(CloudDemo).Image)
	path, format, sum := diskFile(t)
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); u != "ente" || p != "segreto" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.ServeFile(w, r, path)
	}))
	t.Cleanup(src.Close)
	w := e.NewWorkdir(CloudDemo)
	w.Apply(fmt.Sprintf(`
resource "openstack_images_image_v2" "u" {
  name                  = %q
  container_format      = "bare"
  disk_format           = %q
  image_source_url      = "%s/disk"
  image_source_username = "ente"
  image_source_password = "segreto"
}
`, e.Name("from-url"), format, src.URL))
	id := w.ID("openstack_images_image_v2.u")
	im, err := images.Get(ctx, ic, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, images.ImageStatusActive, im.Status)
	assert.Equal(t, sum, im.Checksum)
	w.PlanNoChanges()
	w.Destroy()
	_, err = images.Get(ctx, ic, id).Extract()
	assert.True(t, isGone(err), "image deleted: %v", err)
}
