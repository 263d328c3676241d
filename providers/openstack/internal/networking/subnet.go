package networking

import (
	"context"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// subnet is a subnet as the API returns it.
type subnet struct {
	ID                string   `json:"id"`
	NetworkID         string   `json:"network_id"`
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	CIDR              string   `json:"cidr"`
	GatewayIP         *string  `json:"gateway_ip"`
	IPVersion         int      `json:"ip_version"`
	EnableDHCP        bool     `json:"enable_dhcp"`
	DNSNameservers    []string `json:"dns_nameservers"`
	DNSPublishFixedIP *bool    `json:"dns_publish_fixed_ip"`
	AllocationPools   []struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"allocation_pools"`
	HostRoutes []struct {
		Destination string `json:"destination"`
		NextHop     string `json:"nexthop"`
	} `json:"host_routes"`
	TenantID        string   `json:"tenant_id"`
	ProjectID       string   `json:"project_id"`
	IPv6AddressMode *string  `json:"ipv6_address_mode"`
	IPv6RAMode      *string  `json:"ipv6_ra_mode"`
	SubnetPoolID    *string  `json:"subnetpool_id"`
	SegmentID       *string  `json:"segment_id"`
	ServiceTypes    []string `json:"service_types"`
	Tags            []string `json:"tags"`
}

var poolBlock = plugins.Block{Attributes: map[string]*plugins.Attribute{
	"start": {Type: cty.String, Required: true},
	"end":   {Type: cty.String, Required: true},
}}

var hostRouteBlock = plugins.Block{Attributes: map[string]*plugins.Attribute{
	"destination_cidr": {Type: cty.String, Required: true},
	"next_hop":         {Type: cty.String, Required: true},
}}

// Subnet is openstack_networking_subnet_v2. allocation_pool blocks, when
// given, are the subnet's pools; when absent Neutron's are read.
func Subnet() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_subnet_v2",
		Description: "A Neutron subnet.",
		Tags:        osfw.StringTags,
		Timeouts:    &osfw.Timeouts{Delete: 10 * time.Minute},
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"network_id":           {Type: cty.String, Required: true, ForceNew: true},
				"cidr":                 {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"prefix_length":        {Type: cty.Number, Optional: true, ForceNew: true},
				"name":                 {Type: cty.String, Optional: true},
				"description":          {Type: cty.String, Optional: true},
				"gateway_ip":           {Type: cty.String, Optional: true, Computed: true},
				"no_gateway":           {Type: cty.Bool, Optional: true},
				"ip_version":           {Type: cty.Number, Optional: true, Default: cty.NumberIntVal(4), ForceNew: true},
				"ipv6_address_mode":    {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"ipv6_ra_mode":         {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"enable_dhcp":          {Type: cty.Bool, Optional: true, Default: cty.True},
				"dns_nameservers":      {Type: cty.List(cty.String), Optional: true},
				"dns_publish_fixed_ip": {Type: cty.Bool, Optional: true},
				"subnetpool_id":        {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"tenant_id":            {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"region":               {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"value_specs":          {Type: cty.Map(cty.String), Optional: true, ForceNew: true},
				"service_types":        {Type: cty.Set(cty.String), Optional: true, Computed: true},
				"segment_id":           {Type: cty.String, Optional: true, Computed: true},
			},
			BlockTypes: map[string]*plugins.NestedBlock{
				"allocation_pool": {Nesting: plugins.NestingSet, Block: poolBlock},
				"host_routes":     {Nesting: plugins.NestingList, Block: hostRouteBlock},
			},
		},
		Create:     createSubnet,
		Read:       readSubnet,
		ReadMany:   readSubnets,
		Update:     updateSubnet,
		Delete:     deleteSubnet,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("subnets"),
		Find:       findSubnet,
		Import:     importEmptyBlocks("host_routes"),
		Plan:       computedBlocks("allocation_pool"),
		Validate:   validateSubnet,
	}
}

func validateSubnet(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	if d.Bool("no_gateway") && d.Known("gateway_ip") {
		diags = diags.Errorf(cty.GetAttrPath("no_gateway"), "Conflicting arguments", "no_gateway and gateway_ip cannot both be set.")
	}
	return diags
}

func poolsOf(d *osfw.Data) []map[string]any {
	var out []map[string]any
	for _, p := range d.Blocks("allocation_pool") {
		out = append(out, map[string]any{"start": p.String("start"), "end": p.String("end")})
	}
	return out
}

func routesOf(d *osfw.Data) []map[string]any {
	out := []map[string]any{}
	for _, r := range d.Blocks("host_routes") {
		out = append(out, map[string]any{"destination": r.String("destination_cidr"), "nexthop": r.String("next_hop")})
	}
	return out
}

func createSubnet(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{"network_id": d.String("network_id"), "ip_version": d.Int("ip_version")}
	setStringIfSet(d, body, "cidr", "cidr")
	setIfKnown(d, body, "prefix_length", "prefixlen")
	setStringIfSet(d, body, "name", "name")
	setStringIfSet(d, body, "description", "description")
	setStringIfSet(d, body, "ipv6_address_mode", "ipv6_address_mode")
	setStringIfSet(d, body, "ipv6_ra_mode", "ipv6_ra_mode")
	setStringIfSet(d, body, "subnetpool_id", "subnetpool_id")
	setStringIfSet(d, body, "tenant_id", "tenant_id")
	setStringIfSet(d, body, "segment_id", "segment_id")
	setIfKnown(d, body, "enable_dhcp", "enable_dhcp")
	setIfKnown(d, body, "dns_publish_fixed_ip", "dns_publish_fixed_ip")
	if d.Bool("no_gateway") {
		body["gateway_ip"] = nil
	} else {
		setStringIfSet(d, body, "gateway_ip", "gateway_ip")
	}
	if ns := d.StringList("dns_nameservers"); len(ns) > 0 {
		body["dns_nameservers"] = ns
	}
	if st := d.StringList("service_types"); len(st) > 0 {
		body["service_types"] = st
	}
	if pools := poolsOf(d); len(pools) > 0 {
		body["allocation_pools"] = pools
	}
	if routes := routesOf(d); len(routes) > 0 {
		body["host_routes"] = routes
	}
	valueSpecs(d, body)
	var s subnet
	if err := postInto(ctx, sc, "subnets", "subnet", body, &s); err != nil {
		return err
	}
	d.SetID(s.ID)
	if tags := d.AllTags(); len(tags) > 0 {
		if err := setTags(ctx, sc, "subnets", s.ID, tags); err != nil {
			return err
		}
		s.Tags = tags
	}
	setSubnet(d, &s)
	d.Set("region", c.Endpoint.Region)
	d.MarkFresh()
	return nil
}

func setSubnet(d *osfw.Data, s *subnet) {
	d.SetID(s.ID)
	d.Set("network_id", s.NetworkID)
	d.Set("name", s.Name)
	d.Set("description", s.Description)
	d.Set("cidr", s.CIDR)
	if s.GatewayIP != nil {
		d.Set("gateway_ip", *s.GatewayIP)
	} else {
		d.Set("gateway_ip", "")
	}
	d.Set("ip_version", s.IPVersion)
	d.Set("enable_dhcp", s.EnableDHCP)
	d.Set("dns_nameservers", s.DNSNameservers)
	if d.Known("dns_publish_fixed_ip") || (s.DNSPublishFixedIP != nil && *s.DNSPublishFixedIP) {
		d.Set("dns_publish_fixed_ip", s.DNSPublishFixedIP)
	}
	d.Set("tenant_id", firstNonEmpty(s.TenantID, s.ProjectID))
	d.Set("ipv6_address_mode", s.IPv6AddressMode)
	d.Set("ipv6_ra_mode", s.IPv6RAMode)
	d.Set("subnetpool_id", s.SubnetPoolID)
	d.Set("segment_id", s.SegmentID)
	d.Set("service_types", s.ServiceTypes)
	d.Set("tags", s.Tags)
	var pools []map[string]any
	for _, p := range s.AllocationPools {
		pools = append(pools, map[string]any{"start": p.Start, "end": p.End})
	}
	d.SetBlocks("allocation_pool", pools)
	var routes []map[string]any
	for _, r := range s.HostRoutes {
		routes = append(routes, map[string]any{"destination_cidr": r.Destination, "next_hop": r.NextHop})
	}
	setBlocksKeepNull(d, "host_routes", routes)
}

func readSubnet(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var s subnet
	if err := getInto(ctx, sc, "subnets", "subnet", d.ID(), &s); err != nil {
		return err
	}
	setSubnet(d, &s)
	d.Set("region", c.Endpoint.Region)
	return nil
}

func readSubnets(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	return readManyByID(ctx, c, "subnets", ds, func(s *subnet) string { return s.ID }, setSubnet)
}

func updateSubnet(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{}
	putString(d, body, "name", "name")
	putString(d, body, "description", "description")
	putBool(d, body, "enable_dhcp", "enable_dhcp")
	putBool(d, body, "dns_publish_fixed_ip", "dns_publish_fixed_ip")
	if d.HasChange("no_gateway") || d.HasChange("gateway_ip") {
		switch {
		case d.Bool("no_gateway"):
			body["gateway_ip"] = nil
		case d.Known("gateway_ip") && d.String("gateway_ip") != "":
			body["gateway_ip"] = d.String("gateway_ip")
		}
	}
	if d.HasChange("dns_nameservers") {
		ns := d.StringList("dns_nameservers")
		if ns == nil {
			ns = []string{}
		}
		body["dns_nameservers"] = ns
	}
	if d.HasChange("service_types") && d.Known("service_types") {
		body["service_types"] = d.StringList("service_types")
	}
	if d.HasChange("segment_id") && d.Known("segment_id") {
		body["segment_id"] = d.String("segment_id")
	}
	if d.HasChange("allocation_pool") && d.Get("allocation_pool").IsWhollyKnown() {
		if pools := poolsOf(d); len(pools) > 0 {
			body["allocation_pools"] = pools
		}
	}
	if d.HasChange("host_routes") {
		body["host_routes"] = routesOf(d)
	}
	if len(body) > 0 {
		if err := putObject(ctx, sc, "subnets", "subnet", d.ID(), body); err != nil {
			return err
		}
	}
	if d.HasChange("all_tags") || d.HasChange("tags") {
		return setTags(ctx, sc, "subnets", d.ID(), d.AllTags())
	}
	return nil
}

func deleteSubnet(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return deleteWhileInUse(ctx, d.Timeout("delete"), func() error { return deleteObject(ctx, sc, "subnets", d.ID()) })
}

func findSubnet(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	return findByName[subnet](ctx, c, "subnets", d, func(s *subnet) string { return s.ID })
}
