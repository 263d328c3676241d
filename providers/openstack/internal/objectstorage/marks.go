package objectstorage

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// listMarkedContainers lists the account's containers with their
// metadata: the account listing names them, a HEAD each gives the
// metadata, since the listing carries none.
func listMarkedContainers(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	sc, err := swift(c)
	if err != nil {
		return nil, err
	}
	var names []string
	if err := list(ctx, sc, sc.ServiceURL(), url.Values{}, func(page []listEntry) error {
		for _, e := range page {
			names = append(names, e.Name)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	out := make([]osfw.Marked, 0, len(names))
	err = parallel(ctx, names, 8, func(ctx context.Context, name string) error {
		h, err := headContainer(ctx, sc, name)
		if err != nil {
			if osfw.IsNotFound(err) {
				return nil
			}
			return err
		}
		md := map[string]string{}
		for k, v := range h {
			if low := strings.ToLower(k); strings.HasPrefix(low, "x-container-meta-") && len(v) > 0 {
				md[low[len("x-container-meta-"):]] = v[0]
			}
		}
		mu.Lock()
		out = append(out, osfw.Marked{ID: name, Name: name, Metadata: md})
		mu.Unlock()
		return nil
	})
	return out, err
}
