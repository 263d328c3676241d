package identity

import (
	"context"
	"net/url"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// listMarked lists a Keystone collection ("projects", "groups", "users")
// with the descriptions that hold ownership marks.
func listMarked(collection string) func(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	return func(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
		sc, err := identity(c)
		if err != nil {
			return nil, err
		}
		type item struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			Description string `json:"description"`
		}
		all, _, err := listAll[item](ctx, sc, collection, url.Values{}, collection)
		if err != nil {
			return nil, err
		}
		out := make([]osfw.Marked, 0, len(all))
		for _, it := range all {
			out = append(out, osfw.Marked{ID: it.ID, Name: it.Name, Description: it.Description})
		}
		return out, nil
	}
}
