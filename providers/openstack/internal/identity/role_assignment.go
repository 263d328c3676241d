package identity

import (
	"context"
	"fmt"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// RoleAssignment is openstack_identity_role_assignment_v3: a role of a user
// or group on a project or domain. Its ID is
// domain_id/project_id/group_id/user_id/role_id, the unused parts empty.
func RoleAssignment() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_identity_role_assignment_v3",
		Description: "A role given to a user or a group on a project or a domain.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":     regionAttr(),
			"domain_id":  {Type: cty.String, Optional: true, ForceNew: true, Description: "The domain the role is given on (or project_id)."},
			"project_id": {Type: cty.String, Optional: true, ForceNew: true, Description: "The project the role is given on (or domain_id)."},
			"group_id":   {Type: cty.String, Optional: true, ForceNew: true, Description: "The group given the role (or user_id)."},
			"user_id":    {Type: cty.String, Optional: true, ForceNew: true, Description: "The user given the role (or group_id)."},
			"role_id":    {Type: cty.String, Required: true, ForceNew: true},
		}},
		Validate: validateRoleAssignment,
		Create:   createRoleAssignment,
		Read:     readRoleAssignment,
		ReadMany: readRoleAssignments,
		Delete:   deleteRoleAssignment,
	}
}

func validateRoleAssignment(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	both := func(a, b string) bool { return d.Known(a) && d.Known(b) }
	if both("domain_id", "project_id") {
		diags = diags.Errorf(cty.GetAttrPath("project_id"), "Conflicting arguments", "Set project_id or domain_id, not both.")
	}
	if both("group_id", "user_id") {
		diags = diags.Errorf(cty.GetAttrPath("user_id"), "Conflicting arguments", "Set user_id or group_id, not both.")
	}
	return diags
}

// assignmentKey identifies an assignment: the parts of its ID.
type assignmentKey struct{ domain, project, group, user, role string }

func (k assignmentKey) id() string {
	return fmt.Sprintf("%s/%s/%s/%s/%s", k.domain, k.project, k.group, k.user, k.role)
}

func keyOf(a *roles.RoleAssignment) assignmentKey {
	return assignmentKey{a.Scope.Domain.ID, a.Scope.Project.ID, a.Group.ID, a.User.ID, a.Role.ID}
}

func parseAssignmentID(id string) (assignmentKey, error) {
	p, err := splitID(id, 5, "domain_id/project_id/group_id/user_id/role_id")
	if err != nil {
		return assignmentKey{}, err
	}
	k := assignmentKey{p[0], p[1], p[2], p[3], p[4]}
	if k.role == "" || (k.domain == "") == (k.project == "") || (k.group == "") == (k.user == "") {
		return k, osfw.AttrError("id", "%q is not an ID of the form domain_id/project_id/group_id/user_id/role_id with one of domain and project, one of group and user, and the role", id)
	}
	return k, nil
}

func createRoleAssignment(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	k := assignmentKey{d.String("domain_id"), d.String("project_id"), d.String("group_id"), d.String("user_id"), d.String("role_id")}
	if (k.domain == "") == (k.project == "") {
		return osfw.AttrError("project_id", "set one of project_id and domain_id")
	}
	if (k.group == "") == (k.user == "") {
		return osfw.AttrError("user_id", "set one of user_id and group_id")
	}
	err = roles.Assign(ctx, sc, k.role, roles.AssignOpts{DomainID: k.domain, ProjectID: k.project, GroupID: k.group, UserID: k.user}).ExtractErr()
	if err != nil {
		return err
	}
	// An assignment is its five IDs, all known now: no read after the
	// create.
	d.SetID(k.id())
	setAssignment(c, d, k)
	d.MarkFresh()
	return nil
}

func setAssignment(c *osfw.Client, d *osfw.Data, k assignmentKey) {
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	d.Set("domain_id", str(k.domain))
	d.Set("project_id", str(k.project))
	d.Set("group_id", str(k.group))
	d.Set("user_id", str(k.user))
	d.Set("role_id", k.role)
	d.Set("region", c.Endpoint.Region)
}

// assignmentQuery is the role_assignments filter of a scope.
func assignmentQuery(k assignmentKey) url.Values {
	q := url.Values{}
	if k.project != "" {
		q.Set("scope.project.id", k.project)
	} else {
		q.Set("scope.domain.id", k.domain)
	}
	return q
}

func readRoleAssignment(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	k, err := parseAssignmentID(d.ID())
	if err != nil {
		return err
	}
	q := assignmentQuery(k)
	q.Set("role.id", k.role)
	if k.user != "" {
		q.Set("user.id", k.user)
	} else {
		q.Set("group.id", k.group)
	}
	all, _, err := listAll[roles.RoleAssignment](ctx, sc, "role_assignments", q, "role_assignments")
	if err != nil {
		return err
	}
	for i := range all {
		if keyOf(&all[i]) == k {
			setAssignment(c, d, k)
			return nil
		}
	}
	d.MarkGone()
	return nil
}

// readRoleAssignments refreshes many assignments with one
// GET /v3/role_assignments per scope (project or domain) they are on, or
// one for the whole cloud when they are on many scopes.
func readRoleAssignments(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	const maxScopes = 4
	keys := make([]assignmentKey, len(ds))
	scopes := map[string]url.Values{}
	for i, d := range ds {
		k, err := parseAssignmentID(d.ID())
		if err != nil {
			d.MarkGone()
			continue
		}
		keys[i] = k
		q := assignmentQuery(k)
		scopes[q.Encode()] = q
	}
	queries := []url.Values{{}}
	if len(scopes) <= maxScopes {
		queries = queries[:0]
		for _, s := range osfw.SortedKeys(scopes) {
			queries = append(queries, scopes[s])
		}
	}
	have := map[assignmentKey]bool{}
	for _, q := range queries {
		all, _, err := listAll[roles.RoleAssignment](ctx, sc, "role_assignments", q, "role_assignments")
		if err != nil {
			if osfw.StatusOf(err) == 403 {
				return readEach(ctx, c, ds, readRoleAssignment)
			}
			return err
		}
		for i := range all {
			have[keyOf(&all[i])] = true
		}
	}
	for i, d := range ds {
		if d.Gone() {
			continue
		}
		if have[keys[i]] {
			setAssignment(c, d, keys[i])
		} else {
			d.MarkGone()
		}
	}
	return nil
}

func deleteRoleAssignment(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	k, err := parseAssignmentID(d.ID())
	if err != nil {
		return err
	}
	return roles.Unassign(ctx, sc, k.role, roles.UnassignOpts{DomainID: k.domain, ProjectID: k.project, GroupID: k.group, UserID: k.user}).ExtractErr()
}
