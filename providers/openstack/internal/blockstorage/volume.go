package blockstorage

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// volume is what Cinder returns for a volume.
type volume struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	Status           string            `json:"status"`
	Size             int               `json:"size"`
	AvailabilityZone string            `json:"availability_zone"`
	VolumeType       string            `json:"volume_type"`
	SnapshotID       string            `json:"snapshot_id"`
	SourceVolID      string            `json:"source_volid"`
	BackupID         *string           `json:"backup_id"`
	Metadata         map[string]string `json:"metadata"`
	Multiattach      bool              `json:"multiattach"`
	TenantID         string            `json:"os-vol-tenant-attr:tenant_id"`
	Attachments      []struct {
		ID           string `json:"id"`
		AttachmentID string `json:"attachment_id"`
		ServerID     string `json:"server_id"`
		Device       string `json:"device"`
	} `json:"attachments"`
}

var attachmentType = cty.Object(map[string]cty.Type{"id": cty.String, "instance_id": cty.String, "device": cty.String})

var schedulerHintsBlock = &plugins.NestedBlock{
	Nesting:  plugins.NestingSet,
	MaxItems: 1,
	Block: plugins.Block{
		Description: "Hints to the Cinder scheduler about where to place the volume. A change replaces the volume.",
		Attributes: map[string]*plugins.Attribute{
			"different_host":        {Type: cty.List(cty.String), Optional: true, Description: "Volumes the new one must not share a back-end host with."},
			"same_host":             {Type: cty.List(cty.String), Optional: true, Description: "Volumes the new one must share a back-end host with."},
			"query":                 {Type: cty.String, Optional: true, Description: "A JsonFilter query a back-end must pass."},
			"local_to_instance":     {Type: cty.String, Optional: true, Description: "A server whose host the volume must be on."},
			"additional_properties": {Type: cty.Map(cty.String), Optional: true, Description: "Further scheduler hints, as they are."},
		},
	},
}

// Volume is openstack_blockstorage_volume_v3.
func Volume() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_blockstorage_volume_v3",
		Description: "A Cinder volume. A larger size is applied in place (the extend action); a smaller one replaces the volume.",
		Tags:        osfw.MetadataTags,
		Timeouts:    &osfw.Timeouts{Create: 10 * time.Minute, Update: 10 * time.Minute, Delete: 10 * time.Minute},
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"region":               {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The region; the provider's when unset."},
				"size":                 {Type: cty.Number, Required: true, Description: "Size in GB. Growing it extends the volume in place; shrinking it replaces the volume."},
				"enable_online_resize": {Type: cty.Bool, Optional: true, Description: "Allow extending the volume while it is attached (microversion 3.42 and a driver that supports it)."},
				"name":                 {Type: cty.String, Optional: true},
				"description":          {Type: cty.String, Optional: true},
				"availability_zone":    {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"metadata":             {Type: cty.Map(cty.String), Optional: true, Description: "Metadata of the volume."},
				"snapshot_id":          {Type: cty.String, Optional: true, ForceNew: true, Description: "A snapshot to create the volume from."},
				"source_vol_id":        {Type: cty.String, Optional: true, ForceNew: true, Description: "A volume to clone."},
				"image_id":             {Type: cty.String, Optional: true, ForceNew: true, Description: "An image to create the volume from."},
				"backup_id":            {Type: cty.String, Optional: true, ForceNew: true, Description: "A backup to restore the volume from (microversion 3.47)."},
				"volume_type":          {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"consistency_group_id": {Type: cty.String, Optional: true, ForceNew: true},
				"source_replica":       {Type: cty.String, Optional: true, ForceNew: true},
				"multiattach":          {Type: cty.Bool, Optional: true, Deprecated: true, Description: "Deprecated: use a volume type with multiattach enabled."},
				"attachment":           {Type: cty.Set(attachmentType), Computed: true, Description: "The servers the volume is attached to."},
			},
			BlockTypes: map[string]*plugins.NestedBlock{"scheduler_hints": schedulerHintsBlock},
		},
		Create:     createVolume,
		Read:       readVolume,
		ReadMany:   readVolumes,
		Update:     updateVolume,
		Delete:     deleteVolume,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("volumes"),
		Adopted: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			return waitVolume(ctx, c, d.ID(), d.Timeout("create"), "available")
		},
		Find: findVolume,
		Plan: planVolume,
	}
}

// planVolume replaces the volume when it shrinks or its scheduler hints
// change; a growth is an in-place extend.
func planVolume(_ context.Context, c *osfw.Client, p *osfw.PlanData) error {
	if err := checkRegion(c, p); err != nil {
		return err
	}
	if p.Prior == nil {
		return nil
	}
	if p.Planned.Known("size") && p.Prior.Known("size") && p.Planned.Int("size") < p.Prior.Int("size") {
		p.RequiresReplace = append(p.RequiresReplace, cty.GetAttrPath("size"))
	}
	if !sameHints(p.Planned.Get("scheduler_hints"), p.Prior.Get("scheduler_hints")) {
		p.RequiresReplace = append(p.RequiresReplace, cty.GetAttrPath("scheduler_hints"))
	}
	return nil
}

// sameHints compares scheduler hints, no block and an empty set alike (an
// imported volume has none recorded).
func sameHints(a, b cty.Value) bool {
	empty := func(v cty.Value) bool { return v.IsNull() || (v.IsKnown() && v.LengthInt() == 0) }
	if empty(a) && empty(b) {
		return true
	}
	return a.RawEquals(b)
}

func createVolume(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	mv := ""
	if d.String("backup_id") != "" {
		mv = "3.47"
	}
	sc, err := client(c, mv)
	if err != nil {
		return err
	}
	v := map[string]any{"size": d.Int("size")}
	put := func(key, attr string) {
		if s := d.String(attr); s != "" {
			v[key] = s
		}
	}
	put("name", "name")
	put("description", "description")
	put("availability_zone", "availability_zone")
	put("snapshot_id", "snapshot_id")
	put("source_volid", "source_vol_id")
	put("imageRef", "image_id")
	put("backup_id", "backup_id")
	put("volume_type", "volume_type")
	put("consistencygroup_id", "consistency_group_id")
	put("source_replica", "source_replica")
	if md := d.AllMetadata(); len(md) > 0 {
		v["metadata"] = md
	}
	if d.Bool("multiattach") {
		v["multiattach"] = true
	}
	body := map[string]any{"volume": v}
	if hints := schedulerHints(d); len(hints) > 0 {
		body["OS-SCH-HNT:scheduler_hints"] = hints
	}
	var resp struct {
		Volume volume `json:"volume"`
	}
	if _, err := sc.Post(ctx, sc.ServiceURL("volumes"), body, &resp, &gophercloud.RequestOpts{OkCodes: []int{202, 200}}); err != nil {
		return err
	}
	d.SetID(resp.Volume.ID)
	return waitVolume(ctx, c, resp.Volume.ID, d.Timeout("create"), "available")
}

func schedulerHints(d *osfw.Data) map[string]any {
	blocks := d.Blocks("scheduler_hints")
	if len(blocks) == 0 {
		return nil
	}
	h := blocks[0]
	out := map[string]any{}
	if l := h.StringList("different_host"); len(l) > 0 {
		out["different_host"] = l
	}
	if l := h.StringList("same_host"); len(l) > 0 {
		out["same_host"] = l
	}
	if s := h.String("query"); s != "" {
		out["query"] = s
	}
	if s := h.String("local_to_instance"); s != "" {
		out["local_to_instance"] = s
	}
	for k, v := range h.StringMap("additional_properties") {
		out[k] = v
	}
	return out
}

// waitVolume waits until the volume has one of the target statuses; an
// error status fails with Cinder's user message.
func waitVolume(ctx context.Context, c *osfw.Client, id string, timeout time.Duration, target ...string) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	what := "waiting for volume " + id
	return osfw.Wait(ctx, what, timeout, target, nil, func(ctx context.Context) (osfw.Poll, error) {
		v, err := getVolume(ctx, sc, id)
		if err != nil {
			return osfw.Poll{}, err
		}
		return faultPoll(ctx, c, id, v.Status, ""), nil
	})
}

func getVolume(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*volume, error) {
	return getOne[volume](ctx, sc, "volumes", "volume", id)
}

func setVolume(d *osfw.Data, c *osfw.Client, v *volume) {
	d.SetID(v.ID)
	d.Set("size", v.Size)
	d.Set("name", v.Name)
	d.Set("description", v.Description)
	d.Set("availability_zone", v.AvailabilityZone)
	d.Set("volume_type", v.VolumeType)
	d.Set("snapshot_id", v.SnapshotID)
	d.Set("source_vol_id", v.SourceVolID)
	if v.BackupID != nil && *v.BackupID != "" {
		d.Set("backup_id", *v.BackupID)
	}
	d.Set("metadata", userMetadata(d, v.Metadata))
	var atts []cty.Value
	for _, a := range v.Attachments {
		id := a.AttachmentID
		if id == "" {
			id = a.ID
		}
		atts = append(atts, cty.ObjectVal(map[string]cty.Value{
			"id": cty.StringVal(id), "instance_id": cty.StringVal(a.ServerID), "device": cty.StringVal(a.Device)}))
	}
	if len(atts) == 0 {
		d.Set("attachment", cty.SetValEmpty(attachmentType))
	} else {
		d.Set("attachment", cty.SetVal(atts))
	}
	if d.Get("scheduler_hints").IsNull() {
		// Not shown by the API; an absent block is an empty set.
		d.SetBlocks("scheduler_hints", nil)
	}
	setRegion(d, c)
}

func readVolume(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	v, err := getVolume(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	setVolume(d, c, v)
	return nil
}

// readVolumes refreshes many volumes with one paged listing of the
// project's volumes (GET /volumes/detail). Volumes the listing lacks are
// looked for across projects (one more listing, which Cinder honours for
// admins only) and then one by one, so that an admin's imported volumes
// of other projects refresh too and deleted ones are marked gone.
func readVolumes(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	want := byID(ds)
	otherProjects := false
	visit := func(page map[string]any) error {
		var body struct {
			Volumes []volume `json:"volumes"`
		}
		if err := remarshal(page, &body); err != nil {
			return err
		}
		for i := range body.Volumes {
			v := &body.Volumes[i]
			if c.ProjectID != "" && v.TenantID != "" && v.TenantID != c.ProjectID {
				otherProjects = true
			}
			for _, d := range want[v.ID] {
				setVolume(d, c, v)
			}
			delete(want, v.ID)
		}
		return nil
	}
	if err := listAll(ctx, sc, "volumes/detail", nil, "volumes", visit); err != nil {
		return err
	}
	if len(want) > 3 {
		if err := listAll(ctx, sc, "volumes/detail", url.Values{"all_tenants": {"1"}}, "volumes", visit); err == nil && otherProjects {
			// An admin's listing of every project: what it lacks is gone.
			for _, group := range want {
				for _, d := range group {
					d.MarkGone()
				}
			}
			return nil
		}
	}
	return refreshMissing(ctx, want, func(ctx context.Context, id string, group []*osfw.Data) error {
		v, err := getVolume(ctx, sc, id)
		if err != nil {
			return err
		}
		for _, d := range group {
			setVolume(d, c, v)
		}
		return nil
	})
}

func updateVolume(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	if d.HasChange("size") && d.Int("size") > oldInt(d, "size") {
		if err := extendVolume(ctx, c, d); err != nil {
			return err
		}
	}
	if d.HasChange("name") || d.HasChange("description") {
		name, desc := d.String("name"), d.String("description")
		body := map[string]any{"volume": map[string]any{"name": name, "description": desc}}
		if _, err := sc.Put(ctx, sc.ServiceURL("volumes", d.ID()), body, nil, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
			return err
		}
	}
	if d.HasChange("all_metadata") || d.HasChange("metadata") {
		return updateMetadata(ctx, sc, "volumes", d)
	}
	return nil
}

// systemMetadata are metadata keys Cinder itself sets on a volume (the
// backup a volume was restored from): not shown unless configured, and
// kept by updates.
var systemMetadata = []string{"src_backup_id"}

// userMetadata is the metadata less the keys Cinder set, unless the
// configuration names them.
func userMetadata(d *osfw.Data, md map[string]string) map[string]string {
	own := d.StringMap("all_metadata")
	out := make(map[string]string, len(md))
	for k, v := range md {
		if _, configured := own[k]; !configured && slices.Contains(systemMetadata, k) {
			continue
		}
		out[k] = v
	}
	return out
}

// updateMetadata sets the planned metadata keys (POST .../metadata merges)
// and deletes those nuvola set before and no longer wants, leaving keys
// the cloud set alone.
func updateMetadata(ctx context.Context, sc *gophercloud.ServiceClient, kind string, d *osfw.Data) error {
	md := d.AllMetadata()
	if len(md) > 0 {
		if _, err := sc.Post(ctx, sc.ServiceURL(kind, d.ID(), "metadata"), map[string]any{"metadata": md}, nil, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
			return err
		}
	}
	for _, k := range osfw.SortedKeys(osfw.StringMapOf(d.Old("all_metadata"))) {
		if _, keep := md[k]; keep {
			continue
		}
		if _, err := sc.Delete(ctx, sc.ServiceURL(kind, d.ID(), "metadata", k), &gophercloud.RequestOpts{OkCodes: []int{200, 204}}); err != nil && !osfw.IsNotFound(err) {
			return err
		}
	}
	return nil
}

func oldInt(d *osfw.Data, name string) int {
	v := d.Old(name)
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return 0
	}
	i, _ := v.AsBigFloat().Int64()
	return int(i)
}

// extendVolume grows the volume with the extend action and waits for it;
// an attached volume needs enable_online_resize and microversion 3.42.
func extendVolume(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	v, err := getVolume(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	target := []string{"available"}
	if v.Status == "in-use" {
		if !d.Bool("enable_online_resize") {
			return osfw.AttrError("size", "volume %s is attached to a server and cannot be extended while attached unless enable_online_resize = true (which needs a driver that supports it)", d.ID())
		}
		if sc, err = client(c, "3.42"); err != nil {
			return err
		}
		target = []string{"in-use"}
	}
	body := map[string]any{"os-extend": map[string]any{"new_size": d.Int("size")}}
	if _, err := sc.Post(ctx, sc.ServiceURL("volumes", d.ID(), "action"), body, nil, &gophercloud.RequestOpts{OkCodes: []int{202}}); err != nil {
		return err
	}
	return waitVolume(ctx, c, d.ID(), d.Timeout("update"), target...)
}

func deleteVolume(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	v, err := getVolume(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	if len(v.Attachments) > 0 {
		if err := detachAll(ctx, c, v); err != nil {
			return err
		}
		if err := waitVolume(ctx, c, v.ID, d.Timeout("delete"), "available"); err != nil {
			return err
		}
	}
	if v.Status != "deleting" {
		if _, err := sc.Delete(ctx, sc.ServiceURL("volumes", d.ID()), &gophercloud.RequestOpts{OkCodes: []int{202, 204}}); err != nil {
			return err
		}
	}
	return waitVolume(ctx, c, d.ID(), d.Timeout("delete"), "deleted")
}

// detachAll detaches the volume from its servers through Nova; a 404 or
// 409 (already detached, or being detached) is no error.
func detachAll(ctx context.Context, c *osfw.Client, v *volume) error {
	cc, err := c.Service(osfw.Compute)
	if err != nil {
		return err
	}
	for _, a := range v.Attachments {
		_, err := cc.Delete(ctx, cc.ServiceURL("servers", a.ServerID, "os-volume_attachments", v.ID), &gophercloud.RequestOpts{OkCodes: []int{202, 204}})
		if err != nil && !osfw.IsNotFound(err) && osfw.StatusOf(err) != http.StatusConflict {
			return fmt.Errorf("detaching volume %s from server %s: %w", v.ID, a.ServerID, err)
		}
	}
	return nil
}

// findVolume looks for a volume with the planned name in the project,
// for the adoption of a create whose answer was lost; the volume found is
// waited for like a new one.
func findVolume(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := client(c, "")
	if err != nil {
		return false, err
	}
	var found []volume
	err = listAll(ctx, sc, "volumes/detail", url.Values{"name": {name}}, "volumes", func(page map[string]any) error {
		var body struct {
			Volumes []volume `json:"volumes"`
		}
		if err := remarshal(page, &body); err != nil {
			return err
		}
		for _, v := range body.Volumes {
			if v.Name == name && v.Size == d.Int("size") {
				found = append(found, v)
			}
		}
		return nil
	})
	if err != nil || len(found) != 1 {
		return false, err
	}
	d.SetID(found[0].ID)
	return true, waitVolume(ctx, c, found[0].ID, d.Timeout("create"), "available")
}
