package blockstorage

import (
	"context"
	"net/url"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// listMarked lists a Cinder collection ("volumes", "snapshots",
// "backups") in detail, for the descriptions that hold ownership marks.
func listMarked(collection string) func(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	return func(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
		sc, err := client(c, "")
		if err != nil {
			return nil, err
		}
		var out []osfw.Marked
		err = listAll(ctx, sc, collection+"/detail", url.Values{}, collection, func(page map[string]any) error {
			var body map[string][]struct {
				ID          string `json:"id"`
				Name        string `json:"name"`
				Description string `json:"description"`
			}
			if err := remarshal(page, &body); err != nil {
				return err
			}
			for _, it := range body[collection] {
				out = append(out, osfw.Marked{ID: it.ID, Name: it.Name, Description: it.Description})
			}
			return nil
		})
		return out, err
	}
}
