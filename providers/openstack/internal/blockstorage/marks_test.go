package blockstorage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const lineage = "0b5e55ed-0000-4000-8000-00000000c1d3"

// Every marked Cinder type: the mark goes out with the create request and
// never shows in nuvola's state; a create whose answer is lost makes one
// object, found by its mark and waited for; the object is found for its
// owner only and listed with its lineage; an update of the description
// keeps the mark.
func TestOwnershipMarkEveryType(t *testing.T) {
	cases := map[string]struct {
		kind, key string // fake collection, body key
		path      string // the create's URL path after the project
		cfg       func(volID string) map[string]any
	}{
		volType: {"volumes", "volume", "volumes", func(string) map[string]any {
			return map[string]any{"name": "dati", "size": 1, "description": "archivio"}
		}},
		snapType: {"snapshots", "snapshot", "snapshots", func(vol string) map[string]any {
			return map[string]any{"volume_id": vol, "name": "s", "description": "prima del rilascio"}
		}},
		backupType: {"backups", "backup", "backups", func(vol string) map[string]any {
			return map[string]any{"volume_id": vol, "name": "b", "description": "notturno"}
		}},
		vtType: {"types", "volume_type", "types", func(string) map[string]any {
			return map[string]any{"name": "ssd", "description": "dischi veloci"}
		}},
	}
	for typ, tc := range cases {
		t.Run(typ, func(t *testing.T) {
			owner := plugins.Owner{Address: `module.comune["prato"].` + typ + `.x`, Lineage: lineage}
			hash := plugins.OwnerAddressHash(owner.Address)
			mark := " [nuvola-owner:" + lineage + ":" + hash + "]"
			setup := func(t *testing.T) (*osfwtest.Cloud, *fakeCinder, plugins.Provider, string) {
				cloud := osfwtest.NewCloud(t)
				fake := newFakeCinder(t, cloud)
				p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})
				vol := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "sorgente", "size": 1}))
				return cloud, fake, p, vol.GetAttr("id").AsString()
			}

			t.Run("marked", func(t *testing.T) {
				cloud, fake, p, vol := setup(t)
				creates := cloud.WatchCreates("POST", osfwtest.VolumePath+tc.path)
				cfgMap := tc.cfg(vol)
				want := cfgMap["description"].(string)
				cfg := object(t, p, typ, cfgMap)
				resp := osfwtest.ApplyOwned(t, p, typ, cfg, owner)
				require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
				id := resp.NewState.GetAttr("id").AsString()

				require.Equal(t, 1, creates.Count())
				assert.Equal(t, want+mark, creates.Body(0)[tc.key].(map[string]any)["description"], "the mark is in the create request")
				assert.Equal(t, want+mark, fake.get(tc.kind, id)["description"])
				assert.Equal(t, want, resp.NewState.GetAttr("description").AsString(), "the state never shows it")
				got := osfwtest.Read(t, p, typ, resp.NewState)[0]
				assert.Equal(t, want, got.GetAttr("description").AsString())
				osfwtest.NoChange(t, p, typ, got, cfg)

				found := osfwtest.Find(t, p, typ, owner)
				require.True(t, found.Found)
				assert.Equal(t, id, found.State.GetAttr("id").AsString())
				assert.Equal(t, want, found.State.GetAttr("description").AsString())
				assert.False(t, osfwtest.Find(t, p, typ, plugins.Owner{Address: owner.Address, Lineage: "another-lineage"}).Found)
				assert.Equal(t, []plugins.OwnedObject{{TypeName: typ, ID: id, Address: "#" + hash, Name: cfgMap["name"].(string)}},
					osfwtest.Owned(t, p, lineage, typ))

				cfgMap["description"] = "altro"
				st := osfwtest.Apply(t, p, typ, got, object(t, p, typ, cfgMap))
				assert.Equal(t, "altro", st.GetAttr("description").AsString())
				assert.Equal(t, "altro"+mark, fake.get(tc.kind, id)["description"], "an update keeps the mark")
			})

			t.Run("answer lost", func(t *testing.T) {
				cloud, fake, p, vol := setup(t)
				before := fake.count(tc.kind)
				creates := cloud.WatchCreates("POST", osfwtest.VolumePath+tc.path)
				creates.LoseNext()
				resp := osfwtest.ApplyOwned(t, p, typ, object(t, p, typ, tc.cfg(vol)), owner)
				require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
				assert.Equal(t, 1, creates.Count(), "not sent again")
				assert.Equal(t, before+1, fake.count(tc.kind), "one object")
				id := resp.NewState.GetAttr("id").AsString()
				assert.Contains(t, fake.get(tc.kind, id)["description"], mark)
				if st, ok := fake.get(tc.kind, id)["status"]; ok {
					assert.Equal(t, "available", st, "waited for as the create would have")
				}
				got := osfwtest.Read(t, p, typ, resp.NewState)[0]
				assert.True(t, got.RawEquals(resp.NewState), "no drift after the adoption:\n%#v\n%#v", got, resp.NewState)
			})
		})
	}
}

// Volume type names are unique: a create meeting the type its own earlier
// run made (and did not record) adopts it; another state's is an error.
func TestVolumeTypeConflictOnMarkedTypeIsAdoption(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	cfg := object(t, p, vtType, map[string]any{"name": "ssd", "extra_specs": map[string]string{"volume_backend_name": "fast"}})
	owner := plugins.Owner{Address: "openstack_blockstorage_volume_type_v3.ssd", Lineage: lineage}
	first := osfwtest.ApplyOwned(t, p, vtType, cfg, owner)
	require.False(t, first.Diagnostics.HasErrors(), "%v", first.Diagnostics.Err())
	again := osfwtest.ApplyOwned(t, p, vtType, cfg, owner)
	require.False(t, again.Diagnostics.HasErrors(), "%v", again.Diagnostics.Err())
	assert.Equal(t, first.NewState.GetAttr("id"), again.NewState.GetAttr("id"))
	assert.Equal(t, 1, fake.count("types"))
	other := osfwtest.ApplyOwned(t, p, vtType, cfg, plugins.Owner{Address: owner.Address, Lineage: "another"})
	require.True(t, other.Diagnostics.HasErrors())
	assert.Contains(t, other.Diagnostics.Err().Error(), "already exists")
}
