package networking

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// collectionPage is a page of any Neutron collection: the objects under
// the collection's key, the next page under "<collection>_links".
type collectionPage struct {
	pagination.LinkedPageBase
	key string
}

func (p collectionPage) IsEmpty() (bool, error) {
	if p.StatusCode == 204 {
		return true, nil
	}
	var all []json.RawMessage
	if err := p.ExtractIntoSlicePtr(&all, p.key); err != nil {
		return false, err
	}
	return len(all) == 0, nil
}

func (p collectionPage) NextPageURL() (string, error) {
	var s struct {
		Links []gophercloud.Link `json:"-"`
	}
	body, ok := p.Body.(map[string]any)
	if !ok {
		return "", nil
	}
	raw, ok := body[p.key+"_links"]
	if !ok {
		return "", nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(b, &s.Links); err != nil {
		return "", err
	}
	return gophercloud.ExtractNextURL(s.Links)
}

// listInto lists a Neutron collection from the URL u (query included),
// every page (the objects under the collection's name, "_" for "-"),
// decoding each object into T and handing it to fn.
func listInto[T any](ctx context.Context, sc *gophercloud.ServiceClient, collection, u string, fn func(*T)) error {
	key := strings.ReplaceAll(collection, "-", "_")
	pager := pagination.NewPager(sc, u, func(r pagination.PageResult) pagination.Page {
		return collectionPage{LinkedPageBase: pagination.LinkedPageBase{PageResult: r}, key: key}
	})
	return pager.EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		var all []T
		if err := page.(collectionPage).ExtractIntoSlicePtr(&all, key); err != nil {
			return false, err
		}
		for i := range all {
			fn(&all[i])
		}
		return true, nil
	})
}

// list lists a collection filtered by query (nil: everything visible).
func list[T any](ctx context.Context, sc *gophercloud.ServiceClient, collection string, query url.Values, fn func(*T)) error {
	u := sc.ServiceURL(collection)
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return listInto(ctx, sc, collection, u, fn)
}

// listIDs lists the objects of a collection whose IDs are given, in as few
// paged requests as the URL length allows (?id=a&id=b).
func listIDs[T any](ctx context.Context, sc *gophercloud.ServiceClient, collection string, ids []string, fn func(*T)) error {
	const maxQuery = 6000
	for len(ids) > 0 {
		q := url.Values{}
		n, size := 0, 0
		for n < len(ids) && (n == 0 || size+len(ids[n])+4 < maxQuery) {
			q.Add("id", ids[n])
			size += len(ids[n]) + 4
			n++
		}
		ids = ids[n:]
		if err := listInto(ctx, sc, collection, sc.ServiceURL(collection)+"?"+q.Encode(), fn); err != nil {
			return err
		}
	}
	return nil
}

// readManyByID refreshes many objects of a collection with one list
// request: set fills a Data from an object, objects not listed are gone.
func readManyByID[T any](ctx context.Context, c *osfw.Client, collection string, ds []*osfw.Data, idOf func(*T) string, set func(*osfw.Data, *T)) error {
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return err
	}
	byID := map[string][]*osfw.Data{}
	for _, d := range ds {
		if d.ID() == "" {
			d.MarkGone()
			continue
		}
		byID[d.ID()] = append(byID[d.ID()], d)
	}
	seen := map[string]bool{}
	err = listIDs(ctx, sc, collection, osfw.SortedKeys(byID), func(o *T) {
		id := idOf(o)
		for _, d := range byID[id] {
			set(d, o)
			d.Set("region", c.Endpoint.Region)
		}
		seen[id] = true
	})
	if err != nil {
		return err
	}
	for id, group := range byID {
		if !seen[id] {
			for _, d := range group {
				d.MarkGone()
			}
		}
	}
	return nil
}

// getInto reads one object: GET <collection>/<id>, the object under key.
func getInto(ctx context.Context, sc *gophercloud.ServiceClient, collection, key, id string, into any) error {
	var body map[string]json.RawMessage
	if _, err := sc.Get(ctx, sc.ServiceURL(collection, id), &body, nil); err != nil {
		return err
	}
	return json.Unmarshal(body[key], into)
}

// postInto creates an object: POST <collection> {key: obj}.
func postInto(ctx context.Context, sc *gophercloud.ServiceClient, collection, key string, obj map[string]any, into any) error {
	var body map[string]json.RawMessage
	if _, err := sc.Post(ctx, sc.ServiceURL(collection), map[string]any{key: obj}, &body, &gophercloud.RequestOpts{OkCodes: []int{201}}); err != nil {
		return err
	}
	if into == nil {
		return nil
	}
	return json.Unmarshal(body[key], into)
}

// putObject updates an object: PUT <collection>/<id> {key: obj}.
func putObject(ctx context.Context, sc *gophercloud.ServiceClient, collection, key, id string, obj map[string]any) error {
	var body map[string]json.RawMessage
	_, err := sc.Put(ctx, sc.ServiceURL(collection, id), map[string]any{key: obj}, &body, &gophercloud.RequestOpts{OkCodes: []int{200}})
	return err
}

// deleteObject deletes an object: DELETE <collection>/<id>.
func deleteObject(ctx context.Context, sc *gophercloud.ServiceClient, collection, id string) error {
	_, err := sc.Delete(ctx, sc.ServiceURL(collection, id), nil)
	return err
}

// networkClient is the Neutron client.
func networkClient(c *osfw.Client) (*gophercloud.ServiceClient, error) {
	return c.Service(osfw.Network)
}

// putChanged adds name to a PUT body when the attribute changed.
func putString(d *osfw.Data, body map[string]any, attr, field string) {
	if d.HasChange(attr) {
		body[field] = d.String(attr)
	}
}

// putBool adds a changed, known bool to a PUT body.
func putBool(d *osfw.Data, body map[string]any, attr, field string) {
	if d.HasChange(attr) && d.Known(attr) {
		body[field] = d.Bool(attr)
	}
}

// setIfKnown adds a known attribute's value to a create body.
func setIfKnown(d *osfw.Data, body map[string]any, attr, field string) {
	if !d.Known(attr) {
		return
	}
	v := d.Get(attr)
	switch {
	case v.Type().FriendlyName() == "string":
		body[field] = d.String(attr)
	case v.Type().FriendlyName() == "bool":
		body[field] = d.Bool(attr)
	case v.Type().FriendlyName() == "number":
		body[field] = d.Int(attr)
	default:
		body[field] = d.StringList(attr)
	}
}

// setStringIfSet adds a non-empty string attribute to a create body.
func setStringIfSet(d *osfw.Data, body map[string]any, attr, field string) {
	if s := d.String(attr); s != "" {
		body[field] = s
	}
}

// valueSpecs merges value_specs into a body (strings; "true"/"false"
// become bools as the reference provider does).
func valueSpecs(d *osfw.Data, body map[string]any) {
	for k, v := range d.StringMap("value_specs") {
		switch strings.ToLower(v) {
		case "true":
			body[k] = true
		case "false":
			body[k] = false
		default:
			body[k] = v
		}
	}
}

// parallel runs fn for each item with at most n at once and returns the
// errors joined, first ones first.
func parallel[T any](items []T, n int, fn func(T) error) error {
	if len(items) == 0 {
		return nil
	}
	sem := make(chan struct{}, n)
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(it)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// setBlocksKeepNull sets a nested block from the cloud's elements, but
// leaves it null when it was null and the cloud has none.
func setBlocksKeepNull(d *osfw.Data, name string, elems []map[string]any) {
	if len(elems) == 0 && d.Get(name).IsNull() {
		return
	}
	d.SetBlocks(name, elems)
}

// importEmptyBlocks is an Import that starts the object with its nested
// blocks empty, as a configuration without them decodes: blocks that are
// managed only when configured (inline rules, allocation pools) stay
// unmanaged until the configuration gives them.
func importEmptyBlocks(names ...string) func(context.Context, *osfw.Client, *osfw.Data) error {
	return func(_ context.Context, _ *osfw.Client, d *osfw.Data) error {
		for _, n := range names {
			d.SetBlocks(n, nil)
		}
		return nil
	}
}

// computedBlocks is a Plan for nested blocks that are optional and
// computed: left out of the configuration, a block keeps what the cloud
// has (unknown until a create has read it); given, it is the configuration.
func computedBlocks(names ...string) func(context.Context, *osfw.Client, *osfw.PlanData) error {
	return func(_ context.Context, _ *osfw.Client, pd *osfw.PlanData) error {
		for _, n := range names {
			cv := pd.Config.Get(n)
			if cv != cty.NilVal && !cv.IsNull() && (!cv.IsKnown() || cv.LengthInt() > 0) {
				continue
			}
			if pd.Prior != nil {
				pd.Planned.Set(n, pd.Prior.Get(n))
			} else {
				pd.Planned.Set(n, cty.UnknownVal(cv.Type()))
			}
		}
		return nil
	}
}
