package acctest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	idgroups "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	secgroups "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"
)

// The sweep deletes, in dependency order, every object whose name (a
// floating IP's description) starts with a prefix: servers, volumes, images,
// Swift containers (in the accounts of the given clouds), floating IPs,
// routers (interfaces first), ports, networks (their subnets go with them),
// security groups, application credentials of the given clouds' users,
// users, groups and projects. It lists as admin across all projects.

var errNotGone = errors.New("still present")

func notFound(err error) bool {
	return gophercloud.ResponseCodeIs(err, http.StatusNotFound)
}

// del runs a delete and treats 404 as done.
func del(errs *[]error, what string, err error) {
	if err != nil && !notFound(err) {
		*errs = append(*errs, fmt.Errorf("delete %s: %w", what, err))
	}
}

// Sweep deletes every object whose name starts with prefix. admin lists and
// deletes across projects; each cloud in accounts has its Swift account and
// application credentials visited too.
func Sweep(ctx context.Context, admin *Cloud, accounts []*Cloud, prefix string) error {
	if !strings.HasPrefix(prefix, "acc-") || len(prefix) < 8 {
		return fmt.Errorf("refusing to sweep with prefix %q", prefix)
	}
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	collect(sweepServers(ctx, admin, prefix, &errs))
	collect(SweepCompute(ctx, admin, accounts, prefix))
	// Backups and snapshots before their volumes.
	collect(SweepStorage(ctx, admin, prefix))
	collect(sweepVolumes(ctx, admin, prefix, &errs))
	collect(sweepImages(ctx, admin, prefix, &errs))
	for _, c := range append([]*Cloud{admin}, accounts...) {
		collect(sweepContainers(ctx, c, prefix, &errs))
	}
	collect(sweepNetworking(ctx, admin, prefix, &errs))
	for _, c := range append([]*Cloud{admin}, accounts...) {
		collect(sweepAppCredentials(ctx, c, prefix, &errs))
	}
	collect(SweepRoles(ctx, admin, prefix))
	collect(sweepIdentity(ctx, admin, prefix, &errs))
	// Domains last: a domain goes once its projects have.
	collect(SweepDomains(ctx, admin, prefix))
	return errors.Join(errs...)
}

func sweepServers(ctx context.Context, admin *Cloud, prefix string, errs *[]error) error {
	cc, err := admin.Compute()
	if err != nil {
		return err
	}
	list, err := listServers(ctx, cc, prefix)
	if err != nil {
		return err
	}
	for _, s := range list {
		del(errs, "server "+s.Name, servers.Delete(ctx, cc, s.ID).ExtractErr())
	}
	return waitGone(ctx, len(list), func() (int, error) {
		l, err := listServers(ctx, cc, prefix)
		return len(l), err
	})
}

func listServers(ctx context.Context, cc *gophercloud.ServiceClient, prefix string) ([]servers.Server, error) {
	pages, err := servers.List(cc, servers.ListOpts{AllTenants: true, Name: "^" + prefix}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list servers: %w", err)
	}
	all, err := servers.ExtractServers(pages)
	var out []servers.Server
	for _, s := range all {
		if strings.HasPrefix(s.Name, prefix) {
			out = append(out, s)
		}
	}
	return out, err
}

func sweepVolumes(ctx context.Context, admin *Cloud, prefix string, errs *[]error) error {
	bc, err := admin.BlockStorage()
	if err != nil {
		return err
	}
	list, err := listVolumes(ctx, bc, prefix)
	if err != nil {
		return err
	}
	for _, v := range list {
		if strings.HasSuffix(v.Status, "ing") { // creating, deleting, attaching ...: let it settle
			_ = WaitFor(ctx, time.Second, func() (bool, error) {
				got, err := volumes.Get(ctx, bc, v.ID).Extract()
				if err != nil {
					return notFound(err), nil
				}
				return !strings.HasSuffix(got.Status, "ing"), nil
			})
		}
		del(errs, "volume "+v.Name, volumes.Delete(ctx, bc, v.ID, volumes.DeleteOpts{Cascade: true}).ExtractErr())
	}
	return waitGone(ctx, len(list), func() (int, error) {
		l, err := listVolumes(ctx, bc, prefix)
		return len(l), err
	})
}

func listVolumes(ctx context.Context, bc *gophercloud.ServiceClient, prefix string) ([]volumes.Volume, error) {
	pages, err := volumes.List(bc, volumes.ListOpts{AllTenants: true}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	all, err := volumes.ExtractVolumes(pages)
	var out []volumes.Volume
	for _, v := range all {
		if strings.HasPrefix(v.Name, prefix) {
			out = append(out, v)
		}
	}
	return out, err
}

func sweepImages(ctx context.Context, admin *Cloud, prefix string, errs *[]error) error {
	ic, err := admin.Image()
	if err != nil {
		return err
	}
	list, err := listImages(ctx, ic, prefix)
	if err != nil {
		return err
	}
	for _, im := range list {
		del(errs, "image "+im.Name, images.Delete(ctx, ic, im.ID).ExtractErr())
	}
	return nil
}

func listImages(ctx context.Context, ic *gophercloud.ServiceClient, prefix string) ([]images.Image, error) {
	pages, err := images.List(ic, images.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	all, err := images.ExtractImages(pages)
	var out []images.Image
	for _, im := range all {
		if strings.HasPrefix(im.Name, prefix) {
			out = append(out, im)
		}
	}
	return out, err
}

func sweepContainers(ctx context.Context, c *Cloud, prefix string, errs *[]error) error {
	oc, err := c.ObjectStorage()
	if err != nil {
		return err
	}
	names, err := listContainers(ctx, oc, prefix)
	if err != nil {
		return err
	}
	for _, name := range names {
		pages, err := objects.List(oc, name, objects.ListOpts{}).AllPages(ctx)
		if err != nil && !notFound(err) {
			*errs = append(*errs, fmt.Errorf("list objects of %s: %w", name, err))
			continue
		}
		if err == nil {
			objs, _ := objects.ExtractNames(pages)
			for _, o := range objs {
				_, err := objects.Delete(ctx, oc, name, o, nil).Extract()
				del(errs, "object "+name+"/"+o, err)
			}
		}
		_, err = containers.Delete(ctx, oc, name).Extract()
		del(errs, "container "+name, err)
	}
	return nil
}

func listContainers(ctx context.Context, oc *gophercloud.ServiceClient, prefix string) ([]string, error) {
	pages, err := containers.List(oc, containers.ListOpts{Prefix: prefix}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	return containers.ExtractNames(pages)
}

func sweepNetworking(ctx context.Context, admin *Cloud, prefix string, errs *[]error) error {
	nc, err := admin.Network()
	if err != nil {
		return err
	}
	fips, err := listFloatingIPs(ctx, nc, prefix)
	if err != nil {
		return err
	}
	for _, f := range fips {
		del(errs, "floating IP "+f.FloatingIP, floatingips.Delete(ctx, nc, f.ID).ExtractErr())
	}
	rts, err := listRouters(ctx, nc, prefix)
	if err != nil {
		return err
	}
	for _, r := range rts {
		pages, err := ports.List(nc, ports.ListOpts{DeviceID: r.ID}).AllPages(ctx)
		if err != nil {
			return fmt.Errorf("list ports of router %s: %w", r.Name, err)
		}
		ps, _ := ports.ExtractPorts(pages)
		for _, p := range ps {
			if p.DeviceOwner == "network:router_interface" || p.DeviceOwner == "network:router_interface_distributed" {
				_, err := routers.RemoveInterface(ctx, nc, r.ID, routers.RemoveInterfaceOpts{PortID: p.ID}).Extract()
				del(errs, "interface of router "+r.Name, err)
			}
		}
		del(errs, "router "+r.Name, routers.Delete(ctx, nc, r.ID).ExtractErr())
	}
	nets, err := listNetworks(ctx, nc, prefix)
	if err != nil {
		return err
	}
	pps, err := listPorts(ctx, nc, prefix)
	if err != nil {
		return err
	}
	for _, p := range pps {
		del(errs, "port "+p.Name, ports.Delete(ctx, nc, p.ID).ExtractErr())
	}
	for _, n := range nets {
		// ports that servers or DHCP left on the network
		pages, err := ports.List(nc, ports.ListOpts{NetworkID: n.ID}).AllPages(ctx)
		if err == nil {
			ps, _ := ports.ExtractPorts(pages)
			for _, p := range ps {
				del(errs, "port "+p.ID+" on "+n.Name, ports.Delete(ctx, nc, p.ID).ExtractErr())
			}
		}
		del(errs, "network "+n.Name, networks.Delete(ctx, nc, n.ID).ExtractErr())
	}
	sgs, err := listSecGroups(ctx, nc, prefix)
	if err != nil {
		return err
	}
	for _, g := range sgs {
		del(errs, "security group "+g.Name, secgroups.Delete(ctx, nc, g.ID).ExtractErr())
	}
	return nil
}

func listFloatingIPs(ctx context.Context, nc *gophercloud.ServiceClient, prefix string) ([]floatingips.FloatingIP, error) {
	pages, err := floatingips.List(nc, floatingips.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list floating IPs: %w", err)
	}
	all, err := floatingips.ExtractFloatingIPs(pages)
	var out []floatingips.FloatingIP
	for _, f := range all {
		if strings.HasPrefix(f.Description, prefix) {
			out = append(out, f)
		}
	}
	return out, err
}

func listRouters(ctx context.Context, nc *gophercloud.ServiceClient, prefix string) ([]routers.Router, error) {
	pages, err := routers.List(nc, routers.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list routers: %w", err)
	}
	all, err := routers.ExtractRouters(pages)
	var out []routers.Router
	for _, r := range all {
		if strings.HasPrefix(r.Name, prefix) {
			out = append(out, r)
		}
	}
	return out, err
}

func listNetworks(ctx context.Context, nc *gophercloud.ServiceClient, prefix string) ([]networks.Network, error) {
	pages, err := networks.List(nc, networks.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	all, err := networks.ExtractNetworks(pages)
	var out []networks.Network
	for _, n := range all {
		if strings.HasPrefix(n.Name, prefix) {
			out = append(out, n)
		}
	}
	return out, err
}

func listPorts(ctx context.Context, nc *gophercloud.ServiceClient, prefix string) ([]ports.Port, error) {
	pages, err := ports.List(nc, ports.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list ports: %w", err)
	}
	all, err := ports.ExtractPorts(pages)
	var out []ports.Port
	for _, p := range all {
		if strings.HasPrefix(p.Name, prefix) {
			out = append(out, p)
		}
	}
	return out, err
}

func listSecGroups(ctx context.Context, nc *gophercloud.ServiceClient, prefix string) ([]secgroups.SecGroup, error) {
	pages, err := secgroups.List(nc, secgroups.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list security groups: %w", err)
	}
	all, err := secgroups.ExtractGroups(pages)
	var out []secgroups.SecGroup
	for _, g := range all {
		if strings.HasPrefix(g.Name, prefix) {
			out = append(out, g)
		}
	}
	return out, err
}

func sweepAppCredentials(ctx context.Context, c *Cloud, prefix string, errs *[]error) error {
	if c.UserID == "" {
		return nil
	}
	ic, err := c.Identity()
	if err != nil {
		return err
	}
	acs, err := listAppCredentials(ctx, ic, c.UserID, prefix)
	if err != nil {
		if notFound(err) || gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
			return nil // the user went with its project
		}
		return err
	}
	for _, a := range acs {
		del(errs, "application credential "+a.Name, applicationcredentials.Delete(ctx, ic, c.UserID, a.ID).ExtractErr())
	}
	return nil
}

func listAppCredentials(ctx context.Context, ic *gophercloud.ServiceClient, userID, prefix string) ([]applicationcredentials.ApplicationCredential, error) {
	pages, err := applicationcredentials.List(ic, userID, applicationcredentials.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	all, err := applicationcredentials.ExtractApplicationCredentials(pages)
	var out []applicationcredentials.ApplicationCredential
	for _, a := range all {
		if strings.HasPrefix(a.Name, prefix) {
			out = append(out, a)
		}
	}
	return out, err
}

func sweepIdentity(ctx context.Context, admin *Cloud, prefix string, errs *[]error) error {
	ic, err := admin.Identity()
	if err != nil {
		return err
	}
	us, err := listUsers(ctx, ic, prefix)
	if err != nil {
		return err
	}
	for _, u := range us {
		del(errs, "user "+u.Name, users.Delete(ctx, ic, u.ID).ExtractErr())
	}
	gs, err := listGroups(ctx, ic, prefix)
	if err != nil {
		return err
	}
	for _, g := range gs {
		del(errs, "group "+g.Name, idgroups.Delete(ctx, ic, g.ID).ExtractErr())
	}
	ps, err := listProjects(ctx, ic, prefix)
	if err != nil {
		return err
	}
	for _, p := range ps {
		del(errs, "project "+p.Name, projects.Delete(ctx, ic, p.ID).ExtractErr())
	}
	return nil
}

func listUsers(ctx context.Context, ic *gophercloud.ServiceClient, prefix string) ([]users.User, error) {
	pages, err := users.List(ic, users.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	all, err := users.ExtractUsers(pages)
	var out []users.User
	for _, u := range all {
		if strings.HasPrefix(u.Name, prefix) {
			out = append(out, u)
		}
	}
	return out, err
}

func listGroups(ctx context.Context, ic *gophercloud.ServiceClient, prefix string) ([]idgroups.Group, error) {
	pages, err := idgroups.List(ic, idgroups.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	all, err := idgroups.ExtractGroups(pages)
	var out []idgroups.Group
	for _, g := range all {
		if strings.HasPrefix(g.Name, prefix) {
			out = append(out, g)
		}
	}
	return out, err
}

func listProjects(ctx context.Context, ic *gophercloud.ServiceClient, prefix string) ([]projects.Project, error) {
	pages, err := projects.List(ic, projects.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	all, err := projects.ExtractProjects(pages)
	var out []projects.Project
	for _, p := range all {
		if strings.HasPrefix(p.Name, prefix) {
			out = append(out, p)
		}
	}
	return out, err
}

// waitGone waits until count() reports zero (when there was anything to delete).
func waitGone(ctx context.Context, had int, count func() (int, error)) error {
	if had == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	err := WaitFor(ctx, time.Second, func() (bool, error) {
		n, err := count()
		return n == 0, err
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return errNotGone
	}
	return err
}

// Leftovers lists, as "kind name", every object whose name starts with
// prefix, in the same services and accounts that Sweep visits.
func Leftovers(ctx context.Context, admin *Cloud, accounts []*Cloud, prefix string) ([]string, error) {
	var out []string
	var errs []error
	add := func(kind string, names []string, err error) {
		if err != nil {
			errs = append(errs, err)
		}
		for _, n := range names {
			out = append(out, kind+" "+n)
		}
	}
	if cc, err := admin.Compute(); err == nil {
		l, err := listServers(ctx, cc, prefix)
		add("server", names(l, func(s servers.Server) string { return s.Name }), err)
	} else {
		errs = append(errs, err)
	}
	if bc, err := admin.BlockStorage(); err == nil {
		l, err := listVolumes(ctx, bc, prefix)
		add("volume", names(l, func(v volumes.Volume) string { return v.Name }), err)
	} else {
		errs = append(errs, err)
	}
	if ic, err := admin.Image(); err == nil {
		l, err := listImages(ctx, ic, prefix)
		add("image", names(l, func(i images.Image) string { return i.Name }), err)
	} else {
		errs = append(errs, err)
	}
	for _, c := range append([]*Cloud{admin}, accounts...) {
		oc, err := c.ObjectStorage()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l, err := listContainers(ctx, oc, prefix)
		if gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) || notFound(err) {
			err = nil // the account's project is gone
		}
		add("container", l, err)
	}
	if nc, err := admin.Network(); err == nil {
		f, err := listFloatingIPs(ctx, nc, prefix)
		add("floating-ip", names(f, func(f floatingips.FloatingIP) string { return f.FloatingIP }), err)
		r, err := listRouters(ctx, nc, prefix)
		add("router", names(r, func(r routers.Router) string { return r.Name }), err)
		p, err := listPorts(ctx, nc, prefix)
		add("port", names(p, func(p ports.Port) string { return p.Name }), err)
		n, err := listNetworks(ctx, nc, prefix)
		add("network", names(n, func(n networks.Network) string { return n.Name }), err)
		g, err := listSecGroups(ctx, nc, prefix)
		add("security-group", names(g, func(g secgroups.SecGroup) string { return g.Name }), err)
	} else {
		errs = append(errs, err)
	}
	if ic, err := admin.Identity(); err == nil {
		u, err := listUsers(ctx, ic, prefix)
		add("user", names(u, func(u users.User) string { return u.Name }), err)
		g, err := listGroups(ctx, ic, prefix)
		add("group", names(g, func(g idgroups.Group) string { return g.Name }), err)
		p, err := listProjects(ctx, ic, prefix)
		add("project", names(p, func(p projects.Project) string { return p.Name }), err)
	} else {
		errs = append(errs, err)
	}
	sort.Strings(out)
	return out, errors.Join(errs...)
}

func names[T any](l []T, name func(T) string) []string {
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, name(x))
	}
	return out
}
