package compute

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// serverGroup is a Nova server group (microversion 2.64: one policy and
// its rules).
type serverGroup struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Policy  string         `json:"policy"`
	Rules   map[string]int `json:"rules"`
	Members []string       `json:"members"`
}

// ServerGroup is openstack_compute_servergroup_v2.
func ServerGroup() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_compute_servergroup_v2",
		Description: "A Nova server group (affinity or anti-affinity).",
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"region":      region(),
				"name":        {Type: str, Required: true, ForceNew: true},
				"policies":    {Type: strList, Optional: true, Computed: true, ForceNew: true},
				"members":     {Type: strList, Computed: true},
				"value_specs": {Type: strMap, Optional: true, ForceNew: true},
			},
			BlockTypes: map[string]*plugins.NestedBlock{
				"rules": {Nesting: plugins.NestingList, MaxItems: 1, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
					"max_server_per_host": {Type: cty.Number, Optional: true},
				}}},
			},
		},
		Create:   createServerGroup,
		Read:     readServerGroup,
		ReadMany: readServerGroups,
		Delete: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			sc, err := nova(c, "")
			if err != nil {
				return err
			}
			return call(ctx, sc, http.MethodDelete, sc.ServiceURL("os-server-groups", d.ID()), nil, nil, http.StatusNoContent)
		},
		Find: func(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
			all, err := listServerGroups(ctx, c)
			if err != nil {
				return false, err
			}
			var ids []string
			for _, g := range all {
				if g.Name == d.String("name") {
					ids = append(ids, g.ID)
				}
			}
			if len(ids) != 1 {
				return false, nil
			}
			d.SetID(ids[0])
			return true, nil
		},
		Plan: func(_ context.Context, _ *osfw.Client, p *osfw.PlanData) error {
			osfw.KeepEmptyBlocks(p, "rules")
			return nil
		},
		Validate: func(d *osfw.Data) plugins.Diagnostics {
			var diags plugins.Diagnostics
			if p := d.StringList("policies"); len(p) > 1 {
				diags = diags.Errorf(cty.GetAttrPath("policies"), "Invalid value", "A server group has one policy since compute microversion 2.64; got %d.", len(p))
			}
			return diags
		},
	}
}

func createServerGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	body := map[string]any{"name": d.String("name")}
	policy := "affinity"
	if p := d.StringList("policies"); len(p) > 0 {
		policy = p[0]
	}
	body["policy"] = policy
	for _, r := range d.Blocks("rules") {
		if r.Known("max_server_per_host") {
			body["rules"] = map[string]int{"max_server_per_host": r.Int("max_server_per_host")}
		}
	}
	for k, v := range d.StringMap("value_specs") {
		body[k] = v
	}
	var out struct {
		ServerGroup serverGroup `json:"server_group"`
	}
	if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("os-server-groups"), map[string]any{"server_group": body}, &out, http.StatusOK); err != nil {
		return err
	}
	d.SetID(out.ServerGroup.ID)
	return nil
}

func setServerGroup(d *osfw.Data, g *serverGroup, c *osfw.Client) {
	d.SetID(g.ID)
	d.Set("name", g.Name)
	d.Set("policies", []string{g.Policy})
	members := g.Members
	if members == nil {
		members = []string{}
	}
	d.Set("members", members)
	if n, ok := g.Rules["max_server_per_host"]; ok {
		d.SetBlocks("rules", []map[string]any{{"max_server_per_host": n}})
	} else {
		d.SetBlocks("rules", nil)
	}
	d.Set("region", c.Endpoint.Region)
}

func readServerGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	var out struct {
		ServerGroup serverGroup `json:"server_group"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("os-server-groups", d.ID()), nil, &out, http.StatusOK); err != nil {
		return err
	}
	setServerGroup(d, &out.ServerGroup, c)
	return nil
}

func listServerGroups(ctx context.Context, c *osfw.Client) ([]serverGroup, error) {
	sc, err := nova(c, "")
	if err != nil {
		return nil, err
	}
	var all []serverGroup
	err = eachPage(ctx, sc, sc.ServiceURL("os-server-groups"), "server_groups_links", func(p pagination.Page) error {
		var body struct {
			ServerGroups []serverGroup `json:"server_groups"`
		}
		if err := p.(linkedPage).ExtractInto(&body); err != nil {
			return err
		}
		all = append(all, body.ServerGroups...)
		return nil
	})
	return all, err
}

// readServerGroups refreshes the project's server groups with one list;
// one the list lacks is read alone (it may be gone).
func readServerGroups(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	all, err := listServerGroups(ctx, c)
	if err != nil {
		return err
	}
	byID := map[string]*serverGroup{}
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	for _, d := range ds {
		if g := byID[d.ID()]; g != nil {
			setServerGroup(d, g, c)
			continue
		}
		if err := readServerGroup(ctx, c, d); err != nil {
			if osfw.IsNotFound(err) {
				d.MarkGone()
				continue
			}
			return err
		}
	}
	return nil
}

// quotaFields are the compute quotas openstack_compute_quotaset_v2 manages
// (all of compute API 2.1's).
var quotaFields = []string{
	"fixed_ips", "floating_ips", "injected_file_content_bytes", "injected_file_path_bytes", "injected_files",
	"key_pairs", "metadata_items", "ram", "security_group_rules", "security_groups", "cores", "instances",
	"server_groups", "server_group_members",
}

// QuotaSet is openstack_compute_quotaset_v2 (admin). Its ID is
// "<project_id>/<region>"; deleting it resets the project's quotas to the
// defaults.
func QuotaSet() *osfw.Resource {
	attrs := map[string]*plugins.Attribute{
		"region":     region(),
		"project_id": {Type: str, Required: true, ForceNew: true},
	}
	for _, f := range quotaFields {
		attrs[f] = &plugins.Attribute{Type: cty.Number, Optional: true, Computed: true}
	}
	return &osfw.Resource{
		Type:        "openstack_compute_quotaset_v2",
		Description: "The compute quotas of a project (admin).",
		Timeouts:    &osfw.Timeouts{Create: 10 * time.Minute, Update: 10 * time.Minute, Delete: 10 * time.Minute},
		Block:       &plugins.Block{Attributes: attrs},
		Create: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			if err := putQuotas(ctx, c, d, true); err != nil {
				return err
			}
			d.SetID(d.String("project_id") + "/" + c.Endpoint.Region)
			return nil
		},
		Read: readQuotaSet,
		Update: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			return putQuotas(ctx, c, d, false)
		},
		Delete: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			sc, err := nova(c, "2.1")
			if err != nil {
				return err
			}
			return call(ctx, sc, http.MethodDelete, sc.ServiceURL("os-quota-sets", quotaProject(d.ID())), nil, nil, http.StatusAccepted, http.StatusNoContent, http.StatusOK)
		},
	}
}

func quotaProject(id string) string {
	return strings.SplitN(id, "/", 2)[0]
}

// putQuotas sets the configured quotas (on update, the changed ones).
func putQuotas(ctx context.Context, c *osfw.Client, d *osfw.Data, all bool) error {
	sc, err := nova(c, "2.1")
	if err != nil {
		return err
	}
	body := map[string]any{}
	for _, f := range quotaFields {
		if d.Known(f) && (all || d.HasChange(f)) {
			body[f] = d.Int(f)
		}
	}
	if len(body) == 0 && !all {
		return nil
	}
	project := d.String("project_id")
	if err := call(ctx, sc, http.MethodPut, sc.ServiceURL("os-quota-sets", project), map[string]any{"quota_set": body}, nil, http.StatusOK); err != nil {
		return fmt.Errorf("setting the compute quotas of project %s: %w", project, err)
	}
	return nil
}

func readQuotaSet(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "2.1")
	if err != nil {
		return err
	}
	project := quotaProject(d.ID())
	var out struct {
		QuotaSet map[string]any `json:"quota_set"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("os-quota-sets", project), nil, &out, http.StatusOK); err != nil {
		return err
	}
	d.Set("project_id", project)
	d.Set("region", c.Endpoint.Region)
	for _, f := range quotaFields {
		switch v := out.QuotaSet[f].(type) {
		case float64:
			d.Set(f, int(v))
		case json.Number:
			if n, err := v.Int64(); err == nil {
				d.Set(f, int(n))
			}
		}
	}
	return nil
}
