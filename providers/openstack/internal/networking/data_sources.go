package networking

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// oneOf says that a data source found no object, or too many.
func oneOf(kind string, n int, q url.Values) error {
	if n == 0 {
		return fmt.Errorf("no %s matches %s", kind, describe(q))
	}
	return fmt.Errorf("%d %ss match %s: narrow the arguments down to one", n, kind, describe(q))
}

func describe(q url.Values) string {
	if len(q) == 0 {
		return "(no filter)"
	}
	var parts []string
	for _, k := range osfw.SortedKeys(q) {
		parts = append(parts, k+"="+strings.Join(q[k], ","))
	}
	return strings.Join(parts, " ")
}

func queryString(d *osfw.Data, q url.Values, attr, field string) {
	if s := d.String(attr); s != "" {
		q.Set(field, s)
	}
}

func queryTags(d *osfw.Data, q url.Values) {
	if tags := d.StringList("tags"); len(tags) > 0 {
		q.Set("tags", strings.Join(tags, ","))
	}
}

// NetworkData is the openstack_networking_network_v2 data source.
func NetworkData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_networking_network_v2",
		Description: "Looks up one Neutron network.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"network_id":              {Type: cty.String, Optional: true, Computed: true},
			"name":                    {Type: cty.String, Optional: true, Computed: true},
			"description":             {Type: cty.String, Optional: true, Computed: true},
			"status":                  {Type: cty.String, Optional: true, Computed: true},
			"external":                {Type: cty.Bool, Optional: true, Computed: true},
			"matching_subnet_cidr":    {Type: cty.String, Optional: true},
			"tenant_id":               {Type: cty.String, Optional: true, Computed: true},
			"mtu":                     {Type: cty.Number, Optional: true, Computed: true},
			"tags":                    {Type: cty.Set(cty.String), Optional: true},
			"region":                  {Type: cty.String, Optional: true, Computed: true},
			"admin_state_up":          {Type: cty.String, Computed: true},
			"shared":                  {Type: cty.String, Computed: true},
			"subnets":                 {Type: cty.List(cty.String), Computed: true},
			"all_tags":                {Type: cty.Set(cty.String), Computed: true},
			"availability_zone_hints": {Type: cty.List(cty.String), Computed: true},
		}},
		Read: readNetworkData,
	}
}

// networkDS is a network as the data source and lookups read it.
type networkDS struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Description           string   `json:"description"`
	Status                string   `json:"status"`
	External              bool     `json:"router:external"`
	TenantID              string   `json:"tenant_id"`
	MTU                   int      `json:"mtu"`
	AdminStateUp          bool     `json:"admin_state_up"`
	Shared                bool     `json:"shared"`
	Subnets               []string `json:"subnets"`
	Tags                  []string `json:"tags"`
	AvailabilityZoneHints []string `json:"availability_zone_hints"`
}

func readNetworkData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	q := url.Values{}
	queryString(d, q, "network_id", "id")
	queryString(d, q, "name", "name")
	queryString(d, q, "description", "description")
	queryString(d, q, "status", "status")
	queryString(d, q, "tenant_id", "tenant_id")
	if d.Known("external") {
		q.Set("router:external", fmt.Sprint(d.Bool("external")))
	}
	if d.Known("mtu") {
		q.Set("mtu", fmt.Sprint(d.Int("mtu")))
	}
	queryTags(d, q)
	var found []networkDS
	if err := list(ctx, sc, "networks", q, func(n *networkDS) { found = append(found, *n) }); err != nil {
		return err
	}
	if cidr := d.String("matching_subnet_cidr"); cidr != "" {
		var keep []networkDS
		for _, n := range found {
			var subs []subnet
			if err := list(ctx, sc, "subnets", url.Values{"network_id": {n.ID}}, func(s *subnet) { subs = append(subs, *s) }); err != nil {
				return err
			}
			for _, s := range subs {
				if sameCIDR(s.CIDR, cidr) {
					keep = append(keep, n)
					break
				}
			}
		}
		found = keep
	}
	if len(found) != 1 {
		return oneOf("network", len(found), q)
	}
	n := found[0]
	d.SetID(n.ID)
	d.Set("network_id", n.ID)
	d.Set("name", n.Name)
	d.Set("description", n.Description)
	d.Set("status", n.Status)
	d.Set("external", n.External)
	d.Set("tenant_id", n.TenantID)
	d.Set("mtu", n.MTU)
	d.Set("admin_state_up", fmt.Sprint(n.AdminStateUp))
	d.Set("shared", fmt.Sprint(n.Shared))
	d.Set("subnets", n.Subnets)
	d.Set("all_tags", n.Tags)
	d.Set("availability_zone_hints", n.AvailabilityZoneHints)
	d.Set("region", c.Endpoint.Region)
	return nil
}

func sameCIDR(a, b string) bool {
	_, na, err1 := net.ParseCIDR(a)
	_, nb, err2 := net.ParseCIDR(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return na.String() == nb.String()
}

// SubnetData is the openstack_networking_subnet_v2 data source.
func SubnetData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_networking_subnet_v2",
		Description: "Looks up one Neutron subnet.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"subnet_id":         {Type: cty.String, Optional: true, Computed: true},
			"name":              {Type: cty.String, Optional: true, Computed: true},
			"description":       {Type: cty.String, Optional: true, Computed: true},
			"network_id":        {Type: cty.String, Optional: true, Computed: true},
			"cidr":              {Type: cty.String, Optional: true, Computed: true},
			"ip_version":        {Type: cty.Number, Optional: true, Computed: true},
			"gateway_ip":        {Type: cty.String, Optional: true, Computed: true},
			"enable_dhcp":       {Type: cty.Bool, Optional: true, Computed: true},
			"dhcp_enabled":      {Type: cty.Bool, Optional: true, Deprecated: true},
			"dhcp_disabled":     {Type: cty.Bool, Optional: true, Deprecated: true},
			"ipv6_address_mode": {Type: cty.String, Optional: true, Computed: true},
			"ipv6_ra_mode":      {Type: cty.String, Optional: true, Computed: true},
			"subnetpool_id":     {Type: cty.String, Optional: true, Computed: true},
			"tenant_id":         {Type: cty.String, Optional: true, Computed: true},
			"tags":              {Type: cty.Set(cty.String), Optional: true},
			"region":            {Type: cty.String, Optional: true, Computed: true},
			"dns_nameservers":   {Type: cty.List(cty.String), Computed: true},
			"all_tags":          {Type: cty.Set(cty.String), Computed: true},
			"service_types":     {Type: cty.List(cty.String), Computed: true},
			"allocation_pools":  {Type: cty.List(cty.Object(map[string]cty.Type{"start": cty.String, "end": cty.String})), Computed: true},
			"host_routes":       {Type: cty.List(cty.Object(map[string]cty.Type{"destination_cidr": cty.String, "next_hop": cty.String})), Computed: true},
		}},
		Read: readSubnetData,
	}
}

func readSubnetData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	q := url.Values{}
	queryString(d, q, "subnet_id", "id")
	queryString(d, q, "name", "name")
	queryString(d, q, "description", "description")
	queryString(d, q, "network_id", "network_id")
	queryString(d, q, "cidr", "cidr")
	queryString(d, q, "gateway_ip", "gateway_ip")
	queryString(d, q, "ipv6_address_mode", "ipv6_address_mode")
	queryString(d, q, "ipv6_ra_mode", "ipv6_ra_mode")
	queryString(d, q, "subnetpool_id", "subnetpool_id")
	queryString(d, q, "tenant_id", "tenant_id")
	if d.Known("ip_version") {
		q.Set("ip_version", fmt.Sprint(d.Int("ip_version")))
	}
	switch {
	case d.Known("enable_dhcp"):
		q.Set("enable_dhcp", fmt.Sprint(d.Bool("enable_dhcp")))
	case d.Bool("dhcp_enabled"):
		q.Set("enable_dhcp", "true")
	case d.Bool("dhcp_disabled"):
		q.Set("enable_dhcp", "false")
	}
	queryTags(d, q)
	var found []subnet
	if err := list(ctx, sc, "subnets", q, func(s *subnet) { found = append(found, *s) }); err != nil {
		return err
	}
	if len(found) != 1 {
		return oneOf("subnet", len(found), q)
	}
	s := found[0]
	d.SetID(s.ID)
	d.Set("subnet_id", s.ID)
	d.Set("name", s.Name)
	d.Set("description", s.Description)
	d.Set("network_id", s.NetworkID)
	d.Set("cidr", s.CIDR)
	d.Set("ip_version", s.IPVersion)
	d.Set("gateway_ip", deref(s.GatewayIP))
	d.Set("enable_dhcp", s.EnableDHCP)
	d.Set("ipv6_address_mode", deref(s.IPv6AddressMode))
	d.Set("ipv6_ra_mode", deref(s.IPv6RAMode))
	d.Set("subnetpool_id", deref(s.SubnetPoolID))
	d.Set("tenant_id", firstNonEmpty(s.TenantID, s.ProjectID))
	d.Set("dns_nameservers", s.DNSNameservers)
	d.Set("all_tags", s.Tags)
	d.Set("service_types", s.ServiceTypes)
	pools := []cty.Value{}
	for _, p := range s.AllocationPools {
		pools = append(pools, cty.ObjectVal(map[string]cty.Value{"start": cty.StringVal(p.Start), "end": cty.StringVal(p.End)}))
	}
	routes := []cty.Value{}
	for _, r := range s.HostRoutes {
		routes = append(routes, cty.ObjectVal(map[string]cty.Value{"destination_cidr": cty.StringVal(r.Destination), "next_hop": cty.StringVal(r.NextHop)}))
	}
	d.Set("allocation_pools", listOrEmpty(pools, cty.Object(map[string]cty.Type{"start": cty.String, "end": cty.String})))
	d.Set("host_routes", listOrEmpty(routes, cty.Object(map[string]cty.Type{"destination_cidr": cty.String, "next_hop": cty.String})))
	d.Set("region", c.Endpoint.Region)
	return nil
}

func listOrEmpty(vals []cty.Value, ety cty.Type) cty.Value {
	if len(vals) == 0 {
		return cty.ListValEmpty(ety)
	}
	return cty.ListVal(vals)
}

// SecGroupData is the openstack_networking_secgroup_v2 data source.
func SecGroupData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_networking_secgroup_v2",
		Description: "Looks up one security group.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"secgroup_id": {Type: cty.String, Optional: true, Computed: true},
			"name":        {Type: cty.String, Optional: true, Computed: true},
			"description": {Type: cty.String, Optional: true, Computed: true},
			"tenant_id":   {Type: cty.String, Optional: true, Computed: true},
			"stateful":    {Type: cty.Bool, Optional: true, Computed: true},
			"tags":        {Type: cty.Set(cty.String), Optional: true},
			"region":      {Type: cty.String, Optional: true, Computed: true},
			"all_tags":    {Type: cty.Set(cty.String), Computed: true},
		}},
		Read: readSecGroupData,
	}
}

func readSecGroupData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	q := url.Values{}
	queryString(d, q, "secgroup_id", "id")
	queryString(d, q, "name", "name")
	queryString(d, q, "description", "description")
	queryString(d, q, "tenant_id", "tenant_id")
	if d.Known("stateful") {
		q.Set("stateful", fmt.Sprint(d.Bool("stateful")))
	}
	queryTags(d, q)
	// The rules are not needed: ask for the group's own fields only.
	qf := url.Values{}
	for k, v := range q {
		qf[k] = v
	}
	for _, f := range []string{"id", "name", "description", "tenant_id", "project_id", "stateful", "tags"} {
		qf.Add("fields", f)
	}
	var found []secGroup
	if err := list(ctx, sc, "security-groups", qf, func(g *secGroup) { found = append(found, *g) }); err != nil {
		return err
	}
	if len(found) != 1 {
		return oneOf("security group", len(found), q)
	}
	g := found[0]
	d.SetID(g.ID)
	d.Set("secgroup_id", g.ID)
	d.Set("name", g.Name)
	d.Set("description", g.Description)
	d.Set("tenant_id", firstNonEmpty(g.TenantID, g.ProjectID))
	d.Set("stateful", g.Stateful)
	d.Set("all_tags", g.Tags)
	d.Set("region", c.Endpoint.Region)
	return nil
}
