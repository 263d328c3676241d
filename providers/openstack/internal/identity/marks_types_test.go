package identity

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const lineage = "5c0ffee0-0000-4000-8000-00000000beef"

// Every marked Keystone type: the mark goes out with the create request
// and never shows in nuvola's state; a create whose answer is lost makes
// one object, found by its mark; the object is found for its owner only
// and listed with its lineage; an update of the description keeps it.
func TestOwnershipMarkEveryType(t *testing.T) {
	cases := map[string]struct {
		coll, key string
		cfg       map[string]any
	}{
		projectType: {"projects", "project", map[string]any{"name": "comune-prato", "description": "Comune di Prato"}},
		groupType:   {"groups", "group", map[string]any{"name": "operatori", "description": "Operatori"}},
		userType: {"users", "user", map[string]any{"name": "mrossi", "description": "Mario Rossi", "password": "s3greta",
			"multi_factor_auth_rule": []map[string]any{}}},
	}
	for typ, tc := range cases {
		t.Run(typ, func(t *testing.T) {
			owner := plugins.Owner{Address: `module.comune["prato"].` + typ + `.x`, Lineage: lineage}
			mark := " [nuvola-owner:" + lineage + ":" + plugins.OwnerAddressHash(owner.Address) + "]"
			want := tc.cfg["description"].(string)

			t.Run("marked", func(t *testing.T) {
				cloud, fake, p := setup(t, nil)
				creates := cloud.WatchCreates("POST", "/v3/"+tc.coll)
				cfg := osfwtest.Object(t, p, typ, tc.cfg)
				resp := osfwtest.ApplyOwned(t, p, typ, cfg, owner)
				require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
				id := resp.NewState.GetAttr("id").AsString()

				require.Equal(t, 1, creates.Count())
				assert.Equal(t, want+mark, creates.Body(0)[tc.key].(map[string]any)["description"], "the mark is in the create request")
				assert.Equal(t, want+mark, fake.get(tc.coll, id)["description"])
				assert.Equal(t, want, resp.NewState.GetAttr("description").AsString(), "the state never shows it")
				got := osfwtest.Read(t, p, typ, resp.NewState)[0]
				assert.Equal(t, want, got.GetAttr("description").AsString())
				osfwtest.NoChange(t, p, typ, got, cfg)

				found := osfwtest.Find(t, p, typ, owner)
				require.True(t, found.Found)
				assert.Equal(t, id, found.State.GetAttr("id").AsString())
				assert.Equal(t, want, found.State.GetAttr("description").AsString())
				assert.False(t, osfwtest.Find(t, p, typ, plugins.Owner{Address: owner.Address, Lineage: "another-lineage"}).Found)
				assert.Equal(t, []plugins.OwnedObject{{TypeName: typ, ID: id, Address: "#" + plugins.OwnerAddressHash(owner.Address), Name: tc.cfg["name"].(string)}},
					osfwtest.Owned(t, p, lineage, typ))

				upd := map[string]any{}
				for k, v := range tc.cfg {
					upd[k] = v
				}
				upd["description"] = "altro"
				st := osfwtest.Apply(t, p, typ, got, osfwtest.Object(t, p, typ, upd))
				assert.Equal(t, "altro", st.GetAttr("description").AsString())
				assert.Equal(t, "altro"+mark, fake.get(tc.coll, id)["description"], "an update keeps the mark")
			})

			t.Run("answer lost", func(t *testing.T) {
				cloud, fake, p := setup(t, nil)
				creates := cloud.WatchCreates("POST", "/v3/"+tc.coll)
				creates.LoseNext()
				resp := osfwtest.ApplyOwned(t, p, typ, osfwtest.Object(t, p, typ, tc.cfg), owner)
				require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
				assert.Equal(t, 1, creates.Count(), "not sent again")
				assert.Equal(t, 1, fake.count(tc.coll))
				id := resp.NewState.GetAttr("id").AsString()
				assert.Equal(t, want+mark, fake.get(tc.coll, id)["description"])
				got := osfwtest.Read(t, p, typ, resp.NewState)[0]
				assert.True(t, got.RawEquals(resp.NewState), "no drift after the adoption:\n%#v\n%#v", got, resp.NewState)
			})
		})
	}
}

// An application credential keeps its mark in its description. One whose
// create answer was lost is adopted with the secret the request carried;
// one an earlier run made, whose secret nobody recorded, is not adopted
// but made again; FindOwnedResource does not offer it.
func TestApplicationCredentialMark(t *testing.T) {
	owner := plugins.Owner{Address: "openstack_identity_application_credential_v3.ci", Lineage: lineage}
	mark := " [nuvola-owner:" + lineage + ":" + plugins.OwnerAddressHash(owner.Address) + "]"
	acPath := "/v3/users/u1/application_credentials"
	// No access_rules block: an empty set, as the engine has it.
	cfg := map[string]any{"name": "ci", "description": "pipeline", "access_rules": []map[string]any{}}

	t.Run("marked", func(t *testing.T) {
		cloud, fake, p := setup(t, nil)
		creates := cloud.WatchCreates("POST", acPath)
		resp := osfwtest.ApplyOwned(t, p, appCredType, osfwtest.Object(t, p, appCredType, cfg), owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		id := resp.NewState.GetAttr("id").AsString()
		assert.Equal(t, "pipeline"+mark, creates.Body(0)["application_credential"].(map[string]any)["description"])
		assert.Equal(t, "pipeline"+mark, fake.appCreds[id]["description"])
		assert.Equal(t, "pipeline", resp.NewState.GetAttr("description").AsString())
		got := osfwtest.Read(t, p, appCredType, resp.NewState)[0]
		osfwtest.NoChange(t, p, appCredType, got, osfwtest.Object(t, p, appCredType, cfg))
		assert.Equal(t, []plugins.OwnedObject{{TypeName: appCredType, ID: id, Address: "#" + plugins.OwnerAddressHash(owner.Address), Name: "ci"}},
			osfwtest.Owned(t, p, lineage, appCredType))
		assert.False(t, osfwtest.Find(t, p, appCredType, owner).Found, "without its secret it is not offered for adoption")
	})

	t.Run("answer lost", func(t *testing.T) {
		cloud, fake, p := setup(t, nil)
		creates := cloud.WatchCreates("POST", acPath)
		creates.LoseNext()
		resp := osfwtest.ApplyOwned(t, p, appCredType, osfwtest.Object(t, p, appCredType, cfg), owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		assert.Equal(t, 1, creates.Count())
		assert.Len(t, fake.appCreds, 1)
		sent := creates.Body(0)["application_credential"].(map[string]any)["secret"].(string)
		assert.Equal(t, sent, resp.NewState.GetAttr("secret").AsString(), "adopted with the secret it was made with")
	})

	t.Run("made by an earlier run", func(t *testing.T) {
		cloud, fake, p := setup(t, nil)
		first := osfwtest.ApplyOwned(t, p, appCredType, osfwtest.Object(t, p, appCredType, cfg), owner)
		require.False(t, first.Diagnostics.HasErrors(), "%v", first.Diagnostics.Err())
		oldID := first.NewState.GetAttr("id").AsString()
		// That run's state was lost with the secret; this one meets the name.
		creates := cloud.WatchCreates("POST", acPath)
		again := osfwtest.ApplyOwned(t, p, appCredType, osfwtest.Object(t, p, appCredType, cfg), owner)
		require.False(t, again.Diagnostics.HasErrors(), "%v", again.Diagnostics.Err())
		require.Equal(t, 2, creates.Count(), "refused, then made again")
		assert.NotContains(t, fake.appCreds, oldID)
		assert.Len(t, fake.appCreds, 1)
		id := again.NewState.GetAttr("id").AsString()
		assert.NotEqual(t, oldID, id)
		assert.Equal(t, creates.Body(1)["application_credential"].(map[string]any)["secret"], again.NewState.GetAttr("secret").AsString())
		assert.True(t, strings.HasSuffix(fake.appCreds[id]["description"].(string), mark))

		// Another state's credential of that name stays an error.
		other := osfwtest.ApplyOwned(t, p, appCredType, osfwtest.Object(t, p, appCredType, cfg), plugins.Owner{Address: owner.Address, Lineage: "another"})
		require.True(t, other.Diagnostics.HasErrors())
		assert.Contains(t, fake.appCreds, id)
	})
}
