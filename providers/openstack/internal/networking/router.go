package networking

import (
	"context"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// router is a router as the API returns it.
type router struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Description           string   `json:"description"`
	AdminStateUp          bool     `json:"admin_state_up"`
	Distributed           *bool    `json:"distributed"`
	Status                string   `json:"status"`
	TenantID              string   `json:"tenant_id"`
	ProjectID             string   `json:"project_id"`
	AvailabilityZoneHints []string `json:"availability_zone_hints"`
	Tags                  []string `json:"tags"`
	GatewayInfo           *struct {
		NetworkID        string `json:"network_id"`
		EnableSNAT       *bool  `json:"enable_snat"`
		ExternalFixedIPs []struct {
			SubnetID  string `json:"subnet_id"`
			IPAddress string `json:"ip_address"`
		} `json:"external_fixed_ips"`
	} `json:"external_gateway_info"`
}

var fixedIPBlock = plugins.Block{Attributes: map[string]*plugins.Attribute{
	"subnet_id":  {Type: cty.String, Optional: true},
	"ip_address": {Type: cty.String, Optional: true},
}}

// Router is openstack_networking_router_v2. external_fixed_ip blocks, when
// given, are the gateway's addresses; when absent Neutron picks them and
// they are read (external_fixed_ip[0].ip_address is the gateway address).
func Router() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_router_v2",
		Description: "A Neutron router.",
		Tags:        osfw.StringTags,
		Timeouts:    &osfw.Timeouts{Delete: 10 * time.Minute},
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"name":                    {Type: cty.String, Optional: true},
				"description":             {Type: cty.String, Optional: true},
				"admin_state_up":          {Type: cty.Bool, Optional: true, Computed: true},
				"distributed":             {Type: cty.Bool, Optional: true, Computed: true, ForceNew: true},
				"external_network_id":     {Type: cty.String, Optional: true, Computed: true},
				"external_gateway":        {Type: cty.String, Optional: true, Computed: true, Deprecated: true, Description: "Use external_network_id."},
				"enable_snat":             {Type: cty.Bool, Optional: true, Computed: true},
				"external_subnet_ids":     {Type: cty.Set(cty.String), Optional: true},
				"tenant_id":               {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"region":                  {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"value_specs":             {Type: cty.Map(cty.String), Optional: true, ForceNew: true},
				"availability_zone_hints": {Type: cty.List(cty.String), Optional: true, Computed: true, ForceNew: true},
			},
			BlockTypes: map[string]*plugins.NestedBlock{
				"external_fixed_ip": {Nesting: plugins.NestingList, Block: fixedIPBlock},
			},
		},
		Create:     createRouter,
		Read:       readRouter,
		ReadMany:   readRouters,
		Update:     updateRouter,
		Delete:     deleteRouter,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("routers"),
		Adopted:    adoptedRouter,
		Find:       findRouter,
		Plan:       computedBlocks("external_fixed_ip"),
	}
}

func externalNetwork(d *osfw.Data) string {
	if d.Known("external_network_id") && d.String("external_network_id") != "" {
		return d.String("external_network_id")
	}
	if d.Known("external_gateway") {
		return d.String("external_gateway")
	}
	return ""
}

// gatewayInfo is the external_gateway_info to send, nil for none.
func gatewayInfo(d *osfw.Data) map[string]any {
	net := externalNetwork(d)
	if net == "" {
		return nil
	}
	gw := map[string]any{"network_id": net}
	if d.Known("enable_snat") {
		gw["enable_snat"] = d.Bool("enable_snat")
	}
	var ips []map[string]any
	for _, ip := range d.Blocks("external_fixed_ip") {
		e := map[string]any{}
		if s := ip.String("subnet_id"); s != "" {
			e["subnet_id"] = s
		}
		if a := ip.String("ip_address"); a != "" {
			e["ip_address"] = a
		}
		ips = append(ips, e)
	}
	for _, s := range d.StringList("external_subnet_ids") {
		ips = append(ips, map[string]any{"subnet_id": s})
	}
	if len(ips) > 0 {
		gw["external_fixed_ips"] = ips
	}
	return gw
}

func createRouter(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{}
	setStringIfSet(d, body, "name", "name")
	setStringIfSet(d, body, "description", "description")
	setIfKnown(d, body, "admin_state_up", "admin_state_up")
	setIfKnown(d, body, "distributed", "distributed")
	setStringIfSet(d, body, "tenant_id", "tenant_id")
	if az := d.StringList("availability_zone_hints"); len(az) > 0 {
		body["availability_zone_hints"] = az
	}
	if gw := gatewayInfo(d); gw != nil {
		body["external_gateway_info"] = gw
	}
	valueSpecs(d, body)
	var r router
	if err := postInto(ctx, sc, "routers", "router", body, &r); err != nil {
		return err
	}
	d.SetID(r.ID)
	if tags := d.AllTags(); len(tags) > 0 {
		if err := setTags(ctx, sc, "routers", r.ID, tags); err != nil {
			return err
		}
		r.Tags = tags
	}
	if r.Status == "ACTIVE" || r.Status == "" {
		// The answer is the whole router: no read after the create.
		setRouter(d, &r)
		d.Set("region", c.Endpoint.Region)
		d.MarkFresh()
		return nil
	}
	return waitRouter(ctx, c, d, r.ID)
}

// adoptedRouter waits, as the create would have, for a router found in
// place of a create to become ACTIVE.
func adoptedRouter(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	return waitRouter(ctx, c, d, d.ID())
}

func waitRouter(ctx context.Context, c *osfw.Client, d *osfw.Data, id string) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return osfw.Wait(ctx, "waiting for router "+id, d.Timeout("create"), []string{"ACTIVE"}, nil, func(ctx context.Context) (osfw.Poll, error) {
		var got router
		err := getInto(ctx, sc, "routers", "router", id, &got)
		return osfw.Poll{Status: got.Status}, err
	})
}

func setRouter(d *osfw.Data, r *router) {
	d.SetID(r.ID)
	d.Set("name", r.Name)
	d.Set("description", r.Description)
	d.Set("admin_state_up", r.AdminStateUp)
	d.Set("distributed", r.Distributed)
	d.Set("tenant_id", firstNonEmpty(r.TenantID, r.ProjectID))
	d.Set("availability_zone_hints", r.AvailabilityZoneHints)
	d.Set("tags", r.Tags)
	net := ""
	var snat *bool
	var ips []map[string]any
	if r.GatewayInfo != nil {
		net, snat = r.GatewayInfo.NetworkID, r.GatewayInfo.EnableSNAT
		for _, ip := range r.GatewayInfo.ExternalFixedIPs {
			ips = append(ips, map[string]any{"subnet_id": ip.SubnetID, "ip_address": ip.IPAddress})
		}
	}
	d.Set("external_network_id", net)
	d.Set("external_gateway", net)
	d.Set("enable_snat", snat)
	d.SetBlocks("external_fixed_ip", ips)
}

func readRouter(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var r router
	if err := getInto(ctx, sc, "routers", "router", d.ID(), &r); err != nil {
		return err
	}
	setRouter(d, &r)
	d.Set("region", c.Endpoint.Region)
	return nil
}

func readRouters(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	return readManyByID(ctx, c, "routers", ds, func(r *router) string { return r.ID }, setRouter)
}

func updateRouter(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{}
	putString(d, body, "name", "name")
	putString(d, body, "description", "description")
	putBool(d, body, "admin_state_up", "admin_state_up")
	if d.HasChange("external_network_id") || d.HasChange("external_gateway") || d.HasChange("enable_snat") ||
		(d.HasChange("external_fixed_ip") && d.Get("external_fixed_ip").IsWhollyKnown()) || d.HasChange("external_subnet_ids") {
		if gw := gatewayInfo(d); gw != nil {
			body["external_gateway_info"] = gw
		} else {
			body["external_gateway_info"] = map[string]any{}
		}
	}
	if len(body) > 0 {
		if err := putObject(ctx, sc, "routers", "router", d.ID(), body); err != nil {
			return err
		}
	}
	if d.HasChange("all_tags") || d.HasChange("tags") {
		return setTags(ctx, sc, "routers", d.ID(), d.AllTags())
	}
	return nil
}

// deleteRouter deletes the router, waiting while interfaces being removed
// still hold it.
func deleteRouter(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return deleteWhileInUse(ctx, d.Timeout("delete"), func() error { return deleteObject(ctx, sc, "routers", d.ID()) })
}

func findRouter(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	return findByName[router](ctx, c, "routers", d, func(r *router) string { return r.ID })
}
