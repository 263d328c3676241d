package identity

import (
	"context"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// UserMembership is openstack_identity_user_membership_v3: a user in a
// group. Its ID is user_id/group_id.
func UserMembership() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_identity_user_membership_v3",
		Description: "A user's membership of a group.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":   regionAttr(),
			"user_id":  {Type: cty.String, Required: true, ForceNew: true},
			"group_id": {Type: cty.String, Required: true, ForceNew: true},
		}},
		Create:   createMembership,
		Read:     readMembership,
		ReadMany: readMemberships,
		Delete:   deleteMembership,
	}
}

func parseMembershipID(id string) (user, group string, err error) {
	p, err := splitID(id, 2, "user_id/group_id")
	if err != nil {
		return "", "", err
	}
	if p[0] == "" || p[1] == "" {
		return "", "", osfw.AttrError("id", "%q is not an ID of the form user_id/group_id", id)
	}
	return p[0], p[1], nil
}

func createMembership(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	user, group := d.String("user_id"), d.String("group_id")
	if err := users.AddToGroup(ctx, sc, group, user).ExtractErr(); err != nil {
		return err
	}
	// A membership is its two IDs: no read after the create.
	d.SetID(user + "/" + group)
	setMembership(c, d, user, group)
	d.MarkFresh()
	return nil
}

func setMembership(c *osfw.Client, d *osfw.Data, user, group string) {
	d.Set("user_id", user)
	d.Set("group_id", group)
	d.Set("region", c.Endpoint.Region)
}

func readMembership(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	user, group, err := parseMembershipID(d.ID())
	if err != nil {
		return err
	}
	ok, err := users.IsMemberOfGroup(ctx, sc, group, user).Extract()
	if err != nil {
		return err
	}
	if !ok {
		d.MarkGone()
		return nil
	}
	setMembership(c, d, user, group)
	return nil
}

// readMemberships refreshes many memberships with one list of each
// group's users (GET /v3/groups/{id}/users).
func readMemberships(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	type ug struct{ user, group string }
	parsed := make([]ug, len(ds))
	byGroup := map[string]bool{}
	for i, d := range ds {
		user, group, err := parseMembershipID(d.ID())
		if err != nil {
			d.MarkGone()
			continue
		}
		parsed[i] = ug{user, group}
		byGroup[group] = true
	}
	members := map[ug]bool{}
	goneGroups := map[string]bool{}
	for _, group := range osfw.SortedKeys(byGroup) {
		all, _, err := listAll[users.User](ctx, sc, "groups/"+group+"/users", nil, "users")
		if err != nil {
			if osfw.IsNotFound(err) {
				goneGroups[group] = true
				continue
			}
			if osfw.StatusOf(err) == 403 {
				// Not allowed to list the group: ask about each membership.
				return readEach(ctx, c, ds, readMembership)
			}
			return err
		}
		for _, u := range all {
			members[ug{u.ID, group}] = true
		}
	}
	for i, d := range ds {
		if d.Gone() {
			continue
		}
		if members[parsed[i]] && !goneGroups[parsed[i].group] {
			setMembership(c, d, parsed[i].user, parsed[i].group)
		} else {
			d.MarkGone()
		}
	}
	return nil
}

func deleteMembership(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	user, group, err := parseMembershipID(d.ID())
	if err != nil {
		return err
	}
	return users.RemoveFromGroup(ctx, sc, group, user).ExtractErr()
}
