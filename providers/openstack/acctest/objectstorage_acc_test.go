package acctest

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const containerConfig = `
resource "openstack_objectstorage_container_v1" "old" {
  name = "%[1]satti-versioni"
}

resource "openstack_objectstorage_container_v1" "atti" {
  name           = "%[1]satti"
  container_read = %[2]s
  metadata = {
    ufficio = "%[3]s"
    ente    = "c_a662"
  }
  versioning_legacy {
    type     = "versions"
    location = openstack_objectstorage_container_v1.old.name
  }
}
`

// swiftCapabilities is the cloud's Swift /info.
func swiftCapabilities(t *testing.T, e *Env) map[string]any {
	oc := e.Client(e.Cloud(CloudDemo).ObjectStorage)
	// The account URL is <swift>/v1/AUTH_<project>/; /info is beside /v1.
	u, err := url.Parse(oc.Endpoint)
	require.NoError(t, err)
	u.Path = u.Path[:strings.Index(u.Path, "/v1/")] + "/info"
	resp, err := http.Get(u.String())
	require.NoError(t, err)
	defer resp.Body.Close()
	var info map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
	return info
}

func TestAccObjectStorageContainer(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	oc := e.Client(e.Cloud(CloudDemo).ObjectStorage)
	w := e.NewWorkdir(CloudDemo)

	w.Apply(fmt.Sprintf(containerConfig, e.Prefix, `".r:*,.rlistings"`, "protocollo"))
	name := w.ID("openstack_objectstorage_container_v1.atti")
	assert.Equal(t, e.Prefix+"atti", name)
	res := containers.Get(ctx, oc, name, nil)
	h, err := res.Extract()
	require.NoError(t, err)
	md, err := res.ExtractMetadata()
	require.NoError(t, err)
	assert.Equal(t, e.Prefix+"atti-versioni", h.VersionsLocation)
	assert.Equal(t, []string{".r:*", ".rlistings"}, h.Read)
	assert.Equal(t, map[string]string{"Ufficio": "protocollo", "Ente": "c_a662"}, UnmarkedMeta(md))
	w.PlanNoChanges()

	// Versions are kept: overwrite an object, the old one goes to the
	// versions container.
	for _, body := range []string{"v1", "v2"} {
		_, err := objects.Create(ctx, oc, name, "delibera.txt", objects.CreateOpts{Content: bytes.NewReader([]byte(body))}).Extract()
		require.NoError(t, err)
	}
	pages, err := objects.List(oc, e.Prefix+"atti-versioni", nil).AllPages(ctx)
	require.NoError(t, err)
	kept, err := objects.ExtractNames(pages)
	require.NoError(t, err)
	assert.Len(t, kept, 1, "the overwritten version is kept")
	_, err = objects.Delete(ctx, oc, name, "delibera.txt", nil).Extract()
	require.NoError(t, err)
	// Deleting the latest restores the kept one; delete that too.
	_, _ = objects.Delete(ctx, oc, name, "delibera.txt", nil).Extract()

	// In place: metadata changed, the read ACL removed.
	w.Apply(fmt.Sprintf(containerConfig, e.Prefix, "null", "ragioneria"))
	res = containers.Get(ctx, oc, name, nil)
	h, err = res.Extract()
	require.NoError(t, err)
	md, err = res.ExtractMetadata()
	require.NoError(t, err)
	assert.Empty(t, strings.Join(h.Read, ""))
	assert.Equal(t, "ragioneria", md["Ufficio"])
	w.PlanNoChanges()

	w.StateRm("openstack_objectstorage_container_v1.atti")
	w.Import("openstack_objectstorage_container_v1.atti", name)
	w.PlanNoChanges()

	// New-style versioning: where the cloud does not allow it, the apply
	// says so instead of planning forever.
	if _, ok := swiftCapabilities(t, e)["object_versioning"]; !ok {
		errOut := w.ApplyFails(fmt.Sprintf(`resource "openstack_objectstorage_container_v1" "nv" {
  name       = "%snuovo"
  versioning = true
}
`, e.Prefix))
		assert.Contains(t, errOut, "does not allow object versioning")
		t.Log("this Swift lacks allow_object_versioning: versioning = true checked to fail clearly")
	} else {
		w.Apply(fmt.Sprintf(`resource "openstack_objectstorage_container_v1" "nv" {
  name       = "%snuovo"
  versioning = true
}
`, e.Prefix))
		h, err := containers.Get(ctx, oc, e.Prefix+"nuovo", nil).Extract()
		require.NoError(t, err)
		assert.True(t, h.VersionsEnabled)
		w.PlanNoChanges()
	}

	w.Write("")
	w.Destroy()
	_, err = containers.Get(ctx, oc, name, nil).Extract()
	assert.True(t, isGone(err), "container deleted: %v", err)
}

const objectConfig = `
resource "openstack_objectstorage_container_v1" "c" {
  name          = "%[1]spubblicazioni"
  force_destroy = true
}

resource "openstack_objectstorage_object_v1" "testo" {
  container_name = openstack_objectstorage_container_v1.c.name
  name           = "avvisi/avviso.txt"
  content        = "Avviso pubblico n. 1"
  content_type   = "text/plain"
  metadata = {
    autore = "%[2]s"
  }
}

resource "openstack_objectstorage_object_v1" "file" {
  container_name = openstack_objectstorage_container_v1.c.name
  name           = "allegati/bilancio.bin"
  source         = "%[3]s"
}

resource "openstack_objectstorage_tempurl_v1" "link" {
  container = openstack_objectstorage_container_v1.c.name
  object    = openstack_objectstorage_object_v1.file.name
  ttl       = 600
}

output "link" {
  value     = openstack_objectstorage_tempurl_v1.link.url
  sensitive = true
}
`

func writeRandom(t *testing.T, path string, size int) string {
	b := make([]byte, size)
	_, _ = rand.Read(b)
	require.NoError(t, os.WriteFile(path, b, 0o644))
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func download(t *testing.T, e *Env, container, name string) []byte {
	oc := e.Client(e.Cloud(CloudDemo).ObjectStorage)
	r := objects.Download(e.Context(), oc, container, name, nil)
	b, err := r.ExtractContent()
	require.NoError(t, err)
	return b
}

func TestAccObjectStorageObject(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	oc := e.Client(e.Cloud(CloudDemo).ObjectStorage)
	w := e.NewWorkdir(CloudDemo)
	src := filepath.Join(t.TempDir(), "bilancio.bin")
	sum := writeRandom(t, src, 5<<20)
	container := e.Prefix + "pubblicazioni"

	w.Apply(fmt.Sprintf(objectConfig, e.Prefix, "segreteria", src))
	assert.Equal(t, "Avviso pubblico n. 1", string(download(t, e, container, "avvisi/avviso.txt")))
	got := download(t, e, container, "allegati/bilancio.bin")
	gotSum := md5.Sum(got)
	assert.Equal(t, sum, hex.EncodeToString(gotSum[:]), "the file went up whole")
	attrs := w.Attrs("openstack_objectstorage_object_v1.file")
	assert.Equal(t, sum, attrs["etag"])
	res := objects.Get(ctx, oc, container, "avvisi/avviso.txt", nil)
	md, err := res.ExtractMetadata()
	require.NoError(t, err)
	assert.Equal(t, "segreteria", md["Autore"])

	// The temporary URL works without a token.
	link := strings.TrimSpace(w.Must("output", "-raw", "link"))
	require.Contains(t, link, "temp_url_sig=")
	resp, err := http.Get(link)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, got, body)
	w.PlanNoChanges()

	// A new content of the same file is seen and uploaded in place; new
	// metadata is a POST.
	sum2 := writeRandom(t, src, 3<<20)
	w.Write(fmt.Sprintf(objectConfig, e.Prefix, "sindaco", src))
	out := w.PlanChanges()
	assert.Contains(t, out, sum2)
	w.Apply(fmt.Sprintf(objectConfig, e.Prefix, "sindaco", src))
	got = download(t, e, container, "allegati/bilancio.bin")
	gotSum = md5.Sum(got)
	assert.Equal(t, sum2, hex.EncodeToString(gotSum[:]))
	res = objects.Get(ctx, oc, container, "avvisi/avviso.txt", nil)
	md, err = res.ExtractMetadata()
	require.NoError(t, err)
	assert.Equal(t, "sindaco", md["Autore"])
	w.PlanNoChanges()

	// Import: the content is not read back, so the first apply records it
	// (no upload: the bytes are the same), then nothing changes.
	w.StateRm("openstack_objectstorage_object_v1.testo")
	w.StateRm("openstack_objectstorage_container_v1.c")
	w.Import("openstack_objectstorage_object_v1.testo", container+"/avvisi/avviso.txt")
	w.Import("openstack_objectstorage_container_v1.c", container)
	w.Apply(fmt.Sprintf(objectConfig, e.Prefix, "sindaco", src))
	w.PlanNoChanges()

	// An object nuvola does not manage: force_destroy deletes it too.
	_, err = objects.Create(ctx, oc, container, "estraneo.txt", objects.CreateOpts{Content: bytes.NewReader([]byte("x"))}).Extract()
	require.NoError(t, err)
	w.Destroy()
	_, err = containers.Get(ctx, oc, container, nil).Extract()
	assert.True(t, isGone(err), "container deleted with its objects: %v", err)
}

// A no-change plan of 8 containers (4 with metadata) and 10 objects in
// two of them: one account listing, a HEAD for each container with
// metadata, one listing per container of objects.
func TestAccObjectStoragePlanRequestCount(t *testing.T) {
	t.Parallel()
	e := New(t)
	e.Cloud(CloudDemo) // the sweep visits the accounts of the clouds used
	w := e.NewWorkdir(CloudDemo)
	w.Apply(fmt.Sprintf(`resource "openstack_objectstorage_container_v1" "plain" {
  count         = 4
  name          = "%[1]sp${count.index}"
  force_destroy = true
}

resource "openstack_objectstorage_container_v1" "meta" {
  count    = 4
  name     = "%[1]sm${count.index}"
  metadata = { ufficio = "tributi" }
}

resource "openstack_objectstorage_object_v1" "o" {
  count          = 10
  container_name = openstack_objectstorage_container_v1.plain[count.index %% 2].name
  name           = "doc/${count.index}.txt"
  content        = "documento ${count.index}"
}
`, e.Prefix))
	byService, total := planRequests(t, w)
	t.Logf("no-change plan of 8 containers and 10 objects: %d requests %v", total, byService)
	assert.Equal(t, int64(1+4+2), byService["object-store"], "account listing, 4 HEADs, 2 container listings")
	w.Destroy()
}
