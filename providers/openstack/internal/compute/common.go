package compute

import (
	"context"
	"net/url"
	"regexp"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// nova returns the compute client, at the given microversion when it is
// not "" (a copy: the shared client keeps its own).
func nova(c *osfw.Client, microversion string) (*gophercloud.ServiceClient, error) {
	sc, err := c.Service(osfw.Compute)
	if err != nil || microversion == "" {
		return sc, err
	}
	cp := *sc
	cp.Microversion = microversion
	return &cp, nil
}

// call sends one request with a JSON body (nil for none) and decodes the
// JSON answer into out (nil to discard), accepting the given statuses.
func call(ctx context.Context, sc *gophercloud.ServiceClient, method, u string, body, out any, ok ...int) error {
	opts := &gophercloud.RequestOpts{JSONBody: body, JSONResponse: out, OkCodes: ok}
	if out == nil {
		opts.KeepResponseBody = false
	}
	resp, err := sc.Request(ctx, method, u, opts)
	if resp != nil && out == nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return err
}

// eachPage walks a paged collection, calling each for every page.
func eachPage(ctx context.Context, sc *gophercloud.ServiceClient, u string, linksKey string, each func(pagination.Page) error) error {
	pager := pagination.NewPager(sc, u, func(r pagination.PageResult) pagination.Page {
		return linkedPage{LinkedPageBase: pagination.LinkedPageBase{PageResult: r, LinkPath: []string{linksKey}}}
	})
	return pager.EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		return true, each(p)
	})
}

// linkedPage is a page of a Nova or Neutron collection with "next" links.
type linkedPage struct {
	pagination.LinkedPageBase
}

func (p linkedPage) IsEmpty() (bool, error) {
	if p.StatusCode == 204 {
		return true, nil
	}
	var m map[string]any
	if err := p.ExtractInto(&m); err != nil {
		return false, err
	}
	for k, v := range m {
		if strings.HasSuffix(k, "_links") {
			continue
		}
		if l, ok := v.([]any); ok {
			return len(l) == 0, nil
		}
	}
	return true, nil
}

// NextPageURL follows the "next" link of the collection's links.
func (p linkedPage) NextPageURL() (string, error) {
	var m map[string]any
	if err := p.ExtractInto(&m); err != nil {
		return "", err
	}
	for k, v := range m {
		if !strings.HasSuffix(k, "_links") {
			continue
		}
		links, _ := v.([]any)
		for _, l := range links {
			lm, _ := l.(map[string]any)
			if lm["rel"] == "next" {
				s, _ := lm["href"].(string)
				return s, nil
			}
		}
	}
	return "", nil
}

// exactName is a Nova name filter (a regular expression) matching name
// exactly.
func exactName(name string) string {
	return "^" + regexp.QuoteMeta(name) + "$"
}

// query builds "?k=v&..." from pairs, "" when there are none.
func query(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// chunks splits ids so that each chunk's query stays under a URL length
// servers accept.
func chunks(ids []string, param string) [][]string {
	const maxQuery = 6000
	var out [][]string
	for len(ids) > 0 {
		n, size := 0, 0
		for n < len(ids) && (n == 0 || size+len(ids[n])+len(param)+2 < maxQuery) {
			size += len(ids[n]) + len(param) + 2
			n++
		}
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}
