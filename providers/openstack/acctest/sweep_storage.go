package acctest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/backups"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/snapshots"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumetypes"
)

// SweepStorage deletes the Cinder objects whose name starts with prefix
// that Sweep leaves alone or cannot delete by itself: backups and
// snapshots (before their volumes), then the volumes, then volume types.
func SweepStorage(ctx context.Context, admin *Cloud, prefix string) error {
	if !strings.HasPrefix(prefix, "acc-") || len(prefix) < 8 {
		return fmt.Errorf("refusing to sweep with prefix %q", prefix)
	}
	bc, err := admin.BlockStorage()
	if err != nil {
		return err
	}
	var errs []error
	bs, err := listBackups(ctx, bc, prefix)
	if err != nil {
		return err
	}
	for _, b := range bs {
		del(&errs, "backup "+b.Name, backups.Delete(ctx, bc, b.ID).ExtractErr())
	}
	if err := waitGone(ctx, len(bs), func() (int, error) { l, err := listBackups(ctx, bc, prefix); return len(l), err }); err != nil {
		errs = append(errs, fmt.Errorf("backups: %w", err))
	}
	ss, err := listSnapshots(ctx, bc, prefix)
	if err != nil {
		return err
	}
	for _, s := range ss {
		del(&errs, "snapshot "+s.Name, snapshots.Delete(ctx, bc, s.ID).ExtractErr())
	}
	if err := waitGone(ctx, len(ss), func() (int, error) { l, err := listSnapshots(ctx, bc, prefix); return len(l), err }); err != nil {
		errs = append(errs, fmt.Errorf("snapshots: %w", err))
	}
	if err := sweepVolumes(ctx, admin, prefix, &errs); err != nil {
		errs = append(errs, err)
	}
	ts, err := listVolumeTypes(ctx, bc, prefix)
	if err != nil {
		return err
	}
	for _, vt := range ts {
		del(&errs, "volume type "+vt.Name, volumetypes.Delete(ctx, bc, vt.ID).ExtractErr())
	}
	return errors.Join(errs...)
}

func listBackups(ctx context.Context, bc *gophercloud.ServiceClient, prefix string) ([]backups.Backup, error) {
	pages, err := backups.ListDetail(bc, backups.ListDetailOpts{AllTenants: true}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	all, err := backups.ExtractBackups(pages)
	var out []backups.Backup
	for _, b := range all {
		if strings.HasPrefix(b.Name, prefix) {
			out = append(out, b)
		}
	}
	return out, err
}

func listSnapshots(ctx context.Context, bc *gophercloud.ServiceClient, prefix string) ([]snapshots.Snapshot, error) {
	pages, err := snapshots.List(bc, snapshots.ListOpts{AllTenants: true}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	all, err := snapshots.ExtractSnapshots(pages)
	var out []snapshots.Snapshot
	for _, s := range all {
		if strings.HasPrefix(s.Name, prefix) {
			out = append(out, s)
		}
	}
	return out, err
}

func listVolumeTypes(ctx context.Context, bc *gophercloud.ServiceClient, prefix string) ([]volumetypes.VolumeType, error) {
	pages, err := volumetypes.List(bc, volumetypes.ListOpts{IsPublic: volumetypes.VisibilityDefault}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list volume types: %w", err)
	}
	all, err := volumetypes.ExtractVolumeTypes(pages)
	var out []volumetypes.VolumeType
	for _, vt := range all {
		if strings.HasPrefix(vt.Name, prefix) {
			out = append(out, vt)
		}
	}
	return out, err
}

// SweepStorageAtEnd sweeps e's Cinder objects (SweepStorage) when t ends,
// before the Env's own sweep, and fails t if any is left.
func (e *Env) SweepStorageAtEnd(t testing.TB) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		admin, err := e.cloud(AdminCloudName())
		if err != nil {
			t.Errorf("sweep storage %s: %v", e.Prefix, err)
			return
		}
		if err := SweepStorage(ctx, admin, e.Prefix); err != nil {
			t.Errorf("sweep storage %s: %v", e.Prefix, err)
		}
		bc, err := admin.BlockStorage()
		if err != nil {
			t.Error(err)
			return
		}
		var left []string
		if l, err := listBackups(ctx, bc, e.Prefix); err == nil {
			left = append(left, names(l, func(b backups.Backup) string { return "backup " + b.Name })...)
		}
		if l, err := listSnapshots(ctx, bc, e.Prefix); err == nil {
			left = append(left, names(l, func(s snapshots.Snapshot) string { return "snapshot " + s.Name })...)
		}
		if l, err := listVolumeTypes(ctx, bc, e.Prefix); err == nil {
			left = append(left, names(l, func(v volumetypes.VolumeType) string { return "volume type " + v.Name })...)
		}
		if len(left) > 0 {
			t.Errorf("left behind after the storage sweep: %s", strings.Join(left, ", "))
		}
	})
}
