package networking

import (
	"context"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// quotaFields are the Neutron quotas openstack_networking_quota_v2 sets,
// by attribute name (the API's names too).
var quotaFields = []string{"floatingip", "network", "port", "rbac_policy", "router", "security_group", "security_group_rule", "subnet", "subnetpool"}

// Quota is openstack_networking_quota_v2: a project's Neutron quotas.
// Deleting it puts the project back on the defaults. Its id is the
// project's ID (the reference provider's "<project>/<region>" is taken at
// import too).
func Quota() *osfw.Resource {
	attrs := map[string]*plugins.Attribute{
		"project_id": {Type: cty.String, Required: true, ForceNew: true},
		"region":     {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
	}
	for _, f := range quotaFields {
		attrs[f] = &plugins.Attribute{Type: cty.Number, Optional: true, Computed: true}
	}
	return &osfw.Resource{
		Type:        "openstack_networking_quota_v2",
		Description: "A project's Neutron quotas (-1 is unlimited).",
		Block:       &plugins.Block{Attributes: attrs},
		Create:      updateQuota,
		Read:        readQuota,
		Update:      updateQuota,
		Delete:      deleteQuota,
		Import: func(_ context.Context, _ *osfw.Client, d *osfw.Data) error {
			id := d.ID()
			for i := range len(id) {
				if id[i] == '/' {
					id = id[:i]
					break
				}
			}
			d.SetID(id)
			d.Set("project_id", id)
			return nil
		},
	}
}

func updateQuota(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{}
	for _, f := range quotaFields {
		if d.Known(f) && d.HasChange(f) {
			body[f] = d.Int(f)
		}
	}
	project := d.String("project_id")
	if len(body) > 0 {
		if err := putObject(ctx, sc, "quotas", "quota", project, body); err != nil {
			return err
		}
	}
	d.SetID(project)
	return nil
}

func readQuota(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var q map[string]any
	if err := getInto(ctx, sc, "quotas", "quota", d.ID(), &q); err != nil {
		return err
	}
	d.Set("project_id", d.ID())
	for _, f := range quotaFields {
		if n, ok := q[f].(float64); ok {
			d.Set(f, int(n))
		}
	}
	d.Set("region", c.Endpoint.Region)
	return nil
}

func deleteQuota(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return deleteObject(ctx, sc, "quotas", d.ID())
}
