package objectstorage

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const (
	contType = "openstack_objectstorage_container_v1"
	objType  = "openstack_objectstorage_object_v1"
	urlType  = "openstack_objectstorage_tempurl_v1"
)

func TestContainerLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})

	cfg := object(t, p, contType, map[string]any{"name": "atti", "versioning": true, "container_read": ".r:*",
		"metadata": map[string]string{"uso": "albo", "ufficio": "protocollo"}})
	st := osfwtest.Apply(t, p, contType, cty.NilVal, cfg)
	assert.Equal(t, "atti", st.GetAttr("id").AsString())
	h := fake.containers["atti"].headers
	assert.Equal(t, "true", h.Get("X-Versions-Enabled"))
	assert.Equal(t, "albo", h.Get("X-Container-Meta-Uso"))
	assert.Equal(t, "c_a662", h.Get("X-Container-Meta-Ente"), "default tags reach the container")

	// The cloud answers "Uso": the configuration's spelling is kept.
	st = osfwtest.Read(t, p, contType, st)[0]
	assert.Equal(t, cty.MapVal(map[string]cty.Value{"uso": cty.StringVal("albo"), "ufficio": cty.StringVal("protocollo")}), st.GetAttr("metadata"))
	assert.Equal(t, "Policy-0", st.GetAttr("storage_policy").AsString())
	osfwtest.NoChange(t, p, contType, st, cfg)

	cfg2 := object(t, p, contType, map[string]any{"name": "atti", "versioning": false, "metadata": map[string]string{"uso": "archivio"}})
	st = osfwtest.Apply(t, p, contType, st, cfg2)
	assert.Equal(t, "archivio", h.Get("X-Container-Meta-Uso"))
	assert.Empty(t, h.Get("X-Container-Meta-Ufficio"), "a removed key is removed")
	assert.Empty(t, h.Get("X-Container-Read"), "a removed ACL is removed")
	assert.Equal(t, "false", h.Get("X-Versions-Enabled"))
	st = osfwtest.Read(t, p, contType, st)[0]
	osfwtest.NoChange(t, p, contType, st, cfg2)

	imp := osfwtest.Import(t, p, contType, "atti")
	assert.Equal(t, "atti", imp.GetAttr("name").AsString())
	osfwtest.NoChange(t, p, contType, imp, cfg2)

	osfwtest.Destroy(t, p, contType, st)
	assert.Empty(t, fake.containers)
	assert.True(t, osfwtest.Read(t, p, contType, st)[0].IsNull())
	osfwtest.Destroy(t, p, contType, st)
}

func TestContainerLegacyVersioning(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	cfg := object(t, p, contType, map[string]any{"name": "docs",
		"versioning_legacy": []map[string]any{{"type": "versions", "location": "docs-old"}}})
	st := osfwtest.Apply(t, p, contType, cty.NilVal, cfg)
	assert.Equal(t, "docs-old", fake.containers["docs"].headers.Get("X-Versions-Location"))
	st = osfwtest.Read(t, p, contType, st)[0]
	osfwtest.NoChange(t, p, contType, st, cfg)
}

func TestContainerForceDestroy(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": "pieno"}))
	for i := range 60 {
		osfwtest.Apply(t, p, objType, cty.NilVal, object(t, p, objType, map[string]any{"container_name": "pieno", "name": fmt.Sprintf("dir/o%d", i), "content": "x"}))
	}
	// Without force_destroy the container is kept, and the error says why.
	resp := p.ApplyResourceChange(t.Context(), destroyReq(t, p, contType, st))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "force_destroy")
	require.Len(t, fake.containers["pieno"].objects, 60)

	st = osfwtest.Apply(t, p, contType, st, object(t, p, contType, map[string]any{"name": "pieno", "force_destroy": true}))
	osfwtest.Destroy(t, p, contType, st)
	assert.Empty(t, fake.containers, "objects then container deleted")
}

func TestContainerRefreshRequests(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	var plain, withMeta []cty.Value
	for i := range 10 {
		plain = append(plain, osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": fmt.Sprintf("c-%02d", i)})))
	}
	for i := range 3 {
		withMeta = append(withMeta, osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": fmt.Sprintf("c-m%d", i), "metadata": map[string]string{"k": "v"}})))
	}
	cloud.ResetRequests()
	osfwtest.Read(t, p, contType, plain...)
	assert.Equal(t, []string{"GET " + osfwtest.SwiftPath}, cloud.Requests(), "plain containers: the account listing only")

	cloud.ResetRequests()
	got := osfwtest.Read(t, p, contType, append(plain, withMeta...)...)
	assert.Len(t, cloud.Requests(), 1+3, "the listing, and a HEAD for each container with metadata: %v", cloud.Requests())
	assert.Equal(t, "v", got[10].GetAttr("metadata").AsValueMap()["k"].AsString())

	// Every container needs its HEAD: the HEADs alone, no listing.
	cloud.ResetRequests()
	got = osfwtest.Read(t, p, contType, withMeta...)
	assert.Len(t, cloud.Requests(), 3, "a HEAD for each container, no listing: %v", cloud.Requests())
	for _, r := range cloud.Requests() {
		assert.True(t, strings.HasPrefix(r, "HEAD "), r)
	}
	assert.Equal(t, "v", got[2].GetAttr("metadata").AsValueMap()["k"].AsString())
	osfwtest.Destroy(t, p, contType, withMeta[1])
	got = osfwtest.Read(t, p, contType, withMeta...)
	assert.True(t, got[1].IsNull(), "a 404 on the HEAD: gone")
	assert.False(t, got[0].IsNull())

	osfwtest.Destroy(t, p, contType, plain[4])
	cloud.ResetRequests()
	got = osfwtest.Read(t, p, contType, plain...)
	assert.True(t, got[4].IsNull())
	assert.Len(t, cloud.Requests(), 2, "the listing, and a HEAD confirming the one it lacks")
}

func writeFile(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "f.txt")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestObjectContentAndSource(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})
	osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": "web"}))

	cfg := object(t, p, objType, map[string]any{"container_name": "web", "name": "index.html", "content": "<h1>Comune</h1>",
		"content_type": "text/html", "metadata": map[string]string{"autore": "ufficio"}})
	st := osfwtest.Apply(t, p, objType, cty.NilVal, cfg)
	assert.Equal(t, "web/index.html", st.GetAttr("id").AsString())
	assert.Equal(t, md5hex("<h1>Comune</h1>"), st.GetAttr("etag").AsString())
	o := fake.containers["web"].objects["index.html"]
	assert.Equal(t, "<h1>Comune</h1>", string(o.data))
	assert.Equal(t, "c_a662", o.headers.Get("X-Object-Meta-Ente"))
	st = osfwtest.Read(t, p, objType, st)[0]
	assert.Equal(t, cty.MapVal(map[string]cty.Value{"autore": cty.StringVal("ufficio")}), st.GetAttr("metadata"))
	assert.Equal(t, cty.NumberIntVal(15), st.GetAttr("content_length"))
	osfwtest.NoChange(t, p, objType, st, cfg)

	// A metadata change is a POST: no upload.
	uploads := len(fake.uploads)
	cfg2 := object(t, p, objType, map[string]any{"container_name": "web", "name": "index.html", "content": "<h1>Comune</h1>",
		"content_type": "text/html", "metadata": map[string]string{"autore": "sindaco"}})
	st = osfwtest.Apply(t, p, objType, st, cfg2)
	assert.Len(t, fake.uploads, uploads)
	assert.Equal(t, "sindaco", o.headers.Get("X-Object-Meta-Autore"))

	// From a file; a new content of the same file is seen and uploaded.
	path := writeFile(t, "versione 1")
	fcfg := object(t, p, objType, map[string]any{"container_name": "web", "name": "docs/a.txt", "source": path})
	fst := osfwtest.Apply(t, p, objType, cty.NilVal, fcfg)
	assert.Equal(t, "versione 1", string(fake.containers["web"].objects["docs/a.txt"].data))
	fst = osfwtest.Read(t, p, objType, fst)[0]
	osfwtest.NoChange(t, p, objType, fst, fcfg)
	require.NoError(t, os.WriteFile(path, []byte("versione 2, più lunga"), 0o644))
	pr := osfwtest.Plan(t, p, objType, fst, fcfg)
	assert.Equal(t, md5hex("versione 2, più lunga"), pr.PlannedState.GetAttr("etag").AsString(), "the new MD5 is planned")
	fst = osfwtest.Apply(t, p, objType, fst, fcfg)
	assert.Equal(t, "versione 2, più lunga", string(fake.containers["web"].objects["docs/a.txt"].data))
	fst = osfwtest.Read(t, p, objType, fst)[0]
	osfwtest.NoChange(t, p, objType, fst, fcfg)

	// A source that does not exist yet (another resource makes it): the
	// MD5 is known after the upload.
	later := filepath.Join(t.TempDir(), "later.txt")
	lcfg := object(t, p, objType, map[string]any{"container_name": "web", "name": "later.txt", "source": later})
	pr = osfwtest.Plan(t, p, objType, cty.NilVal, lcfg)
	assert.False(t, pr.PlannedState.GetAttr("etag").IsKnown())
	require.NoError(t, os.WriteFile(later, []byte("fatto dopo"), 0o644))
	lst := p.ApplyResourceChange(t.Context(), plugins.ApplyResourceChangeRequest{TypeName: objType, PriorState: cty.NullVal(pr.PlannedState.Type()), PlannedState: pr.PlannedState, Config: lcfg})
	require.False(t, lst.Diagnostics.HasErrors(), "%v", lst.Diagnostics.Err())
	assert.Equal(t, md5hex("fatto dopo"), lst.NewState.GetAttr("etag").AsString())

	imp := osfwtest.Import(t, p, objType, "web/docs/a.txt")
	assert.Equal(t, "docs/a.txt", imp.GetAttr("name").AsString())
	assert.Equal(t, "web", imp.GetAttr("container_name").AsString())

	// Copy.
	ccfg := object(t, p, objType, map[string]any{"container_name": "web", "name": "copia.txt", "copy_from": "web/docs/a.txt"})
	cst := osfwtest.Apply(t, p, objType, cty.NilVal, ccfg)
	assert.Equal(t, md5hex("versione 2, più lunga"), cst.GetAttr("etag").AsString())

	osfwtest.Destroy(t, p, objType, st)
	osfwtest.Destroy(t, p, objType, fst)
	assert.Nil(t, fake.containers["web"].objects["index.html"])
	assert.True(t, osfwtest.Read(t, p, objType, st)[0].IsNull())
}

// A large source file goes up as a stream: its length is announced, the
// body is read in chunks, and memory does not grow with the file.
func TestObjectSourceStreamed(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": "big"}))

	const size = 48 << 20
	path := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(path)
	require.NoError(t, err)
	h := md5.New()
	rng := rand.New(rand.NewPCG(1, 2))
	chunk := make([]byte, 1<<20)
	for written := 0; written < size; written += len(chunk) {
		for i := range chunk {
			chunk[i] = byte(rng.Uint32())
		}
		_, _ = f.Write(chunk)
		h.Write(chunk)
	}
	require.NoError(t, f.Close())
	sum := hex.EncodeToString(h.Sum(nil))
	chunk = nil

	cfg := object(t, p, objType, map[string]any{"container_name": "big", "name": "big.bin", "source": path})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	st := osfwtest.Apply(t, p, objType, cty.NilVal, cfg)
	runtime.ReadMemStats(&after)

	assert.Equal(t, sum, st.GetAttr("etag").AsString())
	require.Len(t, fake.lengths, 1)
	assert.Equal(t, int64(size), fake.lengths[0], "Content-Length announced")
	assert.Equal(t, int64(size), fake.streamed[0])
	assert.Equal(t, sum, fake.containers["big"].objects["big.bin"].md5)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("uploading %d MiB allocated %.1f MiB in all (client and fake server)", size>>20, float64(allocated)/(1<<20))
	assert.Less(t, allocated, uint64(size/4), "allocated %d bytes for a %d byte upload: the file was read into memory", allocated, size)
}

func TestObjectETagChecks(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": "c"}))
	path := writeFile(t, "dati")

	// A configured etag that the file does not match: nothing is uploaded.
	resp := osfwtest.ApplyResp(t, p, objType, cty.NilVal, object(t, p, objType, map[string]any{"container_name": "c", "name": "x", "source": path, "etag": md5hex("altro")}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "not the etag")
	assert.Empty(t, fake.uploads)

	// Swift stores something else than was sent.
	fake.corruptETag = true
	resp = osfwtest.ApplyResp(t, p, objType, cty.NilVal, object(t, p, objType, map[string]any{"container_name": "c", "name": "y", "source": path}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "stored y with MD5 00000000000000000000000000000000")
	assert.Equal(t, "c/y", resp.NewState.GetAttr("id").AsString(), "what Swift stored is recorded, to be replaced")
}

// An upload whose answer is lost is adopted when Swift has the object
// with the planned MD5: a streamed body is not sent twice.
func TestObjectLostUploadAdopted(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/lost.txt") {
			inner.ServeHTTP(&discard{header: http.Header{}}, r) // stored...
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close() // ...and the answer lost
			}
			return
		}
		inner.ServeHTTP(w, r)
	})
	p := cloud.Provider(t, Resources(), nil, nil)
	object(t, p, contType, map[string]any{"name": "c"})
	osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": "c"}))
	st := osfwtest.Apply(t, p, objType, cty.NilVal, object(t, p, objType, map[string]any{"container_name": "c", "name": "lost.txt", "source": writeFile(t, "perso")}))
	assert.Equal(t, "c/lost.txt", st.GetAttr("id").AsString())
	assert.Equal(t, []string{"c/lost.txt"}, fake.uploads, "uploaded once")
}

type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func TestObjectRefreshOneListingPerContainer(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	var states []cty.Value
	for _, c := range []string{"a", "b"} {
		osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": c}))
		for i := range 5 {
			states = append(states, osfwtest.Apply(t, p, objType, cty.NilVal, object(t, p, objType, map[string]any{"container_name": c, "name": fmt.Sprintf("log/%d", i), "content": fmt.Sprint(i)})))
		}
	}
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, objType, states...)
	require.Len(t, cloud.Requests(), 2, "%v", cloud.Requests())
	for _, r := range cloud.Requests() {
		assert.True(t, strings.HasPrefix(r, "GET "+osfwtest.SwiftPath))
	}
	assert.Equal(t, md5hex("3"), got[3].GetAttr("etag").AsString())

	// Changed outside: the listing shows the new MD5, and a plan uploads again.
	fake.containers["a"].objects["log/1"].md5 = md5hex("changed")
	got = osfwtest.Read(t, p, objType, states...)
	pr := osfwtest.Plan(t, p, objType, got[1], object(t, p, objType, map[string]any{"container_name": "a", "name": "log/1", "content": "1"}))
	assert.Equal(t, md5hex("1"), pr.PlannedState.GetAttr("etag").AsString())

	delete(fake.containers["b"].objects, "log/0")
	got = osfwtest.Read(t, p, objType, states...)
	assert.True(t, got[5].IsNull())
}

func TestTempURL(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeSwift(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	osfwtest.Apply(t, p, contType, cty.NilVal, object(t, p, contType, map[string]any{"name": "pub"}))
	osfwtest.Apply(t, p, objType, cty.NilVal, object(t, p, objType, map[string]any{"container_name": "pub", "name": "a b.txt", "content": "x"}))

	cfg := object(t, p, urlType, map[string]any{"container": "pub", "object": "a b.txt", "ttl": 60})
	st := osfwtest.Apply(t, p, urlType, cty.NilVal, cfg)
	key := fake.account.Get("X-Account-Meta-Temp-Url-Key")
	assert.Len(t, key, 64, "a random account key was set")
	u, err := url.Parse(st.GetAttr("url").AsString())
	require.NoError(t, err)
	assert.NotEmpty(t, u.Query().Get("temp_url_sig"))
	assert.NotEmpty(t, u.Query().Get("temp_url_expires"))
	assert.True(t, osfwtest.Schema(p, urlType).Attributes["url"].Sensitive)
	st = osfwtest.Read(t, p, urlType, st)[0]
	osfwtest.NoChange(t, p, urlType, st, cfg)

	// A second URL reuses the key.
	osfwtest.Apply(t, p, urlType, cty.NilVal, object(t, p, urlType, map[string]any{"container": "pub", "object": "a b.txt", "ttl": 30, "method": "put"}))
	assert.Equal(t, key, fake.account.Get("X-Account-Meta-Temp-Url-Key"))

	// Expired and to regenerate: gone, so the next apply makes a new one.
	regen := osfwtest.Apply(t, p, urlType, cty.NilVal, object(t, p, urlType, map[string]any{"container": "pub", "object": "a b.txt", "ttl": 60, "regenerate": true}))
	assert.False(t, osfwtest.Read(t, p, urlType, regen)[0].IsNull(), "valid yet")
	attrs := regen.AsValueMap()
	old, _ := url.Parse(attrs["url"].AsString())
	q := old.Query()
	q.Set("temp_url_expires", "1000")
	old.RawQuery = q.Encode()
	attrs["url"] = cty.StringVal(old.String())
	expired := cty.ObjectVal(attrs)
	assert.True(t, osfwtest.Read(t, p, urlType, expired)[0].IsNull())
	osfwtest.Destroy(t, p, urlType, st)
	resp := p.ImportResourceState(t.Context(), importReq(urlType, "x"))
	assert.True(t, resp.Diagnostics.HasErrors())
	_ = http.StatusOK
}
