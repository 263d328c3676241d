package networking

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// RouterInterface is openstack_networking_router_interface_v2: a router's
// port on a subnet. Its id is the port's.
func RouterInterface() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_router_interface_v2",
		Description: "A router's interface on a subnet (or on a given port).",
		Timeouts:    &osfw.Timeouts{Create: 10 * time.Minute, Delete: 10 * time.Minute},
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"router_id":     {Type: cty.String, Required: true, ForceNew: true},
			"subnet_id":     {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"port_id":       {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"force_destroy": {Type: cty.Bool, Optional: true},
			"region":        {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
		}},
		Create:   createRouterInterface,
		Read:     readRouterInterface,
		ReadMany: readRouterInterfaces,
		Update:   func(context.Context, *osfw.Client, *osfw.Data) error { return nil }, // force_destroy only
		Delete:   deleteRouterInterface,
		Import:   importRouterInterface,
		Validate: func(d *osfw.Data) plugins.Diagnostics {
			var diags plugins.Diagnostics
			if d.Get("subnet_id").IsNull() == d.Get("port_id").IsNull() {
				diags = diags.Errorf(cty.GetAttrPath("subnet_id"), "Invalid interface", "Exactly one of subnet_id and port_id must be set.")
			}
			return diags
		},
	}
}

func createRouterInterface(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{}
	setStringIfSet(d, body, "subnet_id", "subnet_id")
	setStringIfSet(d, body, "port_id", "port_id")
	var resp struct {
		PortID   string `json:"port_id"`
		SubnetID string `json:"subnet_id"`
	}
	if _, err := sc.Put(ctx, sc.ServiceURL("routers", d.String("router_id"), "add_router_interface"), body, &resp, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
		// The interface may be there already: made by this very request,
		// sent again after its answer was lost (Neutron then finds the
		// subnet's gateway address taken), or by an earlier run that did
		// not hear back. An interface is a relation, not an object of its
		// own: the router's port on the subnet is the one wanted.
		if sub := d.String("subnet_id"); sub != "" && (osfw.StatusOf(err) == 400 || osfw.StatusOf(err) == 409) {
			if id, ferr := routerPortOnSubnet(ctx, sc, d.String("router_id"), sub); ferr == nil && id != "" {
				d.SetID(id)
				return nil
			}
		}
		return err
	}
	// The port exists when the call returns (DOWN until an agent binds
	// it, which nothing here depends on). The answer names the router,
	// the port and the subnet: all a read would set.
	d.SetID(resp.PortID)
	d.Set("port_id", resp.PortID)
	if resp.SubnetID != "" {
		d.Set("subnet_id", resp.SubnetID)
	}
	d.Set("region", c.Endpoint.Region)
	if resp.PortID != "" && d.Known("subnet_id") {
		d.MarkFresh()
	}
	return nil
}

// routerPortOnSubnet is the ID of the router's port with an address on the
// subnet, "" when it has none.
func routerPortOnSubnet(ctx context.Context, sc *gophercloud.ServiceClient, router, subnet string) (string, error) {
	var body struct {
		Ports []port `json:"ports"`
	}
	u := sc.ServiceURL("ports") + "?device_id=" + url.QueryEscape(router) + "&fixed_ips=" + url.QueryEscape("subnet_id="+subnet)
	if _, err := sc.Get(ctx, u, &body, nil); err != nil {
		return "", err
	}
	for _, p := range body.Ports {
		if p.DeviceID != router {
			continue
		}
		for _, ip := range p.FixedIPs {
			if ip.SubnetID == subnet {
				return p.ID, nil
			}
		}
	}
	return "", nil
}

// setRouterInterface fills d from the interface's port; a port that no
// longer belongs to the router means the interface is gone.
func setRouterInterface(d *osfw.Data, p *port) {
	if d.Known("router_id") && p.DeviceID != d.String("router_id") {
		d.MarkGone()
		return
	}
	d.Set("router_id", p.DeviceID)
	d.Set("port_id", p.ID)
	sub := d.String("subnet_id")
	found := false
	for _, ip := range p.FixedIPs {
		if ip.SubnetID == sub {
			found = true
		}
	}
	if !found && len(p.FixedIPs) > 0 {
		d.Set("subnet_id", p.FixedIPs[0].SubnetID)
	}
}

func readRouterInterface(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var p port
	if err := getInto(ctx, sc, "ports", "port", d.ID(), &p); err != nil {
		return err
	}
	setRouterInterface(d, &p)
	d.Set("region", c.Endpoint.Region)
	return nil
}

func readRouterInterfaces(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	return readManyByID(ctx, c, "ports", ds, func(p *port) string { return p.ID }, setRouterInterface)
}

// importRouterInterface takes the port's ID, or "<router id>:<port id>".
func importRouterInterface(_ context.Context, _ *osfw.Client, d *osfw.Data) error {
	if router, portID, ok := strings.Cut(d.ID(), ":"); ok {
		d.SetID(portID)
		d.Set("router_id", router)
	}
	return nil
}

func deleteRouterInterface(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{"port_id": d.ID()}
	return deleteWhileInUse(ctx, d.Timeout("delete"), func() error {
		_, err := sc.Put(ctx, sc.ServiceURL("routers", d.String("router_id"), "remove_router_interface"), body, nil, &gophercloud.RequestOpts{OkCodes: []int{200}})
		return err
	})
}
