package networking

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/attributestags"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// network is what the API returns for a network, with the external flag.
type network struct {
	networks.Network
	external.NetworkExternalExt
	MTUExt
}

// MTUExt is the mtu of a network (the net-mtu extension).
type MTUExt struct {
	MTU int `json:"mtu"`
}

// Network is openstack_networking_network_v2.
func Network() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_network_v2",
		Description: "A Neutron network.",
		Tags:        osfw.StringTags,
		Timeouts:    &osfw.Timeouts{},
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"name":                    {Type: cty.String, Optional: true},
			"description":             {Type: cty.String, Optional: true},
			"admin_state_up":          {Type: cty.Bool, Optional: true, Computed: true},
			"shared":                  {Type: cty.Bool, Optional: true, Computed: true},
			"external":                {Type: cty.Bool, Optional: true, Computed: true},
			"tenant_id":               {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"region":                  {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"mtu":                     {Type: cty.Number, Optional: true, Computed: true},
			"availability_zone_hints": {Type: cty.Set(cty.String), Optional: true, Computed: true, ForceNew: true},
		}},
		Create:     createNetwork,
		Read:       readNetwork,
		ReadMany:   readNetworks,
		Update:     updateNetwork,
		Delete:     deleteNetwork,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("networks"),
		Find:       findNetwork,
	}
}

func createNetwork(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return err
	}
	opts := networks.CreateOpts{
		Name: d.String("name"), Description: d.String("description"),
		AdminStateUp: d.BoolPtr("admin_state_up"), Shared: d.BoolPtr("shared"),
		TenantID: d.String("tenant_id"), AvailabilityZoneHints: d.StringList("availability_zone_hints"),
	}
	var b networks.CreateOptsBuilder = opts
	if d.Known("external") {
		b = external.CreateOptsExt{CreateOptsBuilder: b, External: d.BoolPtr("external")}
	}
	if d.Known("mtu") {
		b = mtuCreate{b, d.Int("mtu")}
	}
	var n network
	if err := networks.Create(ctx, sc, b).ExtractInto(&n); err != nil {
		return err
	}
	d.SetID(n.ID)
	if tags := d.AllTags(); len(tags) > 0 {
		if err := setTags(ctx, sc, "networks", n.ID, tags); err != nil {
			return err
		}
		n.Tags = tags
	}
	// The answer is the whole network: no read after the create.
	setNetwork(d, &n)
	d.Set("region", c.Endpoint.Region)
	d.MarkFresh()
	return nil
}

// mtuCreate adds the mtu to a network's create body.
type mtuCreate struct {
	networks.CreateOptsBuilder
	mtu int
}

func (o mtuCreate) ToNetworkCreateMap() (map[string]any, error) {
	m, err := o.CreateOptsBuilder.ToNetworkCreateMap()
	if err != nil {
		return nil, err
	}
	m["network"].(map[string]any)["mtu"] = o.mtu
	return m, nil
}

// setTags replaces an object's tags; nothing when there are none to set on
// a new object.
func setTags(ctx context.Context, sc *gophercloud.ServiceClient, kind, id string, tags []string) error {
	if tags == nil {
		tags = []string{}
	}
	_, err := attributestags.ReplaceAll(ctx, sc, kind, id, attributestags.ReplaceAllOpts{Tags: tags}).Extract()
	return err
}

func setNetwork(d *osfw.Data, n *network) {
	d.SetID(n.ID)
	d.Set("name", n.Name)
	d.Set("description", n.Description)
	d.Set("admin_state_up", n.AdminStateUp)
	d.Set("shared", n.Shared)
	d.Set("external", n.External)
	d.Set("tenant_id", n.TenantID)
	d.Set("mtu", n.MTU)
	d.Set("availability_zone_hints", n.AvailabilityZoneHints)
	d.Set("tags", n.Tags)
}

func readNetwork(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return err
	}
	var n network
	if err := networks.Get(ctx, sc, d.ID()).ExtractInto(&n); err != nil {
		return err
	}
	setNetwork(d, &n)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// readNetworks refreshes many networks with one paged list request,
// asking for just their IDs.
func readNetworks(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return err
	}
	byID := map[string][]*osfw.Data{}
	for _, d := range ds {
		byID[d.ID()] = append(byID[d.ID()], d)
	}
	seen := map[string]bool{}
	err = ListByIDs(ctx, sc, "networks", osfw.SortedKeys(byID), func(page pagination.Page) error {
		var all []network
		if err := networks.ExtractNetworksInto(page, &all); err != nil {
			return err
		}
		for i := range all {
			for _, d := range byID[all[i].ID] {
				setNetwork(d, &all[i])
				d.Set("region", c.Endpoint.Region)
			}
			seen[all[i].ID] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	for id, group := range byID {
		if !seen[id] {
			for _, d := range group {
				d.MarkGone()
			}
		}
	}
	return nil
}

// ListByIDs lists objects of a Neutron collection ("networks", "ports")
// whose IDs are given, in as few paged requests as the URL length allows
// (Neutron takes ?id=a&id=b).
func ListByIDs(ctx context.Context, sc *gophercloud.ServiceClient, collection string, ids []string, each func(pagination.Page) error) error {
	const maxQuery = 6000
	for len(ids) > 0 {
		q := url.Values{}
		n := 0
		size := 0
		for n < len(ids) && (n == 0 || size+len(ids[n])+4 < maxQuery) {
			q.Add("id", ids[n])
			size += len(ids[n]) + 4
			n++
		}
		ids = ids[n:]
		u := sc.ServiceURL(collection) + "?" + q.Encode()
		pager := pagination.NewPager(sc, u, func(r pagination.PageResult) pagination.Page {
			return networks.NetworkPage{LinkedPageBase: pagination.LinkedPageBase{PageResult: r}}
		})
		if err := pager.EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
			return true, each(page)
		}); err != nil {
			return err
		}
	}
	return nil
}

func updateNetwork(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return err
	}
	opts := networks.UpdateOpts{}
	changed := false
	if d.HasChange("name") {
		name := d.String("name")
		opts.Name, changed = &name, true
	}
	if d.HasChange("description") {
		desc := d.String("description")
		opts.Description, changed = &desc, true
	}
	if d.HasChange("admin_state_up") && d.Known("admin_state_up") {
		opts.AdminStateUp, changed = d.BoolPtr("admin_state_up"), true
	}
	if d.HasChange("shared") && d.Known("shared") {
		opts.Shared, changed = d.BoolPtr("shared"), true
	}
	var b networks.UpdateOptsBuilder = opts
	if d.HasChange("external") && d.Known("external") {
		b, changed = external.UpdateOptsExt{UpdateOptsBuilder: b, External: d.BoolPtr("external")}, true
	}
	if changed {
		if _, err := networks.Update(ctx, sc, d.ID(), b).Extract(); err != nil {
			return err
		}
	}
	if d.HasChange("all_tags") || d.HasChange("tags") {
		return setTags(ctx, sc, "networks", d.ID(), d.AllTags())
	}
	return nil
}

func deleteNetwork(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return err
	}
	// Ports that go with the network's subnets and routers may still be
	// leaving: Neutron answers 409 until they are gone.
	return deleteWhileInUse(ctx, d.Timeout("delete"), func() error { return networks.Delete(ctx, sc, d.ID()).ExtractErr() })
}

// findNetwork looks for a network with the planned name in the project,
// for the adoption of a create whose answer was lost.
func findNetwork(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return false, err
	}
	pages, err := networks.List(sc, networks.ListOpts{Name: name, ProjectID: c.ProjectID}).AllPages(ctx)
	if err != nil {
		return false, err
	}
	all, err := networks.ExtractNetworks(pages)
	if err != nil || len(all) != 1 {
		return false, err
	}
	d.SetID(all[0].ID)
	return true, nil
}
