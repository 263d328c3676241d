package blockstorage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// client is the Cinder v3 client, with the microversion given ("" for the
// endpoint's base version).
func client(c *osfw.Client, microversion string) (*gophercloud.ServiceClient, error) {
	sc, err := c.Service(osfw.BlockStorage)
	if err != nil {
		return nil, err
	}
	if microversion == "" || microversion == sc.Microversion {
		return sc, nil
	}
	cp := *sc
	cp.Microversion = microversion
	return &cp, nil
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

// link is an entry of a Cinder collection's *_links.
type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// listAll fetches every page of a Cinder collection ("volumes/detail"),
// calling each with the raw page body; collection is the JSON key of the
// items ("volumes") whose "<key>_links" holds the next page.
func listAll(ctx context.Context, sc *gophercloud.ServiceClient, path string, query url.Values, key string, each func(page map[string]any) error) error {
	u := sc.ServiceURL(path)
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	seen := map[string]bool{}
	for u != "" && !seen[u] {
		seen[u] = true
		var page map[string]any
		if _, err := sc.Get(ctx, u, &page, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
			return err
		}
		if err := each(page); err != nil {
			return err
		}
		u = ""
		if links, ok := page[key+"_links"].([]any); ok {
			for _, l := range links {
				if m, ok := l.(map[string]any); ok && m["rel"] == "next" {
					u, _ = m["href"].(string)
				}
			}
		}
	}
	return nil
}

// byID groups the objects to refresh by id; those without one are gone.
func byID(ds []*osfw.Data) map[string][]*osfw.Data {
	out := map[string][]*osfw.Data{}
	for _, d := range ds {
		if d.ID() == "" {
			d.MarkGone()
			continue
		}
		out[d.ID()] = append(out[d.ID()], d)
	}
	return out
}

// refreshMissing reads one by one the objects a project listing did not
// return: objects of other projects (imported by an admin) are found so,
// and a 404 marks the gone ones. Reads run a few at a time.
func refreshMissing(ctx context.Context, missing map[string][]*osfw.Data, get func(ctx context.Context, id string, group []*osfw.Data) error) error {
	ids := make([]string, 0, len(missing))
	for id := range missing {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 8)
	)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := get(ctx, id, missing[id])
			if osfw.IsNotFound(err) {
				for _, d := range missing[id] {
					d.MarkGone()
				}
				return
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// userMessage is the latest of Cinder's user messages about a resource
// (GET /messages, microversion 3.3): the reason a volume, snapshot or
// backup went into error, in words a user can act on. "" when there is
// none or the cloud does not have the API.
func userMessage(ctx context.Context, c *osfw.Client, resourceID string) string {
	sc, err := client(c, "3.3")
	if err != nil {
		return ""
	}
	var body struct {
		Messages []struct {
			UserMessage string `json:"user_message"`
			CreatedAt   string `json:"created_at"`
		} `json:"messages"`
	}
	u := sc.ServiceURL("messages") + "?" + url.Values{"resource_uuid": {resourceID}}.Encode()
	if _, err := sc.Get(ctx, u, &body, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
		return ""
	}
	latest, at := "", ""
	for _, m := range body.Messages {
		if m.CreatedAt >= at {
			latest, at = m.UserMessage, m.CreatedAt
		}
	}
	return latest
}

// errorStatus reports a Cinder error status (error, error_deleting,
// error_extending, ...).
func errorStatus(s string) bool {
	s = strings.ToLower(s)
	return s == "error" || strings.HasPrefix(s, "error_")
}

// faultPoll builds a Poll from a status, looking up the user message when
// it is an error status and the object has no reason of its own.
func faultPoll(ctx context.Context, c *osfw.Client, id, status, reason string) osfw.Poll {
	p := osfw.Poll{Status: status}
	if errorStatus(status) {
		p.Fault = reason
		if p.Fault == "" {
			p.Fault = userMessage(ctx, c, id)
		}
		if p.Fault == "" {
			p.Fault = fmt.Sprintf("the cloud gave no reason; its operators can find it in the block storage logs under the ID %s", id)
		}
	}
	return p
}

// remarshal decodes a generic JSON value into out.
func remarshal(in any, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// readListed refreshes many objects of a kind with one paged listing of the
// project's (GET path, answers under key), reading one by one those the
// listing lacks (another project's, or gone). idOf names an object, set
// fills a Data from it, get reads one.
func readListed[T any](ctx context.Context, c *osfw.Client, sc *gophercloud.ServiceClient, ds []*osfw.Data, path, key string,
	idOf func(*T) string, set func(*osfw.Data, *osfw.Client, *T), get func(context.Context, *gophercloud.ServiceClient, string) (*T, error)) error {
	want := byID(ds)
	err := listAll(ctx, sc, path, nil, key, func(page map[string]any) error {
		var objs []T
		if err := remarshal(page[key], &objs); err != nil {
			return err
		}
		for i := range objs {
			o := &objs[i]
			id := idOf(o)
			for _, d := range want[id] {
				set(d, c, o)
			}
			delete(want, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return refreshMissing(ctx, want, func(ctx context.Context, id string, group []*osfw.Data) error {
		o, err := get(ctx, sc, id)
		if err != nil {
			return err
		}
		for _, d := range group {
			set(d, c, o)
		}
		return nil
	})
}

// getOne reads one object: GET <collection>/<id>, answered as {key: obj}.
func getOne[T any](ctx context.Context, sc *gophercloud.ServiceClient, collection, key, id string) (*T, error) {
	var resp map[string]json.RawMessage
	if _, err := sc.Get(ctx, sc.ServiceURL(collection, id), &resp, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
		return nil, err
	}
	var obj T
	if err := json.Unmarshal(resp[key], &obj); err != nil {
		return nil, err
	}
	return &obj, nil
}
