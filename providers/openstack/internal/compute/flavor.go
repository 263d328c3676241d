package compute

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// flavor is a Nova flavor (microversion 2.64: description and extra specs
// included).
type flavor struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	RAM         int               `json:"ram"`
	VCPUs       int               `json:"vcpus"`
	Disk        int               `json:"disk"`
	Swap        json.RawMessage   `json:"swap"`
	Ephemeral   int               `json:"OS-FLV-EXT-DATA:ephemeral"`
	IsPublic    bool              `json:"os-flavor-access:is_public"`
	RxTxFactor  float64           `json:"rxtx_factor"`
	Description *string           `json:"description"`
	ExtraSpecs  map[string]string `json:"extra_specs"`
}

func (f *flavor) swap() int {
	n, _ := strconv.Atoi(string(f.Swap))
	return n
}

// listFlavors lists every flavor the caller may see (public and private),
// in one paged request; minRAM/minDisk filters as "k=v" pairs.
func listFlavors(ctx context.Context, sc *gophercloud.ServiceClient, extraQuery string, kv ...string) ([]flavor, error) {
	var out []flavor
	u := sc.ServiceURL("flavors", "detail") + query(append([]string{"is_public", "None"}, kv...)...) + extraQuery
	err := eachPage(ctx, sc, u, "flavors_links", func(p pagination.Page) error {
		var body struct {
			Flavors []flavor `json:"flavors"`
		}
		if err := p.(linkedPage).ExtractInto(&body); err != nil {
			return err
		}
		out = append(out, body.Flavors...)
		return nil
	})
	return out, err
}

// Flavor is openstack_compute_flavor_v2. Its ownership mark is in the
// description (microversion 2.55); names are unique, so a create meeting
// the flavor its own earlier run made gets a 409 and adopts it by the
// mark.
func Flavor() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_compute_flavor_v2",
		Description: "A Nova flavor (admin).",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":       region(),
			"name":         {Type: str, Required: true, ForceNew: true},
			"description":  fnStr(),
			"ram":          {Type: cty.Number, Required: true, ForceNew: true},
			"vcpus":        {Type: cty.Number, Required: true, ForceNew: true},
			"disk":         {Type: cty.Number, Required: true, ForceNew: true},
			"flavor_id":    fnCStr(),
			"swap":         {Type: cty.Number, Optional: true, Computed: true, ForceNew: true, Default: cty.Zero},
			"rx_tx_factor": {Type: cty.Number, Optional: true, Computed: true, ForceNew: true, Default: cty.NumberIntVal(1)},
			"is_public":    {Type: cty.Bool, Optional: true, Computed: true, ForceNew: true, Default: cty.True},
			"ephemeral":    {Type: cty.Number, Optional: true, Computed: true, ForceNew: true, Default: cty.Zero},
			"extra_specs":  {Type: strMap, Optional: true, Computed: true},
		}},
		Plan: func(_ context.Context, _ *osfw.Client, p *osfw.PlanData) error {
			osfw.DefaultsOnUpdate(p)
			return nil
		},
		Create:     createFlavor,
		Read:       readFlavor,
		ReadMany:   readFlavors,
		Update:     updateFlavor,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarkedFlavors,
		Delete: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			sc, err := nova(c, "")
			if err != nil {
				return err
			}
			return call(ctx, sc, http.MethodDelete, sc.ServiceURL("flavors", d.ID()), nil, nil, http.StatusAccepted, http.StatusNoContent)
		},
		Find: func(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
			sc, err := nova(c, "")
			if err != nil {
				return false, err
			}
			all, err := listFlavors(ctx, sc, "")
			if err != nil {
				return false, err
			}
			var ids []string
			for _, f := range all {
				if f.Name == d.String("name") && (!d.Known("flavor_id") || d.String("flavor_id") == f.ID) {
					ids = append(ids, f.ID)
				}
			}
			if len(ids) != 1 {
				return false, nil
			}
			d.SetID(ids[0])
			return true, nil
		},
	}
}

// listMarkedFlavors lists every flavor, private ones included, with the
// descriptions that hold ownership marks.
func listMarkedFlavors(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	sc, err := nova(c, "")
	if err != nil {
		return nil, err
	}
	all, err := listFlavors(ctx, sc, "")
	if err != nil {
		return nil, err
	}
	out := make([]osfw.Marked, 0, len(all))
	for _, f := range all {
		desc := ""
		if f.Description != nil {
			desc = *f.Description
		}
		out = append(out, osfw.Marked{ID: f.ID, Name: f.Name, Description: desc})
	}
	return out, nil
}

func createFlavor(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	body := map[string]any{
		"name": d.String("name"), "ram": d.Int("ram"), "vcpus": d.Int("vcpus"), "disk": d.Int("disk"),
		"swap": d.Int("swap"), "rxtx_factor": d.Float("rx_tx_factor"), "os-flavor-access:is_public": d.Bool("is_public"),
		"OS-FLV-EXT-DATA:ephemeral": d.Int("ephemeral"),
	}
	if d.Known("flavor_id") {
		body["id"] = d.String("flavor_id")
	}
	if d.Known("description") {
		body["description"] = d.String("description")
	}
	var out struct {
		Flavor flavor `json:"flavor"`
	}
	if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("flavors"), map[string]any{"flavor": body}, &out, http.StatusOK); err != nil {
		return err
	}
	d.SetID(out.Flavor.ID)
	if specs := d.StringMap("extra_specs"); len(specs) > 0 {
		if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("flavors", d.ID(), "os-extra_specs"), map[string]any{"extra_specs": specs}, nil, http.StatusOK); err != nil {
			return err
		}
	}
	return nil
}

func setFlavor(d *osfw.Data, f *flavor, c *osfw.Client) {
	d.SetID(f.ID)
	d.Set("flavor_id", f.ID)
	d.Set("name", f.Name)
	d.Set("ram", f.RAM)
	d.Set("vcpus", f.VCPUs)
	d.Set("disk", f.Disk)
	d.Set("swap", f.swap())
	d.Set("rx_tx_factor", f.RxTxFactor)
	d.Set("is_public", f.IsPublic)
	d.Set("ephemeral", f.Ephemeral)
	d.Set("description", f.Description)
	specs := f.ExtraSpecs
	if specs == nil {
		specs = map[string]string{}
	}
	d.Set("extra_specs", specs)
	d.Set("region", c.Endpoint.Region)
}

func readFlavor(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	var out struct {
		Flavor flavor `json:"flavor"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("flavors", d.ID()), nil, &out, http.StatusOK); err != nil {
		return err
	}
	setFlavor(d, &out.Flavor, c)
	return nil
}

// readFlavors refreshes many flavors with one paged list.
func readFlavors(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	all, err := listFlavors(ctx, sc, "")
	if err != nil {
		return err
	}
	byID := map[string]*flavor{}
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	for _, d := range ds {
		if f := byID[d.ID()]; f != nil {
			setFlavor(d, f, c)
		} else {
			d.MarkGone()
		}
	}
	return nil
}

func updateFlavor(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	if !d.HasChange("extra_specs") || !d.Get("extra_specs").IsWhollyKnown() {
		return nil
	}
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	oldSpecs := osfw.StringMapOf(d.Old("extra_specs"))
	newSpecs := d.StringMap("extra_specs")
	for _, k := range osfw.SortedKeys(oldSpecs) {
		if _, keep := newSpecs[k]; !keep {
			err := call(ctx, sc, http.MethodDelete, sc.ServiceURL("flavors", d.ID(), "os-extra_specs", k), nil, nil, http.StatusOK, http.StatusAccepted, http.StatusNoContent)
			if err != nil && !osfw.IsNotFound(err) {
				return fmt.Errorf("deleting extra spec %s: %w", k, err)
			}
		}
	}
	if len(newSpecs) > 0 {
		return call(ctx, sc, http.MethodPost, sc.ServiceURL("flavors", d.ID(), "os-extra_specs"), map[string]any{"extra_specs": newSpecs}, nil, http.StatusOK)
	}
	return nil
}

// FlavorData is the openstack_compute_flavor_v2 data source.
func FlavorData() *osfw.DataSource {
	num := func() *plugins.Attribute { return &plugins.Attribute{Type: cty.Number, Optional: true, Computed: true} }
	return &osfw.DataSource{
		Type:        "openstack_compute_flavor_v2",
		Description: "Looks up one flavor by ID, or by name and sizes.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":       optCStr(),
			"flavor_id":    optCStr(),
			"name":         optCStr(),
			"description":  optCStr(),
			"min_ram":      {Type: cty.Number, Optional: true},
			"min_disk":     {Type: cty.Number, Optional: true},
			"ram":          num(),
			"vcpus":        num(),
			"disk":         num(),
			"swap":         num(),
			"rx_tx_factor": num(),
			"is_public":    {Type: cty.Bool, Optional: true, Computed: true},
			"ephemeral":    {Type: cty.Number, Computed: true},
			"extra_specs":  {Type: strMap, Computed: true},
		}},
		Read: readFlavorData,
	}
}

func readFlavorData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	if id := d.String("flavor_id"); id != "" {
		var out struct {
			Flavor flavor `json:"flavor"`
		}
		if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("flavors", id), nil, &out, http.StatusOK); err != nil {
			return err
		}
		setFlavorData(d, &out.Flavor, c)
		return nil
	}
	var kv []string
	if d.Known("min_ram") {
		kv = append(kv, "minRam", strconv.Itoa(d.Int("min_ram")))
	}
	if d.Known("min_disk") {
		kv = append(kv, "minDisk", strconv.Itoa(d.Int("min_disk")))
	}
	all, err := listFlavors(ctx, sc, "", kv...)
	if err != nil {
		return err
	}
	var match []flavor
	for _, f := range all {
		if d.Known("name") && f.Name != d.String("name") ||
			d.Known("ram") && f.RAM != d.Int("ram") ||
			d.Known("vcpus") && f.VCPUs != d.Int("vcpus") ||
			d.Known("disk") && f.Disk != d.Int("disk") ||
			d.Known("swap") && f.swap() != d.Int("swap") ||
			d.Known("rx_tx_factor") && f.RxTxFactor != d.Float("rx_tx_factor") ||
			d.Known("is_public") && f.IsPublic != d.Bool("is_public") ||
			d.Known("description") && (f.Description == nil || *f.Description != d.String("description")) {
			continue
		}
		match = append(match, f)
	}
	switch len(match) {
	case 0:
		return fmt.Errorf("no flavor matches the search; change the arguments")
	case 1:
		setFlavorData(d, &match[0], c)
		return nil
	}
	return fmt.Errorf("%d flavors match the search; narrow it (name, vcpus, ram, disk)", len(match))
}

func setFlavorData(d *osfw.Data, f *flavor, c *osfw.Client) {
	d.SetID(f.ID)
	d.Set("flavor_id", f.ID)
	d.Set("name", f.Name)
	d.Set("ram", f.RAM)
	d.Set("vcpus", f.VCPUs)
	d.Set("disk", f.Disk)
	d.Set("swap", f.swap())
	d.Set("rx_tx_factor", f.RxTxFactor)
	d.Set("is_public", f.IsPublic)
	d.Set("ephemeral", f.Ephemeral)
	if f.Description != nil {
		d.Set("description", *f.Description)
	}
	specs := f.ExtraSpecs
	if specs == nil {
		specs = map[string]string{}
	}
	d.Set("extra_specs", specs)
	d.Set("region", c.Endpoint.Region)
}
