package compute

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const lineage = "5e4e4e4e-0000-4000-8000-0000000c0de5"

// A server's mark is in its metadata: sent with the create, never in
// metadata or all_metadata, kept by updates of the metadata; the server is
// found for its owner only and listed under its address; a server whose
// create answer was lost is found by its mark and waited for.
func TestInstanceOwnershipMark(t *testing.T) {
	owner := plugins.Owner{Address: `module.comune["prato"].openstack_compute_instance_v2.web`, Lineage: lineage}
	markValue := lineage + ":" + plugins.OwnerAddressHash(owner.Address)
	wantMD := cty.MapVal(map[string]cty.Value{"ruolo": cty.StringVal("web")})
	wantAll := cty.MapVal(map[string]cty.Value{"ruolo": cty.StringVal("web"), "ente": cty.StringVal("c_a662")})

	t.Run("marked", func(t *testing.T) {
		cloud := osfwtest.NewCloud(t)
		fake := newFakeNova(cloud, t)
		p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})
		creates := cloud.WatchCreates("POST", cp+"servers")
		cfg := instanceConfig(t, p, map[string]any{"metadata": map[string]string{"ruolo": "web"}})
		resp := osfwtest.ApplyOwned(t, p, instanceType, cfg, owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		id := resp.NewState.GetAttr("id").AsString()

		require.Equal(t, 1, creates.Count())
		assert.Equal(t, map[string]any{"ruolo": "web", "ente": "c_a662", osfw.MarkOwnerKey: markValue, osfw.MarkAddressKey: owner.Address},
			creates.Body(0)["server"].(map[string]any)["metadata"], "the mark is in the create request")
		assert.Equal(t, wantMD, resp.NewState.GetAttr("metadata"), "the state never shows it")
		assert.Equal(t, wantAll, resp.NewState.GetAttr("all_metadata"))
		got := osfwtest.Read(t, p, instanceType, resp.NewState)[0]
		assert.Equal(t, wantMD, got.GetAttr("metadata"))
		assert.Equal(t, wantAll, got.GetAttr("all_metadata"))
		osfwtest.NoChange(t, p, instanceType, got, cfg)

		found := osfwtest.Find(t, p, instanceType, owner)
		require.True(t, found.Found)
		assert.Equal(t, id, found.State.GetAttr("id").AsString())
		assert.Equal(t, wantAll, found.State.GetAttr("all_metadata"))
		assert.False(t, osfwtest.Find(t, p, instanceType, plugins.Owner{Address: owner.Address, Lineage: "another-lineage"}).Found)
		assert.Equal(t, []plugins.OwnedObject{{TypeName: instanceType, ID: id, Address: owner.Address, Name: "web"}},
			osfwtest.Owned(t, p, lineage, instanceType))

		osfwtest.Apply(t, p, instanceType, got, instanceConfig(t, p, map[string]any{"metadata": map[string]string{"ambiente": "prod"}}))
		assert.Equal(t, map[string]any{"ambiente": "prod", "ente": "c_a662", osfw.MarkOwnerKey: markValue, osfw.MarkAddressKey: owner.Address},
			fake.servers[id]["metadata"], "an update keeps the mark")
	})

	t.Run("answer lost", func(t *testing.T) {
		cloud := osfwtest.NewCloud(t)
		fake := newFakeNova(cloud, t)
		p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})
		// Another server of the same name: the name cannot tell which is
		// ours, the mark can.
		osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, nil))
		creates := cloud.WatchCreates("POST", cp+"servers")
		creates.LoseNext()
		resp := osfwtest.ApplyOwned(t, p, instanceType, instanceConfig(t, p, map[string]any{"metadata": map[string]string{"ruolo": "web"}}), owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		assert.Equal(t, 1, creates.Count(), "not sent again")
		assert.Len(t, fake.servers, 2)
		id := resp.NewState.GetAttr("id").AsString()
		assert.Equal(t, markValue, fake.servers[id]["metadata"].(map[string]any)[osfw.MarkOwnerKey])
		assert.Equal(t, "ACTIVE", fake.servers[id]["status"], "waited for as the create would have")
		got := osfwtest.Read(t, p, instanceType, resp.NewState)[0]
		assert.True(t, got.RawEquals(resp.NewState), "no drift after the adoption:\n%#v\n%#v", got, resp.NewState)
	})
}

// A flavor's mark is in its description; names are unique, so a create
// meeting the flavor its own earlier run made adopts it (and sets its
// extra specs), another state's stays an error.
func TestFlavorOwnershipMark(t *testing.T) {
	owner := plugins.Owner{Address: "openstack_compute_flavor_v2.large", Lineage: lineage}
	hash := plugins.OwnerAddressHash(owner.Address)
	mark := " [nuvola-owner:" + lineage + ":" + hash + "]"
	cfgMap := map[string]any{"name": "c2.large", "ram": 4096, "vcpus": 2, "disk": 40, "description": "calcolo",
		"extra_specs": map[string]string{"hw:cpu_policy": "dedicated"}}

	t.Run("marked", func(t *testing.T) {
		cloud := osfwtest.NewCloud(t)
		fake := newFakeNova(cloud, t)
		p := cloud.Provider(t, Resources(), nil, nil)
		creates := cloud.WatchCreates("POST", cp+"flavors")
		cfg := osfwtest.Object(t, p, flavorType, cfgMap)
		resp := osfwtest.ApplyOwned(t, p, flavorType, cfg, owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		id := resp.NewState.GetAttr("id").AsString()
		assert.Equal(t, "calcolo"+mark, creates.Body(0)["flavor"].(map[string]any)["description"], "the mark is in the create request")
		assert.Equal(t, "calcolo"+mark, fake.flavors[id]["description"])
		assert.Equal(t, "calcolo", resp.NewState.GetAttr("description").AsString(), "the state never shows it")
		got := osfwtest.Read(t, p, flavorType, resp.NewState)[0]
		osfwtest.NoChange(t, p, flavorType, got, cfg)
		found := osfwtest.Find(t, p, flavorType, owner)
		require.True(t, found.Found)
		assert.Equal(t, id, found.State.GetAttr("id").AsString())
		assert.False(t, osfwtest.Find(t, p, flavorType, plugins.Owner{Address: owner.Address, Lineage: "another-lineage"}).Found)
		assert.Equal(t, []plugins.OwnedObject{{TypeName: flavorType, ID: id, Address: "#" + hash, Name: "c2.large"}},
			osfwtest.Owned(t, p, lineage, flavorType))

		// Made by an earlier run, its extra specs not yet set: adopted
		// and finished.
		delete(fake.flavors[id], "extra_specs")
		fake.flavors[id]["extra_specs"] = map[string]any{}
		again := osfwtest.ApplyOwned(t, p, flavorType, cfg, owner)
		require.False(t, again.Diagnostics.HasErrors(), "%v", again.Diagnostics.Err())
		assert.Equal(t, id, again.NewState.GetAttr("id").AsString())
		assert.Equal(t, map[string]any{"hw:cpu_policy": "dedicated"}, fake.flavors[id]["extra_specs"])
		other := osfwtest.ApplyOwned(t, p, flavorType, cfg, plugins.Owner{Address: owner.Address, Lineage: "another"})
		require.True(t, other.Diagnostics.HasErrors())
		assert.Contains(t, other.Diagnostics.Err().Error(), "already exists")
	})

	t.Run("answer lost", func(t *testing.T) {
		cloud := osfwtest.NewCloud(t)
		fake := newFakeNova(cloud, t)
		p := cloud.Provider(t, Resources(), nil, nil)
		creates := cloud.WatchCreates("POST", cp+"flavors")
		creates.LoseNext()
		resp := osfwtest.ApplyOwned(t, p, flavorType, osfwtest.Object(t, p, flavorType, cfgMap), owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		assert.Equal(t, 1, creates.Count(), "not sent again")
		assert.Len(t, fake.flavors, 3, "the two the fake starts with, and one")
		id := resp.NewState.GetAttr("id").AsString()
		assert.Equal(t, map[string]any{"hw:cpu_policy": "dedicated"}, fake.flavors[id]["extra_specs"], "the create's later step made up for")
		got := osfwtest.Read(t, p, flavorType, resp.NewState)[0]
		assert.True(t, got.RawEquals(resp.NewState), "no drift after the adoption:\n%#v\n%#v", got, resp.NewState)
	})
}

// A key pair holds no mark: after a lost answer the key pair of that name
// is adopted when it has the configured public key; a generated key
// cannot be (its private key was in the lost answer), which is said.
func TestKeypairLostCreate(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), nil, nil)
	creates := cloud.WatchCreates("POST", cp+"os-keypairs")

	creates.LoseNext()
	st := osfwtest.Apply(t, p, keypairType, cty.NilVal, osfwtest.Object(t, p, keypairType, map[string]any{"name": "mine", "public_key": "ssh-ed25519 AAAAmine"}))
	assert.Equal(t, "mine", st.GetAttr("id").AsString())
	assert.Equal(t, 1, creates.Count())

	creates.LoseNext()
	resp := osfwtest.ApplyResp(t, p, keypairType, cty.NilVal, osfwtest.Object(t, p, keypairType, map[string]any{"name": "gen"}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics.Err().Error(), "private key")
	assert.True(t, resp.NewState.IsNull())
	assert.Contains(t, fake.keypairs, "gen")
}

// A volume attachment holds no mark: it is known by its two ends, so one
// whose answer was lost is found and waited for.
func TestVolumeAttachLostCreate(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	fake.buildPolls = 0
	p := cloud.Provider(t, Resources(), nil, nil)
	srv := osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, nil))
	sid := srv.GetAttr("id").AsString()
	creates := cloud.WatchCreates("POST", "/os-volume_attachments")
	creates.LoseNext()
	st := osfwtest.Apply(t, p, attachType, cty.NilVal, osfwtest.Object(t, p, attachType, map[string]any{"instance_id": sid, "volume_id": "vol-1"}))
	assert.Equal(t, sid+"/vol-1", st.GetAttr("id").AsString())
	assert.Equal(t, 1, creates.Count(), "not attached twice")
	assert.Equal(t, "in-use", fake.volumes["vol-1"], "waited for in-use")
}
