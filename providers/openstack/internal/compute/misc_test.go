package compute

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const (
	keypairType = "openstack_compute_keypair_v2"
	groupType   = "openstack_compute_servergroup_v2"
	flavorType  = "openstack_compute_flavor_v2"
	quotaType   = "openstack_compute_quotaset_v2"
	attachType  = "openstack_compute_volume_attach_v2"
)

func TestKeypairGeneratedAndImported(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), DataSources(), nil)

	gen := osfwtest.Object(t, p, keypairType, map[string]any{"name": "gen"})
	st := osfwtest.Apply(t, p, keypairType, cty.NilVal, gen)
	assert.Equal(t, "gen", st.GetAttr("id").AsString())
	assert.Equal(t, "-----BEGIN PRIVATE KEY-----", st.GetAttr("private_key").AsString())
	assert.Equal(t, "ssh-ed25519 AAAAgenerated", st.GetAttr("public_key").AsString())
	assert.True(t, osfwtest.Schema(p, keypairType).Attributes["private_key"].Sensitive)

	given := osfwtest.Object(t, p, keypairType, map[string]any{"name": "mine", "public_key": "ssh-ed25519 AAAAmine"})
	st2 := osfwtest.Apply(t, p, keypairType, cty.NilVal, given)
	assert.Equal(t, "", st2.GetAttr("private_key").AsString())
	assert.Equal(t, "aa:bb", st2.GetAttr("fingerprint").AsString())

	// Batch refresh: one list; the private key stays in the state.
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, keypairType, st, st2)
	assert.Equal(t, []string{"GET /compute/v2.1/os-keypairs"}, cloud.Requests())
	assert.True(t, got[0].RawEquals(st), "%#v\n%#v", got[0], st)
	osfwtest.NoChange(t, p, keypairType, got[1], given)

	imp := osfwtest.Import(t, p, keypairType, "mine")
	assert.Equal(t, "ssh-ed25519 AAAAmine", imp.GetAttr("public_key").AsString())

	// The data source.
	dresp := p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{TypeName: keypairType,
		Config: dataConfig(t, p, keypairType, map[string]any{"name": "mine"})})
	require.False(t, dresp.Diagnostics.HasErrors(), "%v", dresp.Diagnostics.Err())
	assert.Equal(t, "aa:bb", dresp.State.GetAttr("fingerprint").AsString())

	osfwtest.Destroy(t, p, keypairType, st)
	assert.NotContains(t, fake.keypairs, "gen")
	got = osfwtest.Read(t, p, keypairType, st, st2)
	assert.True(t, got[0].IsNull())
	osfwtest.Destroy(t, p, keypairType, st)
}

func dataConfig(t *testing.T, p *osfw.Provider, typ string, attrs map[string]any) cty.Value {
	b := p.GetSchema(context.Background(), plugins.GetSchemaRequest{}).DataSources[typ].Block
	require.NotNil(t, b)
	d := osfw.NewData(b, cty.NullVal(b.ImpliedType()))
	for k, v := range attrs {
		d.Set(k, v)
	}
	return d.Value()
}

func TestServerGroup(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), nil, nil)
	cfg := osfwtest.Object(t, p, groupType, map[string]any{"name": "ha", "policies": []string{"anti-affinity"},
		"rules": []map[string]any{{"max_server_per_host": 1}}})
	st := osfwtest.Apply(t, p, groupType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	assert.Equal(t, "anti-affinity", fake.groups[id]["policy"])
	assert.Equal(t, map[string]any{"max_server_per_host": 1.0}, fake.groups[id]["rules"])
	st2 := osfwtest.Apply(t, p, groupType, cty.NilVal, osfwtest.Object(t, p, groupType, map[string]any{"name": "aff"}))
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, groupType, st, st2)
	assert.Equal(t, []string{"GET /compute/v2.1/os-server-groups"}, cloud.Requests())
	osfwtest.NoChange(t, p, groupType, got[0], cfg)
	imp := osfwtest.Import(t, p, groupType, id)
	assert.True(t, imp.GetAttr("rules").RawEquals(st.GetAttr("rules")))
	// Any change replaces the group.
	pr := osfwtest.Plan(t, p, groupType, st, osfwtest.Object(t, p, groupType, map[string]any{"name": "ha", "policies": []string{"affinity"}}))
	assert.NotEmpty(t, pr.RequiresReplace)
	osfwtest.Destroy(t, p, groupType, st)
	assert.True(t, osfwtest.Read(t, p, groupType, st)[0].IsNull())
}

func TestFlavor(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), DataSources(), nil)
	cfg := osfwtest.Object(t, p, flavorType, map[string]any{"name": "c2.large", "ram": 4096, "vcpus": 2, "disk": 40,
		"is_public": false, "extra_specs": map[string]string{"hw:cpu_policy": "dedicated"}})
	st := osfwtest.Apply(t, p, flavorType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	assert.Equal(t, id, st.GetAttr("flavor_id").AsString())
	assert.Equal(t, map[string]any{"hw:cpu_policy": "dedicated"}, fake.flavors[id]["extra_specs"])
	assert.Equal(t, false, fake.flavors[id]["os-flavor-access:is_public"])
	st = osfwtest.Read(t, p, flavorType, st)[0]
	osfwtest.NoChange(t, p, flavorType, st, cfg)

	// Extra specs change in place.
	cfg2 := osfwtest.Object(t, p, flavorType, map[string]any{"name": "c2.large", "ram": 4096, "vcpus": 2, "disk": 40,
		"is_public": false, "extra_specs": map[string]string{"hw:mem_page_size": "large"}})
	st2 := osfwtest.Apply(t, p, flavorType, st, cfg2)
	assert.Equal(t, id, st2.GetAttr("id").AsString())
	assert.Equal(t, map[string]any{"hw:mem_page_size": "large"}, fake.flavors[id]["extra_specs"])
	// RAM replaces it.
	pr := osfwtest.Plan(t, p, flavorType, st2, osfwtest.Object(t, p, flavorType, map[string]any{"name": "c2.large", "ram": 8192, "vcpus": 2, "disk": 40,
		"is_public": false, "extra_specs": map[string]string{"hw:mem_page_size": "large"}}))
	assert.NotEmpty(t, pr.RequiresReplace)
	// Leaving is_public out means its default (true): a new flavor.
	pr = osfwtest.Plan(t, p, flavorType, st2, osfwtest.Object(t, p, flavorType, map[string]any{"name": "c2.large", "ram": 4096, "vcpus": 2, "disk": 40,
		"extra_specs": map[string]string{"hw:mem_page_size": "large"}}))
	assert.Equal(t, cty.True, pr.PlannedState.GetAttr("is_public"))
	assert.NotEmpty(t, pr.RequiresReplace)

	cloud.ResetRequests()
	got := osfwtest.Read(t, p, flavorType, st2, st2)
	assert.Equal(t, []string{"GET /compute/v2.1/flavors/detail"}, cloud.Requests())
	assert.Equal(t, "c2.large", got[0].GetAttr("name").AsString())
	imp := osfwtest.Import(t, p, flavorType, id)
	assert.Equal(t, 4096, intOf(imp.GetAttr("ram")))

	// Data source by name, and by sizes.
	for _, attrs := range []map[string]any{{"name": "m1.small"}, {"vcpus": 1, "ram": 2048}} {
		dresp := p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{TypeName: flavorType, Config: dataConfig(t, p, flavorType, attrs)})
		require.False(t, dresp.Diagnostics.HasErrors(), "%v", dresp.Diagnostics.Err())
		assert.Equal(t, "f2", dresp.State.GetAttr("id").AsString())
	}
	dresp := p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{TypeName: flavorType, Config: dataConfig(t, p, flavorType, map[string]any{"vcpus": 1})})
	require.True(t, dresp.Diagnostics.HasErrors(), "two flavors have 1 vCPU")

	osfwtest.Destroy(t, p, flavorType, st2)
	assert.True(t, osfwtest.Read(t, p, flavorType, st2)[0].IsNull())
}

func intOf(v cty.Value) int {
	i, _ := v.AsBigFloat().Int64()
	return int(i)
}

func TestQuotaSetResetOnDelete(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), nil, nil)
	cfg := osfwtest.Object(t, p, quotaType, map[string]any{"project_id": "p1", "instances": 4, "cores": 8})
	st := osfwtest.Apply(t, p, quotaType, cty.NilVal, cfg)
	assert.Equal(t, "p1/", st.GetAttr("id").AsString())
	assert.Equal(t, 4.0, fake.quotas["p1"]["instances"])
	require.False(t, st.GetAttr("ram").IsNull(), "%#v", st)
	assert.Equal(t, 51200, intOf(st.GetAttr("ram")), "unset quotas read back")
	osfwtest.NoChange(t, p, quotaType, osfwtest.Read(t, p, quotaType, st)[0], cfg)
	st2 := osfwtest.Apply(t, p, quotaType, st, osfwtest.Object(t, p, quotaType, map[string]any{"project_id": "p1", "instances": 6, "cores": 8}))
	assert.Equal(t, 6.0, fake.quotas["p1"]["instances"])
	imp := osfwtest.Import(t, p, quotaType, "p1")
	assert.Equal(t, 6, intOf(imp.GetAttr("instances")))
	osfwtest.Destroy(t, p, quotaType, st2)
	assert.NotContains(t, fake.quotas, "p1", "reset to the defaults")
}

func TestVolumeAttach(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNova(cloud, t)
	fake.buildPolls = 0
	p := cloud.Provider(t, Resources(), nil, nil)
	srv := osfwtest.Apply(t, p, instanceType, cty.NilVal, instanceConfig(t, p, nil))
	sid := srv.GetAttr("id").AsString()
	cfg := osfwtest.Object(t, p, attachType, map[string]any{"instance_id": sid, "volume_id": "vol-1"})
	st := osfwtest.Apply(t, p, attachType, cty.NilVal, cfg)
	assert.Equal(t, sid+"/vol-1", st.GetAttr("id").AsString())
	assert.Equal(t, "/dev/vdb", st.GetAttr("device").AsString())
	assert.Equal(t, "in-use", fake.volumes["vol-1"], "waited for in-use")
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, attachType, st, st)
	assert.Equal(t, []string{"GET /compute/v2.1/servers/detail"}, cloud.Requests())
	osfwtest.NoChange(t, p, attachType, got[0], cfg)
	imp := osfwtest.Import(t, p, attachType, sid+"/vol-1")
	assert.Equal(t, "/dev/vdb", imp.GetAttr("device").AsString())
	osfwtest.Destroy(t, p, attachType, st)
	assert.Equal(t, "available", fake.volumes["vol-1"])
	assert.True(t, osfwtest.Read(t, p, attachType, st, st)[0].IsNull())
}

// An imported object has null where a configuration has an empty
// collection of blocks: no change.
func TestAbsentBlocksAfterImport(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFakeNova(cloud, t)
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, groupType, cty.NilVal, osfwtest.Object(t, p, groupType, map[string]any{"name": "aff"}))
	imp := osfwtest.Import(t, p, groupType, st.GetAttr("id").AsString())
	b := osfwtest.Schema(p, groupType)
	cfg := osfwtest.Object(t, p, groupType, map[string]any{"name": "aff", "rules": []map[string]any{}})
	resp := p.PlanResourceChange(context.Background(), plugins.PlanResourceChangeRequest{TypeName: groupType, PriorState: imp,
		ProposedNewState: osfwtest.Proposed(b, imp, cfg), Config: cfg})
	require.False(t, resp.Diagnostics.HasErrors())
	assert.Empty(t, resp.RequiresReplace)
}
