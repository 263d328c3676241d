package identity

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// Project is openstack_identity_project_v3.
func Project() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_identity_project_v3",
		Description: "A Keystone project (or, with is_domain, a domain).",
		Tags:        osfw.StringTags,
		// Deleting waits for the project's sub-projects to go first.
		Timeouts: &osfw.Timeouts{Delete: 2 * time.Minute},
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":      regionAttr(),
			"name":        {Type: cty.String, Optional: true},
			"description": {Type: cty.String, Optional: true},
			"domain_id":   {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"enabled":     {Type: cty.Bool, Optional: true, Default: cty.True},
			"is_domain":   {Type: cty.Bool, Optional: true, Default: cty.False, ForceNew: true},
			"parent_id":   {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"extra":       {Type: cty.Map(cty.String), Optional: true, Description: "Free-form attributes of the project."},
		}},
		Create:     createProject,
		Read:       readProject,
		ReadMany:   readProjects,
		Update:     updateProject,
		Delete:     deleteProject,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("projects"),
		Find:       findProject,
	}
}

func createProject(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	opts := projects.CreateOpts{
		Name: d.String("name"), Description: d.String("description"), DomainID: d.String("domain_id"),
		Enabled: d.BoolPtr("enabled"), IsDomain: d.BoolPtr("is_domain"), ParentID: d.String("parent_id"),
		Tags: d.AllTags(), Extra: extraMap(d),
	}
	p, err := projects.Create(ctx, sc, opts).Extract()
	if err != nil {
		return err
	}
	// The answer is the whole project: no read after the create.
	setProject(d, p)
	d.Set("region", c.Endpoint.Region)
	d.MarkFresh()
	return nil
}

func setProject(d *osfw.Data, p *projects.Project) {
	d.SetID(p.ID)
	d.Set("name", p.Name)
	d.Set("description", p.Description)
	d.Set("domain_id", p.DomainID)
	d.Set("enabled", p.Enabled)
	d.Set("is_domain", p.IsDomain)
	d.Set("parent_id", p.ParentID)
	d.Set("extra", extraStrings(p.Extra))
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	d.Set("tags", tags)
}

func readProject(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	p, err := projects.Get(ctx, sc, d.ID()).Extract()
	if err != nil {
		return err
	}
	setProject(d, p)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// readProjects refreshes many projects with one list request (of their
// domain when they share one).
func readProjects(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	q := url.Values{}
	if dom := sameDomain(ds); dom != "" {
		q.Set("domain_id", dom)
	}
	all, _, err := listAll[projects.Project](ctx, sc, "projects", q, "projects")
	if err != nil {
		if osfw.StatusOf(err) == 403 {
			return readEach(ctx, c, ds, readProject)
		}
		return err
	}
	return refreshFromList(ctx, c, ds, all, func(p *projects.Project) string { return p.ID }, setProject, readProject)
}

func updateProject(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	var opts projects.UpdateOpts
	changed := false
	if d.HasChange("name") {
		opts.Name, changed = d.String("name"), true
	}
	if d.HasChange("description") {
		opts.Description, changed = ptr(d.String("description")), true
	}
	if d.HasChange("enabled") {
		opts.Enabled, changed = ptr(d.Bool("enabled")), true
	}
	if d.HasChange("extra") {
		opts.Extra, changed = extraChange(d), true
	}
	if d.HasChange("tags") || d.HasChange("all_tags") {
		tags := d.AllTags()
		if tags == nil {
			tags = []string{}
		}
		opts.Tags, changed = &tags, true
	}
	if !changed {
		return nil
	}
	_, err = projects.Update(ctx, sc, d.ID(), opts).Extract()
	return err
}

func deleteProject(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	if d.Bool("is_domain") {
		// A domain must be disabled before it can be deleted.
		if _, err := projects.Update(ctx, sc, d.ID(), projects.UpdateOpts{Enabled: ptr(false)}).Extract(); err != nil {
			return err
		}
	}
	// Keystone refuses to delete a project with sub-projects; when they
	// are being deleted at the same time (a destroy ordered by an
	// incomplete dependency record, after an import), wait for them.
	return osfw.Wait(ctx, "deleting project "+d.ID(), d.Timeout("delete"), []string{"deleted"}, nil, func(ctx context.Context) (osfw.Poll, error) {
		err := projects.Delete(ctx, sc, d.ID()).ExtractErr()
		switch {
		case err == nil:
			return osfw.Poll{Gone: true}, nil
		case osfw.StatusOf(err) == 403 && strings.Contains(osfw.APIMessage(err), "not a leaf"):
			return osfw.Poll{Status: "has sub-projects"}, nil
		}
		return osfw.Poll{}, err
	})
}

// findProject looks for the project by name in its domain.
func findProject(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
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
	all, _, err := listAll[projects.Project](ctx, sc, "projects", q, "projects")
	if err != nil || len(all) != 1 {
		return false, err
	}
	d.SetID(all[0].ID)
	return true, nil
}

func ptr[T any](v T) *T { return &v }
