package objectstorage

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

func swift(c *osfw.Client) (*gophercloud.ServiceClient, error) {
	return c.Service(osfw.ObjectStorage)
}

// pathURL is the URL of a container or object, each name escaped.
func pathURL(sc *gophercloud.ServiceClient, names ...string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = url.PathEscape(n)
	}
	return sc.ServiceURL(parts...)
}

// objectURL is an object's URL: its name keeps its slashes.
func objectURL(sc *gophercloud.ServiceClient, container, name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return sc.ServiceURL(url.PathEscape(container), strings.Join(segs, "/"))
}

// request sends a request without a body and returns the response with
// its body closed.
func request(ctx context.Context, sc *gophercloud.ServiceClient, method, u string, headers map[string]string, ok ...int) (*http.Response, error) {
	resp, err := sc.Request(ctx, method, u, &gophercloud.RequestOpts{MoreHeaders: headers, OkCodes: ok, KeepResponseBody: false})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return resp, err
}

// checkRegion fails a plan whose region is not the provider's: one
// provider talks to one region (declare another provider, with an alias,
// for another region).
func checkRegion(c *osfw.Client, p *osfw.PlanData) error {
	want := p.Config.String("region")
	if want == "" || c == nil || c.Endpoint.Region == "" || want == c.Endpoint.Region {
		return nil
	}
	return osfw.AttrError("region", "the provider works in region %q, not %q: use a provider configured for %q (provider \"openstack\" { alias = ..., region = %q })", c.Endpoint.Region, want, want, want)
}

// planRegion is a Plan that only checks the region.
func planRegion(_ context.Context, c *osfw.Client, p *osfw.PlanData) error {
	return checkRegion(c, p)
}

// setRegion records the region the object lives in: the provider's, or
// the configured one when the provider names none.
func setRegion(d *osfw.Data, c *osfw.Client) {
	if c.Endpoint.Region != "" {
		d.Set("region", c.Endpoint.Region)
		return
	}
	if !d.Known("region") {
		d.Set("region", "")
	}
}

// metadataOf reads the metadata headers (X-Container-Meta-*,
// X-Object-Meta-*). HTTP folds the case of header names, so each key is
// spelt as the configuration or the default tags spell it, and in lower
// case when neither has it. Keys in skip (lower case) are left out.
func metadataOf(h http.Header, prefix string, d *osfw.Data, defaults map[string]string, skip ...string) map[string]string {
	spelling := map[string]string{}
	for _, m := range []map[string]string{defaults, d.StringMap("all_metadata"), d.StringMap("metadata")} {
		for k := range m {
			spelling[strings.ToLower(k)] = k
		}
	}
	out := map[string]string{}
	for k, v := range h {
		if len(v) == 0 || !strings.HasPrefix(strings.ToLower(k), strings.ToLower(prefix)) {
			continue
		}
		key := k[len(prefix):]
		low := strings.ToLower(key)
		if contains(skip, low) {
			if _, own := spelling[low]; !own {
				continue
			}
		}
		if s, ok := spelling[low]; ok {
			key = s
		} else {
			// No configuration to follow (an import): HTTP title-cased
			// the name; Swift's keys are case-insensitive.
			key = low
		}
		out[key] = v[0]
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// commonPrefix is the longest prefix the names share.
func commonPrefix(names []string) string {
	if len(names) == 0 {
		return ""
	}
	p := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, p) {
			p = p[:len(p)-1]
		}
	}
	for !utf8.ValidString(p) {
		p = p[:len(p)-1]
	}
	return p
}

// listEntry is an entry of an account or container listing.
type listEntry struct {
	Name         string `json:"name"`
	Hash         string `json:"hash"`
	Bytes        int64  `json:"bytes"`
	Count        int64  `json:"count"`
	ContentType  string `json:"content_type"`
	LastModified string `json:"last_modified"`
	Subdir       string `json:"subdir"`
	VersionID    string `json:"version_id"`
}

// pageFull is the listing length at which another page is asked for:
// Swift answers at most its listing limit (10000 by default, rarely
// configured under 1000), so a shorter page is the last.
const pageFull = 1000

// list reads an account (u = the account URL) or container listing in
// JSON, page after page by marker, with the query given.
func list(ctx context.Context, sc *gophercloud.ServiceClient, u string, query url.Values, each func([]listEntry) error) error {
	marker := ""
	for {
		q := url.Values{"format": {"json"}}
		for k, v := range query {
			q[k] = v
		}
		if marker != "" {
			q.Set("marker", marker)
		}
		var page []listEntry
		resp, err := sc.Request(ctx, http.MethodGet, u+"?"+q.Encode(), &gophercloud.RequestOpts{JSONResponse: &page, OkCodes: []int{200, 204}})
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		if err != nil {
			return err
		}
		if err := each(page); err != nil {
			return err
		}
		if len(page) < pageFull {
			return nil
		}
		last := page[len(page)-1]
		marker = last.Name
		if marker == "" {
			marker = last.Subdir
		}
	}
}
