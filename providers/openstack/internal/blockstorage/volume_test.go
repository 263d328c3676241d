package blockstorage

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const volType = "openstack_blockstorage_volume_v3"

func TestVolumeLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})

	cfg := object(t, p, volType, map[string]any{"name": "dati", "size": 1, "metadata": map[string]string{"uso": "archivio"}})
	st := osfwtest.Apply(t, p, volType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	assert.Equal(t, "available", fake.get("volumes", id)["status"], "waited until available")
	assert.Equal(t, map[string]any{"uso": "archivio", "ente": "c_a662"}, fake.get("volumes", id)["metadata"], "default tags reach the volume")
	assert.Equal(t, cty.MapVal(map[string]cty.Value{"uso": cty.StringVal("archivio")}), st.GetAttr("metadata"))
	assert.Equal(t, "nova", st.GetAttr("availability_zone").AsString())
	assert.True(t, st.GetAttr("attachment").LengthInt() == 0)

	st = osfwtest.Read(t, p, volType, st)[0]
	osfwtest.NoChange(t, p, volType, st, cfg)

	// Growing is in place, through the extend action.
	cfg2 := object(t, p, volType, map[string]any{"name": "dati2", "size": 2, "metadata": map[string]string{"uso": "archivio"}})
	pr := osfwtest.Plan(t, p, volType, st, cfg2)
	require.Empty(t, pr.RequiresReplace)
	st2 := osfwtest.Apply(t, p, volType, st, cfg2)
	assert.Equal(t, id, st2.GetAttr("id").AsString())
	assert.Equal(t, []string{"extend " + id + " 2"}, fake.actions)
	assert.Equal(t, 2.0, fake.get("volumes", id)["size"])
	assert.Equal(t, "dati2", fake.get("volumes", id)["name"])

	// Shrinking replaces.
	cfg3 := object(t, p, volType, map[string]any{"name": "dati2", "size": 1, "metadata": map[string]string{"uso": "archivio"}})
	pr = osfwtest.Plan(t, p, volType, st2, cfg3)
	require.Len(t, pr.RequiresReplace, 1)
	assert.Equal(t, cty.GetAttrPath("size"), pr.RequiresReplace[0])

	imp := osfwtest.Import(t, p, volType, id)
	assert.Equal(t, "dati2", imp.GetAttr("name").AsString())
	assert.Equal(t, cty.NumberIntVal(2), imp.GetAttr("size"))

	osfwtest.Destroy(t, p, volType, st2)
	assert.Equal(t, 0, fake.count("volumes"), "delete waited until gone")
	assert.True(t, osfwtest.Read(t, p, volType, st2)[0].IsNull(), "a 404 means gone")
	osfwtest.Destroy(t, p, volType, st2)
}

func TestVolumeErrorStatusReportsFault(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	fake.finalStatus = "error"
	fake.messages["volume-1"] = "schedule allocate volume:Could not find any available weighted backend."
	p := cloud.Provider(t, Resources(), nil, nil)
	resp := osfwtest.ApplyResp(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "x", "size": 1}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "status error")
	assert.Contains(t, resp.Diagnostics[0].Detail, "Could not find any available weighted backend")
	assert.Equal(t, "volume-1", resp.NewState.GetAttr("id").AsString(), "the failed volume is recorded, to be replaced")
}

func TestVolumeRefreshIsOneListRequest(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	var states []cty.Value
	for i := range 25 {
		states = append(states, osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": fmt.Sprintf("v%d", i), "size": 1})))
	}
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, volType, states...)
	require.Equal(t, []string{"GET " + osfwtest.VolumePath + "volumes/detail"}, cloud.Requests())
	for i, v := range got {
		assert.Equal(t, fmt.Sprintf("v%d", i), v.GetAttr("name").AsString())
	}

	// A volume deleted outside: the listing lacks it, one GET confirms.
	osfwtest.Destroy(t, p, volType, states[3])
	cloud.ResetRequests()
	got = osfwtest.Read(t, p, volType, states...)
	assert.True(t, got[3].IsNull())
	assert.Len(t, cloud.Requests(), 2, "%v", cloud.Requests())
}

func TestVolumeAttachedExtendNeedsOnlineResize(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "a", "size": 1}))
	id := st.GetAttr("id").AsString()
	fake.mu.Lock()
	fake.objs["volumes"][id]["status"] = "in-use"
	fake.objs["volumes"][id]["attachments"] = []any{map[string]any{"id": id, "attachment_id": "att-1", "server_id": "srv-1", "device": "/dev/vdb"}}
	fake.mu.Unlock()
	st = osfwtest.Read(t, p, volType, st)[0]
	assert.Equal(t, "srv-1", st.GetAttr("attachment").AsValueSlice()[0].GetAttr("instance_id").AsString())
	resp := osfwtest.ApplyResp(t, p, volType, st, object(t, p, volType, map[string]any{"name": "a", "size": 3}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "enable_online_resize")
	assert.Empty(t, fake.actions)
}

func TestVolumeLostCreateAdopted(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	r := Volume()
	// The create's answer lost: Find adopts the volume of that name.
	d := osfw.NewData(osfwtest.Schema(p, volType), object(t, p, volType, map[string]any{"name": "lost", "size": 1}))
	st := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "lost", "size": 1}))
	found, err := r.Find(t.Context(), p.Client(), d)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, st.GetAttr("id").AsString(), d.ID())
	assert.Equal(t, 1, fake.count("volumes"))
	assert.True(t, strings.HasPrefix(d.ID(), "volume-"))
}

func TestVolumeOnlineExtend(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	cfg := func(size int) cty.Value {
		return object(t, p, volType, map[string]any{"name": "a", "size": size, "enable_online_resize": true})
	}
	st := osfwtest.Apply(t, p, volType, cty.NilVal, cfg(1))
	id := st.GetAttr("id").AsString()
	fake.mu.Lock()
	fake.objs["volumes"][id]["status"] = "in-use"
	fake.objs["volumes"][id]["attachments"] = []any{map[string]any{"id": id, "attachment_id": "att-1", "server_id": "srv-1", "device": "/dev/vdb"}}
	fake.mu.Unlock()
	st = osfwtest.Read(t, p, volType, st)[0]
	osfwtest.Apply(t, p, volType, st, cfg(2))
	assert.Equal(t, []string{"extend " + id + " 2", "volume 3.42"}, fake.actions, "an attached volume is extended with microversion 3.42")
	assert.Equal(t, "in-use", fake.get("volumes", id)["status"])
}

func TestVolumeExtendErrorReportsFault(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "a", "size": 1}))
	id := st.GetAttr("id").AsString()
	fake.finalStatus = "error_extending"
	fake.messages[id] = "extend volume:Compute service failed to extend volume."
	resp := osfwtest.ApplyResp(t, p, volType, st, object(t, p, volType, map[string]any{"name": "a", "size": 5}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "status error_extending")
	assert.Contains(t, resp.Diagnostics[0].Detail, "failed to extend volume")
}

// A provider configured for a region refuses objects of another one.
func TestRegionMustBeTheProviders(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFakeCinder(t, cloud)
	attrs := cloud.Config(nil).AsValueMap()
	attrs["region"] = cty.StringVal("RegionOne")
	p := osfw.NewProvider(osfw.ProviderBlock(), func(ctx context.Context, d *osfw.Data) (*osfw.Client, error) {
		return osfw.ConfigureWith(ctx, d, func(string) string { return "" })
	}, Resources(), nil)
	cr := p.ConfigureProvider(t.Context(), plugins.ConfigureProviderRequest{Config: cty.ObjectVal(attrs)})
	require.False(t, cr.Diagnostics.HasErrors(), "%v", cr.Diagnostics.Err())

	pr := osfwtest.Plan(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "a", "size": 1, "region": "RegionTwo"}))
	require.True(t, pr.Diagnostics.HasErrors())
	assert.Contains(t, pr.Diagnostics[0].Detail, "alias")
	st := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "a", "size": 1, "region": "RegionOne"}))
	assert.Equal(t, "RegionOne", st.GetAttr("region").AsString())
	q := osfwtest.Apply(t, p, quotaType, cty.NilVal, object(t, p, quotaType, map[string]any{"project_id": "p1", "volumes": 3}))
	assert.Equal(t, "p1/RegionOne", q.GetAttr("id").AsString())
}

// A volume restored from a backup carries src_backup_id, which Cinder
// sets: no change is planned for it, and metadata updates keep it.
func TestVolumeRestoredKeepsSystemMetadata(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	cfg := object(t, p, volType, map[string]any{"name": "r", "size": 1, "backup_id": "bk-1"})
	st := osfwtest.Apply(t, p, volType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	st = osfwtest.Read(t, p, volType, st)[0]
	osfwtest.NoChange(t, p, volType, st, cfg)
	cfg2 := object(t, p, volType, map[string]any{"name": "r", "size": 1, "backup_id": "bk-1", "metadata": map[string]string{"k": "v"}})
	st = osfwtest.Apply(t, p, volType, st, cfg2)
	assert.Equal(t, map[string]any{"k": "v", "src_backup_id": "bk-1"}, fake.get("volumes", id)["metadata"])
	cfg3 := object(t, p, volType, map[string]any{"name": "r", "size": 1, "backup_id": "bk-1"})
	st = osfwtest.Apply(t, p, volType, osfwtest.Read(t, p, volType, st)[0], cfg3)
	assert.Equal(t, map[string]any{"src_backup_id": "bk-1"}, fake.get("volumes", id)["metadata"], "k removed, src_backup_id kept")
	osfwtest.NoChange(t, p, volType, osfwtest.Read(t, p, volType, st)[0], cfg3)
}
