package blockstorage

import (
	"context"
	"net/url"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// backupMicroversion shows and takes a backup's metadata (3.43).
const backupMicroversion = "3.43"

// backup is what Cinder returns for a backup.
type backup struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	VolumeID         string            `json:"volume_id"`
	SnapshotID       string            `json:"snapshot_id"`
	Status           string            `json:"status"`
	Size             int               `json:"size"`
	Container        string            `json:"container"`
	IsIncremental    bool              `json:"is_incremental"`
	FailReason       string            `json:"fail_reason"`
	Metadata         map[string]string `json:"metadata"`
	AvailabilityZone string            `json:"availability_zone"`
}

// Backup is openstack_blockstorage_backup_v3.
func Backup() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_blockstorage_backup_v3",
		Description: "A Cinder backup of a volume (needs the cloud's backup service).",
		Tags:        osfw.MetadataTags,
		Timeouts:    &osfw.Timeouts{Create: 30 * time.Minute, Delete: 10 * time.Minute},
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":            {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The region; the provider's when unset."},
			"volume_id":         {Type: cty.String, Required: true, ForceNew: true, Description: "The volume to back up."},
			"name":              {Type: cty.String, Optional: true},
			"description":       {Type: cty.String, Optional: true},
			"incremental":       {Type: cty.Bool, Optional: true, ForceNew: true, Description: "Back up only what changed since the volume's last backup."},
			"force":             {Type: cty.Bool, Optional: true, Description: "Back up the volume even while it is attached. Used at creation only."},
			"snapshot_id":       {Type: cty.String, Optional: true, ForceNew: true, Description: "Back up this snapshot of the volume instead of the volume itself."},
			"container":         {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "Where the backup service stores the backup (a Swift container, for the Swift driver)."},
			"availability_zone": {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The backup's availability zone (microversion 3.51)."},
			"metadata":          {Type: cty.Map(cty.String), Optional: true, Description: "Metadata of the backup (microversion 3.43)."},
			"size":              {Type: cty.Number, Computed: true, Description: "Size in GB."},
		}},
		Create:     createBackup,
		Read:       readBackup,
		ReadMany:   readBackups,
		Update:     updateBackup,
		Delete:     deleteBackup,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("backups"),
		Adopted: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			return waitBackup(ctx, c, d.ID(), d.Timeout("create"), "available")
		},
		Find: findBackup,
		Plan: planRegion,
	}
}

func createBackup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	mv := backupMicroversion
	if d.String("availability_zone") != "" {
		mv = "3.51"
	}
	sc, err := client(c, mv)
	if err != nil {
		return err
	}
	b := map[string]any{"volume_id": d.String("volume_id")}
	for key, attr := range map[string]string{"name": "name", "description": "description", "snapshot_id": "snapshot_id", "container": "container", "availability_zone": "availability_zone"} {
		if v := d.String(attr); v != "" {
			b[key] = v
		}
	}
	if d.Bool("incremental") {
		b["incremental"] = true
	}
	if d.Bool("force") {
		b["force"] = true
	}
	if md := d.AllMetadata(); len(md) > 0 {
		b["metadata"] = md
	}
	var resp struct {
		Backup backup `json:"backup"`
	}
	if _, err := sc.Post(ctx, sc.ServiceURL("backups"), map[string]any{"backup": b}, &resp, &gophercloud.RequestOpts{OkCodes: []int{202, 200}}); err != nil {
		return err
	}
	d.SetID(resp.Backup.ID)
	return waitBackup(ctx, c, resp.Backup.ID, d.Timeout("create"), "available")
}

func getBackup(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*backup, error) {
	return getOne[backup](ctx, sc, "backups", "backup", id)
}

func waitBackup(ctx context.Context, c *osfw.Client, id string, timeout time.Duration, target ...string) error {
	sc, err := client(c, backupMicroversion)
	if err != nil {
		return err
	}
	return osfw.Wait(ctx, "waiting for backup "+id, timeout, target, nil, func(ctx context.Context) (osfw.Poll, error) {
		b, err := getBackup(ctx, sc, id)
		if err != nil {
			return osfw.Poll{}, err
		}
		return faultPoll(ctx, c, id, b.Status, b.FailReason), nil
	})
}

func setBackup(d *osfw.Data, c *osfw.Client, b *backup) {
	d.SetID(b.ID)
	d.Set("volume_id", b.VolumeID)
	d.Set("name", b.Name)
	d.Set("description", b.Description)
	d.Set("snapshot_id", b.SnapshotID)
	d.Set("container", b.Container)
	d.Set("size", b.Size)
	d.Set("metadata", b.Metadata)
	if b.AvailabilityZone != "" || !d.Known("availability_zone") {
		d.Set("availability_zone", b.AvailabilityZone)
	}
	setRegion(d, c)
}

func readBackup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, backupMicroversion)
	if err != nil {
		return err
	}
	b, err := getBackup(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	setBackup(d, c, b)
	return nil
}

// readBackups refreshes many backups with one paged listing of the
// project's backups (GET /backups/detail); those it lacks are read one by
// one (another project's, or gone).
func readBackups(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := client(c, backupMicroversion)
	if err != nil {
		return err
	}
	return readListed(ctx, c, sc, ds, "backups/detail", "backups", func(o *backup) string { return o.ID }, setBackup, getBackup)
}

func updateBackup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, backupMicroversion)
	if err != nil {
		return err
	}
	b := map[string]any{}
	if d.HasChange("name") || d.HasChange("description") {
		b["name"], b["description"] = d.String("name"), d.String("description")
	}
	if d.HasChange("all_metadata") || d.HasChange("metadata") {
		md := d.AllMetadata()
		if md == nil {
			md = map[string]string{}
		}
		b["metadata"] = md
	}
	if len(b) == 0 {
		return nil
	}
	_, err = sc.Put(ctx, sc.ServiceURL("backups", d.ID()), map[string]any{"backup": b}, nil, &gophercloud.RequestOpts{OkCodes: []int{200, 202}})
	return err
}

func deleteBackup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, backupMicroversion)
	if err != nil {
		return err
	}
	if _, err := sc.Delete(ctx, sc.ServiceURL("backups", d.ID()), &gophercloud.RequestOpts{OkCodes: []int{202, 204}}); err != nil {
		return err
	}
	return waitBackup(ctx, c, d.ID(), d.Timeout("delete"), "deleted")
}

// findBackup looks for a backup of the volume with the planned name.
func findBackup(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := client(c, backupMicroversion)
	if err != nil {
		return false, err
	}
	var found []string
	q := url.Values{"name": {name}, "volume_id": {d.String("volume_id")}}
	err = listAll(ctx, sc, "backups/detail", q, "backups", func(page map[string]any) error {
		var body struct {
			Backups []backup `json:"backups"`
		}
		if err := remarshal(page, &body); err != nil {
			return err
		}
		for _, b := range body.Backups {
			if b.Name == name && b.VolumeID == d.String("volume_id") {
				found = append(found, b.ID)
			}
		}
		return nil
	})
	if err != nil || len(found) != 1 {
		return false, err
	}
	d.SetID(found[0])
	return true, waitBackup(ctx, c, found[0], d.Timeout("create"), "available")
}
