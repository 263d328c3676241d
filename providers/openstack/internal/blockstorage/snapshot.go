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

// snapshot is what Cinder returns for a snapshot.
type snapshot struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	VolumeID    string            `json:"volume_id"`
	Status      string            `json:"status"`
	Size        int               `json:"size"`
	Metadata    map[string]string `json:"metadata"`
	ProjectID   string            `json:"os-extended-snapshot-attributes:project_id"`
}

// Snapshot is openstack_blockstorage_snapshot_v3.
func Snapshot() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_blockstorage_snapshot_v3",
		Description: "A Cinder snapshot of a volume.",
		Tags:        osfw.MetadataTags,
		Timeouts:    &osfw.Timeouts{Create: 10 * time.Minute, Delete: 10 * time.Minute},
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":      {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The region; the provider's when unset."},
			"volume_id":   {Type: cty.String, Required: true, ForceNew: true, Description: "The volume to snapshot."},
			"name":        {Type: cty.String, Optional: true},
			"description": {Type: cty.String, Optional: true},
			"force":       {Type: cty.Bool, Optional: true, Description: "Snapshot the volume even while it is attached (in-use). Used at creation only."},
			"metadata":    {Type: cty.Map(cty.String), Optional: true, Description: "Metadata of the snapshot."},
			"size":        {Type: cty.Number, Computed: true, Description: "Size in GB."},
		}},
		Create:     createSnapshot,
		Read:       readSnapshot,
		ReadMany:   readSnapshots,
		Update:     updateSnapshot,
		Delete:     deleteSnapshot,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("snapshots"),
		Adopted: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			return waitSnapshot(ctx, c, d.ID(), d.Timeout("create"), "available")
		},
		Find: findSnapshot,
		Plan: planRegion,
	}
}

func createSnapshot(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	s := map[string]any{"volume_id": d.String("volume_id")}
	if v := d.String("name"); v != "" {
		s["name"] = v
	}
	if v := d.String("description"); v != "" {
		s["description"] = v
	}
	if d.Bool("force") {
		s["force"] = true
	}
	if md := d.AllMetadata(); len(md) > 0 {
		s["metadata"] = md
	}
	var resp struct {
		Snapshot snapshot `json:"snapshot"`
	}
	if _, err := sc.Post(ctx, sc.ServiceURL("snapshots"), map[string]any{"snapshot": s}, &resp, &gophercloud.RequestOpts{OkCodes: []int{202, 200}}); err != nil {
		return err
	}
	d.SetID(resp.Snapshot.ID)
	return waitSnapshot(ctx, c, resp.Snapshot.ID, d.Timeout("create"), "available")
}

func getSnapshot(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*snapshot, error) {
	return getOne[snapshot](ctx, sc, "snapshots", "snapshot", id)
}

func waitSnapshot(ctx context.Context, c *osfw.Client, id string, timeout time.Duration, target ...string) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	return osfw.Wait(ctx, "waiting for snapshot "+id, timeout, target, nil, func(ctx context.Context) (osfw.Poll, error) {
		s, err := getSnapshot(ctx, sc, id)
		if err != nil {
			return osfw.Poll{}, err
		}
		return faultPoll(ctx, c, id, s.Status, ""), nil
	})
}

func setSnapshot(d *osfw.Data, c *osfw.Client, s *snapshot) {
	d.SetID(s.ID)
	d.Set("volume_id", s.VolumeID)
	d.Set("name", s.Name)
	d.Set("description", s.Description)
	d.Set("size", s.Size)
	d.Set("metadata", s.Metadata)
	setRegion(d, c)
}

func readSnapshot(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	s, err := getSnapshot(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	setSnapshot(d, c, s)
	return nil
}

// readSnapshots refreshes many snapshots with one paged listing of the
// project's snapshots (GET /snapshots/detail); those it lacks are read one
// by one (another project's, or gone).
func readSnapshots(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	return readListed(ctx, c, sc, ds, "snapshots/detail", "snapshots", func(o *snapshot) string { return o.ID }, setSnapshot, getSnapshot)
}

func updateSnapshot(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	if d.HasChange("name") || d.HasChange("description") {
		body := map[string]any{"snapshot": map[string]any{"name": d.String("name"), "description": d.String("description")}}
		if _, err := sc.Put(ctx, sc.ServiceURL("snapshots", d.ID()), body, nil, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
			return err
		}
	}
	if d.HasChange("all_metadata") || d.HasChange("metadata") {
		return updateMetadata(ctx, sc, "snapshots", d)
	}
	return nil
}

func deleteSnapshot(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	if _, err := sc.Delete(ctx, sc.ServiceURL("snapshots", d.ID()), &gophercloud.RequestOpts{OkCodes: []int{202, 204}}); err != nil {
		return err
	}
	return waitSnapshot(ctx, c, d.ID(), d.Timeout("delete"), "deleted")
}

// findSnapshot looks for a snapshot of the volume with the planned name.
func findSnapshot(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := client(c, "")
	if err != nil {
		return false, err
	}
	var found []string
	q := url.Values{"name": {name}, "volume_id": {d.String("volume_id")}}
	err = listAll(ctx, sc, "snapshots/detail", q, "snapshots", func(page map[string]any) error {
		var body struct {
			Snapshots []snapshot `json:"snapshots"`
		}
		if err := remarshal(page, &body); err != nil {
			return err
		}
		for _, s := range body.Snapshots {
			if s.Name == name && s.VolumeID == d.String("volume_id") {
				found = append(found, s.ID)
			}
		}
		return nil
	})
	if err != nil || len(found) != 1 {
		return false, err
	}
	d.SetID(found[0])
	return true, waitSnapshot(ctx, c, found[0], d.Timeout("create"), "available")
}
