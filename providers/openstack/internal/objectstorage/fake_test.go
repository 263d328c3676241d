package objectstorage

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

type fakeObject struct {
	md5     string
	size    int64
	data    []byte // kept only when small
	headers http.Header
}

type fakeContainer struct {
	headers http.Header
	objects map[string]*fakeObject
}

// fakeSwift is an account in memory. Uploads are read incrementally and
// their Content-Length and ETag checked, as Swift does.
type fakeSwift struct {
	mu          sync.Mutex
	account     http.Header
	containers  map[string]*fakeContainer
	corruptETag bool // answer uploads with a wrong ETag
	uploads     []string
	streamed    []int64 // body sizes of uploads, read in chunks
	lengths     []int64 // Content-Length of uploads
}

func newFakeSwift(t *testing.T, c *osfwtest.Cloud) *fakeSwift {
	f := &fakeSwift{account: http.Header{}, containers: map[string]*fakeContainer{}}
	base := osfwtest.SwiftPath
	c.Handle(base+"{$}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch r.Method {
		case http.MethodHead:
			copyHeaders(w.Header(), f.account)
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPost:
			applyPost(f.account, r.Header, "X-Account-Meta-")
			w.WriteHeader(http.StatusNoContent)
		case http.MethodGet:
			var names []string
			for n := range f.containers {
				names = append(names, n)
			}
			writeListing(w, r, names, func(n string) map[string]any {
				return map[string]any{"name": n, "count": len(f.containers[n].objects), "bytes": 0}
			})
		}
	})
	c.Handle(base+"{container}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("container")
		f.mu.Lock()
		defer f.mu.Unlock()
		ct := f.containers[name]
		if ct == nil && r.Method != http.MethodPut {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		switch r.Method {
		case http.MethodPut:
			if ct == nil {
				ct = &fakeContainer{headers: http.Header{}, objects: map[string]*fakeObject{}}
				f.containers[name] = ct
			}
			applyPost(ct.headers, r.Header, "X-Container-Meta-")
			w.WriteHeader(http.StatusCreated)
		case http.MethodPost:
			applyPost(ct.headers, r.Header, "X-Container-Meta-")
			w.WriteHeader(http.StatusNoContent)
		case http.MethodHead:
			copyHeaders(w.Header(), ct.headers)
			w.WriteHeader(http.StatusNoContent)
		case http.MethodDelete:
			if len(ct.objects) > 0 {
				http.Error(w, "There was a conflict when trying to complete your request.", http.StatusConflict)
				return
			}
			delete(f.containers, name)
			w.WriteHeader(http.StatusNoContent)
		case http.MethodGet:
			var names []string
			for n := range ct.objects {
				names = append(names, n)
			}
			writeListing(w, r, names, func(n string) map[string]any {
				o := ct.objects[n]
				return map[string]any{"name": n, "hash": o.md5, "bytes": o.size, "content_type": o.headers.Get("Content-Type"), "last_modified": "2026-11-22T10:00:00.000000"}
			})
		}
	})
	c.Handle(base+"{container}/{object...}", func(w http.ResponseWriter, r *http.Request) {
		cname, oname := r.PathValue("container"), r.PathValue("object")
		if r.Method == http.MethodPut {
			f.put(t, w, r, cname, oname)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		ct := f.containers[cname]
		var o *fakeObject
		if ct != nil {
			o = ct.objects[oname]
		}
		if o == nil {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		switch r.Method {
		case http.MethodHead, http.MethodGet:
			copyHeaders(w.Header(), o.headers)
			w.Header().Set("Etag", o.md5)
			w.Header().Set("Content-Length", itoa(o.size))
			w.Header().Set("Last-Modified", "Sun, 22 Nov 2026 10:00:00 GMT")
			w.WriteHeader(http.StatusOK)
		case http.MethodPost:
			keep := http.Header{"Content-Type": o.headers["Content-Type"]}
			for k, v := range r.Header {
				if strings.HasPrefix(k, "X-Object-Meta-") || k == "Content-Type" || k == "Content-Encoding" || k == "Content-Disposition" || k == "X-Delete-At" {
					keep[k] = v
				}
			}
			o.headers = keep
			w.WriteHeader(http.StatusAccepted)
		case http.MethodDelete:
			delete(ct.objects, oname)
			w.WriteHeader(http.StatusNoContent)
		}
	})
	return f
}

// put stores an upload, reading the body in chunks without keeping it.
func (f *fakeSwift) put(t *testing.T, w http.ResponseWriter, r *http.Request, cname, oname string) {
	h := md5.New()
	var small []byte
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := r.Body.Read(buf)
		if k > 0 {
			h.Write(buf[:k])
			if n+int64(k) <= 1<<20 {
				small = append(small, buf[:k]...)
			}
			n += int64(k)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("reading upload: %v", err)
			return
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads = append(f.uploads, cname+"/"+oname)
	f.streamed = append(f.streamed, n)
	f.lengths = append(f.lengths, r.ContentLength)
	if r.ContentLength >= 0 && r.ContentLength != n {
		http.Error(w, "length mismatch", http.StatusBadRequest)
		return
	}
	if e := r.Header.Get("Etag"); e != "" && e != sum {
		http.Error(w, "Unprocessable Entity", http.StatusUnprocessableEntity)
		return
	}
	ct := f.containers[cname]
	if ct == nil {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	o := &fakeObject{md5: sum, size: n, headers: http.Header{}}
	if src := r.Header.Get("X-Copy-From"); src != "" {
		sc, so, _ := strings.Cut(strings.TrimPrefix(src, "/"), "/")
		if from := f.containers[sc]; from != nil && from.objects[so] != nil {
			o.md5, o.size, o.data = from.objects[so].md5, from.objects[so].size, from.objects[so].data
		}
	} else if n <= 1<<20 {
		o.data = small
	}
	for k, v := range r.Header {
		if strings.HasPrefix(k, "X-Object-Meta-") || k == "Content-Encoding" || k == "Content-Disposition" || k == "X-Object-Manifest" {
			o.headers[k] = v
		}
	}
	o.headers.Set("Content-Type", "application/octet-stream")
	if v := r.Header.Get("Content-Type"); v != "" {
		o.headers.Set("Content-Type", v)
	}
	if v := r.Header.Get("X-Delete-After"); v != "" {
		o.headers.Set("X-Delete-At", "1893456000")
	}
	ct.objects[oname] = o
	if f.corruptETag {
		w.Header().Set("Etag", "00000000000000000000000000000000")
	} else {
		w.Header().Set("Etag", sum)
	}
	w.WriteHeader(http.StatusCreated)
}

func copyHeaders(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// applyPost applies the headers of a PUT or POST to stored headers:
// X-Remove-* removes, the others replace.
func applyPost(stored, req http.Header, metaPrefix string) {
	for k, v := range req {
		switch {
		case strings.HasPrefix(k, "X-Remove-"):
			stored.Del("X-" + strings.TrimPrefix(k, "X-Remove-"))
		case strings.HasPrefix(k, metaPrefix) || k == "X-Container-Read" || k == "X-Container-Write" || k == "X-Versions-Enabled" ||
			k == "X-Versions-Location" || k == "X-History-Location" || k == "X-Storage-Policy" || k == "X-Container-Sync-To":
			if v[0] == "" {
				stored.Del(k)
			} else {
				stored[k] = v
			}
		}
	}
	if stored.Get("X-Storage-Policy") == "" && metaPrefix == "X-Container-Meta-" {
		stored.Set("X-Storage-Policy", "Policy-0")
	}
}

func writeListing(w http.ResponseWriter, r *http.Request, names []string, entry func(string) map[string]any) {
	sort.Strings(names)
	prefix, marker := r.URL.Query().Get("prefix"), r.URL.Query().Get("marker")
	out := []any{}
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && n > marker {
			out = append(out, entry(n))
		}
	}
	osfwtest.WriteJSON(w, http.StatusOK, out)
}

func itoa(n int64) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%10]}, b...)
		n /= 10
	}
	return string(b)
}
