package networking

import (
	"context"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// SecGroupRule is openstack_networking_secgroup_rule_v2: one rule of a
// group whose rules are not inline. Every argument forces a new rule.
func SecGroupRule() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_secgroup_rule_v2",
		Description: "A security group rule.",
		Timeouts:    &osfw.Timeouts{},
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"security_group_id":       {Type: cty.String, Required: true, ForceNew: true},
			"direction":               {Type: cty.String, Required: true, ForceNew: true},
			"ethertype":               {Type: cty.String, Optional: true, Default: cty.StringVal("IPv4"), ForceNew: true},
			"protocol":                {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"port_range_min":          {Type: cty.Number, Optional: true, Computed: true, ForceNew: true},
			"port_range_max":          {Type: cty.Number, Optional: true, Computed: true, ForceNew: true},
			"remote_ip_prefix":        {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"remote_group_id":         {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"remote_address_group_id": {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"description":             {Type: cty.String, Optional: true, ForceNew: true},
			"tenant_id":               {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"region":                  {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
		}},
		Create:     createSecGroupRule,
		Read:       readSecGroupRule,
		ReadMany:   readSecGroupRules,
		Delete:     deleteSecGroupRule,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("security-group-rules"),
		Validate: func(d *osfw.Data) plugins.Diagnostics {
			var diags plugins.Diagnostics
			if err := checkRule(d); err != "" {
				diags = diags.Errorf(nil, "Invalid rule", "%s", err)
			}
			return diags
		},
	}
}

func createSecGroupRule(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{"security_group_id": d.String("security_group_id"), "direction": d.String("direction"), "ethertype": d.String("ethertype")}
	if p := d.String("protocol"); p != "" && p != "any" {
		body["protocol"] = p
	}
	// As in the reference provider, 0 and 0 mean no ports.
	if !(d.Int("port_range_min") == 0 && d.Int("port_range_max") == 0) {
		setIfKnown(d, body, "port_range_min", "port_range_min")
		setIfKnown(d, body, "port_range_max", "port_range_max")
	}
	setStringIfSet(d, body, "remote_ip_prefix", "remote_ip_prefix")
	setStringIfSet(d, body, "remote_group_id", "remote_group_id")
	setStringIfSet(d, body, "remote_address_group_id", "remote_address_group_id")
	setStringIfSet(d, body, "description", "description")
	setStringIfSet(d, body, "tenant_id", "tenant_id")
	r, err := rulesOf(c, sc).create(ctx, body)
	if err != nil {
		return err
	}
	setSecGroupRule(d, &r)
	d.Set("region", c.Endpoint.Region)
	d.MarkFresh()
	return nil
}

func setSecGroupRule(d *osfw.Data, r *sgRule) {
	d.SetID(r.ID)
	d.Set("security_group_id", r.SecurityGroupID)
	d.Set("direction", r.Direction)
	d.Set("ethertype", r.EtherType)
	proto := deref(r.Protocol)
	if proto == "" && d.Known("protocol") && (d.String("protocol") == "any" || d.String("protocol") == "") {
		proto = d.String("protocol")
	}
	d.Set("protocol", proto)
	num := func(name string, p *int) {
		switch {
		case p != nil:
			d.Set(name, *p)
		default:
			d.Set(name, 0)
		}
	}
	num("port_range_min", r.PortRangeMin)
	num("port_range_max", r.PortRangeMax)
	d.Set("remote_ip_prefix", deref(r.RemoteIPPrefix))
	d.Set("remote_group_id", deref(r.RemoteGroupID))
	d.Set("remote_address_group_id", deref(r.RemoteAddressGroupID))
	d.Set("description", deref(r.Description))
	d.Set("tenant_id", firstNonEmpty(r.TenantID, r.ProjectID))
}

func readSecGroupRule(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var r sgRule
	if err := getInto(ctx, sc, "security-group-rules", "security_group_rule", d.ID(), &r); err != nil {
		return err
	}
	setSecGroupRule(d, &r)
	d.Set("region", c.Endpoint.Region)
	return nil
}

func readSecGroupRules(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	return readManyByID(ctx, c, "security-group-rules", ds, func(r *sgRule) string { return r.ID }, setSecGroupRule)
}

func deleteSecGroupRule(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return deleteObject(ctx, sc, "security-group-rules", d.ID())
}
