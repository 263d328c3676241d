package acctest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/backups"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/quotasets"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/services"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/snapshots"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumetypes"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const volumeConfig = `
resource "openstack_blockstorage_volume_v3" "v" {
  name        = "%[1]sdati"
  description = "%[2]s"
  size        = %[3]d
  volume_type = "standard"
  metadata = {
    ufficio = "anagrafe"
  }
}

resource "openstack_blockstorage_snapshot_v3" "s" {
  volume_id   = openstack_blockstorage_volume_v3.v.id
  name        = "%[1]s%[4]s"
  description = "snapshot"
  metadata = {
    motivo = "prima della migrazione"
  }
}
`

func TestAccBlockStorageVolumeAndSnapshot(t *testing.T) {
	t.Parallel()
	e := New(t)
	e.SweepStorageAtEnd(t)
	ctx := e.Context()
	bc := e.Client(e.Cloud(CloudDemo).BlockStorage)
	w := e.NewWorkdir(CloudDemo)

	w.Apply(fmt.Sprintf(volumeConfig, e.Prefix, "archivio", 1, "snap"))
	id := w.ID("openstack_blockstorage_volume_v3.v")
	v, err := volumes.Get(ctx, bc, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, "available", v.Status)
	assert.Equal(t, 1, v.Size)
	assert.Equal(t, "anagrafe", v.Metadata["ufficio"])
	snapID := w.ID("openstack_blockstorage_snapshot_v3.s")
	s, err := snapshots.Get(ctx, bc, snapID).Extract()
	require.NoError(t, err)
	assert.Equal(t, "available", s.Status)
	assert.Equal(t, id, s.VolumeID)
	assert.Equal(t, "prima della migrazione", s.Metadata["motivo"])
	w.PlanNoChanges()

	// 1 GB -> 2 GB in place (the extend action), new description; the
	// snapshot renamed in place. A volume with snapshots can be extended.
	w.Apply(fmt.Sprintf(volumeConfig, e.Prefix, "archivio storico", 2, "snap2"))
	assert.Equal(t, id, w.ID("openstack_blockstorage_volume_v3.v"), "extended in place")
	assert.Equal(t, snapID, w.ID("openstack_blockstorage_snapshot_v3.s"), "renamed in place")
	v, err = volumes.Get(ctx, bc, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, 2, v.Size)
	assert.Equal(t, "available", v.Status)
	assert.Equal(t, "archivio storico", Unmarked(v.Description))
	s, err = snapshots.Get(ctx, bc, snapID).Extract()
	require.NoError(t, err)
	assert.Equal(t, e.Prefix+"snap2", s.Name)
	w.PlanNoChanges()

	// Shrinking plans a replacement.
	w.Write(fmt.Sprintf(volumeConfig, e.Prefix, "archivio storico", 1, "snap2"))
	out := w.PlanChanges()
	assert.Contains(t, out, "must be replaced")

	// Import round trip.
	w.Write(fmt.Sprintf(volumeConfig, e.Prefix, "archivio storico", 2, "snap2"))
	w.StateRm("openstack_blockstorage_volume_v3.v")
	w.StateRm("openstack_blockstorage_snapshot_v3.s")
	w.Import("openstack_blockstorage_volume_v3.v", id)
	w.Import("openstack_blockstorage_snapshot_v3.s", snapID)
	w.PlanNoChanges()

	w.Destroy()
	_, err = volumes.Get(ctx, bc, id).Extract()
	assert.True(t, isGone(err), "volume deleted: %v", err)
	_, err = snapshots.Get(ctx, bc, snapID).Extract()
	assert.True(t, isGone(err), "snapshot deleted: %v", err)
}

// backupServiceUp reports whether the cloud runs a cinder-backup service
// that is up, and why not.
func backupServiceUp(t *testing.T, e *Env) (bool, string) {
	bc := e.Client(e.Admin().BlockStorage)
	pages, err := services.List(bc, services.ListOpts{Binary: "cinder-backup"}).AllPages(e.Context())
	if err != nil {
		return false, "listing the block storage services: " + err.Error()
	}
	all, err := services.ExtractServices(pages)
	if err != nil {
		return false, err.Error()
	}
	for _, s := range all {
		if s.State == "up" && s.Status == "enabled" {
			return true, ""
		}
	}
	return false, fmt.Sprintf("the cloud has no cinder-backup service up (%d registered)", len(all))
}

const backupConfig = `
resource "openstack_blockstorage_volume_v3" "v" {
  name = "%[1]sdati"
  size = 1
}

resource "openstack_blockstorage_backup_v3" "b" {
  volume_id   = openstack_blockstorage_volume_v3.v.id
  name        = "%[1]s%[2]s"
  description = "backup"
  metadata = {
    ciclo = "settimanale"
  }
}

resource "openstack_blockstorage_backup_v3" "inc" {
  volume_id   = openstack_blockstorage_volume_v3.v.id
  name        = "%[1]sincrementale"
  incremental = true
  depends_on  = [openstack_blockstorage_backup_v3.b]
}

resource "openstack_blockstorage_volume_v3" "restored" {
  name      = "%[1]sripristino"
  size      = 1
  backup_id = openstack_blockstorage_backup_v3.b.id
}
`

func TestAccBlockStorageBackup(t *testing.T) {
	t.Parallel()
	e := New(t)
	e.SweepStorageAtEnd(t)
	if ok, why := backupServiceUp(t, e); !ok {
		t.Skipf("backups cannot be made on this cloud: %s. The devcloud would need the cinder-backup service "+
			"(python3-cinder's cinder.cmd.backup) with a backup driver (backup_driver = cinder.backup.drivers.posix.PosixBackupDriver "+
			"and backup_posix_path, or the Swift driver), and a volume driver whose volumes the backup service can read "+
			"(initialize_connection answering driver_volume_type \"local\" with a file as device_path)", why)
	}
	ctx := e.Context()
	bc := e.Client(e.Cloud(CloudDemo).BlockStorage)
	w := e.NewWorkdir(CloudDemo)
	w.Apply(fmt.Sprintf(backupConfig, e.Prefix, "b1"))
	id := w.ID("openstack_blockstorage_backup_v3.b")
	b, err := backups.Get(ctx, bc, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, "available", b.Status)
	inc, err := backups.Get(ctx, bc, w.ID("openstack_blockstorage_backup_v3.inc")).Extract()
	require.NoError(t, err)
	assert.Equal(t, "available", inc.Status)
	assert.True(t, inc.IsIncremental, "incremental on top of the full backup")
	restored, err := volumes.Get(ctx, bc, w.ID("openstack_blockstorage_volume_v3.restored")).Extract()
	require.NoError(t, err)
	assert.Equal(t, "available", restored.Status, "volume restored from the backup")
	w.PlanNoChanges()

	w.Apply(fmt.Sprintf(backupConfig, e.Prefix, "b2"))
	assert.Equal(t, id, w.ID("openstack_blockstorage_backup_v3.b"), "renamed in place")
	b, err = backups.Get(ctx, bc, id).Extract()
	require.NoError(t, err)
	assert.Equal(t, e.Prefix+"b2", b.Name)
	w.PlanNoChanges()

	w.StateRm("openstack_blockstorage_backup_v3.b")
	w.Import("openstack_blockstorage_backup_v3.b", id)
	w.PlanNoChanges()
	w.Destroy()
	_, err = backups.Get(ctx, bc, id).Extract()
	assert.True(t, isGone(err), "backup deleted: %v", err)
}

const typeQuotaConfig = `
resource "openstack_blockstorage_volume_type_v3" "t" {
  name        = "%[1]s%[2]s"
  description = "%[3]s"
  is_public   = false
  extra_specs = {
    volume_backend_name = "fake"
    %[4]s
  }
}

resource "openstack_blockstorage_quotaset_v3" "q" {
  project_id = "%[5]s"
  volumes    = %[6]d
  gigabytes  = 20
  snapshots  = 3
  volume_type_quota = {
    volumes_standard = 2
  }
}
`

func TestAccBlockStorageVolumeTypeAndQuotaset(t *testing.T) {
	t.Parallel()
	e := New(t)
	e.SweepStorageAtEnd(t)
	ctx := e.Context()
	admin := e.Admin()
	bc := e.Client(admin.BlockStorage)
	ic := e.Client(admin.Identity)
	p, err := projects.Create(ctx, ic, projects.CreateOpts{Name: e.Name("quote"), Description: "acceptance test"}).Extract()
	require.NoError(t, err)
	defaults, err := quotasets.GetDefaults(ctx, bc, p.ID).Extract()
	require.NoError(t, err)

	w := e.NewWorkdir(CloudAdmin)
	w.Apply(fmt.Sprintf(typeQuotaConfig, e.Prefix, "ssd", "dischi veloci", `capabilities = "ssd"`, p.ID, 5))
	typeID := w.ID("openstack_blockstorage_volume_type_v3.t")
	vt, err := volumetypes.Get(ctx, bc, typeID).Extract()
	require.NoError(t, err)
	assert.False(t, vt.IsPublic)
	assert.Equal(t, map[string]string{"volume_backend_name": "fake", "capabilities": "ssd"}, vt.ExtraSpecs)
	q, err := quotasets.Get(ctx, bc, p.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, 5, q.Volumes)
	assert.Equal(t, 20, q.Gigabytes)
	assert.Equal(t, defaults.Backups, q.Backups, "an unset quota keeps the cloud's value")
	w.PlanNoChanges()

	w.Apply(fmt.Sprintf(typeQuotaConfig, e.Prefix, "ssd-2", "dischi più veloci", "", p.ID, 7))
	assert.Equal(t, typeID, w.ID("openstack_blockstorage_volume_type_v3.t"), "updated in place")
	vt, err = volumetypes.Get(ctx, bc, typeID).Extract()
	require.NoError(t, err)
	assert.Equal(t, e.Prefix+"ssd-2", vt.Name)
	assert.Equal(t, map[string]string{"volume_backend_name": "fake"}, vt.ExtraSpecs, "removed extra spec deleted")
	q, err = quotasets.Get(ctx, bc, p.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, 7, q.Volumes)
	w.PlanNoChanges()

	w.StateRm("openstack_blockstorage_volume_type_v3.t")
	w.StateRm("openstack_blockstorage_quotaset_v3.q")
	w.Import("openstack_blockstorage_volume_type_v3.t", typeID)
	w.Import("openstack_blockstorage_quotaset_v3.q", p.ID+"/RegionOne")
	w.PlanNoChanges()

	w.Destroy()
	_, err = volumetypes.Get(ctx, bc, typeID).Extract()
	assert.True(t, isGone(err), "volume type deleted: %v", err)
	q, err = quotasets.Get(ctx, bc, p.ID).Extract()
	require.NoError(t, err)
	assert.Equal(t, defaults.Volumes, q.Volumes, "destroy resets the quotas")
	assert.Equal(t, defaults.Gigabytes, q.Gigabytes)
}

// planRequests runs a no-change plan with -json and returns the API
// requests the provider reported, by service.
func planRequests(t *testing.T, w *Workdir) (map[string]int64, int64) {
	t.Helper()
	out, errOut, code := w.Run("plan", "-json", "-detailed-exitcode", "-input=false")
	if code != 0 {
		t.Fatalf("plan exited %d:\n%s\n%s", code, out, errOut)
	}
	var metrics struct {
		APIRequests map[string]int64 `json:"api_requests"`
		Total       int64            `json:"total"`
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, `"provider_metrics"`) {
			require.NoError(t, json.Unmarshal([]byte(line), &metrics))
			return metrics.APIRequests, metrics.Total
		}
	}
	t.Fatalf("no provider_metrics event in:\n%s", out)
	return nil, 0
}

// A no-change plan of 5 volumes and 3 snapshots lists each kind once
// (the demo project's volume quota is shared with the other tests).
func TestAccBlockStoragePlanRequestCount(t *testing.T) {
	t.Parallel()
	e := New(t)
	e.SweepStorageAtEnd(t)
	w := e.NewWorkdir(CloudDemo)
	w.Apply(fmt.Sprintf(`resource "openstack_blockstorage_volume_v3" "v" {
  count = 5
  name  = "%[1]sv${count.index}"
  size  = 1
}

resource "openstack_blockstorage_snapshot_v3" "s" {
  count     = 3
  volume_id = openstack_blockstorage_volume_v3.v[count.index].id
  name      = "%[1]ss${count.index}"
}
`, e.Prefix))
	byService, total := planRequests(t, w)
	t.Logf("no-change plan of 5 volumes and 3 snapshots: %d requests %v", total, byService)
	assert.Equal(t, int64(2), byService["volumev3"], "one listing of volumes, one of snapshots")
	w.Destroy()
}

func TestAccBlockStorageDataSources(t *testing.T) {
	t.Parallel()
	e := New(t)
	e.SweepStorageAtEnd(t)
	w := e.NewWorkdir(CloudDemo)
	w.Apply(fmt.Sprintf(`resource "openstack_blockstorage_volume_v3" "v" {
  name = "%[1]sdati"
  size = 1
}

resource "openstack_blockstorage_snapshot_v3" "s" {
  volume_id = openstack_blockstorage_volume_v3.v.id
  name      = "%[1]ssnap"
}

data "openstack_blockstorage_volume_v3" "v" {
  name       = openstack_blockstorage_volume_v3.v.name
  depends_on = [openstack_blockstorage_volume_v3.v]
}

data "openstack_blockstorage_snapshot_v3" "s" {
  volume_id   = openstack_blockstorage_snapshot_v3.s.volume_id
  most_recent = true
}

data "openstack_blockstorage_volume_type_v3" "standard" {
  name = "standard"
}

data "openstack_blockstorage_availability_zones_v3" "az" {}

output "volume_size" {
  value = data.openstack_blockstorage_volume_v3.v.size
}

output "snapshot_name" {
  value = data.openstack_blockstorage_snapshot_v3.s.name
}

output "type_id" {
  value = data.openstack_blockstorage_volume_type_v3.standard.id
}

output "zones" {
  value = join(",", data.openstack_blockstorage_availability_zones_v3.az.names)
}
`, e.Prefix))
	assert.Equal(t, "1", strings.TrimSpace(w.Must("output", "-raw", "volume_size")))
	assert.Equal(t, e.Prefix+"snap", strings.TrimSpace(w.Must("output", "-raw", "snapshot_name")))
	assert.NotEmpty(t, strings.TrimSpace(w.Must("output", "-raw", "type_id")))
	assert.Equal(t, "nova", strings.TrimSpace(w.Must("output", "-raw", "zones")))
	w.PlanNoChanges()
	w.Destroy()
}

// Volumes from an image, from a snapshot and cloned from a volume.
func TestAccBlockStorageVolumeSources(t *testing.T) {
	t.Parallel()
	e := New(t)
	e.SweepStorageAtEnd(t)
	ctx := e.Context()
	ic := e.Client(e.Cloud(CloudDemo).Image)
	pages, err := images.List(ic, images.ListOpts{Name: "devcloud-tiny"}).AllPages(ctx)
	require.NoError(t, err)
	imgs, err := images.ExtractImages(pages)
	require.NoError(t, err)
	require.NotEmpty(t, imgs, "the devcloud's image devcloud-tiny")
	bc := e.Client(e.Cloud(CloudDemo).BlockStorage)
	w := e.NewWorkdir(CloudDemo)
	w.Apply(fmt.Sprintf(`resource "openstack_blockstorage_volume_v3" "boot" {
  name     = "%[1]sboot"
  size     = 1
  image_id = "%[2]s"
}

resource "openstack_blockstorage_snapshot_v3" "s" {
  volume_id = openstack_blockstorage_volume_v3.boot.id
  name      = "%[1]ssnap"
}

resource "openstack_blockstorage_volume_v3" "from_snapshot" {
  name        = "%[1]sda-snapshot"
  size        = 2
  snapshot_id = openstack_blockstorage_snapshot_v3.s.id
}

resource "openstack_blockstorage_volume_v3" "clone" {
  name          = "%[1]sclone"
  size          = 1
  source_vol_id = openstack_blockstorage_volume_v3.boot.id
}
`, e.Prefix, imgs[0].ID))
	boot, err := volumes.Get(ctx, bc, w.ID("openstack_blockstorage_volume_v3.boot")).Extract()
	require.NoError(t, err)
	assert.Equal(t, "available", boot.Status)
	assert.Equal(t, "true", boot.Bootable, "made from the image")
	fromSnap, err := volumes.Get(ctx, bc, w.ID("openstack_blockstorage_volume_v3.from_snapshot")).Extract()
	require.NoError(t, err)
	assert.Equal(t, w.ID("openstack_blockstorage_snapshot_v3.s"), fromSnap.SnapshotID)
	assert.Equal(t, 2, fromSnap.Size)
	clone, err := volumes.Get(ctx, bc, w.ID("openstack_blockstorage_volume_v3.clone")).Extract()
	require.NoError(t, err)
	assert.Equal(t, boot.ID, clone.SourceVolID)
	w.PlanNoChanges()
	w.Destroy()
}
