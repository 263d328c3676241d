package objectstorage

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// Object is openstack_objectstorage_object_v1.
func Object() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_objectstorage_object_v1",
		Description: "A Swift object, from content, a local file (streamed, its MD5 checked), a copy or a manifest.",
		Tags:        osfw.MetadataTags,
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":              {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The region; the provider's when unset."},
			"container_name":      {Type: cty.String, Required: true, ForceNew: true},
			"name":                {Type: cty.String, Required: true, ForceNew: true},
			"content":             {Type: cty.String, Optional: true, Description: "The object's content. Conflicts with source, copy_from and object_manifest."},
			"source":              {Type: cty.String, Optional: true, Description: "A local file to upload (streamed). A change of its content is seen through its MD5 and uploads it again."},
			"copy_from":           {Type: cty.String, Optional: true, Description: "An object to copy, as container/object."},
			"object_manifest":     {Type: cty.String, Optional: true, Computed: true, Description: "Makes this a dynamic large object: container/prefix of the segments."},
			"content_type":        {Type: cty.String, Optional: true, Computed: true},
			"content_encoding":    {Type: cty.String, Optional: true, Computed: true},
			"content_disposition": {Type: cty.String, Optional: true, Computed: true},
			"delete_after":        {Type: cty.Number, Optional: true, Description: "Seconds after which Swift deletes the object."},
			"delete_at":           {Type: cty.String, Optional: true, Computed: true, Description: "When Swift deletes the object (RFC 3339)."},
			"detect_content_type": {Type: cty.Bool, Optional: true, Default: cty.False, Description: "Let Swift guess the content type from the name."},
			"etag":                {Type: cty.String, Optional: true, Computed: true, Description: "The MD5 of the content. Planned from content or source; set, it must match what is uploaded."},
			"metadata":            {Type: cty.Map(cty.String), Optional: true, Description: "Metadata of the object (X-Object-Meta-*)."},
			"content_length":      {Type: cty.Number, Computed: true},
			"date":                {Type: cty.String, Computed: true},
			"last_modified":       {Type: cty.String, Computed: true},
			"trans_id":            {Type: cty.String, Computed: true},
		}},
		Create:   createObject,
		Read:     readObject,
		ReadMany: readObjects,
		Update:   updateObject,
		Delete:   deleteObject,
		Import:   importObject,
		Find:     findObject,
		Plan:     planObject,
		Validate: validateObject,
	}
}

func validateObject(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	var set []string
	for _, a := range []string{"content", "source", "copy_from", "object_manifest"} {
		if v := d.Get(a); !v.IsNull() {
			set = append(set, a)
		}
	}
	if len(set) > 1 {
		diags = diags.Errorf(cty.GetAttrPath(set[1]), "Conflicting arguments", "Only one of content, source, copy_from and object_manifest can be set; %s are.", strings.Join(set, " and "))
	}
	if v := d.Get("delete_at"); v.IsKnown() && !v.IsNull() {
		if _, err := time.Parse(time.RFC3339, v.AsString()); err != nil {
			diags = diags.Errorf(cty.GetAttrPath("delete_at"), "Invalid date", "delete_at must be an RFC 3339 date such as 2026-12-31T00:00:00Z.")
		}
	}
	return diags
}

// planObject plans the etag from the content or the source file when the
// configuration does not set it, so that a new content shows as a change
// (and is uploaded again) even when the file's path stays the same.
func planObject(_ context.Context, c *osfw.Client, p *osfw.PlanData) error {
	if err := checkRegion(c, p); err != nil {
		return err
	}
	if p.Config.Known("etag") {
		return nil
	}
	unknown := cty.UnknownVal(cty.String)
	switch content, source := p.Planned.Get("content"), p.Planned.Get("source"); {
	case !content.IsNull() && !content.IsKnown(), !source.IsNull() && !source.IsKnown():
		p.Planned.Set("etag", unknown)
	case p.Planned.Known("content"):
		sum := md5.Sum([]byte(p.Planned.String("content")))
		p.Planned.Set("etag", hex.EncodeToString(sum[:]))
	case p.Planned.Known("source"):
		if sum, _, err := fileMD5(p.Planned.String("source")); err == nil {
			p.Planned.Set("etag", sum)
		} else {
			// Not there yet (made by the apply?): known once uploaded.
			p.Planned.Set("etag", unknown)
		}
	case p.Prior != nil && (p.Planned.HasChange("copy_from") || p.Planned.HasChange("object_manifest")):
		p.Planned.Set("etag", unknown)
	}
	return nil
}

// expandPath expands a leading ~ to the home directory.
func expandPath(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, p[1:]), nil
	}
	return p, nil
}

// fileMD5 reads a file through (never whole into memory) and returns its
// MD5 in hex and its size.
func fileMD5(path string) (string, int64, error) {
	path, err := expandPath(path)
	if err != nil {
		return "", 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// hashingReader passes a body through, hashing it on the way and
// counting its bytes.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (hr *hashingReader) Read(p []byte) (int, error) {
	n, err := hr.r.Read(p)
	if n > 0 {
		hr.h.Write(p[:n])
		hr.n += int64(n)
	}
	return n, err
}

// body is what an upload sends: a reader, its length and MD5, and how to
// open it again (for a retry after the token expired).
type body struct {
	open   func() (io.ReadCloser, error)
	size   int64
	md5    string
	origin string
}

// contentBody is the body of a content or source object; nil for a copy
// or a manifest (an empty body).
func contentBody(d *osfw.Data) (*body, error) {
	switch {
	case d.Known("content"):
		s := d.String("content")
		sum := md5.Sum([]byte(s))
		return &body{open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil },
			size: int64(len(s)), md5: hex.EncodeToString(sum[:]), origin: "content"}, nil
	case d.Known("source"):
		path, err := expandPath(d.String("source"))
		if err != nil {
			return nil, osfw.AttrError("source", "%s", err)
		}
		sum, size, err := fileMD5(path)
		if err != nil {
			return nil, osfw.AttrError("source", "reading %s: %s", d.String("source"), err)
		}
		return &body{open: func() (io.ReadCloser, error) { return os.Open(path) }, size: size, md5: sum, origin: "source " + d.String("source")}, nil
	}
	return nil, nil
}

// objectHeaders are the headers a PUT or POST of the object sends.
func objectHeaders(d *osfw.Data, put bool) (http.Header, error) {
	h := http.Header{}
	set := func(header, attr string) {
		if v := d.String(attr); v != "" {
			h.Set(header, v)
		}
	}
	set("Content-Type", "content_type")
	set("Content-Encoding", "content_encoding")
	set("Content-Disposition", "content_disposition")
	if put {
		set("X-Copy-From", "copy_from")
		set("X-Object-Manifest", "object_manifest")
		if d.Bool("detect_content_type") {
			h.Set("X-Detect-Content-Type", "true")
		}
	}
	if d.Known("delete_after") && (put || d.HasChange("delete_after")) {
		h.Set("X-Delete-After", strconv.Itoa(d.Int("delete_after")))
	} else if s := d.String("delete_at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, osfw.AttrError("delete_at", "%q is not an RFC 3339 date", s)
		}
		h.Set("X-Delete-At", strconv.FormatInt(t.Unix(), 10))
	}
	for k, v := range d.AllMetadata() {
		h.Set("X-Object-Meta-"+k, v)
	}
	return h, nil
}

// putObject uploads the object: the body streamed (an upload of a file
// never holds it in memory) with its Content-Length and ETag, so Swift
// checks the MD5; the MD5 of what was sent is checked against Swift's
// answer too.
// stored is called once Swift has accepted the upload, before the checks
// of what it stored.
func putObject(ctx context.Context, c *osfw.Client, d *osfw.Data, stored func()) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	b, err := contentBody(d)
	if err != nil {
		return err
	}
	h, err := objectHeaders(d, true)
	if err != nil {
		return err
	}
	want := ""
	if b != nil {
		want = b.md5
		if etag := d.String("etag"); etag != "" && !strings.EqualFold(etag, b.md5) {
			return osfw.AttrError("etag", "the MD5 of %s is %s, not the etag %s (did the file change since the plan?)", b.origin, b.md5, etag)
		}
		h.Set("ETag", b.md5)
	}
	u := objectURL(sc, d.String("container_name"), d.String("name"))
	for attempt := 0; ; attempt++ {
		var rc io.ReadCloser = io.NopCloser(strings.NewReader(""))
		size := int64(0)
		if b != nil {
			if rc, err = b.open(); err != nil {
				return osfw.AttrError("source", "%s", err)
			}
			size = b.size
		}
		hr := &hashingReader{r: rc, h: md5.New()}
		token := c.Provider.Token()
		resp, err := upload(ctx, c, u, h, hr, size)
		rc.Close()
		if err != nil {
			var ue gophercloud.ErrUnexpectedResponseCode
			if attempt == 0 && errors.As(err, &ue) && ue.Actual == http.StatusUnauthorized && c.Provider.ReauthFunc != nil {
				if rerr := c.Provider.Reauthenticate(ctx, token); rerr == nil {
					continue
				}
			}
			if errors.As(err, &ue) && ue.Actual == http.StatusUnprocessableEntity {
				return fmt.Errorf("Swift refused %s: the MD5 of what it received differs from %s (the data changed or was damaged on the way): %w", d.String("name"), want, err)
			}
			return err
		}
		if stored != nil {
			stored()
		}
		if b != nil {
			sent := hex.EncodeToString(hr.h.Sum(nil))
			got := strings.Trim(resp.Header.Get("Etag"), `"`)
			if hr.n != b.size || sent != b.md5 {
				return fmt.Errorf("%s changed while it was uploaded (%d bytes, MD5 %s; expected %d bytes, MD5 %s): apply again", b.origin, hr.n, sent, b.size, b.md5)
			}
			if got != "" && !strings.EqualFold(got, sent) {
				return fmt.Errorf("Swift stored %s with MD5 %s, but %s was sent", d.String("name"), got, sent)
			}
		}
		return nil
	}
}

// upload sends a PUT with a streamed body through the provider's HTTP
// client (its transport counts and limits requests, and does not retry a
// body it cannot send again).
func upload(ctx context.Context, c *osfw.Client, u string, h http.Header, r io.Reader, size int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, r)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.GetBody = nil
	for k, v := range h {
		req.Header[k] = v
	}
	for k, v := range c.Provider.AuthenticatedHeaders() {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", c.Provider.UserAgent.Join())
	hc := c.Provider.HTTPClient
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		return nil, gophercloud.ErrUnexpectedResponseCode{Method: http.MethodPut, URL: u, Expected: []int{201}, Actual: resp.StatusCode, Body: msg, ResponseHeader: resp.Header}
	}
	return resp, nil
}

func createObject(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	if !d.Known("content") && !d.Known("source") && !d.Known("copy_from") && !d.Known("object_manifest") {
		return osfw.AttrError("content", "one of content, source, copy_from or object_manifest must be set")
	}
	// Once Swift has the object it is recorded, even if a check fails
	// after: it is then replaced by the next apply.
	return putObject(ctx, c, d, func() { d.SetID(d.String("container_name") + "/" + d.String("name")) })
}

// updateObject uploads the object again when its content changes (content,
// source, etag, copy_from, object_manifest, detect_content_type), and
// otherwise changes its headers and metadata with a POST, which keeps the
// data.
func updateObject(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	for _, a := range []string{"content", "source", "etag", "copy_from", "object_manifest", "detect_content_type"} {
		if !d.HasChange(a) {
			continue
		}
		if (a == "content" || a == "source") && sameBytes(d) {
			// Set where there was none (an imported object), with the
			// bytes Swift has: nothing to upload.
			continue
		}
		return putObject(ctx, c, d, nil)
	}
	sc, err := swift(c)
	if err != nil {
		return err
	}
	h, err := objectHeaders(d, false)
	if err != nil {
		return err
	}
	headers := map[string]string{}
	for k, v := range h {
		headers[k] = v[0]
	}
	_, err = request(ctx, sc, http.MethodPost, objectURL(sc, d.String("container_name"), d.String("name")), headers, 202, 204)
	return err
}

// sameBytes reports whether the content or source to upload has the MD5
// the object already has.
func sameBytes(d *osfw.Data) bool {
	old := d.Old("etag")
	if old.IsNull() || !old.IsKnown() || d.HasChange("etag") {
		return false
	}
	b, err := contentBody(d)
	return err == nil && b != nil && strings.EqualFold(b.md5, old.AsString())
}

func splitObjectID(d *osfw.Data) (container, name string) {
	if d.Known("container_name") && d.Known("name") {
		return d.String("container_name"), d.String("name")
	}
	container, name, _ = strings.Cut(d.ID(), "/")
	return container, name
}

func readObject(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	container, name := splitObjectID(d)
	resp, err := request(ctx, sc, http.MethodHead, objectURL(sc, container, name), nil, 200, 204)
	if err != nil {
		return err
	}
	h := resp.Header
	d.SetID(container + "/" + name)
	d.Set("container_name", container)
	d.Set("name", name)
	d.Set("etag", strings.Trim(h.Get("Etag"), `"`))
	d.Set("content_type", h.Get("Content-Type"))
	d.Set("content_encoding", h.Get("Content-Encoding"))
	d.Set("content_disposition", h.Get("Content-Disposition"))
	d.Set("object_manifest", unescape(h.Get("X-Object-Manifest")))
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil {
		d.Set("content_length", n)
	}
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		d.Set("date", t.UTC().Format(time.RFC3339))
	}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		d.Set("last_modified", t.UTC().Format(time.RFC3339))
	}
	d.Set("trans_id", h.Get("X-Trans-Id"))
	setDeleteAt(d, h.Get("X-Delete-At"))
	d.Set("metadata", metadataOf(h, "X-Object-Meta-", d, c.DefaultTags))
	if d.Get("detect_content_type").IsNull() {
		d.Set("detect_content_type", false) // the default after an import
	}
	setRegion(d, c)
	return nil
}

// setDeleteAt records X-Delete-At, keeping the configured spelling of the
// same instant.
func setDeleteAt(d *osfw.Data, header string) {
	if header == "" {
		if !d.Known("delete_at") {
			d.Set("delete_at", "")
		}
		return
	}
	secs, err := strconv.ParseInt(header, 10, 64)
	if err != nil {
		return
	}
	at := time.Unix(secs, 0).UTC()
	if cur, err := time.Parse(time.RFC3339, d.String("delete_at")); err == nil && cur.Unix() == secs {
		return
	}
	d.Set("delete_at", at.Format(time.RFC3339))
}

// readObjects refreshes many objects with one listing per container
// (narrowed to the names' common prefix): the listing gives each object's
// MD5, size, content type and modification time. Headers only a HEAD
// shows (metadata, content encoding and disposition, expiry) keep their
// recorded values. An object the listing lacks is confirmed gone with a
// HEAD (listings may lag behind an upload).
func readObjects(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	byContainer := map[string]map[string][]*osfw.Data{}
	for _, d := range ds {
		if d.ID() == "" {
			d.MarkGone()
			continue
		}
		container, name := splitObjectID(d)
		if byContainer[container] == nil {
			byContainer[container] = map[string][]*osfw.Data{}
		}
		byContainer[container][name] = append(byContainer[container][name], d)
	}
	var missing []*osfw.Data
	for _, container := range osfw.SortedKeys(byContainer) {
		want := byContainer[container]
		names := osfw.SortedKeys(want)
		q := url.Values{}
		if p := commonPrefix(names); p != "" {
			q.Set("prefix", p)
		}
		seen := map[string]bool{}
		err := list(ctx, sc, pathURL(sc, container), q, func(page []listEntry) error {
			for _, e := range page {
				for _, d := range want[e.Name] {
					seen[e.Name] = true
					d.Set("etag", e.Hash)
					d.Set("content_length", e.Bytes)
					if e.ContentType != "" {
						d.Set("content_type", e.ContentType)
					}
					if t, err := time.Parse("2006-01-02T15:04:05.999999", e.LastModified); err == nil {
						d.Set("last_modified", t.UTC().Format(time.RFC3339))
					}
					setRegion(d, c)
				}
			}
			return nil
		})
		if osfw.IsNotFound(err) {
			for _, group := range want {
				for _, d := range group {
					d.MarkGone()
				}
			}
			continue
		}
		if err != nil {
			return err
		}
		for _, name := range names {
			if !seen[name] {
				missing = append(missing, want[name]...)
			}
		}
	}
	keys := make([]string, len(missing))
	for i := range missing {
		keys[i] = strconv.Itoa(i)
	}
	return parallel(ctx, keys, 8, func(ctx context.Context, k string) error {
		i, _ := strconv.Atoi(k)
		d := missing[i]
		err := readObject(ctx, c, d)
		if osfw.IsNotFound(err) {
			d.MarkGone()
			return nil
		}
		return err
	})
}

func deleteObject(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	container, name := splitObjectID(d)
	_, err = request(ctx, sc, http.MethodDelete, objectURL(sc, container, name), nil, 204, 202)
	return err
}

// findObject adopts the object after an upload whose answer was lost,
// when Swift has it with the planned MD5 (an upload cannot be sent again
// blindly: its body was streamed).
func findObject(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	sc, err := swift(c)
	if err != nil {
		return false, err
	}
	resp, err := request(ctx, sc, http.MethodHead, objectURL(sc, d.String("container_name"), d.String("name")), nil, 200, 204)
	if osfw.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	want := d.String("etag")
	if b, err := contentBody(d); err == nil && b != nil {
		want = b.md5
	}
	if want == "" || !strings.EqualFold(strings.Trim(resp.Header.Get("Etag"), `"`), want) {
		return false, nil
	}
	d.SetID(d.String("container_name") + "/" + d.String("name"))
	return true, nil
}

// importObject takes "<container>/<object name>".
func importObject(_ context.Context, _ *osfw.Client, d *osfw.Data) error {
	container, name, ok := strings.Cut(d.ID(), "/")
	if !ok || container == "" || name == "" {
		return osfw.AttrError("name", "the import ID must be <container>/<object name>, not %q", d.ID())
	}
	d.Set("container_name", container)
	d.Set("name", name)
	return nil
}
