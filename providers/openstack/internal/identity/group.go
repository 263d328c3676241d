package identity

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/groups"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// Group is openstack_identity_group_v3.
func Group() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_identity_group_v3",
		Description: "A Keystone group of users.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":      regionAttr(),
			"name":        {Type: cty.String, Required: true},
			"description": {Type: cty.String, Optional: true},
			"domain_id":   {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
		}},
		Create:     createGroup,
		Read:       readGroup,
		ReadMany:   readGroups,
		Update:     updateGroup,
		Delete:     deleteGroup,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("groups"),
		Find:       findGroup,
	}
}

func createGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	g, err := groups.Create(ctx, sc, groups.CreateOpts{
		Name: d.String("name"), Description: d.String("description"), DomainID: d.String("domain_id"),
	}).Extract()
	if err != nil {
		return err
	}
	// The answer is the whole group: no read after the create.
	setGroup(d, g)
	d.Set("region", c.Endpoint.Region)
	d.MarkFresh()
	return nil
}

func setGroup(d *osfw.Data, g *groups.Group) {
	d.SetID(g.ID)
	d.Set("name", g.Name)
	d.Set("description", g.Description)
	d.Set("domain_id", g.DomainID)
}

func readGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	g, err := groups.Get(ctx, sc, d.ID()).Extract()
	if err != nil {
		return err
	}
	setGroup(d, g)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// readGroups refreshes many groups with one list request.
func readGroups(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	q := url.Values{}
	if dom := sameDomain(ds); dom != "" {
		q.Set("domain_id", dom)
	}
	all, _, err := listAll[groups.Group](ctx, sc, "groups", q, "groups")
	if err != nil {
		if osfw.StatusOf(err) == 403 {
			return readEach(ctx, c, ds, readGroup)
		}
		return err
	}
	return refreshFromList(ctx, c, ds, all, func(g *groups.Group) string { return g.ID }, setGroup, readGroup)
}

func updateGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	var opts groups.UpdateOpts
	changed := false
	if d.HasChange("name") {
		opts.Name, changed = d.String("name"), true
	}
	if d.HasChange("description") {
		opts.Description, changed = ptr(d.String("description")), true
	}
	if !changed {
		return nil
	}
	_, err = groups.Update(ctx, sc, d.ID(), opts).Extract()
	return err
}

func deleteGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	return groups.Delete(ctx, sc, d.ID()).ExtractErr()
}

// findGroup looks for the group by name in its domain.
func findGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := identity(c)
	if err != nil {
		return false, err
	}
	q := url.Values{"name": {name}}
	if dom := d.String("domain_id"); dom != "" {
		q.Set("domain_id", dom)
	}
	all, _, err := listAll[groups.Group](ctx, sc, "groups", q, "groups")
	if err != nil || len(all) != 1 {
		return false, err
	}
	d.SetID(all[0].ID)
	return true, nil
}
