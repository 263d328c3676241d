package identity

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// Keystone refuses a second group of the same name: when the one there
// carries this instance's mark (its earlier create was not heard of), the
// conflict is an adoption; a group someone else made stays an error.
func TestKeystoneConflictOnMarkedObjectIsAdoption(t *testing.T) {
	_, fake, p := setup(t, nil)
	cfg := osfwtest.Object(t, p, groupType, map[string]any{"name": "comune-admins", "description": "Amministratori"})
	owner := plugins.Owner{Address: `module.comune["prato"].openstack_identity_group_v3.admins`, Lineage: "5c0ffee0-0000-4000-8000-000000000001"}
	first := osfwtest.ApplyOwned(t, p, groupType, cfg, owner)
	require.False(t, first.Diagnostics.HasErrors(), "%v", first.Diagnostics.Err())
	id := first.NewState.GetAttr("id").AsString()
	assert.True(t, strings.HasPrefix(fake.get("groups", id)["description"].(string), "Amministratori [nuvola-owner:"+owner.Lineage+":"))
	assert.Equal(t, "Amministratori", first.NewState.GetAttr("description").AsString())

	again := osfwtest.ApplyOwned(t, p, groupType, cfg, owner)
	require.False(t, again.Diagnostics.HasErrors(), "%v", again.Diagnostics.Err())
	assert.Equal(t, id, again.NewState.GetAttr("id").AsString())
	assert.Len(t, fake.objects["groups"], 1)

	other := osfwtest.ApplyOwned(t, p, groupType, cfg, plugins.Owner{Address: owner.Address, Lineage: "another-state"})
	require.True(t, other.Diagnostics.HasErrors())
	assert.Contains(t, other.Diagnostics.Err().Error(), "already exists")
}
