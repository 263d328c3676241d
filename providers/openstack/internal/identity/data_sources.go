package identity

import (
	"context"
	"fmt"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// ProjectData is the openstack_identity_project_v3 data source: one
// project by ID, or by name, domain and the other filters.
func ProjectData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_identity_project_v3",
		Description: "Looks up a Keystone project.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":      regionAttr(),
			"project_id":  {Type: cty.String, Optional: true, Computed: true},
			"name":        {Type: cty.String, Optional: true, Computed: true},
			"domain_id":   {Type: cty.String, Optional: true, Computed: true},
			"enabled":     {Type: cty.Bool, Optional: true, Computed: true},
			"is_domain":   {Type: cty.Bool, Optional: true, Computed: true},
			"parent_id":   {Type: cty.String, Optional: true, Computed: true},
			"description": {Type: cty.String, Computed: true},
			"tags":        {Type: cty.Set(cty.String), Computed: true},
		}},
		Read: readProjectData,
	}
}

func readProjectData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	var found []projects.Project
	if id := d.String("project_id"); id != "" {
		p, err := projects.Get(ctx, sc, id).Extract()
		if err != nil {
			if osfw.IsNotFound(err) {
				return osfw.AttrError("project_id", "no project has the ID %s", id)
			}
			return err
		}
		found = append(found, *p)
	} else {
		q := url.Values{}
		for _, a := range []string{"name", "domain_id", "parent_id"} {
			if v := d.String(a); v != "" {
				q.Set(a, v)
			}
		}
		enabled, isDomain := true, false
		if d.Known("enabled") {
			enabled = d.Bool("enabled")
		}
		if d.Known("is_domain") {
			isDomain = d.Bool("is_domain")
		}
		q.Set("enabled", fmt.Sprint(enabled))
		q.Set("is_domain", fmt.Sprint(isDomain))
		all, _, err := listAll[projects.Project](ctx, sc, "projects", q, "projects")
		if osfw.StatusOf(err) == 403 {
			// Not allowed to list every project: look among one's own.
			all, err = ownProjects(ctx, c, d.String("name"))
		}
		if err != nil {
			return err
		}
		found = all
	}
	switch {
	case len(found) == 0:
		return osfw.AttrError("name", "no project matches the query; change the search criteria and try again")
	case len(found) > 1:
		return osfw.AttrError("name", "%d projects match the query; narrow it (domain_id, parent_id) or use project_id", len(found))
	}
	p := &found[0]
	d.SetID(p.ID)
	d.Set("project_id", p.ID)
	d.Set("name", p.Name)
	d.Set("domain_id", p.DomainID)
	d.Set("enabled", p.Enabled)
	d.Set("is_domain", p.IsDomain)
	d.Set("parent_id", p.ParentID)
	d.Set("description", p.Description)
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	d.Set("tags", tags)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// ownProjects lists the projects of the provider's user with that name.
func ownProjects(ctx context.Context, c *osfw.Client, name string) ([]projects.Project, error) {
	sc, err := identity(c)
	if err != nil {
		return nil, err
	}
	uid, err := currentUserID(ctx, c)
	if err != nil {
		return nil, err
	}
	all, _, err := listAll[projects.Project](ctx, sc, "users/"+uid+"/projects", nil, "projects")
	if err != nil {
		return nil, err
	}
	var out []projects.Project
	for _, p := range all {
		if name == "" || p.Name == name {
			out = append(out, p)
		}
	}
	return out, nil
}

// RoleData is the openstack_identity_role_v3 data source: a role by name.
func RoleData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_identity_role_v3",
		Description: "Looks up a Keystone role by name.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":    regionAttr(),
			"name":      {Type: cty.String, Required: true},
			"domain_id": {Type: cty.String, Optional: true, Computed: true},
		}},
		Read: readRoleData,
	}
}

func readRoleData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	q := url.Values{"name": {d.String("name")}}
	if v := d.String("domain_id"); v != "" {
		q.Set("domain_id", v)
	}
	all, _, err := listAll[roles.Role](ctx, sc, "roles", q, "roles")
	if err != nil {
		return err
	}
	switch {
	case len(all) == 0:
		return osfw.AttrError("name", "no role is named %q", d.String("name"))
	case len(all) > 1:
		return osfw.AttrError("name", "%d roles are named %q; set domain_id", len(all), d.String("name"))
	}
	d.SetID(all[0].ID)
	d.Set("name", all[0].Name)
	d.Set("domain_id", all[0].DomainID)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// AuthScopeData is the openstack_identity_auth_scope_v3 data source: who
// the provider's token is, and on what.
func AuthScopeData() *osfw.DataSource {
	str := func() *plugins.Attribute { return &plugins.Attribute{Type: cty.String, Computed: true} }
	return &osfw.DataSource{
		Type:        "openstack_identity_auth_scope_v3",
		Description: "The user, project or domain and roles of the provider's token.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"name":                {Type: cty.String, Required: true},
			"region":              regionAttr(),
			"user_id":             str(),
			"user_name":           str(),
			"user_domain_id":      str(),
			"user_domain_name":    str(),
			"domain_id":           str(),
			"domain_name":         str(),
			"project_id":          str(),
			"project_name":        str(),
			"project_domain_id":   str(),
			"project_domain_name": str(),
			"roles":               {Type: cty.List(cty.Object(map[string]cty.Type{"role_id": cty.String, "role_name": cty.String})), Computed: true},
			"set_token_id":        {Type: cty.Bool, Optional: true, Description: "Whether to put the token in token_id."},
			"token_id":            {Type: cty.String, Computed: true, Sensitive: true},
		}},
		Read: readAuthScope,
	}
}

func readAuthScope(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	ti, err := currentToken(ctx, c)
	if err != nil {
		return err
	}
	d.SetID(d.String("name"))
	if u := ti.user; u != nil {
		d.Set("user_id", u.ID)
		d.Set("user_name", u.Name)
		d.Set("user_domain_id", u.Domain.ID)
		d.Set("user_domain_name", u.Domain.Name)
	}
	if p := ti.project; p != nil {
		d.Set("project_id", p.ID)
		d.Set("project_name", p.Name)
		d.Set("project_domain_id", p.Domain.ID)
		d.Set("project_domain_name", p.Domain.Name)
	}
	if dm := ti.domain; dm != nil {
		d.Set("domain_id", dm.ID)
		d.Set("domain_name", dm.Name)
	}
	ety := cty.Object(map[string]cty.Type{"role_id": cty.String, "role_name": cty.String})
	var rs []cty.Value
	for _, r := range ti.roles {
		rs = append(rs, cty.ObjectVal(map[string]cty.Value{"role_id": cty.StringVal(r.ID), "role_name": cty.StringVal(r.Name)}))
	}
	if len(rs) == 0 {
		d.Set("roles", cty.ListValEmpty(ety))
	} else {
		d.Set("roles", cty.ListVal(rs))
	}
	if d.Bool("set_token_id") {
		d.Set("token_id", ti.tokenID)
	}
	d.Set("region", c.Endpoint.Region)
	return nil
}
