package images

import (
	"context"
	"crypto/md5"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const ip = osfwtest.ImagePath + "v2/"

// fakeGlance keeps images in memory; uploads are read in small pieces.
type fakeGlance struct {
	t      *testing.T
	mu     sync.Mutex
	images map[string]map[string]any
	next   int
	// corrupt, when set, makes Glance store a different checksum.
	corrupt bool
	// atFirstChunk is called when the first 64 KiB of an upload arrived.
	atFirstChunk func()
	uploadReads  int
	imported     string
}

func newFakeGlance(c *osfwtest.Cloud, t *testing.T) *fakeGlance {
	f := &fakeGlance{t: t, images: map[string]map[string]any{}}
	c.Handle("POST "+ip+"images", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.next++
		id := fmt.Sprintf("img-%d", f.next)
		if v, ok := body["id"].(string); ok {
			id = v
		}
		im := map[string]any{"id": id, "status": "queued", "owner": osfwtest.ProjectID, "checksum": nil, "size": nil,
			"os_hash_algo": nil, "os_hash_value": nil, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
			"file": "/v2/images/" + id + "/file", "schema": "/v2/schemas/image", "self": "/v2/images/" + id, "tags": []any{},
			"os_hidden": false, "protected": false, "visibility": "shared", "min_disk": 0, "min_ram": 0, "stores": ""}
		for k, v := range body {
			im[k] = v
		}
		f.images[id] = im
		osfwtest.WriteJSON(w, http.StatusCreated, im)
	})
	c.Handle("PUT "+ip+"images/{id}/file", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		im, ok := f.images[r.PathValue("id")]
		f.mu.Unlock()
		if !ok {
			osfwtest.NotFound(w, "Image")
			return
		}
		m, s := md5.New(), sha512.New()
		var n int64
		buf := make([]byte, 16<<10)
		reads := 0
		for {
			k, err := r.Body.Read(buf)
			if k > 0 {
				reads++
				m.Write(buf[:k])
				s.Write(buf[:k])
				n += int64(k)
				if n >= 64<<10 && n-int64(k) < 64<<10 && f.atFirstChunk != nil {
					f.atFirstChunk()
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		f.mu.Lock()
		f.uploadReads = reads
		im["status"] = "saving"
		im["size"] = n
		im["checksum"] = hex.EncodeToString(m.Sum(nil))
		if f.corrupt {
			im["checksum"] = "00000000000000000000000000000000"
		}
		im["os_hash_algo"] = "sha512"
		im["os_hash_value"] = hex.EncodeToString(s.Sum(nil))
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	c.Handle("POST "+ip+"images/{id}/import", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.imported = body["method"].(map[string]any)["uri"].(string)
		im := f.images[r.PathValue("id")]
		im["status"] = "importing"
		im["size"] = 3
		w.WriteHeader(http.StatusAccepted)
	})
	c.Handle("GET "+ip+"images/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		im, ok := f.images[r.PathValue("id")]
		if !ok {
			osfwtest.NotFound(w, "Image")
			return
		}
		if im["status"] == "saving" || im["status"] == "importing" {
			im["status"] = "active"
		}
		osfwtest.WriteJSON(w, http.StatusOK, im)
	})
	c.Handle("GET "+ip+"images", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var ids []string
		if v := r.URL.Query().Get("id"); strings.HasPrefix(v, "in:") {
			ids = strings.Split(strings.TrimPrefix(v, "in:"), ",")
		}
		q := r.URL.Query()
		name := q.Get("name")
		// Hidden images are listed only when asked for, and then alone.
		hidden := q.Get("os_hidden") == "true"
		out := []any{}
		for i := 1; i <= f.next; i++ {
			id := fmt.Sprintf("img-%d", i)
			im, ok := f.images[id]
			if !ok || (ids != nil && !contains(ids, id)) || (name != "" && im["name"] != name) || (im["os_hidden"] == true) != hidden {
				continue
			}
			if (q.Get("status") != "" && im["status"] != q.Get("status")) || (q.Get("owner") != "" && im["owner"] != q.Get("owner")) {
				continue
			}
			out = append(out, im)
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"images": out, "schema": "/v2/schemas/images", "first": "/v2/images"})
	})
	c.Handle("PATCH "+ip+"images/{id}", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "application/openstack-images-v2.1-json-patch", r.Header.Get("Content-Type"))
		var ops []map[string]any
		body, _ := io.ReadAll(r.Body)
		require.NoError(t, jsonUnmarshal(body, &ops))
		f.mu.Lock()
		defer f.mu.Unlock()
		im := f.images[r.PathValue("id")]
		for _, op := range ops {
			key := strings.TrimPrefix(op["path"].(string), "/")
			switch op["op"] {
			case "add", "replace":
				im[key] = op["value"]
			case "remove":
				delete(im, key)
			}
		}
		osfwtest.WriteJSON(w, http.StatusOK, im)
	})
	c.Handle("DELETE "+ip+"images/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.images[r.PathValue("id")]; !ok {
			osfwtest.NotFound(w, "Image")
			return
		}
		delete(f.images, r.PathValue("id"))
		w.WriteHeader(http.StatusNoContent)
	})
	return f
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// countingFile counts the bytes read from the file.
type countingFile struct {
	*os.File
	read atomic.Int64
}

func (c *countingFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func writeDisk(t *testing.T, size int) (string, string) {
	path := filepath.Join(t.TempDir(), "comune.raw")
	f, err := os.Create(path)
	require.NoError(t, err)
	h := md5.New()
	w := io.MultiWriter(f, h)
	chunk := make([]byte, 1<<20)
	for i := 0; i < size; i += len(chunk) {
		for j := range chunk {
			chunk[j] = byte(i/len(chunk) + j%251)
		}
		_, err := w.Write(chunk[:min(len(chunk), size-i)])
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	return path, hex.EncodeToString(h.Sum(nil))
}

// The disk is streamed from the file: when Glance has received the first
// 64 KiB, nuvola has read only a small part of a 32 MiB file.
func TestImageUploadIsStreamed(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeGlance(cloud, t)
	const size = 32 << 20
	path, sum := writeDisk(t, size)
	var opened *countingFile
	old := openUpload
	openUpload = func(p string) (uploadFile, error) {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		opened = &countingFile{File: f}
		return opened, nil
	}
	t.Cleanup(func() { openUpload = old })
	var readAtFirstChunk int64
	fake.atFirstChunk = func() { readAtFirstChunk = opened.read.Load() }

	p := cloud.Provider(t, Resources(), DataSources(), map[string]string{"ente": "c_a662"})
	cfg := osfwtest.Object(t, p, imageType, map[string]any{"name": "vm-comune", "container_format": "bare", "disk_format": "raw",
		"local_file_path": path, "properties": map[string]string{"os_distro": "debian"}, "tags": []string{"migrazione"}})
	st := osfwtest.Apply(t, p, imageType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	assert.Equal(t, "active", st.GetAttr("status").AsString())
	assert.Equal(t, sum, st.GetAttr("checksum").AsString())
	assert.Equal(t, int64(size), int64(intOf(st.GetAttr("size_bytes"))))
	assert.Greater(t, readAtFirstChunk, int64(0))
	assert.Less(t, readAtFirstChunk, int64(size/2), "the file is read as it is sent, not first into memory")
	assert.Greater(t, fake.uploadReads, 100, "Glance received the data in many pieces")
	assert.ElementsMatch(t, []any{"migrazione", "ente=c_a662"}, fake.images[id]["tags"])
	assert.Equal(t, "debian", fake.images[id]["os_distro"])
	assert.Equal(t, cty.MapVal(map[string]cty.Value{"os_distro": cty.StringVal("debian")}), st.GetAttr("properties"), "Glance's own fields are not properties")

	st = osfwtest.Read(t, p, imageType, st)[0]
	osfwtest.NoChange(t, p, imageType, st, cfg)

	// In place: name, visibility, properties, tags.
	cfg2 := osfwtest.Object(t, p, imageType, map[string]any{"name": "vm-comune-2", "container_format": "bare", "disk_format": "raw",
		"local_file_path": path, "visibility": "shared", "properties": map[string]string{"hw_disk_bus": "scsi"}, "tags": []string{"migrazione"}})
	st2 := osfwtest.Apply(t, p, imageType, st, cfg2)
	assert.Equal(t, id, st2.GetAttr("id").AsString())
	assert.Equal(t, "vm-comune-2", fake.images[id]["name"])
	assert.Equal(t, "shared", fake.images[id]["visibility"])
	assert.Equal(t, "scsi", fake.images[id]["hw_disk_bus"])
	assert.NotContains(t, fake.images[id], "os_distro")

	imp := osfwtest.Import(t, p, imageType, id)
	assert.Equal(t, "vm-comune-2", imp.GetAttr("name").AsString())
	assert.Equal(t, cty.SetVal([]cty.Value{cty.StringVal("migrazione")}), imp.GetAttr("tags"))

	osfwtest.Destroy(t, p, imageType, st2)
	assert.Empty(t, fake.images)
	assert.True(t, osfwtest.Read(t, p, imageType, st2)[0].IsNull())
	osfwtest.Destroy(t, p, imageType, st2)
}

func TestImageChecksumMismatch(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeGlance(cloud, t)
	fake.corrupt = true
	path, _ := writeDisk(t, 1<<20)
	p := cloud.Provider(t, Resources(), nil, nil)
	resp := osfwtest.ApplyResp(t, p, imageType, cty.NilVal, osfwtest.Object(t, p, imageType, map[string]any{
		"name": "x", "container_format": "bare", "disk_format": "raw", "local_file_path": path}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "wrong checksum")
}

func TestImageFromURLStreamedThroughNuvola(t *testing.T) {
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, pw, _ := r.BasicAuth()
		if u != "ente" || pw != "segreto" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(strings.Repeat("disk", 100000)))
	}))
	t.Cleanup(src.Close)
	cloud := osfwtest.NewCloud(t)
	fake := newFakeGlance(cloud, t)
	p := cloud.Provider(t, Resources(), DataSources(), nil)
	st := osfwtest.Apply(t, p, imageType, cty.NilVal, osfwtest.Object(t, p, imageType, map[string]any{
		"name": "u", "container_format": "bare", "disk_format": "raw", "image_source_url": src.URL + "/disk.raw",
		"image_source_username": "ente", "image_source_password": "segreto"}))
	assert.Equal(t, 400000, intOf(st.GetAttr("size_bytes")))
	assert.Empty(t, fake.imported)

	// With web_download, Glance fetches it.
	st2 := osfwtest.Apply(t, p, imageType, cty.NilVal, osfwtest.Object(t, p, imageType, map[string]any{
		"name": "w", "container_format": "bare", "disk_format": "raw", "image_source_url": "https://example.org/disk.qcow2", "web_download": true}))
	assert.Equal(t, "https://example.org/disk.qcow2", fake.imported)
	assert.Equal(t, "active", st2.GetAttr("status").AsString())

	// Refresh of both: one list request.
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, imageType, st, st2)
	assert.Len(t, cloud.Requests(), 1, "%v", cloud.Requests())
	assert.True(t, strings.HasPrefix(cloud.Requests()[0], "GET /image/v2/images"))
	assert.Equal(t, "w", got[1].GetAttr("name").AsString())

	// The data source: by name; two images match without most_recent.
	dresp := p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{TypeName: imageType, Config: dataConfig(t, p, map[string]any{"name": "u"})})
	require.False(t, dresp.Diagnostics.HasErrors(), "%v", dresp.Diagnostics.Err())
	assert.Equal(t, st.GetAttr("id").AsString(), dresp.State.GetAttr("id").AsString())
	dresp = p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{TypeName: imageType, Config: dataConfig(t, p, map[string]any{"container_format": "bare"})})
	require.True(t, dresp.Diagnostics.HasErrors())
	dresp = p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{TypeName: imageType, Config: dataConfig(t, p, map[string]any{"container_format": "bare", "most_recent": true})})
	require.False(t, dresp.Diagnostics.HasErrors(), "%v", dresp.Diagnostics.Err())
}

func dataConfig(t *testing.T, p *osfw.Provider, attrs map[string]any) cty.Value {
	b := p.GetSchema(context.Background(), plugins.GetSchemaRequest{}).DataSources[imageType].Block
	d := osfw.NewData(b, cty.NullVal(b.ImpliedType()))
	for k, v := range attrs {
		d.Set(k, v)
	}
	return d.Value()
}

func intOf(v cty.Value) int {
	i, _ := v.AsBigFloat().Int64()
	return int(i)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// A create whose answer is lost takes the queued image Glance made and
// uploads its data, rather than making a second image.
func TestImageLostCreateAdopted(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeGlance(cloud, t)
	var posts atomic.Int32
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == ip+"images" && posts.Add(1) == 1 {
			inner.ServeHTTP(httptest.NewRecorder(), r)
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		inner.ServeHTTP(w, r)
	})
	path, sum := writeDisk(t, 1<<20)
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, imageType, cty.NilVal, osfwtest.Object(t, p, imageType, map[string]any{
		"name": "adopt", "container_format": "bare", "disk_format": "raw", "local_file_path": path}))
	assert.Len(t, fake.images, 1, "no second image")
	assert.Equal(t, sum, st.GetAttr("checksum").AsString(), "the data was sent")
}
