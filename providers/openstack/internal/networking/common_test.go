package networking

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// listIDs splits long ID lists over requests that fit in a URL and
// follows Neutron's "<collection>_links" pages.
func TestListIDsChunksAndPages(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	var queries []int
	cloud.Handle("GET "+osfwtest.NetworkPath+"v2.0/security-group-rules", func(w http.ResponseWriter, r *http.Request) {
		ids := r.URL.Query()["id"]
		queries = append(queries, len(ids))
		if r.URL.Query().Get("marker") == "" && len(ids) > 1 {
			// First page: one rule and a link to the rest.
			next := "http://" + r.Host + r.URL.Path + "?" + r.URL.RawQuery + "&marker=" + ids[0]
			osfwtest.WriteJSON(w, http.StatusOK, map[string]any{
				"security_group_rules":       []any{map[string]any{"id": ids[0], "direction": "ingress"}},
				"security_group_rules_links": []any{map[string]any{"rel": "next", "href": next}},
			})
			return
		}
		out := []any{}
		for _, id := range ids[1:] {
			out = append(out, map[string]any{"id": id, "direction": "egress"})
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"security_group_rules": out})
	})
	p := cloud.Provider(t, Resources(), nil, nil)
	sc, err := p.Client().Service(osfw.Network)
	require.NoError(t, err)
	var ids []string
	for i := range 400 {
		ids = append(ids, fmt.Sprintf("%08d-0000-0000-0000-000000000000", i))
	}
	seen := map[string]bool{}
	require.NoError(t, listIDs(t.Context(), sc, "security-group-rules", ids, func(r *sgRule) { seen[r.ID] = true }))
	assert.Len(t, seen, 400)
	assert.Equal(t, 6, len(queries), "three chunks of at most 150 IDs, two pages each: %v", queries)
}
