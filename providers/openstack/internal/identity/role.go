package identity

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// Role is openstack_identity_role_v3.
func Role() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_identity_role_v3",
		Description: "A Keystone role, global or of a domain.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":    regionAttr(),
			"name":      {Type: cty.String, Required: true},
			"domain_id": {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
		}},
		Create:   createRole,
		Read:     readRole,
		ReadMany: readRoles,
		Update:   updateRole,
		Delete:   deleteRole,
		Find:     findRole,
	}
}

func createRole(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	r, err := roles.Create(ctx, sc, roles.CreateOpts{Name: d.String("name"), DomainID: d.String("domain_id")}).Extract()
	if err != nil {
		return err
	}
	d.SetID(r.ID)
	return nil
}

func setRole(d *osfw.Data, r *roles.Role) {
	d.SetID(r.ID)
	d.Set("name", r.Name)
	d.Set("domain_id", r.DomainID)
}

func readRole(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	r, err := roles.Get(ctx, sc, d.ID()).Extract()
	if err != nil {
		return err
	}
	setRole(d, r)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// readRoles refreshes many roles with one list request per domain (global
// roles are one list; Keystone lists a domain's roles only when asked for
// that domain).
func readRoles(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	byDomain := map[string][]*osfw.Data{}
	for _, d := range ds {
		byDomain[d.String("domain_id")] = append(byDomain[d.String("domain_id")], d)
	}
	for _, dom := range osfw.SortedKeys(byDomain) {
		q := url.Values{}
		if dom != "" {
			q.Set("domain_id", dom)
		}
		group := byDomain[dom]
		all, _, err := listAll[roles.Role](ctx, sc, "roles", q, "roles")
		if err != nil {
			if osfw.StatusOf(err) == 403 {
				if err := readEach(ctx, c, group, readRole); err != nil {
					return err
				}
				continue
			}
			return err
		}
		if err := refreshFromList(ctx, c, group, all, func(r *roles.Role) string { return r.ID }, setRole, readRole); err != nil {
			return err
		}
	}
	return nil
}

func updateRole(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	if !d.HasChange("name") {
		return nil
	}
	_, err = roles.Update(ctx, sc, d.ID(), roles.UpdateOpts{Name: d.String("name")}).Extract()
	return err
}

func deleteRole(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	return roles.Delete(ctx, sc, d.ID()).ExtractErr()
}

// findRole looks for the role by name (in its domain, or among the global
// roles).
func findRole(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
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
	all, _, err := listAll[roles.Role](ctx, sc, "roles", q, "roles")
	if err != nil || len(all) != 1 {
		return false, err
	}
	d.SetID(all[0].ID)
	return true, nil
}
