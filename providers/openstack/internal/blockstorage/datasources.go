package blockstorage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

func optComputed(t cty.Type, desc string) *plugins.Attribute {
	return &plugins.Attribute{Type: t, Optional: true, Computed: true, Description: desc}
}

func computed(t cty.Type) *plugins.Attribute { return &plugins.Attribute{Type: t, Computed: true} }

// VolumeData is the data source openstack_blockstorage_volume_v3: the one
// volume of the project matching the filters.
func VolumeData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_blockstorage_volume_v3",
		Description: "A volume of the project, found by name, status and metadata.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":           optComputed(cty.String, "The region; the provider's when unset."),
			"name":             optComputed(cty.String, "The volume's name."),
			"status":           optComputed(cty.String, "The volume's status."),
			"metadata":         optComputed(cty.Map(cty.String), "Metadata the volume must have."),
			"bootable":         optComputed(cty.String, ""),
			"volume_type":      optComputed(cty.String, ""),
			"host":             optComputed(cty.String, ""),
			"size":             computed(cty.Number),
			"source_volume_id": computed(cty.String),
			"multiattach":      computed(cty.Bool),
			"attachment":       {Type: cty.List(attachmentType), Computed: true},
		}},
		Read: readVolumeData,
	}
}

func readVolumeData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	q := url.Values{}
	for _, f := range []string{"name", "status"} {
		if v := d.String(f); v != "" {
			q.Set(f, v)
		}
	}
	md := d.StringMap("metadata")
	if len(md) > 0 {
		parts := make([]string, 0, len(md))
		for _, k := range osfw.SortedKeys(md) {
			parts = append(parts, fmt.Sprintf("%q:%q", k, md[k]))
		}
		q.Set("metadata", "{"+strings.Join(parts, ",")+"}")
	}
	type volumeWithHost struct {
		volume
		Bootable string `json:"bootable"`
		Host     string `json:"os-vol-host-attr:host"`
	}
	var found []volumeWithHost
	err = listAll(ctx, sc, "volumes/detail", q, "volumes", func(page map[string]any) error {
		var body struct {
			Volumes []volumeWithHost `json:"volumes"`
		}
		if err := remarshal(page, &body); err != nil {
			return err
		}
		for _, v := range body.Volumes {
			if matches(v.Metadata, md) && (d.String("volume_type") == "" || d.String("volume_type") == v.VolumeType) &&
				(d.String("bootable") == "" || d.String("bootable") == v.Bootable) && (d.String("host") == "" || d.String("host") == v.Host) {
				found = append(found, v)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case len(found) == 0:
		return errors.New("no volume matches: change the filters")
	case len(found) > 1:
		return fmt.Errorf("%d volumes match: narrow the filters to one", len(found))
	}
	v := found[0]
	d.SetID(v.ID)
	d.Set("name", v.Name)
	d.Set("status", v.Status)
	d.Set("metadata", v.Metadata)
	d.Set("bootable", v.Bootable)
	d.Set("volume_type", v.VolumeType)
	d.Set("host", v.Host)
	d.Set("size", v.Size)
	d.Set("source_volume_id", v.SourceVolID)
	d.Set("multiattach", v.Multiattach)
	var atts []cty.Value
	for _, a := range v.Attachments {
		id := a.AttachmentID
		if id == "" {
			id = a.ID
		}
		atts = append(atts, cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal(id), "instance_id": cty.StringVal(a.ServerID), "device": cty.StringVal(a.Device)}))
	}
	if len(atts) == 0 {
		d.Set("attachment", cty.ListValEmpty(attachmentType))
	} else {
		d.Set("attachment", cty.ListVal(atts))
	}
	setRegion(d, c)
	return nil
}

// matches reports whether have holds every key of want with its value.
func matches(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// SnapshotData is the data source openstack_blockstorage_snapshot_v3.
func SnapshotData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_blockstorage_snapshot_v3",
		Description: "A snapshot of the project, found by name, status and volume.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":      optComputed(cty.String, "The region; the provider's when unset."),
			"name":        optComputed(cty.String, ""),
			"status":      optComputed(cty.String, ""),
			"volume_id":   optComputed(cty.String, ""),
			"most_recent": {Type: cty.Bool, Optional: true, Description: "Take the newest when several match."},
			"description": computed(cty.String),
			"size":        computed(cty.Number),
			"metadata":    computed(cty.Map(cty.String)),
		}},
		Read: readSnapshotData,
	}
}

func readSnapshotData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	q := url.Values{}
	for _, f := range []string{"name", "status", "volume_id"} {
		if v := d.String(f); v != "" {
			q.Set(f, v)
		}
	}
	type snap struct {
		snapshot
		CreatedAt string `json:"created_at"`
	}
	var found []snap
	err = listAll(ctx, sc, "snapshots/detail", q, "snapshots", func(page map[string]any) error {
		var body struct {
			Snapshots []snap `json:"snapshots"`
		}
		if err := remarshal(page, &body); err != nil {
			return err
		}
		found = append(found, body.Snapshots...)
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case len(found) == 0:
		return errors.New("no snapshot matches: change the filters")
	case len(found) > 1 && !d.Bool("most_recent"):
		return fmt.Errorf("%d snapshots match: narrow the filters, or set most_recent = true", len(found))
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].CreatedAt > found[j].CreatedAt })
	s := found[0]
	d.SetID(s.ID)
	d.Set("name", s.Name)
	d.Set("status", s.Status)
	d.Set("volume_id", s.VolumeID)
	d.Set("description", s.Description)
	d.Set("size", s.Size)
	if s.Metadata == nil {
		s.Metadata = map[string]string{}
	}
	d.Set("metadata", s.Metadata)
	setRegion(d, c)
	return nil
}

// VolumeTypeData is the data source openstack_blockstorage_volume_type_v3.
func VolumeTypeData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_blockstorage_volume_type_v3",
		Description: "A volume type, found by name and visibility.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":        optComputed(cty.String, "The region; the provider's when unset."),
			"name":          optComputed(cty.String, ""),
			"is_public":     optComputed(cty.Bool, ""),
			"description":   computed(cty.String),
			"qos_specs_id":  computed(cty.String),
			"extra_specs":   computed(cty.Map(cty.String)),
			"public_access": computed(cty.Bool),
		}},
		Read: readVolumeTypeData,
	}
}

func readVolumeTypeData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	visibility := "None"
	if p := d.BoolPtr("is_public"); p != nil {
		visibility = fmt.Sprint(*p)
	}
	type vt struct {
		volumeType
		QosSpecsID   string `json:"qos_specs_id"`
		PublicAccess bool   `json:"os-volume-type-access:is_public"`
	}
	var found []vt
	err = listAll(ctx, sc, "types", url.Values{"is_public": {visibility}}, "volume_types", func(page map[string]any) error {
		var body struct {
			VolumeTypes []vt `json:"volume_types"`
		}
		if err := remarshal(page, &body); err != nil {
			return err
		}
		for _, t := range body.VolumeTypes {
			if name := d.String("name"); name == "" || t.Name == name {
				found = append(found, t)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case len(found) == 0:
		return errors.New("no volume type matches: change the filters")
	case len(found) > 1:
		return fmt.Errorf("%d volume types match: narrow the filters to one", len(found))
	}
	t := found[0]
	d.SetID(t.ID)
	d.Set("name", t.Name)
	d.Set("description", t.Description)
	d.Set("is_public", t.IsPublic)
	d.Set("qos_specs_id", t.QosSpecsID)
	d.Set("public_access", t.PublicAccess)
	if t.ExtraSpecs == nil {
		t.ExtraSpecs = map[string]string{}
	}
	d.Set("extra_specs", t.ExtraSpecs)
	setRegion(d, c)
	return nil
}

// AvailabilityZonesData is the data source
// openstack_blockstorage_availability_zones_v3.
func AvailabilityZonesData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_blockstorage_availability_zones_v3",
		Description: "The names of the block storage availability zones.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region": optComputed(cty.String, "The region; the provider's when unset."),
			"state":  {Type: cty.String, Optional: true, Description: "available (the default) or unavailable."},
			"names":  computed(cty.List(cty.String)),
		}},
		Read: readAvailabilityZones,
	}
}

func readAvailabilityZones(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	state := strings.ToLower(d.String("state"))
	switch state {
	case "":
		state = "available"
	case "available", "unavailable":
	default:
		return osfw.AttrError("state", "state must be available or unavailable, not %q", d.String("state"))
	}
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	var body struct {
		Zones []struct {
			ZoneName  string `json:"zoneName"`
			ZoneState struct {
				Available bool `json:"available"`
			} `json:"zoneState"`
		} `json:"availabilityZoneInfo"`
	}
	if _, err := sc.Get(ctx, sc.ServiceURL("os-availability-zone"), &body, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
		return err
	}
	names := []string{}
	for _, z := range body.Zones {
		if z.ZoneState.Available == (state == "available") {
			names = append(names, z.ZoneName)
		}
	}
	sort.Strings(names)
	sum := sha256.Sum256([]byte(strings.Join(names, ",")))
	d.SetID(hex.EncodeToString(sum[:8]))
	d.Set("state", state)
	d.Set("names", names)
	setRegion(d, c)
	return nil
}

// QuotasetData is the data source openstack_blockstorage_quotaset_v3.
func QuotasetData() *osfw.DataSource {
	attrs := map[string]*plugins.Attribute{
		"region":            optComputed(cty.String, "The region; the provider's when unset."),
		"project_id":        {Type: cty.String, Required: true},
		"volume_type_quota": computed(cty.Map(cty.Number)),
	}
	for _, n := range quotaNames {
		attrs[n] = computed(cty.Number)
	}
	return &osfw.DataSource{
		Type:        "openstack_blockstorage_quotaset_v3",
		Description: "The block storage quotas of a project.",
		Block:       &plugins.Block{Attributes: attrs},
		Read: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			sc, err := client(c, "")
			if err != nil {
				return err
			}
			project := d.String("project_id")
			var resp struct {
				QuotaSet map[string]any `json:"quota_set"`
			}
			if _, err := sc.Get(ctx, sc.ServiceURL("os-quota-sets", project), &resp, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
				return err
			}
			for _, n := range quotaNames {
				if i, ok := quotaInt(resp.QuotaSet[n]); ok {
					d.Set(n, i)
				}
			}
			m := map[string]cty.Value{}
			for k, v := range resp.QuotaSet {
				if i, ok := quotaInt(v); ok && isTypeQuota(k) {
					m[k] = cty.NumberIntVal(int64(i))
				}
			}
			if len(m) == 0 {
				d.Set("volume_type_quota", cty.MapValEmpty(cty.Number))
			} else {
				d.Set("volume_type_quota", cty.MapVal(m))
			}
			d.SetID(quotaID(project, c))
			setRegion(d, c)
			return nil
		},
	}
}
