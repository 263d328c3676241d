package networking

import (
	"context"
	"strings"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// listMarked lists a Neutron collection with only what ownership marks
// need, in one request: Neutron answers a list without a limit whole.
func listMarked(collection string) func(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	return func(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
		sc, err := c.Service(osfw.Network)
		if err != nil {
			return nil, err
		}
		var body map[string][]struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			Description string `json:"description"`
		}
		u := sc.ServiceURL(collection) + "?fields=id&fields=name&fields=description"
		if _, err := sc.Get(ctx, u, &body, nil); err != nil {
			return nil, err
		}
		// The answer's key spells the collection with underscores.
		items := body[strings.ReplaceAll(collection, "-", "_")]
		out := make([]osfw.Marked, 0, len(items))
		for _, it := range items {
			out = append(out, osfw.Marked{ID: it.ID, Name: it.Name, Description: it.Description})
		}
		return out, nil
	}
}
