package objectstorage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// tempURLKeys are container metadata that the temp URL middleware reads;
// they are not shown as metadata unless the configuration sets them.
var tempURLKeys = []string{"temp-url-key", "temp-url-key-2"}

var versioningLegacyBlock = &plugins.NestedBlock{
	Nesting:  plugins.NestingSet,
	MaxItems: 1,
	Block: plugins.Block{
		Description: "Legacy object versioning (X-Versions-Location / X-History-Location). Deprecated: use versioning.",
		Attributes: map[string]*plugins.Attribute{
			"type":     {Type: cty.String, Required: true, Description: "versions or history."},
			"location": {Type: cty.String, Required: true, Description: "The container that keeps the old versions."},
		},
	},
}

// Container is openstack_objectstorage_container_v1.
func Container() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_objectstorage_container_v1",
		Description: "A Swift container.",
		Version:     1,
		Tags:        osfw.MetadataTags,
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"region":             {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The region; the provider's when unset."},
				"name":               {Type: cty.String, Required: true, ForceNew: true},
				"container_read":     {Type: cty.String, Optional: true, Description: "The read ACL (X-Container-Read), e.g. \".r:*,.rlistings\"."},
				"container_write":    {Type: cty.String, Optional: true, Description: "The write ACL (X-Container-Write)."},
				"container_sync_to":  {Type: cty.String, Optional: true, Description: "Where container sync copies the objects to."},
				"container_sync_key": {Type: cty.String, Optional: true, Sensitive: true, Description: "The secret key of container sync."},
				"content_type":       {Type: cty.String, Optional: true},
				"versioning":         {Type: cty.Bool, Optional: true, Default: cty.False, Description: "Object versioning (X-Versions-Enabled; the cloud must allow it)."},
				"metadata":           {Type: cty.Map(cty.String), Optional: true, Description: "Metadata of the container (X-Container-Meta-*)."},
				"force_destroy":      {Type: cty.Bool, Optional: true, Default: cty.False, Description: "Delete the container's objects (and their versions) when destroying it."},
				"storage_policy":     {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"storage_class":      {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			},
			BlockTypes: map[string]*plugins.NestedBlock{"versioning_legacy": versioningLegacyBlock},
		},
		Create:     createContainer,
		Read:       readContainer,
		ReadMany:   readContainers,
		Update:     updateContainer,
		Delete:     deleteContainer,
		Mark:       osfw.MarkMetadata,
		ListMarked: listMarkedContainers,
		Validate:   validateContainer,
		Find:       findContainer,
		Plan:       planRegion,
	}
}

func validateContainer(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	if strings.Contains(d.String("name"), "/") {
		diags = diags.Errorf(cty.GetAttrPath("name"), "Invalid container name", "A container name cannot contain a slash.")
	}
	legacy := d.Blocks("versioning_legacy")
	if d.Bool("versioning") && len(legacy) > 0 {
		diags = diags.Errorf(cty.GetAttrPath("versioning"), "Conflicting arguments", "versioning and versioning_legacy cannot both be set.")
	}
	for _, b := range legacy {
		if t := strings.ToLower(b.String("type")); b.Known("type") && t != "versions" && t != "history" {
			diags = diags.Errorf(cty.GetAttrPath("versioning_legacy"), "Invalid versioning type", "type must be versions or history, not %q.", b.String("type"))
		}
	}
	return diags
}

func legacyVersioning(d *osfw.Data) (typ, location string) {
	for _, b := range d.Blocks("versioning_legacy") {
		return strings.ToLower(b.String("type")), b.String("location")
	}
	return "", ""
}

func createContainer(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	h := map[string]string{}
	set := func(header, attr string) {
		if v := d.String(attr); v != "" {
			h[header] = v
		}
	}
	set("X-Container-Read", "container_read")
	set("X-Container-Write", "container_write")
	set("X-Container-Sync-To", "container_sync_to")
	set("X-Container-Sync-Key", "container_sync_key")
	set("Content-Type", "content_type")
	set("X-Storage-Policy", "storage_policy")
	set("X-Object-Storage-Class", "storage_class")
	if d.Bool("versioning") {
		h["X-Versions-Enabled"] = "true"
	}
	switch typ, loc := legacyVersioning(d); typ {
	case "versions":
		h["X-Versions-Location"] = loc
	case "history":
		h["X-History-Location"] = loc
	}
	for k, v := range d.AllMetadata() {
		h["X-Container-Meta-"+k] = v
	}
	name := d.String("name")
	if _, err := request(ctx, sc, http.MethodPut, pathURL(sc, name), h, 201, 202, 204); err != nil {
		return err
	}
	d.SetID(name)
	if d.Bool("versioning") {
		return checkVersioning(ctx, sc, name)
	}
	return nil
}

// checkVersioning fails when the cloud ignored X-Versions-Enabled: its
// Swift does not allow object versioning (allow_object_versioning), and
// only versioning_legacy can keep versions there.
func checkVersioning(ctx context.Context, sc *gophercloud.ServiceClient, name string) error {
	h, err := headContainer(ctx, sc, name)
	if err != nil {
		return err
	}
	if !strings.EqualFold(h.Get("X-Versions-Enabled"), "true") {
		return osfw.AttrError("versioning", "the cloud's Swift does not allow object versioning (X-Versions-Enabled was ignored; its operators must set allow_object_versioning); use versioning_legacy instead")
	}
	return nil
}

func headContainer(ctx context.Context, sc *gophercloud.ServiceClient, name string) (http.Header, error) {
	resp, err := request(ctx, sc, http.MethodHead, pathURL(sc, name), nil, 200, 204)
	if err != nil {
		return nil, err
	}
	return resp.Header, nil
}

func setContainer(d *osfw.Data, c *osfw.Client, name string, h http.Header) {
	d.SetID(name)
	d.Set("name", name)
	d.Set("container_read", h.Get("X-Container-Read"))
	d.Set("container_write", h.Get("X-Container-Write"))
	if v := h.Get("X-Container-Sync-To"); v != "" || d.Known("container_sync_to") {
		d.Set("container_sync_to", v)
	}
	if v := h.Get("X-Container-Sync-Key"); v != "" {
		d.Set("container_sync_key", v)
	}
	d.Set("storage_policy", h.Get("X-Storage-Policy"))
	if v := h.Get("X-Storage-Class"); v != "" || !d.Known("storage_class") {
		d.Set("storage_class", v)
	}
	d.Set("versioning", strings.EqualFold(h.Get("X-Versions-Enabled"), "true"))
	var legacy []map[string]any
	if loc := h.Get("X-Versions-Location"); loc != "" {
		legacy = append(legacy, map[string]any{"type": "versions", "location": unescape(loc)})
	} else if loc := h.Get("X-History-Location"); loc != "" {
		legacy = append(legacy, map[string]any{"type": "history", "location": unescape(loc)})
	}
	d.SetBlocks("versioning_legacy", legacy)
	d.Set("metadata", metadataOf(h, "X-Container-Meta-", d, c.DefaultTags, tempURLKeys...))
	if d.Get("force_destroy").IsNull() {
		d.Set("force_destroy", false) // not the cloud's: the default after an import
	}
	setRegion(d, c)
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func readContainer(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	name := d.ID()
	h, err := headContainer(ctx, sc, name)
	if err != nil {
		return err
	}
	setContainer(d, c, name, h)
	return nil
}

// findContainer adopts the container after a create whose answer was
// lost: a container of that name exists.
func findContainer(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	sc, err := swift(c)
	if err != nil {
		return false, err
	}
	name := d.String("name")
	if _, err := headContainer(ctx, sc, name); err != nil {
		if osfw.IsNotFound(err) {
			return false, nil
		}
		return false, err
	}
	d.SetID(name)
	return true, nil
}

// needsHeaders reports whether a container's state holds anything only a
// HEAD shows: metadata, ACLs, versioning, sync.
func needsHeaders(d *osfw.Data) bool {
	if len(d.StringMap("all_metadata")) > 0 || len(d.StringMap("metadata")) > 0 || d.Bool("versioning") || len(d.Blocks("versioning_legacy")) > 0 {
		return true
	}
	for _, a := range []string{"container_read", "container_write", "container_sync_to", "container_sync_key"} {
		if d.String(a) != "" {
			return true
		}
	}
	return false
}

// readContainers refreshes many containers with one account listing
// (GET on the account, narrowed to the names' common prefix): it tells
// which containers exist. Only the containers whose state holds metadata,
// ACLs, versioning or sync settings are then read with a HEAD each; a
// container the listing lacks is confirmed gone with a HEAD (listings may
// lag behind a create). When every container needs its HEAD, the HEADs
// alone tell which exist, and the listing is not made.
func readContainers(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	want := map[string][]*osfw.Data{}
	for _, d := range ds {
		if d.ID() == "" {
			d.MarkGone()
			continue
		}
		want[d.ID()] = append(want[d.ID()], d)
	}
	names := osfw.SortedKeys(want)
	needs := map[string]bool{}
	for _, name := range names {
		for _, d := range want[name] {
			if needsHeaders(d) {
				needs[name] = true
			}
		}
	}
	if len(needs) == len(names) {
		return headContainers(ctx, c, sc, names, want)
	}
	exists := map[string]bool{}
	q := url.Values{}
	if p := commonPrefix(names); p != "" {
		q.Set("prefix", p)
	}
	err = list(ctx, sc, sc.ServiceURL(), q, func(page []listEntry) error {
		for _, e := range page {
			if _, ok := want[e.Name]; ok {
				exists[e.Name] = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var heads []string
	for _, name := range names {
		if !exists[name] || needs[name] {
			heads = append(heads, name)
			continue
		}
		for _, d := range want[name] {
			d.Set("name", name)
			setRegion(d, c)
		}
	}
	return headContainers(ctx, c, sc, heads, want)
}

// headContainers reads each named container with a HEAD, a few at once; a
// 404 means gone.
func headContainers(ctx context.Context, c *osfw.Client, sc *gophercloud.ServiceClient, names []string, want map[string][]*osfw.Data) error {
	return parallel(ctx, names, 8, func(ctx context.Context, name string) error {
		h, err := headContainer(ctx, sc, name)
		if osfw.IsNotFound(err) {
			for _, d := range want[name] {
				d.MarkGone()
			}
			return nil
		}
		if err != nil {
			return err
		}
		for _, d := range want[name] {
			setContainer(d, c, name, h)
		}
		return nil
	})
}

// parallel runs fn on each item, at most n at once, and returns the first
// error.
func parallel(ctx context.Context, items []string, n int, fn func(ctx context.Context, item string) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, n)
	)
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, it); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func updateContainer(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	h := map[string]string{}
	str := func(header, attr string) {
		if d.HasChange(attr) {
			if v := d.String(attr); v != "" {
				h[header] = v
			} else {
				h["X-Remove-"+strings.TrimPrefix(header, "X-")] = "x"
			}
		}
	}
	str("X-Container-Read", "container_read")
	str("X-Container-Write", "container_write")
	str("X-Container-Sync-To", "container_sync_to")
	str("X-Container-Sync-Key", "container_sync_key")
	if d.HasChange("content_type") && d.String("content_type") != "" {
		h["Content-Type"] = d.String("content_type")
	}
	newTyp, newLoc := legacyVersioning(d)
	if d.HasChange("versioning_legacy") {
		// Legacy versioning off before new-style versioning goes on.
		if newTyp == "" || d.Bool("versioning") {
			if _, err := request(ctx, sc, http.MethodPost, pathURL(sc, d.ID()), map[string]string{"X-Remove-Versions-Location": "x", "X-Remove-History-Location": "x"}, 204, 202); err != nil {
				return err
			}
		}
	}
	if d.HasChange("versioning") {
		h["X-Versions-Enabled"] = fmt.Sprint(d.Bool("versioning"))
		if !d.Bool("versioning") && newTyp != "" {
			// New-style versioning off before legacy versioning goes on.
			if _, err := request(ctx, sc, http.MethodPost, pathURL(sc, d.ID()), map[string]string{"X-Versions-Enabled": "false"}, 204, 202); err != nil {
				return err
			}
			delete(h, "X-Versions-Enabled")
		}
	}
	if d.HasChange("versioning_legacy") {
		switch newTyp {
		case "versions":
			h["X-Versions-Location"] = newLoc
		case "history":
			h["X-History-Location"] = newLoc
		}
	}
	if d.HasChange("all_metadata") || d.HasChange("metadata") {
		md := d.AllMetadata()
		for k, v := range md {
			h["X-Container-Meta-"+k] = v
		}
		old := osfw.StringMapOf(d.Old("all_metadata"))
		for k := range old {
			if _, keep := md[k]; !keep && !hasFold(md, k) {
				h["X-Remove-Container-Meta-"+k] = "x"
			}
		}
	}
	if len(h) == 0 {
		return nil
	}
	if _, err = request(ctx, sc, http.MethodPost, pathURL(sc, d.ID()), h, 204, 202); err != nil {
		return err
	}
	if d.HasChange("versioning") && d.Bool("versioning") {
		return checkVersioning(ctx, sc, d.ID())
	}
	return nil
}

func hasFold(m map[string]string, k string) bool {
	for x := range m {
		if strings.EqualFold(x, k) {
			return true
		}
	}
	return false
}

// deleteContainer deletes the container; with force_destroy, a container
// that is not empty has its objects (every version of them) deleted
// first, in parallel, then is deleted again.
func deleteContainer(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	name := d.ID()
	deadline := time.Now().Add(d.Timeout("delete"))
	for attempt := 0; ; attempt++ {
		_, err := request(ctx, sc, http.MethodDelete, pathURL(sc, name), nil, 204, 202)
		if err == nil || osfw.IsNotFound(err) || osfw.StatusOf(err) != http.StatusConflict || !d.Bool("force_destroy") {
			if osfw.StatusOf(err) == http.StatusConflict {
				return fmt.Errorf("container %s is not empty: set force_destroy = true to delete its objects with it (%s)", name, osfw.APIMessage(err))
			}
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("container %s still not empty after deleting its objects (%s)", name, osfw.APIMessage(err))
		}
		if err := emptyContainer(ctx, sc, name); err != nil {
			return err
		}
		if attempt > 0 {
			// The listing may lag behind the deletes.
			time.Sleep(time.Duration(min(attempt, 5)) * 500 * time.Millisecond)
		}
	}
}

// emptyContainer deletes every object of the container and, where the
// container keeps versions, every version, 16 requests at a time.
func emptyContainer(ctx context.Context, sc *gophercloud.ServiceClient, name string) error {
	type version struct{ name, id string }
	for _, versions := range []bool{true, false} {
		var all []version
		q := url.Values{}
		if versions {
			q.Set("versions", "")
		}
		err := list(ctx, sc, pathURL(sc, name), q, func(page []listEntry) error {
			for _, e := range page {
				if e.Name != "" {
					all = append(all, version{e.Name, e.VersionID})
				}
			}
			return nil
		})
		if versions && err != nil {
			continue // no versioning here: the plain listing follows
		}
		if err != nil {
			if osfw.IsNotFound(err) {
				return nil
			}
			return err
		}
		keys := make([]string, len(all))
		byKey := map[string]version{}
		for i, v := range all {
			keys[i] = fmt.Sprintf("%d", i)
			byKey[keys[i]] = v
		}
		sort.Strings(keys)
		err = parallel(ctx, keys, 16, func(ctx context.Context, k string) error {
			v := byKey[k]
			u := objectURL(sc, name, v.name)
			if v.id != "" && v.id != "null" {
				u += "?" + url.Values{"version-id": {v.id}}.Encode()
			}
			_, err := request(ctx, sc, http.MethodDelete, u, nil, 204, 202)
			if osfw.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("deleting object %s of container %s: %w", v.name, name, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if versions && len(all) > 0 {
			return nil // every version went, the latest included
		}
	}
	return nil
}
