package networking

import (
	"context"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// port is a port as the API returns it.
type port struct {
	ID           string `json:"id"`
	NetworkID    string `json:"network_id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	AdminStateUp bool   `json:"admin_state_up"`
	Status       string `json:"status"`
	MACAddress   string `json:"mac_address"`
	FixedIPs     []struct {
		SubnetID  string `json:"subnet_id"`
		IPAddress string `json:"ip_address"`
	} `json:"fixed_ips"`
	TenantID            string   `json:"tenant_id"`
	ProjectID           string   `json:"project_id"`
	DeviceOwner         string   `json:"device_owner"`
	DeviceID            string   `json:"device_id"`
	SecurityGroups      []string `json:"security_groups"`
	PortSecurityEnabled *bool    `json:"port_security_enabled"`
	AllowedAddressPairs []struct {
		IPAddress  string `json:"ip_address"`
		MACAddress string `json:"mac_address"`
	} `json:"allowed_address_pairs"`
	DNSName *string  `json:"dns_name"`
	Tags    []string `json:"tags"`
}

var portFixedIPBlock = plugins.Block{Attributes: map[string]*plugins.Attribute{
	"subnet_id":  {Type: cty.String, Optional: true},
	"ip_address": {Type: cty.String, Optional: true},
}}

var addressPairBlock = plugins.Block{Attributes: map[string]*plugins.Attribute{
	"ip_address":  {Type: cty.String, Required: true},
	"mac_address": {Type: cty.String, Optional: true},
}}

// Port is openstack_networking_port_v2. fixed_ip blocks are what the port
// is asked for (the addresses it got are all_fixed_ips).
func Port() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_port_v2",
		Description: "A Neutron port.",
		Tags:        osfw.StringTags,
		Timeouts:    &osfw.Timeouts{},
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"network_id":             {Type: cty.String, Required: true, ForceNew: true},
				"name":                   {Type: cty.String, Optional: true},
				"description":            {Type: cty.String, Optional: true},
				"admin_state_up":         {Type: cty.Bool, Optional: true, Computed: true},
				"mac_address":            {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"tenant_id":              {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"device_owner":           {Type: cty.String, Optional: true, Computed: true},
				"device_id":              {Type: cty.String, Optional: true, Computed: true},
				"security_group_ids":     {Type: cty.Set(cty.String), Optional: true, Computed: true},
				"no_security_groups":     {Type: cty.Bool, Optional: true},
				"no_fixed_ip":            {Type: cty.Bool, Optional: true},
				"port_security_enabled":  {Type: cty.Bool, Optional: true, Computed: true},
				"dns_name":               {Type: cty.String, Optional: true, Computed: true},
				"value_specs":            {Type: cty.Map(cty.String), Optional: true, ForceNew: true},
				"region":                 {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"all_fixed_ips":          {Type: cty.List(cty.String), Computed: true},
				"all_security_group_ids": {Type: cty.Set(cty.String), Computed: true},
			},
			BlockTypes: map[string]*plugins.NestedBlock{
				"fixed_ip":              {Nesting: plugins.NestingList, Block: portFixedIPBlock},
				"allowed_address_pairs": {Nesting: plugins.NestingSet, Block: addressPairBlock},
			},
		},
		Create:           createPort,
		Read:             readPort,
		ReadMany:         readPorts,
		Update:           updatePort,
		Delete:           deletePort,
		Mark:             osfw.MarkDescription,
		ListMarked:       listMarked("ports"),
		Find:             findPort,
		Import:           importPort,
		ComputedOnUpdate: []string{"all_fixed_ips", "all_security_group_ids"},
		Validate: func(d *osfw.Data) plugins.Diagnostics {
			var diags plugins.Diagnostics
			if d.Bool("no_security_groups") && len(d.StringList("security_group_ids")) > 0 {
				diags = diags.Errorf(cty.GetAttrPath("no_security_groups"), "Conflicting arguments", "no_security_groups and security_group_ids cannot both be set.")
			}
			if d.Bool("no_fixed_ip") && len(d.Blocks("fixed_ip")) > 0 {
				diags = diags.Errorf(cty.GetAttrPath("no_fixed_ip"), "Conflicting arguments", "no_fixed_ip and fixed_ip cannot both be set.")
			}
			return diags
		},
	}
}

func portFixedIPs(d *osfw.Data) []map[string]any {
	out := []map[string]any{}
	for _, ip := range d.Blocks("fixed_ip") {
		e := map[string]any{}
		if s := ip.String("subnet_id"); s != "" {
			e["subnet_id"] = s
		}
		if a := ip.String("ip_address"); a != "" {
			e["ip_address"] = a
		}
		out = append(out, e)
	}
	return out
}

func addressPairs(d *osfw.Data) []map[string]any {
	out := []map[string]any{}
	for _, p := range d.Blocks("allowed_address_pairs") {
		e := map[string]any{"ip_address": p.String("ip_address")}
		if m := p.String("mac_address"); m != "" {
			e["mac_address"] = m
		}
		out = append(out, e)
	}
	return out
}

// portSecurityGroups is what to send as security_groups: nil to leave
// Neutron's default (the project's default group).
func portSecurityGroups(d *osfw.Data) []string {
	if d.Bool("no_security_groups") {
		return []string{}
	}
	if sg := d.StringList("security_group_ids"); len(sg) > 0 {
		return sg
	}
	return nil
}

func createPort(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{"network_id": d.String("network_id")}
	setStringIfSet(d, body, "name", "name")
	setStringIfSet(d, body, "description", "description")
	setIfKnown(d, body, "admin_state_up", "admin_state_up")
	setStringIfSet(d, body, "mac_address", "mac_address")
	setStringIfSet(d, body, "tenant_id", "tenant_id")
	setStringIfSet(d, body, "device_owner", "device_owner")
	setStringIfSet(d, body, "device_id", "device_id")
	setStringIfSet(d, body, "dns_name", "dns_name")
	setIfKnown(d, body, "port_security_enabled", "port_security_enabled")
	if sg := portSecurityGroups(d); sg != nil {
		body["security_groups"] = sg
	}
	if d.Bool("no_fixed_ip") {
		body["fixed_ips"] = []any{}
	} else if ips := portFixedIPs(d); len(ips) > 0 {
		body["fixed_ips"] = ips
	}
	if pairs := addressPairs(d); len(pairs) > 0 {
		body["allowed_address_pairs"] = pairs
	}
	valueSpecs(d, body)
	var p port
	if err := postInto(ctx, sc, "ports", "port", body, &p); err != nil {
		return err
	}
	d.SetID(p.ID)
	if tags := d.AllTags(); len(tags) > 0 {
		return setTags(ctx, sc, "ports", p.ID, tags)
	}
	return nil
}

func setPort(d *osfw.Data, p *port) {
	d.SetID(p.ID)
	d.Set("network_id", p.NetworkID)
	d.Set("name", p.Name)
	d.Set("description", p.Description)
	d.Set("admin_state_up", p.AdminStateUp)
	d.Set("mac_address", p.MACAddress)
	d.Set("tenant_id", firstNonEmpty(p.TenantID, p.ProjectID))
	d.Set("device_owner", p.DeviceOwner)
	d.Set("device_id", p.DeviceID)
	d.Set("port_security_enabled", p.PortSecurityEnabled)
	d.Set("dns_name", p.DNSName)
	d.Set("tags", p.Tags)
	ips := []string{}
	for _, ip := range p.FixedIPs {
		ips = append(ips, ip.IPAddress)
	}
	d.Set("all_fixed_ips", ips)
	sgs := p.SecurityGroups
	if sgs == nil {
		sgs = []string{}
	}
	d.Set("all_security_group_ids", sgs)
	d.Set("security_group_ids", sgs)
	var pairs []map[string]any
	for _, ap := range p.AllowedAddressPairs {
		e := map[string]any{"ip_address": ap.IPAddress}
		if ap.MACAddress != "" && ap.MACAddress != p.MACAddress {
			e["mac_address"] = ap.MACAddress
		}
		pairs = append(pairs, e)
	}
	setBlocksKeepNull(d, "allowed_address_pairs", pairs)
}

// importPort reads the port's addresses into fixed_ip blocks (otherwise
// they are what the configuration asked for, never refreshed).
func importPort(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var p port
	if err := getInto(ctx, sc, "ports", "port", d.ID(), &p); err != nil {
		return err
	}
	var ips []map[string]any
	for _, ip := range p.FixedIPs {
		ips = append(ips, map[string]any{"subnet_id": ip.SubnetID, "ip_address": ip.IPAddress})
	}
	d.SetBlocks("fixed_ip", ips)
	d.SetBlocks("allowed_address_pairs", nil)
	return nil
}

func readPort(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var p port
	if err := getInto(ctx, sc, "ports", "port", d.ID(), &p); err != nil {
		return err
	}
	setPort(d, &p)
	d.Set("region", c.Endpoint.Region)
	return nil
}

func readPorts(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	return readManyByID(ctx, c, "ports", ds, func(p *port) string { return p.ID }, setPort)
}

func updatePort(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{}
	putString(d, body, "name", "name")
	putString(d, body, "description", "description")
	putBool(d, body, "admin_state_up", "admin_state_up")
	putBool(d, body, "port_security_enabled", "port_security_enabled")
	if d.HasChange("device_owner") && d.Known("device_owner") {
		body["device_owner"] = d.String("device_owner")
	}
	if d.HasChange("device_id") && d.Known("device_id") {
		body["device_id"] = d.String("device_id")
	}
	if d.HasChange("dns_name") && d.Known("dns_name") {
		body["dns_name"] = d.String("dns_name")
	}
	if d.HasChange("security_group_ids") || d.HasChange("no_security_groups") {
		if sg := portSecurityGroups(d); sg != nil {
			body["security_groups"] = sg
		}
	}
	if d.HasChange("fixed_ip") || d.HasChange("no_fixed_ip") {
		if d.Bool("no_fixed_ip") {
			body["fixed_ips"] = []any{}
		} else if ips := portFixedIPs(d); len(ips) > 0 {
			body["fixed_ips"] = ips
		}
	}
	if d.HasChange("allowed_address_pairs") {
		body["allowed_address_pairs"] = addressPairs(d)
	}
	if len(body) > 0 {
		if err := putObject(ctx, sc, "ports", "port", d.ID(), body); err != nil {
			return err
		}
	}
	if d.HasChange("all_tags") || d.HasChange("tags") {
		return setTags(ctx, sc, "ports", d.ID(), d.AllTags())
	}
	return nil
}

func deletePort(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return deleteWhileInUse(ctx, 2*time.Minute, func() error { return deleteObject(ctx, sc, "ports", d.ID()) })
}

func findPort(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	return findByName[port](ctx, c, "ports", d, func(p *port) string { return p.ID })
}
