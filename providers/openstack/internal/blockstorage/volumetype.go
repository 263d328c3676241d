package blockstorage

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// volumeType is what Cinder returns for a volume type.
type volumeType struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	IsPublic    bool              `json:"is_public"`
	ExtraSpecs  map[string]string `json:"extra_specs"`
}

// VolumeType is openstack_blockstorage_volume_type_v3 (admin).
func VolumeType() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_blockstorage_volume_type_v3",
		Description: "A Cinder volume type. Usually needs the admin role.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":      {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The region; the provider's when unset."},
			"name":        {Type: cty.String, Required: true},
			"description": {Type: cty.String, Optional: true},
			"is_public":   {Type: cty.Bool, Optional: true, Computed: true, Description: "Whether every project may use the type."},
			"extra_specs": {Type: cty.Map(cty.String), Optional: true, Computed: true, Description: "Key/value pairs for the scheduler and the back-ends (volume_backend_name, ...)."},
		}},
		Create:   createVolumeType,
		Read:     readVolumeType,
		ReadMany: readVolumeTypes,
		Update:   updateVolumeType,
		Delete:   deleteVolumeType,
		Find:     findVolumeType,
		Plan:     planRegion,
		// Names are unique: a create meeting its own earlier one gets a
		// 409, and the mark tells it is its own.
		Mark:       osfw.MarkDescription,
		ListMarked: listMarkedTypes,
	}
}

// listMarkedTypes lists the volume types with the descriptions that hold
// ownership marks. The collection is "types" in URLs, "volume_types" in
// answers.
func listMarkedTypes(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	sc, err := client(c, "")
	if err != nil {
		return nil, err
	}
	var out []osfw.Marked
	err = listTypes(ctx, sc, func(t *volumeType) {
		out = append(out, osfw.Marked{ID: t.ID, Name: t.Name, Description: t.Description})
	})
	return out, err
}

func createVolumeType(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	t := map[string]any{"name": d.String("name")}
	if v := d.String("description"); v != "" {
		t["description"] = v
	}
	if p := d.BoolPtr("is_public"); p != nil {
		t["os-volume-type-access:is_public"] = *p
	}
	if es := d.StringMap("extra_specs"); len(es) > 0 {
		t["extra_specs"] = es
	}
	var resp struct {
		VolumeType volumeType `json:"volume_type"`
	}
	if _, err := sc.Post(ctx, sc.ServiceURL("types"), map[string]any{"volume_type": t}, &resp, &gophercloud.RequestOpts{OkCodes: []int{200, 202}}); err != nil {
		return err
	}
	d.SetID(resp.VolumeType.ID)
	return nil
}

func setVolumeType(d *osfw.Data, c *osfw.Client, t *volumeType) {
	d.SetID(t.ID)
	d.Set("name", t.Name)
	d.Set("description", t.Description)
	d.Set("is_public", t.IsPublic)
	if t.ExtraSpecs == nil {
		t.ExtraSpecs = map[string]string{}
	}
	d.Set("extra_specs", t.ExtraSpecs)
	setRegion(d, c)
}

func getVolumeType(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*volumeType, error) {
	return getOne[volumeType](ctx, sc, "types", "volume_type", id)
}

func readVolumeType(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	t, err := getVolumeType(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	setVolumeType(d, c, t)
	return nil
}

// listTypes lists the volume types, private ones included
// (is_public=None, which Cinder honours for admins).
func listTypes(ctx context.Context, sc *gophercloud.ServiceClient, each func(t *volumeType)) error {
	return listAll(ctx, sc, "types", url.Values{"is_public": {"None"}}, "volume_types", func(page map[string]any) error {
		var body struct {
			VolumeTypes []volumeType `json:"volume_types"`
		}
		if err := remarshal(page, &body); err != nil {
			return err
		}
		for i := range body.VolumeTypes {
			each(&body.VolumeTypes[i])
		}
		return nil
	})
}

// readVolumeTypes refreshes many volume types with one listing (GET
// /types?is_public=None, which carries the extra specs for admins); those
// it lacks are read one by one.
func readVolumeTypes(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	want := byID(ds)
	err = listTypes(ctx, sc, func(t *volumeType) {
		for _, d := range want[t.ID] {
			setVolumeType(d, c, t)
		}
		delete(want, t.ID)
	})
	if err != nil {
		return err
	}
	return refreshMissing(ctx, want, func(ctx context.Context, id string, group []*osfw.Data) error {
		t, err := getVolumeType(ctx, sc, id)
		if err != nil {
			return err
		}
		for _, d := range group {
			setVolumeType(d, c, t)
		}
		return nil
	})
}

func updateVolumeType(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	t := map[string]any{}
	if d.HasChange("name") {
		t["name"] = d.String("name")
	}
	if d.HasChange("description") {
		t["description"] = d.String("description")
	}
	if d.HasChange("is_public") && d.Known("is_public") {
		t["is_public"] = d.Bool("is_public")
	}
	if len(t) > 0 {
		if _, err := sc.Put(ctx, sc.ServiceURL("types", d.ID()), map[string]any{"volume_type": t}, nil, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
			return err
		}
	}
	if d.HasChange("extra_specs") && d.Known("extra_specs") {
		specs := d.StringMap("extra_specs")
		old := osfw.StringMapOf(d.Old("extra_specs"))
		for k := range old {
			if _, keep := specs[k]; keep {
				continue
			}
			if _, err := sc.Delete(ctx, sc.ServiceURL("types", d.ID(), "extra_specs", k), &gophercloud.RequestOpts{OkCodes: []int{200, 202, 204}}); err != nil && !osfw.IsNotFound(err) {
				return err
			}
		}
		if len(specs) > 0 {
			if _, err := sc.Post(ctx, sc.ServiceURL("types", d.ID(), "extra_specs"), map[string]any{"extra_specs": specs}, nil, &gophercloud.RequestOpts{OkCodes: []int{200, 202}}); err != nil {
				return err
			}
		}
	}
	return nil
}

func deleteVolumeType(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	_, err = sc.Delete(ctx, sc.ServiceURL("types", d.ID()), &gophercloud.RequestOpts{OkCodes: []int{202, 204}})
	return err
}

// findVolumeType looks for the type by its (unique) name.
func findVolumeType(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	sc, err := client(c, "")
	if err != nil || name == "" {
		return false, err
	}
	id := ""
	err = listTypes(ctx, sc, func(t *volumeType) {
		if t.Name == name {
			id = t.ID
		}
	})
	if err != nil || id == "" {
		return false, err
	}
	d.SetID(id)
	return true, nil
}
