package blockstorage

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// object is osfwtest.Object with the absent set and list blocks empty, as
// a configuration without them is.
func object(t testing.TB, p plugins.Provider, typ string, attrs map[string]any) cty.Value {
	t.Helper()
	for name, nb := range osfwtest.Schema(p, typ).BlockTypes {
		if _, ok := attrs[name]; !ok && (nb.Nesting == plugins.NestingSet || nb.Nesting == plugins.NestingList) {
			attrs[name] = []map[string]any{}
		}
	}
	return osfwtest.Object(t, p, typ, attrs)
}
