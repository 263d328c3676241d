package blockstorage

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const (
	snapType   = "openstack_blockstorage_snapshot_v3"
	backupType = "openstack_blockstorage_backup_v3"
	vtType     = "openstack_blockstorage_volume_type_v3"
	quotaType  = "openstack_blockstorage_quotaset_v3"
)

func TestSnapshotLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})
	vol := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "v", "size": 4}))
	volID := vol.GetAttr("id").AsString()

	cfg := object(t, p, snapType, map[string]any{"volume_id": volID, "name": "s1", "force": true})
	st := osfwtest.Apply(t, p, snapType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	assert.Equal(t, "available", fake.get("snapshots", id)["status"])
	assert.Equal(t, true, fake.get("snapshots", id)["force"])
	assert.Equal(t, map[string]any{"ente": "c_a662"}, fake.get("snapshots", id)["metadata"])
	assert.Equal(t, cty.NumberIntVal(4), st.GetAttr("size"))
	assert.True(t, st.GetAttr("metadata").IsNull(), "only default tags: metadata stays null")

	st = osfwtest.Read(t, p, snapType, st)[0]
	osfwtest.NoChange(t, p, snapType, st, cfg)

	cfg2 := object(t, p, snapType, map[string]any{"volume_id": volID, "name": "s2", "force": true, "metadata": map[string]string{"k": "v"}})
	st = osfwtest.Apply(t, p, snapType, st, cfg2)
	assert.Equal(t, "s2", fake.get("snapshots", id)["name"])
	assert.Equal(t, map[string]any{"ente": "c_a662", "k": "v"}, fake.get("snapshots", id)["metadata"])

	imp := osfwtest.Import(t, p, snapType, id)
	assert.Equal(t, volID, imp.GetAttr("volume_id").AsString())

	// Batched refresh: one listing.
	st2 := osfwtest.Apply(t, p, snapType, cty.NilVal, object(t, p, snapType, map[string]any{"volume_id": volID, "name": "s3"}))
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, snapType, st, st2)
	assert.Equal(t, []string{"GET " + osfwtest.VolumePath + "snapshots/detail"}, cloud.Requests())
	assert.Equal(t, "s3", got[1].GetAttr("name").AsString())

	osfwtest.Destroy(t, p, snapType, st)
	osfwtest.Destroy(t, p, snapType, st2)
	assert.Equal(t, 0, fake.count("snapshots"))
	assert.True(t, osfwtest.Read(t, p, snapType, st)[0].IsNull())
}

func TestBackupLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	vol := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "v", "size": 1}))
	volID := vol.GetAttr("id").AsString()

	cfg := object(t, p, backupType, map[string]any{"volume_id": volID, "name": "b1", "metadata": map[string]string{"k": "v"}})
	st := osfwtest.Apply(t, p, backupType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	assert.Equal(t, "available", fake.get("backups", id)["status"])
	assert.Equal(t, "volumebackups", st.GetAttr("container").AsString())
	st = osfwtest.Read(t, p, backupType, st)[0]
	osfwtest.NoChange(t, p, backupType, st, cfg)

	st = osfwtest.Apply(t, p, backupType, st, object(t, p, backupType, map[string]any{"volume_id": volID, "name": "b2", "metadata": map[string]string{"k": "v"}}))
	assert.Equal(t, "b2", fake.get("backups", id)["name"])
	assert.Equal(t, "b2", osfwtest.Import(t, p, backupType, id).GetAttr("name").AsString())

	cloud.ResetRequests()
	osfwtest.Read(t, p, backupType, st, st)
	assert.Equal(t, []string{"GET " + osfwtest.VolumePath + "backups/detail"}, cloud.Requests())

	osfwtest.Destroy(t, p, backupType, st)
	assert.Equal(t, 0, fake.count("backups"))
}

func TestBackupErrorReportsFailReason(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	vol := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "v", "size": 1}))
	fake.finalStatus, fake.failReason = "error", "Service cinder-backup could not be found."
	resp := osfwtest.ApplyResp(t, p, backupType, cty.NilVal, object(t, p, backupType, map[string]any{"volume_id": vol.GetAttr("id").AsString()}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "cinder-backup could not be found")
}

func TestVolumeTypeLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	cfg := object(t, p, vtType, map[string]any{"name": "ssd", "is_public": false, "extra_specs": map[string]string{"volume_backend_name": "fast", "capabilities": "gpu"}})
	st := osfwtest.Apply(t, p, vtType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	assert.Equal(t, false, fake.get("types", id)["is_public"])
	st = osfwtest.Read(t, p, vtType, st)[0]
	osfwtest.NoChange(t, p, vtType, st, cfg)

	cfg2 := object(t, p, vtType, map[string]any{"name": "ssd2", "description": "fast disks", "is_public": false, "extra_specs": map[string]string{"volume_backend_name": "faster"}})
	st = osfwtest.Apply(t, p, vtType, st, cfg2)
	assert.Equal(t, id, st.GetAttr("id").AsString())
	assert.Equal(t, "ssd2", fake.get("types", id)["name"])
	assert.Equal(t, map[string]any{"volume_backend_name": "faster"}, fake.get("types", id)["extra_specs"], "removed spec deleted")
	assert.Equal(t, "fast disks", osfwtest.Import(t, p, vtType, id).GetAttr("description").AsString())

	other := osfwtest.Apply(t, p, vtType, cty.NilVal, object(t, p, vtType, map[string]any{"name": "hdd"}))
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, vtType, st, other)
	assert.Len(t, cloud.Requests(), 1)
	assert.Equal(t, "hdd", got[1].GetAttr("name").AsString())

	osfwtest.Destroy(t, p, vtType, st)
	assert.Nil(t, fake.get("types", id))
	assert.True(t, osfwtest.Read(t, p, vtType, st)[0].IsNull())
}

func TestQuotasetLifecycle(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	cfg := object(t, p, quotaType, map[string]any{"project_id": "p1", "volumes": 5, "gigabytes": 50,
		"volume_type_quota": cty.MapVal(map[string]cty.Value{"volumes_standard": cty.NumberIntVal(3)})})
	st := osfwtest.Apply(t, p, quotaType, cty.NilVal, cfg)
	assert.Equal(t, "p1", st.GetAttr("id").AsString(), "the provider names no region")
	assert.Equal(t, 5.0, fake.quotas["p1"]["volumes"])
	assert.Equal(t, 10.0, fake.quotas["p1"]["snapshots"], "unset quotas keep the cloud's value")
	assert.Equal(t, cty.NumberIntVal(10), st.GetAttr("snapshots"))
	st = osfwtest.Read(t, p, quotaType, st)[0]
	osfwtest.NoChange(t, p, quotaType, st, cfg)

	cfg2 := object(t, p, quotaType, map[string]any{"project_id": "p1", "volumes": 7, "gigabytes": 50,
		"volume_type_quota": cty.MapVal(map[string]cty.Value{"volumes_standard": cty.NumberIntVal(3)})})
	st = osfwtest.Apply(t, p, quotaType, st, cfg2)
	assert.Equal(t, 7.0, fake.quotas["p1"]["volumes"])

	imp := osfwtest.Import(t, p, quotaType, "p1/RegionOne")
	assert.Equal(t, cty.NumberIntVal(7), imp.GetAttr("volumes"))

	osfwtest.Destroy(t, p, quotaType, st)
	_, kept := fake.quotas["p1"]
	assert.False(t, kept, "destroy resets the quotas to the defaults")
}

func TestSnapshotErrorReportsMessage(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), nil, nil)
	vol := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "v", "size": 1}))
	fake.finalStatus = "error"
	fake.messages["snapshot-2"] = "snapshot create: the volume driver failed."
	resp := osfwtest.ApplyResp(t, p, snapType, cty.NilVal, object(t, p, snapType, map[string]any{"volume_id": vol.GetAttr("id").AsString()}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "volume driver failed")
	_ = fmt.Sprint()
}
