package baseline

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// adminPorts are the ports of remote administration, databases and other
// services that must never face the Internet, by name.
var adminPorts = map[int]string{
	21:    "FTP",
	22:    "SSH",
	23:    "Telnet",
	111:   "rpcbind",
	135:   "MS RPC",
	139:   "NetBIOS",
	445:   "SMB",
	623:   "IPMI",
	873:   "rsync",
	1433:  "SQL Server",
	1521:  "Oracle",
	2049:  "NFS",
	2375:  "Docker API",
	2376:  "Docker API (TLS)",
	2379:  "etcd",
	2380:  "etcd peers",
	3306:  "MySQL",
	3389:  "RDP",
	5432:  "PostgreSQL",
	5601:  "Kibana",
	5900:  "VNC",
	5984:  "CouchDB",
	5985:  "WinRM",
	5986:  "WinRM (TLS)",
	6379:  "Redis",
	6443:  "Kubernetes API",
	9042:  "Cassandra",
	9200:  "Elasticsearch",
	9300:  "Elasticsearch transport",
	10250: "kubelet",
	11211: "Memcached",
	15672: "RabbitMQ management",
	27017: "MongoDB",
}

// sortedAdminPorts are adminPorts' numbers in order.
var sortedAdminPorts = func() []int {
	out := make([]int, 0, len(adminPorts))
	for p := range adminPorts {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}()

// ingressRule is a security group rule as far as the plan knows it.
type ingressRule struct {
	// after and config hold the rule's arguments (config may be NilVal).
	after, config cty.Value
	// path is where the rule is: nil for a rule resource, rule[KEY] for an
	// inline rule.
	path cty.Path
	// inline rules have no remote_address_group_id.
	inline bool
}

func (r ingressRule) arg(name string) cty.Value { return arg(r.after, r.config, name) }

// exposure is what a rule opens to a source outside the admin networks:
// the admin ports among lo..hi, and the path of the attribute that admits
// the source.
type exposure struct {
	ports  []int
	lo, hi int
	source string
	path   cty.Path
}

func (e exposure) message(what string, c *checker) string {
	return fmt.Sprintf("%s admits %s to %s; %s.", what, e.source, portNames(e.ports, e.lo, e.hi), c.adminSources())
}

// exposure works out what the rule exposes. Anything not known at plan
// time exposes nothing.
func (r ingressRule) exposure(admin []netip.Prefix) (e exposure) {
	if dir, ok := str(r.arg("direction")); !ok || dir != "ingress" {
		return e
	}
	proto := r.arg("protocol")
	if !proto.IsKnown() {
		return e
	}
	if p, ok := str(proto); ok {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "", "any", "tcp", "udp", "sctp", "6", "17", "132":
		default:
			// ICMP and other protocols without ports.
			return e
		}
	} else if !proto.IsNull() {
		return e
	}
	lo, hi, ok := portRange(r.arg("port_range_min"), r.arg("port_range_max"))
	if !ok {
		return e
	}
	for _, other := range []string{"remote_group_id", "remote_address_group_id"} {
		if r.inline && other == "remote_address_group_id" {
			continue
		}
		v := r.arg(other)
		if !v.IsKnown() {
			return e
		}
		if s, ok := str(v); ok && s != "" {
			// The source is a group of ports, not an address range.
			return e
		}
	}
	prefix := r.arg("remote_ip_prefix")
	var src netip.Prefix
	var path cty.Path
	switch s, ok := str(prefix); {
	case !prefix.IsKnown() || !ok && !prefix.IsNull():
		return e
	case !ok || strings.TrimSpace(s) == "":
		// No prefix and no group: everyone.
		if et, _ := str(r.arg("ethertype")); et == "IPv6" {
			src = netip.MustParsePrefix("::/0")
		} else {
			src = netip.MustParsePrefix("0.0.0.0/0")
		}
		if ok {
			path = pathIn(r.config, r.path, "remote_ip_prefix")
		} else {
			path = r.path
		}
	default:
		pfx, err := parsePrefix(s)
		if err != nil {
			return e
		}
		src = pfx
		path = pathIn(r.config, r.path, "remote_ip_prefix")
	}
	if within(src, admin) {
		return e
	}
	for _, p := range sortedAdminPorts {
		if p >= lo && p <= hi {
			e.ports = append(e.ports, p)
		}
	}
	e.lo, e.hi, e.source, e.path = lo, hi, src.String(), path
	return e
}

// portRange reads a rule's ports: none (or 0, as terraform-provider-
// openstack writes "any") means all of them, one end alone that port.
func portRange(minV, maxV cty.Value) (lo, hi int, ok bool) {
	if !minV.IsKnown() || !maxV.IsKnown() {
		return 0, 0, false
	}
	lo, loOK := integer(minV)
	hi, hiOK := integer(maxV)
	if !loOK && !isNull(minV) || !hiOK && !isNull(maxV) {
		return 0, 0, false
	}
	if !loOK || lo == 0 {
		lo = -1
	}
	if !hiOK || hi == 0 {
		hi = -1
	}
	switch {
	case lo < 0 && hi < 0:
		return 1, 65535, true
	case lo < 0:
		return hi, hi, true
	case hi < 0:
		return lo, lo, true
	}
	return lo, hi, true
}

// portNames names the admin ports a rule opens, briefly when it opens many.
func portNames(ports []int, lo, hi int) string {
	if lo <= 1 && hi >= 65535 {
		return "all ports, SSH, RDP and the database ports among them"
	}
	const most = 4
	names := make([]string, 0, most+1)
	for i, p := range ports {
		if i == most {
			names = append(names, fmt.Sprintf("%d more administration or database ports", len(ports)-most))
			break
		}
		names = append(names, fmt.Sprintf("%s (%d)", adminPorts[p], p))
	}
	return strings.Join(names, ", ")
}

func (c *checker) adminSources() string {
	if len(c.s.adminNets) == 0 {
		return "no admin_cidrs are set, so no address range may reach them"
	}
	nets := make([]string, len(c.s.adminNets))
	for i, n := range c.s.adminNets {
		nets[i] = n.String()
	}
	return "admin_cidrs allows " + strings.Join(nets, ", ")
}

// checkAdminPorts is NV-NET-001, over rule resources and inline rules.
func checkAdminPorts(c *checker) {
	for _, r := range c.p.byType["openstack_networking_secgroup_rule_v2"] {
		if !r.planned() {
			continue
		}
		if e := (ingressRule{after: r.after, config: r.config}).exposure(c.s.adminNets); len(e.ports) > 0 {
			c.report(r, e.path, "%s", e.message("The rule", c))
		}
	}
	for _, r := range c.p.byType["openstack_networking_secgroup_v2"] {
		if !r.planned() {
			continue
		}
		rs := attr(r.after, "rule")
		for i, e := range elements(rs) {
			// A set's element is keyed by its value, which must be
			// known; a list's by its index.
			path := cty.GetAttrPath("rule")
			keyed := true
			switch {
			case !rs.Type().IsSetType():
				path = path.IndexInt(i)
			case e.IsWhollyKnown():
				path = path.Index(e)
			default:
				keyed = false
			}
			if x := (ingressRule{after: e, config: cty.NilVal, path: path, inline: true}).exposure(c.s.adminNets); len(x.ports) > 0 {
				if !keyed {
					x.path = path
				}
				c.report(r, x.path, "%s", x.message("An inline rule", c))
			}
		}
	}
}

// checkSecGroupDescription is NV-NET-002.
func checkSecGroupDescription(c *checker) {
	for _, r := range c.p.byType["openstack_networking_secgroup_v2"] {
		if !r.planned() {
			continue
		}
		d := r.arg("description")
		switch s, ok := str(d); {
		case isNull(d):
			c.report(r, whole, "The security group has no description.")
		case ok && strings.TrimSpace(s) == "":
			c.report(r, r.pathTo("description"), "The security group's description is empty.")
		}
	}
}

// externalNetworks are the plan's networks (resources and data sources)
// with external = true.
func (c *checker) externalNetworks() objectRefs {
	refs := newObjectRefs()
	for _, r := range c.p.byType["openstack_networking_network_v2"] {
		if !isObject(r.after) {
			continue
		}
		if ext, ok := boolean(r.arg("external")); ok && ext {
			refs.add(r)
		}
	}
	return refs
}

// checkExternalNetwork is NV-NET-003.
func checkExternalNetwork(c *checker) {
	ext := c.externalNetworks()
	if ext.empty() {
		return
	}
	networks := addrsOf(c.p.byType["openstack_networking_network_v2"])
	for _, r := range c.p.byType["openstack_networking_port_v2"] {
		if !r.planned() || !r.sensitiveData(c.s.profile) {
			continue
		}
		net := r.arg("network_id")
		id, known := str(net)
		if known && ext.ids[id] || !net.IsKnown() && refersOnlyTo(r.deps, ext, networks) {
			c.report(r, r.pathTo("network_id"), "The port of %s data is on an external network; attach it to an internal network behind a router.", r.class(c.s.profile))
		}
	}
	for _, r := range c.p.byType["openstack_compute_instance_v2"] {
		if !r.planned() || !r.sensitiveData(c.s.profile) {
			continue
		}
		cfg := attr(r.config, "network")
		for i, n := range elements(attr(r.after, "network")) {
			nc := elementAt(cfg, i)
			if r.config == cty.NilVal {
				nc = cty.NilVal
			}
			if path, ok := onExternal(n, nc, ext, refersOnlyTo(r.deps, ext, networks)); ok {
				c.report(r, appendPath(cty.GetAttrPath("network").IndexInt(i), path...),
					"The instance of %s data is attached directly to an external network; attach it to an internal network behind a router.", r.class(c.s.profile))
			}
		}
	}
}

// onExternal reports whether an instance's network block attaches it to an
// external network, and the attribute that says so. A block with a port
// attaches that port, which is checked on its own. byReference says that
// the instance refers to external networks and to no other network, so a
// network not known at plan time is an external one.
func onExternal(n, config cty.Value, ext objectRefs, byReference bool) (cty.Path, bool) {
	port := arg(n, config, "port")
	if s, ok := str(port); ok && s != "" {
		return nil, false
	}
	if !port.IsKnown() && config != cty.NilVal {
		// Set to a port still to be created.
		return nil, false
	}
	uuid, name := arg(n, config, "uuid"), arg(n, config, "name")
	if s, ok := str(uuid); ok && s != "" {
		return pathIn(config, nil, "uuid"), ext.ids[s]
	}
	if s, ok := str(name); ok && s != "" {
		return pathIn(config, nil, "name"), ext.names[s]
	}
	if uuid.IsKnown() && name.IsKnown() || !byReference {
		return nil, false
	}
	if !uuid.IsKnown() {
		return pathIn(config, nil, "uuid"), true
	}
	return pathIn(config, nil, "name"), true
}
