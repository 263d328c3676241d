package images

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

const imageType = "openstack_images_image_v2"

// image is a Glance image: its fields and, beside them, its properties.
type image map[string]any

func (im image) str(k string) string {
	switch v := im[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return fmt.Sprint(v)
	}
	return ""
}

func (im image) num(k string) int64 {
	switch v := im[k].(type) {
	case json.Number:
		n, _ := v.Int64()
		return n
	case float64:
		return int64(v)
	}
	return 0
}

func (im image) boolean(k string) bool {
	b, _ := im[k].(bool)
	return b
}

// glanceFields are the keys of an image that are Glance's own, not
// properties a user set.
var glanceFields = map[string]bool{
	"id": true, "name": true, "status": true, "visibility": true, "protected": true, "checksum": true, "size": true,
	"virtual_size": true, "min_ram": true, "min_disk": true, "disk_format": true, "container_format": true,
	"owner": true, "created_at": true, "updated_at": true, "tags": true, "file": true, "schema": true, "self": true,
	"direct_url": true, "locations": true, "stores": true, "os_hidden": true, "os_hash_algo": true, "os_hash_value": true,
	"os_glance_importing_to_stores": true, "os_glance_failed_import": true, "metadata": true,
}

// userProperties are the image's properties less Glance's own.
func (im image) userProperties() map[string]string {
	out := map[string]string{}
	for k, v := range im {
		if glanceFields[k] || strings.HasPrefix(k, "os_glance") {
			continue
		}
		switch x := v.(type) {
		case string:
			out[k] = x
		case nil:
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	return out
}

// Image is openstack_images_image_v2. The image's data is streamed to
// Glance from local_file_path (never held in memory), from
// image_source_url through nuvola, or fetched by Glance itself
// (web_download); the checksum of what was sent is compared with Glance's.
//
// Its ownership mark is in its properties (Glance keeps them beside its
// own fields), kept out of the properties attribute. An image found by
// its mark after a lost create answer is still queued: its data is sent
// then (adoptedImage). One with no data in the state (queued, or killed
// by a failed upload) is made again.
func Image() *osfw.Resource {
	fmtAttr := func() *plugins.Attribute { return &plugins.Attribute{Type: cty.String, Required: true, ForceNew: true} }
	comp := func(ty cty.Type) *plugins.Attribute { return &plugins.Attribute{Type: ty, Computed: true} }
	return &osfw.Resource{
		Type:        imageType,
		Description: "A Glance image and its data.",
		Tags:        osfw.StringTags,
		Timeouts:    &osfw.Timeouts{Create: 30 * time.Minute},
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":                {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"name":                  {Type: cty.String, Required: true},
			"container_format":      fmtAttr(),
			"disk_format":           fmtAttr(),
			"image_id":              {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"local_file_path":       {Type: cty.String, Optional: true, ForceNew: true},
			"image_source_url":      {Type: cty.String, Optional: true, ForceNew: true},
			"image_source_username": {Type: cty.String, Optional: true, ForceNew: true},
			"image_source_password": {Type: cty.String, Optional: true, ForceNew: true, Sensitive: true},
			"image_cache_path":      {Type: cty.String, Optional: true, Description: "Accepted for compatibility; nuvola streams the data and caches nothing."},
			"web_download":          {Type: cty.Bool, Optional: true},
			"decompress":            {Type: cty.Bool, Optional: true, Description: "Accepted for compatibility; nuvola uploads the data as it is."},
			"verify_checksum":       {Type: cty.Bool, Optional: true},
			"min_disk_gb":           {Type: cty.Number, Optional: true, Computed: true, ForceNew: true, Default: cty.Zero},
			"min_ram_mb":            {Type: cty.Number, Optional: true, Computed: true, ForceNew: true, Default: cty.Zero},
			"protected":             {Type: cty.Bool, Optional: true, Computed: true, Default: cty.False},
			"hidden":                {Type: cty.Bool, Optional: true, Computed: true, Default: cty.False},
			"visibility":            {Type: cty.String, Optional: true, Computed: true, Default: cty.StringVal("private")},
			"properties":            {Type: cty.Map(cty.String), Optional: true, Computed: true},
			"checksum":              comp(cty.String),
			"created_at":            comp(cty.String),
			"updated_at":            comp(cty.String),
			"update_at":             {Type: cty.String, Computed: true, Deprecated: true},
			"file":                  comp(cty.String),
			"metadata":              comp(cty.Map(cty.String)),
			"owner":                 comp(cty.String),
			"schema":                comp(cty.String),
			"size_bytes":            comp(cty.Number),
			"status":                comp(cty.String),
		}},
		ComputedOnUpdate: []string{"updated_at", "update_at"},
		Create:           createImage,
		Read:             readImage,
		ReadMany:         readImages,
		Update:           updateImage,
		Delete: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			sc, err := c.Service(osfw.Image)
			if err != nil {
				return err
			}
			_, err = sc.Delete(ctx, sc.ServiceURL("images", d.ID()), &gophercloud.RequestOpts{OkCodes: []int{http.StatusNoContent}})
			return err
		},
		Find:       findImage,
		Adopted:    adoptedImage,
		Mark:       osfw.MarkMetadata,
		MarkMap:    "properties",
		ListMarked: listMarkedImages,
		Validate:   validateImage,
		Plan:       planImage,
	}
}

// listMarkedImages lists the project's images, hidden ones too (lists
// leave them out unless asked for them alone), with the properties that
// hold ownership marks.
func listMarkedImages(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return nil, err
	}
	var out []osfw.Marked
	for _, hidden := range []string{"false", "true"} {
		q := url.Values{"visibility": {"all"}, "member_status": {"all"}, "os_hidden": {hidden}}
		if c.ProjectID != "" {
			q.Set("owner", c.ProjectID)
		}
		list, err := listImages(ctx, sc, q)
		if err != nil {
			return nil, err
		}
		for _, im := range list {
			out = append(out, osfw.Marked{ID: im.str("id"), Name: im.str("name"), Metadata: im.userProperties()})
		}
	}
	return out, nil
}

// adoptedImage finishes an image found in place of a create: one still
// queued gets its data as the create would have sent it; one on its way
// is waited for.
func adoptedImage(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return err
	}
	im, err := getImage(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	if im.str("status") == "queued" {
		return uploadAndWait(ctx, c, d)
	}
	_, err = waitActive(ctx, sc, d)
	return err
}

var (
	containerFormats = []string{"ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"}
	diskFormats      = []string{"ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "ploop", "iso"}
	visibilities     = []string{"public", "private", "shared", "community"}
)

func validateImage(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	check := func(name string, allowed []string) {
		if v := d.Get(name); v.IsKnown() && !v.IsNull() && !slices.Contains(allowed, v.AsString()) {
			diags = diags.Errorf(cty.GetAttrPath(name), "Invalid value", "%s must be one of %s; got %q.", name, strings.Join(allowed, ", "), v.AsString())
		}
	}
	check("container_format", containerFormats)
	check("disk_format", diskFormats)
	check("visibility", visibilities)
	if d.Known("local_file_path") && d.Known("image_source_url") {
		diags = diags.Errorf(cty.GetAttrPath("local_file_path"), "Conflicting arguments", "Set local_file_path or image_source_url, not both.")
	}
	if d.Bool("web_download") && d.Known("local_file_path") {
		diags = diags.Errorf(cty.GetAttrPath("web_download"), "Conflicting arguments", "web_download makes Glance fetch image_source_url; it does not go with local_file_path.")
	}
	if d.Bool("web_download") && d.Known("verify_checksum") {
		diags = diags.Errorf(cty.GetAttrPath("verify_checksum"), "Conflicting arguments", "With web_download nuvola does not see the data, so it cannot verify its checksum.")
	}
	return diags
}

// planImage applies the defaults whenever the configuration leaves them
// out (not only at creation), and makes an image with no data again: one
// still queued (adopted from a run that stopped before sending its data)
// or killed by a failed upload.
func planImage(_ context.Context, _ *osfw.Client, p *osfw.PlanData) error {
	if p.Prior == nil {
		return nil
	}
	osfw.DefaultsOnUpdate(p)
	if st := p.Prior.String("status"); st == "queued" || st == "killed" {
		p.Planned.Set("status", "active")
		p.RequiresReplace = append(p.RequiresReplace, cty.GetAttrPath("status"))
	}
	return nil
}

func createImage(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return err
	}
	body := map[string]any{
		"name": d.String("name"), "container_format": d.String("container_format"), "disk_format": d.String("disk_format"),
		"min_disk": d.Int("min_disk_gb"), "min_ram": d.Int("min_ram_mb"), "protected": d.Bool("protected"),
		"visibility": d.String("visibility"), "os_hidden": d.Bool("hidden"),
	}
	if id := d.String("image_id"); id != "" {
		body["id"] = id
	}
	if tags := d.AllTags(); len(tags) > 0 {
		body["tags"] = tags
	}
	for k, v := range d.StringMap("properties") {
		if _, own := glanceFields[k]; !own {
			body[k] = v
		}
	}
	var created image
	if _, err := sc.Post(ctx, sc.ServiceURL("images"), body, &created, &gophercloud.RequestOpts{OkCodes: []int{http.StatusCreated}}); err != nil {
		// The answer may have been lost after Glance made the image. A
		// marked one is found by its mark (and its data sent then);
		// else take the one queued image of that name, and send its
		// data.
		if osfw.StatusOf(err) != 0 || ctx.Err() != nil || body[osfw.MarkOwnerKey] != nil {
			return err
		}
		q := url.Values{"name": {d.String("name")}, "status": {"queued"}}
		if c.ProjectID != "" {
			q.Set("owner", c.ProjectID)
		}
		list, lerr := listImages(ctx, sc, q)
		if lerr != nil || len(list) != 1 {
			return err
		}
		created = list[0]
	}
	d.SetID(created.str("id"))
	return uploadAndWait(ctx, c, d)
}

// uploadAndWait sends the image's data (or has Glance fetch it), waits
// for the image to be active and checks what Glance stored.
func uploadAndWait(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return err
	}
	id := d.ID()
	var sent *streamed
	switch {
	case d.Bool("web_download"):
		if d.String("image_source_url") == "" {
			return osfw.AttrError("image_source_url", "web_download needs image_source_url")
		}
		req := map[string]any{"method": map[string]any{"name": "web-download", "uri": d.String("image_source_url")}}
		if _, err := sc.Post(ctx, sc.ServiceURL("images", id, "import"), req, nil, &gophercloud.RequestOpts{OkCodes: []int{http.StatusAccepted}}); err != nil {
			return fmt.Errorf("asking Glance to import %s: %w", d.String("image_source_url"), err)
		}
	case d.String("local_file_path") != "":
		f, err := openUpload(d.String("local_file_path"))
		if err != nil {
			return osfw.AttrError("local_file_path", "%s", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		sent = newStreamed(f, st.Size())
		if err := upload(ctx, sc, id, sent); err != nil {
			return fmt.Errorf("uploading %s: %w", d.String("local_file_path"), err)
		}
	case d.String("image_source_url") != "":
		resp, err := download(ctx, d)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		sent = newStreamed(resp.Body, resp.ContentLength)
		if err := upload(ctx, sc, id, sent); err != nil {
			return fmt.Errorf("uploading from %s: %w", d.String("image_source_url"), err)
		}
	}
	last, err := waitActive(ctx, sc, d)
	if err != nil {
		return err
	}
	if sent != nil && (!d.Known("verify_checksum") || d.Bool("verify_checksum")) {
		return sent.verify(last)
	}
	return nil
}

// waitActive waits for the image to be active and returns it as last
// seen.
func waitActive(ctx context.Context, sc *gophercloud.ServiceClient, d *osfw.Data) (image, error) {
	id := d.ID()
	var last image
	err := osfw.Wait(ctx, "creating image "+id, d.Timeout("create"), []string{"active"}, []string{"killed", "deleted", "deactivated"}, func(ctx context.Context) (osfw.Poll, error) {
		im, err := getImage(ctx, sc, id)
		if err != nil {
			return osfw.Poll{}, err
		}
		last = im
		fault := ""
		if fi := im.str("os_glance_failed_import"); fi != "" {
			fault = "import failed to stores " + fi
		}
		if im.str("status") == "queued" && d.Bool("web_download") && fault != "" {
			return osfw.Poll{Status: "killed", Fault: fault}, nil
		}
		return osfw.Poll{Status: im.str("status"), Fault: fault}, nil
	})
	return last, err
}

// openUpload opens a file to upload (a variable for tests).
var openUpload = func(path string) (uploadFile, error) { return os.Open(path) }

// uploadFile is what an upload reads from.
type uploadFile interface {
	io.Reader
	io.Closer
	Stat() (os.FileInfo, error)
}

// streamed is image data on its way to Glance: read in small pieces from
// its source, hashed as it passes, never held whole.
type streamed struct {
	src      io.Reader
	expected int64 // -1 when unknown
	n        int64
	md5      hash.Hash
	sha256   hash.Hash
	sha512   hash.Hash
}

func newStreamed(r io.Reader, size int64) *streamed {
	if size < 0 {
		size = -1
	}
	return &streamed{src: r, expected: size, md5: md5.New(), sha256: sha256.New(), sha512: sha512.New()}
}

func (s *streamed) Read(p []byte) (int, error) {
	n, err := s.src.Read(p)
	if n > 0 {
		s.n += int64(n)
		s.md5.Write(p[:n])
		s.sha256.Write(p[:n])
		s.sha512.Write(p[:n])
	}
	return n, err
}

// verify compares what was sent with what Glance stored.
func (s *streamed) verify(im image) error {
	if s.expected >= 0 && s.n != s.expected {
		return fmt.Errorf("image %s: %d bytes were read of %d: the source changed or was cut short", im.str("id"), s.n, s.expected)
	}
	if size := im.num("size"); size != 0 && size != s.n {
		return fmt.Errorf("image %s: Glance stored %d bytes, nuvola sent %d", im.str("id"), size, s.n)
	}
	if sum := im.str("checksum"); sum != "" {
		if mine := hex.EncodeToString(s.md5.Sum(nil)); sum != mine {
			return fmt.Errorf("image %s: wrong checksum: Glance has %s, the data sent has %s", im.str("id"), sum, mine)
		}
	}
	var h hash.Hash
	switch im.str("os_hash_algo") {
	case "sha512":
		h = s.sha512
	case "sha256":
		h = s.sha256
	}
	if h != nil && im.str("os_hash_value") != "" {
		if mine := hex.EncodeToString(h.Sum(nil)); mine != im.str("os_hash_value") {
			return fmt.Errorf("image %s: wrong %s hash: Glance has %s, the data sent has %s", im.str("id"), im.str("os_hash_algo"), im.str("os_hash_value"), mine)
		}
	}
	return nil
}

// upload streams data to the image's file. The body cannot be sent twice,
// so the transport does not retry it.
func upload(ctx context.Context, sc *gophercloud.ServiceClient, id string, data io.Reader) error {
	resp, err := sc.Request(ctx, http.MethodPut, sc.ServiceURL("images", id, "file"), &gophercloud.RequestOpts{
		RawBody:     struct{ io.Reader }{data},
		MoreHeaders: map[string]string{"Content-Type": "application/octet-stream"},
		OkCodes:     []int{http.StatusNoContent},
	})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return err
}

// download starts fetching image_source_url for the upload.
func download(ctx context.Context, d *osfw.Data) (*http.Response, error) {
	u := d.String("image_source_url")
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") {
		return nil, osfw.AttrError("image_source_url", "%q is not an http or https URL", u)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if user := d.String("image_source_username"); user != "" {
		req.SetBasicAuth(user, d.String("image_source_password"))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("downloading %s: %s", u, resp.Status)
	}
	return resp, nil
}

func getImage(ctx context.Context, sc *gophercloud.ServiceClient, id string) (image, error) {
	var im image
	_, err := sc.Get(ctx, sc.ServiceURL("images", id), &im, nil)
	return im, err
}

func setImage(d *osfw.Data, im image, c *osfw.Client) {
	d.SetID(im.str("id"))
	d.Set("image_id", im.str("id"))
	d.Set("name", im.str("name"))
	d.Set("container_format", im.str("container_format"))
	d.Set("disk_format", im.str("disk_format"))
	d.Set("min_disk_gb", im.num("min_disk"))
	d.Set("min_ram_mb", im.num("min_ram"))
	d.Set("protected", im.boolean("protected"))
	d.Set("hidden", im.boolean("os_hidden"))
	d.Set("visibility", im.str("visibility"))
	d.Set("checksum", im.str("checksum"))
	d.Set("created_at", im.str("created_at"))
	d.Set("updated_at", im.str("updated_at"))
	d.Set("update_at", im.str("updated_at"))
	d.Set("file", im.str("file"))
	d.Set("schema", im.str("schema"))
	d.Set("owner", im.str("owner"))
	d.Set("status", im.str("status"))
	d.Set("size_bytes", im.num("size"))
	d.Set("metadata", map[string]string{})
	d.Set("properties", im.userProperties())
	var tags []string
	if l, ok := im["tags"].([]any); ok {
		for _, t := range l {
			if s, ok := t.(string); ok {
				tags = append(tags, s)
			}
		}
	}
	if tags == nil {
		tags = []string{}
	}
	d.Set("tags", tags)
	d.Set("region", c.Endpoint.Region)
	for _, name := range []string{"protected", "hidden"} {
		if !d.Known(name) {
			d.Set(name, false)
		}
	}
}

func readImage(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return err
	}
	im, err := getImage(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	if im.str("status") == "deleted" {
		d.MarkGone()
		return nil
	}
	setImage(d, im, c)
	return nil
}

// listImages lists images with a query, following Glance's "next" links.
func listImages(ctx context.Context, sc *gophercloud.ServiceClient, q url.Values) ([]image, error) {
	u := sc.ServiceURL("images")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var out []image
	for u != "" {
		var page struct {
			Images []image `json:"images"`
			Next   string  `json:"next"`
		}
		if _, err := sc.Get(ctx, u, &page, nil); err != nil {
			return nil, err
		}
		out = append(out, page.Images...)
		u = ""
		if page.Next != "" {
			base, err := url.Parse(sc.Endpoint)
			if err != nil {
				return nil, err
			}
			next, err := url.Parse(page.Next)
			if err != nil {
				return nil, err
			}
			// "next" is "/v2/images?marker=...", relative to the
			// endpoint's root (which may itself have a path).
			if !strings.HasPrefix(next.Path, base.Path) {
				next.Path = strings.TrimSuffix(base.Path, "/") + next.Path
			}
			u = base.ResolveReference(next).String()
		}
	}
	return out, nil
}

// readImages refreshes many images with one paged list asking for their
// IDs (id=in:a,b,...); hidden images, which lists leave out, are read one
// by one.
func readImages(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return err
	}
	var ids []string
	for _, d := range ds {
		if d.ID() != "" && !slices.Contains(ids, d.ID()) {
			ids = append(ids, d.ID())
		}
	}
	found := map[string]image{}
	for len(ids) > 0 {
		n := min(len(ids), 100)
		q := url.Values{"id": {"in:" + strings.Join(ids[:n], ",")}, "visibility": {"all"}, "member_status": {"all"}, "limit": {"100"}}
		ids = ids[n:]
		list, err := listImages(ctx, sc, q)
		if err != nil {
			return err
		}
		for _, im := range list {
			found[im.str("id")] = im
		}
	}
	for _, d := range ds {
		if d.ID() == "" {
			d.MarkGone()
			continue
		}
		if im, ok := found[d.ID()]; ok {
			setImage(d, im, c)
			continue
		}
		if err := readImage(ctx, c, d); err != nil {
			if osfw.IsNotFound(err) {
				d.MarkGone()
				continue
			}
			return err
		}
	}
	return nil
}

func updateImage(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return err
	}
	var ops []map[string]any
	replace := func(path string, v any) { ops = append(ops, map[string]any{"op": "replace", "path": path, "value": v}) }
	if d.HasChange("name") {
		replace("/name", d.String("name"))
	}
	if d.HasChange("visibility") && d.Known("visibility") {
		replace("/visibility", d.String("visibility"))
	}
	if d.HasChange("protected") && d.Known("protected") {
		replace("/protected", d.Bool("protected"))
	}
	if d.HasChange("hidden") && d.Known("hidden") {
		replace("/os_hidden", d.Bool("hidden"))
	}
	if d.HasChange("all_tags") || d.HasChange("tags") {
		tags := d.AllTags()
		if tags == nil {
			tags = []string{}
		}
		replace("/tags", tags)
	}
	if d.HasChange("properties") && d.Get("properties").IsWhollyKnown() {
		oldP := osfw.StringMapOf(d.Old("properties"))
		newP := d.StringMap("properties")
		for _, k := range osfw.SortedKeys(newP) {
			if glanceFields[k] {
				continue
			}
			if ov, ok := oldP[k]; !ok {
				ops = append(ops, map[string]any{"op": "add", "path": "/" + jsonPointer(k), "value": newP[k]})
			} else if ov != newP[k] {
				replace("/"+jsonPointer(k), newP[k])
			}
		}
		for _, k := range osfw.SortedKeys(oldP) {
			if _, keep := newP[k]; !keep && !glanceFields[k] {
				ops = append(ops, map[string]any{"op": "remove", "path": "/" + jsonPointer(k)})
			}
		}
	}
	if len(ops) == 0 {
		return nil
	}
	_, err = sc.Patch(ctx, sc.ServiceURL("images", d.ID()), ops, nil, &gophercloud.RequestOpts{
		MoreHeaders: map[string]string{"Content-Type": "application/openstack-images-v2.1-json-patch"},
		OkCodes:     []int{http.StatusOK},
	})
	return err
}

func jsonPointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// findImage looks for the one active image of the project with the
// planned name, for a create that failed because the image exists.
func findImage(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return false, err
	}
	q := url.Values{"name": {name}}
	if c.ProjectID != "" {
		q.Set("owner", c.ProjectID)
	}
	list, err := listImages(ctx, sc, q)
	if err != nil {
		return false, err
	}
	var match []image
	for _, im := range list {
		if im.str("name") == name && im.str("status") == "active" {
			match = append(match, im)
		}
	}
	if len(match) != 1 {
		return false, nil
	}
	d.SetID(match[0].str("id"))
	return true, nil
}
