package networking

import (
	"context"
	"net/url"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// listMarked lists a Neutron collection with only what ownership marks
// need, every page (a Neutron with pagination_max_limit set pages even a
// list that asks for no limit).
func listMarked(collection string) func(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	return func(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
		sc, err := c.Service(osfw.Network)
		if err != nil {
			return nil, err
		}
		type item struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			Description string `json:"description"`
		}
		var out []osfw.Marked
		q := url.Values{"fields": {"id", "name", "description"}}
		err = list(ctx, sc, collection, q, func(it *item) {
			out = append(out, osfw.Marked{ID: it.ID, Name: it.Name, Description: it.Description})
		})
		return out, err
	}
}
