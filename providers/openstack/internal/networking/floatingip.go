package networking

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// floatingIP is a floating IP as the API returns it.
type floatingIP struct {
	ID                string   `json:"id"`
	FloatingIP        string   `json:"floating_ip_address"`
	FloatingNetworkID string   `json:"floating_network_id"`
	PortID            *string  `json:"port_id"`
	FixedIP           *string  `json:"fixed_ip_address"`
	Description       string   `json:"description"`
	TenantID          string   `json:"tenant_id"`
	ProjectID         string   `json:"project_id"`
	Status            string   `json:"status"`
	DNSName           string   `json:"dns_name"`
	DNSDomain         string   `json:"dns_domain"`
	Tags              []string `json:"tags"`
}

// FloatingIP is openstack_networking_floatingip_v2.
func FloatingIP() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_floatingip_v2",
		Description: "A floating IP from an external network (the pool).",
		Tags:        osfw.StringTags,
		Timeouts:    &osfw.Timeouts{},
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"address":     {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"pool":        {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The external network's name (default: OS_POOL_NAME)."},
			"port_id":     {Type: cty.String, Optional: true, Computed: true},
			"fixed_ip":    {Type: cty.String, Optional: true, Computed: true},
			"subnet_id":   {Type: cty.String, Optional: true, ForceNew: true},
			"subnet_ids":  {Type: cty.List(cty.String), Optional: true, ForceNew: true},
			"description": {Type: cty.String, Optional: true},
			"tenant_id":   {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"dns_name":    {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"dns_domain":  {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"value_specs": {Type: cty.Map(cty.String), Optional: true, ForceNew: true},
			"region":      {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
		}},
		Create:     createFloatingIP,
		Read:       readFloatingIP,
		ReadMany:   readFloatingIPs,
		Update:     updateFloatingIP,
		Delete:     deleteFloatingIP,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("floatingips"),
		Adopted: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			return waitFloatingIP(ctx, c, d, d.ID())
		},
	}
}

// externalNetworkID finds the external network named (or with the ID)
// pool.
func externalNetworkID(ctx context.Context, c *osfw.Client, pool string) (string, error) {
	sc, err := networkClient(c)
	if err != nil {
		return "", err
	}
	var ids []string
	err = list(ctx, sc, "networks", url.Values{"name": {pool}, "router:external": {"true"}}, func(n *networkDS) { ids = append(ids, n.ID) })
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		err = list(ctx, sc, "networks", url.Values{"id": {pool}}, func(n *networkDS) { ids = append(ids, n.ID) })
		if err != nil {
			return "", err
		}
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return "", osfw.AttrError("pool", "no external network is named %q", pool)
	}
	return "", osfw.AttrError("pool", "%d external networks are named %q: use one's ID", len(ids), pool)
}

func createFloatingIP(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	pool := d.String("pool")
	if pool == "" {
		pool = os.Getenv("OS_POOL_NAME")
	}
	if pool == "" {
		return osfw.AttrError("pool", "pool (the external network) is required, or OS_POOL_NAME in the environment")
	}
	netID, err := externalNetworkID(ctx, c, pool)
	if err != nil {
		return err
	}
	body := map[string]any{"floating_network_id": netID}
	setStringIfSet(d, body, "address", "floating_ip_address")
	setStringIfSet(d, body, "port_id", "port_id")
	setStringIfSet(d, body, "fixed_ip", "fixed_ip_address")
	setStringIfSet(d, body, "subnet_id", "subnet_id")
	setStringIfSet(d, body, "description", "description")
	setStringIfSet(d, body, "tenant_id", "tenant_id")
	setStringIfSet(d, body, "dns_name", "dns_name")
	setStringIfSet(d, body, "dns_domain", "dns_domain")
	valueSpecs(d, body)
	var f floatingIP
	subnets := d.StringList("subnet_ids")
	if len(subnets) == 0 {
		subnets = []string{""}
	}
	// With subnet_ids, each subnet is tried in turn until one has room.
	// Only a refusal moves on: after a lost answer or a server error the
	// address may have been allocated, and is looked for instead.
	for i, s := range subnets {
		if s != "" {
			body["subnet_id"] = s
		}
		err = postInto(ctx, sc, "floatingips", "floatingip", body, &f)
		if status := osfw.StatusOf(err); err == nil || i == len(subnets)-1 || status < 400 || status >= 500 {
			break
		}
	}
	if err != nil {
		return err
	}
	d.SetID(f.ID)
	if tags := d.AllTags(); len(tags) > 0 {
		if err := setTags(ctx, sc, "floatingips", f.ID, tags); err != nil {
			return err
		}
	}
	return waitFloatingIP(ctx, c, d, f.ID)
}

// waitFloatingIP waits until the floating IP is ACTIVE or DOWN.
func waitFloatingIP(ctx context.Context, c *osfw.Client, d *osfw.Data, id string) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return osfw.Wait(ctx, fmt.Sprintf("waiting for floating IP %s", id), d.Timeout("create"), []string{"ACTIVE", "DOWN"}, nil,
		func(ctx context.Context) (osfw.Poll, error) {
			var f floatingIP
			err := getInto(ctx, sc, "floatingips", "floatingip", id, &f)
			return osfw.Poll{Status: f.Status}, err
		})
}

// poolNames maps external network IDs to names, for the pool attribute.
type poolNames map[string]string

func setFloatingIP(d *osfw.Data, f *floatingIP, pools poolNames) {
	d.SetID(f.ID)
	d.Set("address", f.FloatingIP)
	if name, ok := pools[f.FloatingNetworkID]; ok {
		d.Set("pool", name)
	} else if d.String("pool") == "" {
		d.Set("pool", f.FloatingNetworkID)
	}
	d.Set("port_id", deref(f.PortID))
	d.Set("fixed_ip", deref(f.FixedIP))
	d.Set("description", f.Description)
	d.Set("tenant_id", firstNonEmpty(f.TenantID, f.ProjectID))
	d.Set("dns_name", f.DNSName)
	d.Set("dns_domain", f.DNSDomain)
	d.Set("tags", f.Tags)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// externalNames lists the external networks' names by ID, once per read.
func externalNames(ctx context.Context, c *osfw.Client) (poolNames, error) {
	sc, err := networkClient(c)
	if err != nil {
		return nil, err
	}
	out := poolNames{}
	err = list(ctx, sc, "networks", url.Values{"router:external": {"true"}}, func(n *networkDS) { out[n.ID] = n.Name })
	return out, err
}

func readFloatingIP(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var f floatingIP
	if err := getInto(ctx, sc, "floatingips", "floatingip", d.ID(), &f); err != nil {
		return err
	}
	var pools poolNames
	if d.String("pool") == "" {
		if pools, err = externalNames(ctx, c); err != nil {
			return err
		}
	}
	setFloatingIP(d, &f, pools)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// readFloatingIPs refreshes many floating IPs with one list request; the
// external networks are listed too only when a pool name is not known.
func readFloatingIPs(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	var pools poolNames
	for _, d := range ds {
		if d.String("pool") == "" {
			var err error
			if pools, err = externalNames(ctx, c); err != nil {
				return err
			}
			break
		}
	}
	return readManyByID(ctx, c, "floatingips", ds, func(f *floatingIP) string { return f.ID },
		func(d *osfw.Data, f *floatingIP) { setFloatingIP(d, f, pools) })
}

func updateFloatingIP(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{}
	putString(d, body, "description", "description")
	if d.HasChange("port_id") || d.HasChange("fixed_ip") {
		if p := d.String("port_id"); d.Known("port_id") && p != "" {
			body["port_id"] = p
			if d.Known("fixed_ip") && d.String("fixed_ip") != "" {
				body["fixed_ip_address"] = d.String("fixed_ip")
			}
		} else if d.Known("port_id") || d.Get("port_id").IsNull() {
			body["port_id"] = nil
		}
	}
	if len(body) > 0 {
		if err := putObject(ctx, sc, "floatingips", "floatingip", d.ID(), body); err != nil {
			return err
		}
	}
	if d.HasChange("all_tags") || d.HasChange("tags") {
		return setTags(ctx, sc, "floatingips", d.ID(), d.AllTags())
	}
	return nil
}

func deleteFloatingIP(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return deleteObject(ctx, sc, "floatingips", d.ID())
}

// FloatingIPAssociate is openstack_networking_floatingip_associate_v2: a
// floating IP (by address) bound to a port. Its id is the floating IP's.
func FloatingIPAssociate() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_floatingip_associate_v2",
		Description: "The association of a floating IP with a port.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"floating_ip": {Type: cty.String, Required: true, ForceNew: true},
			"port_id":     {Type: cty.String, Required: true, ForceNew: true},
			"fixed_ip":    {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"region":      {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
		}},
		Create:   createFIPAssociate,
		Read:     readFIPAssociate,
		ReadMany: readFIPAssociates,
		Delete:   deleteFIPAssociate,
	}
}

func createFIPAssociate(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var ids []string
	err = list(ctx, sc, "floatingips", url.Values{"floating_ip_address": {d.String("floating_ip")}}, func(f *floatingIP) { ids = append(ids, f.ID) })
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return osfw.AttrError("floating_ip", "no floating IP %s in the project", d.String("floating_ip"))
	}
	body := map[string]any{"port_id": d.String("port_id")}
	setStringIfSet(d, body, "fixed_ip", "fixed_ip_address")
	if err := putObject(ctx, sc, "floatingips", "floatingip", ids[0], body); err != nil {
		return err
	}
	d.SetID(ids[0])
	return nil
}

// setFIPAssociate fills d; a floating IP bound elsewhere, or to nothing,
// means the association is gone.
func setFIPAssociate(d *osfw.Data, f *floatingIP) {
	if f.PortID == nil || (d.Known("port_id") && *f.PortID != d.String("port_id")) {
		d.MarkGone()
		return
	}
	d.Set("floating_ip", f.FloatingIP)
	d.Set("port_id", *f.PortID)
	d.Set("fixed_ip", deref(f.FixedIP))
}

func readFIPAssociate(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var f floatingIP
	if err := getInto(ctx, sc, "floatingips", "floatingip", d.ID(), &f); err != nil {
		return err
	}
	setFIPAssociate(d, &f)
	d.Set("region", c.Endpoint.Region)
	return nil
}

func readFIPAssociates(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	return readManyByID(ctx, c, "floatingips", ds, func(f *floatingIP) string { return f.ID }, setFIPAssociate)
}

func deleteFIPAssociate(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return putObject(ctx, sc, "floatingips", "floatingip", d.ID(), map[string]any{"port_id": nil})
}
