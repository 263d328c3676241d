package baseline

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// planCreate is what a provider plans for a create from config: the
// computed arguments config leaves null are unknown.
func planCreate(config cty.Value, computed ...string) cty.Value {
	m := config.AsValueMap()
	for _, name := range computed {
		if v, ok := m[name]; ok && v.IsNull() {
			m[name] = cty.UnknownVal(v.Type())
		}
	}
	return cty.ObjectVal(m)
}

// ruleConfig is the configuration of an openstack_networking_secgroup_rule_v2.
func ruleConfig(attrs map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{
		"direction":               cty.StringVal("ingress"),
		"ethertype":               cty.StringVal("IPv4"),
		"protocol":                cty.StringVal("tcp"),
		"port_range_min":          cty.NumberIntVal(22),
		"port_range_max":          cty.NumberIntVal(22),
		"remote_ip_prefix":        null,
		"remote_group_id":         null,
		"remote_address_group_id": null,
		"security_group_id":       unknown,
		"description":             null,
		"region":                  null,
		"tenant_id":               null,
		"id":                      null,
	}
	for k, v := range attrs {
		m[k] = v
	}
	return obj(m)
}

var ruleComputed = []string{"port_range_min", "port_range_max", "protocol", "remote_ip_prefix", "remote_group_id", "remote_address_group_id", "region", "tenant_id", "id"}

// secRule is a planned rule resource made from its configuration.
func secRule(name string, attrs map[string]cty.Value) plugins.PolicyResource {
	cfg := ruleConfig(attrs)
	return res("openstack_networking_secgroup_rule_v2."+name, planCreate(cfg, ruleComputed...), config(cfg))
}

// inline is an inline rule block of openstack_networking_secgroup_v2 as
// planned (the ethertype default applied).
func inline(attrs map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{
		"direction":        cty.StringVal("ingress"),
		"ethertype":        cty.StringVal("IPv4"),
		"protocol":         cty.StringVal("tcp"),
		"port_range_min":   cty.NumberIntVal(22),
		"port_range_max":   cty.NumberIntVal(22),
		"remote_ip_prefix": null,
		"remote_group_id":  null,
		"description":      null,
	}
	for k, v := range attrs {
		m[k] = v
	}
	return obj(m)
}

func secGroup(name string, description cty.Value, rules ...cty.Value) plugins.PolicyResource {
	rs := cty.SetValEmpty(inline(nil).Type())
	if len(rules) > 0 {
		rs = cty.SetVal(rules)
	}
	cfg := obj(map[string]cty.Value{
		"name": cty.StringVal(name), "description": description, "tags": null, "rule": rs,
		"region": null, "id": null, "all_tags": cty.NullVal(cty.Set(cty.String)),
	})
	return res("openstack_networking_secgroup_v2."+name, planCreate(cfg, "description", "region", "id"), config(cfg))
}

func TestAdminPorts(t *testing.T) {
	world := inline(map[string]cty.Value{"remote_ip_prefix": cty.StringVal("0.0.0.0/0")})
	anyone := inline(map[string]cty.Value{"port_range_min": cty.NumberIntVal(1), "port_range_max": cty.NumberIntVal(65535)})
	fromAdmin := inline(map[string]cty.Value{"remote_ip_prefix": cty.StringVal("10.20.4.0/24")})
	web := inline(map[string]cty.Value{"port_range_min": cty.NumberIntVal(443), "port_range_max": cty.NumberIntVal(443), "remote_ip_prefix": cty.StringVal("0.0.0.0/0")})
	partlyUnknown := inline(map[string]cty.Value{"remote_ip_prefix": unknown})
	testRule(t, "NV-NET-001", map[string]ruleCase{
		"ssh from the world": {
			resources: []plugins.PolicyResource{secRule("ssh", map[string]cty.Value{"remote_ip_prefix": cty.StringVal("0.0.0.0/0")})},
			want:      []at{{"openstack_networking_secgroup_rule_v2.ssh", path("remote_ip_prefix")}},
		},
		"no source is everyone": {
			resources: []plugins.PolicyResource{secRule("rdp", map[string]cty.Value{"port_range_min": cty.NumberIntVal(3389), "port_range_max": cty.NumberIntVal(3389)})},
			want:      []at{{"openstack_networking_secgroup_rule_v2.rdp", nil}},
		},
		"no ports are all ports": {
			resources: []plugins.PolicyResource{secRule("all", map[string]cty.Value{"port_range_min": null, "port_range_max": null, "remote_ip_prefix": cty.StringVal("192.0.2.0/24")})},
			want:      []at{{"openstack_networking_secgroup_rule_v2.all", path("remote_ip_prefix")}},
		},
		"zero ports are all ports": {
			resources: []plugins.PolicyResource{secRule("zero", map[string]cty.Value{"port_range_min": cty.NumberIntVal(0), "port_range_max": cty.NumberIntVal(0), "protocol": null, "remote_ip_prefix": cty.StringVal("0.0.0.0/0")})},
			want:      []at{{"openstack_networking_secgroup_rule_v2.zero", path("remote_ip_prefix")}},
		},
		"IPv6 everyone": {
			resources: []plugins.PolicyResource{secRule("pg", map[string]cty.Value{"ethertype": cty.StringVal("IPv6"), "port_range_min": cty.NumberIntVal(5432), "port_range_max": cty.NumberIntVal(5432), "remote_ip_prefix": cty.StringVal("::/0")})},
			want:      []at{{"openstack_networking_secgroup_rule_v2.pg", path("remote_ip_prefix")}},
		},
		"wider than the admin network": {
			resources: []plugins.PolicyResource{secRule("wide", map[string]cty.Value{"remote_ip_prefix": cty.StringVal("10.0.0.0/8")})},
			want:      []at{{"openstack_networking_secgroup_rule_v2.wide", path("remote_ip_prefix")}},
		},
		"a range with database ports": {
			resources: []plugins.PolicyResource{secRule("range", map[string]cty.Value{"port_range_min": cty.NumberIntVal(5000), "port_range_max": cty.NumberIntVal(6000), "remote_ip_prefix": cty.StringVal("198.51.100.7")})},
			want:      []at{{"openstack_networking_secgroup_rule_v2.range", path("remote_ip_prefix")}},
		},
		"udp any": {
			resources: []plugins.PolicyResource{secRule("memcache", map[string]cty.Value{"protocol": cty.StringVal("udp"), "port_range_min": cty.NumberIntVal(11211), "port_range_max": cty.NumberIntVal(11211), "remote_ip_prefix": cty.StringVal("0.0.0.0/0")})},
			want:      []at{{"openstack_networking_secgroup_rule_v2.memcache", path("remote_ip_prefix")}},
		},
		"inline rules": {
			resources: []plugins.PolicyResource{secGroup("web", cty.StringVal("web"), world, anyone, fromAdmin, web)},
			want: []at{
				// Elements of a set come in cty's order.
				{"openstack_networking_secgroup_v2.web", path("rule", anyone)},
				{"openstack_networking_secgroup_v2.web", path("rule", world, "remote_ip_prefix")},
			},
		},
		"inline rule exposing, partly unknown": {
			resources: []plugins.PolicyResource{secGroup("web", cty.StringVal("web"), inline(map[string]cty.Value{"remote_ip_prefix": cty.StringVal("0.0.0.0/0"), "description": unknown}))},
			want:      []at{{"openstack_networking_secgroup_v2.web", path("rule")}},
		},
		"inline rule partly unknown": {
			resources: []plugins.PolicyResource{secGroup("web", cty.StringVal("web"), partlyUnknown, anyone)},
			want:      []at{{"openstack_networking_secgroup_v2.web", path("rule", anyone)}},
		},
		"an update": {
			resources: []plugins.PolicyResource{res("openstack_networking_secgroup_rule_v2.old", ruleConfig(map[string]cty.Value{"id": cty.StringVal("r-1"), "remote_ip_prefix": cty.StringVal("0.0.0.0/0")}), action(plugins.PolicyActionNoOp, ruleConfig(nil)))},
			want:      []at{{"openstack_networking_secgroup_rule_v2.old", path("remote_ip_prefix")}},
		},
		"no admin networks at all": {
			resources: []plugins.PolicyResource{secRule("internal", map[string]cty.Value{"remote_ip_prefix": cty.StringVal("10.20.0.0/24")})},
			settings:  map[string]cty.Value{"admin_cidrs": cty.NullVal(cty.List(cty.String))},
			want:      []at{{"openstack_networking_secgroup_rule_v2.internal", path("remote_ip_prefix")}},
		},
	})
	testRule(t, "NV-NET-001", map[string]ruleCase{
		"from the admin network": {resources: []plugins.PolicyResource{
			secRule("admin", map[string]cty.Value{"remote_ip_prefix": cty.StringVal("10.20.1.0/24")}),
			secRule("admin_host", map[string]cty.Value{"remote_ip_prefix": cty.StringVal("10.20.1.7")}),
		}},
		"from a group": {resources: []plugins.PolicyResource{
			secRule("group", map[string]cty.Value{"remote_group_id": cty.StringVal("sg-bastion")}),
			secRule("new_group", map[string]cty.Value{"remote_group_id": unknown}),
			secRule("address_group", map[string]cty.Value{"remote_address_group_id": cty.StringVal("ag-1")}),
		}},
		"egress":         {resources: []plugins.PolicyResource{secRule("out", map[string]cty.Value{"direction": cty.StringVal("egress"), "remote_ip_prefix": cty.StringVal("0.0.0.0/0")})}},
		"icmp":           {resources: []plugins.PolicyResource{secRule("ping", map[string]cty.Value{"protocol": cty.StringVal("icmp"), "port_range_min": null, "port_range_max": null, "remote_ip_prefix": cty.StringVal("0.0.0.0/0")})}},
		"https":          {resources: []plugins.PolicyResource{secRule("https", map[string]cty.Value{"port_range_min": cty.NumberIntVal(443), "port_range_max": cty.NumberIntVal(443), "remote_ip_prefix": cty.StringVal("0.0.0.0/0")})}},
		"unknown source": {resources: []plugins.PolicyResource{secRule("later", map[string]cty.Value{"remote_ip_prefix": unknown})}},
		"unknown port":   {resources: []plugins.PolicyResource{secRule("later", map[string]cty.Value{"port_range_min": cty.UnknownVal(cty.Number), "remote_ip_prefix": cty.StringVal("0.0.0.0/0")})}},
		"no configuration sent": {resources: []plugins.PolicyResource{
			// Without the configuration an unknown prefix may be anything.
			res("openstack_networking_secgroup_rule_v2.x", planCreate(ruleConfig(nil), ruleComputed...)),
		}},
		"deleted": {resources: []plugins.PolicyResource{
			res("openstack_networking_secgroup_rule_v2.gone", cty.NilVal, action(plugins.PolicyActionDelete, ruleConfig(map[string]cty.Value{"remote_ip_prefix": cty.StringVal("0.0.0.0/0")}))),
		}},
		"inline rules": {resources: []plugins.PolicyResource{secGroup("web", cty.StringVal("web"), web, fromAdmin, partlyUnknown)}},
		"not a CIDR":   {resources: []plugins.PolicyResource{secRule("bad", map[string]cty.Value{"remote_ip_prefix": cty.StringVal("everyone")})}},
	})
}

func TestSecGroupDescription(t *testing.T) {
	testRule(t, "NV-NET-002", map[string]ruleCase{
		"none": {
			resources: []plugins.PolicyResource{secGroup("web", null)},
			want:      []at{{"openstack_networking_secgroup_v2.web", nil}},
		},
		"empty": {
			resources: []plugins.PolicyResource{secGroup("web", cty.StringVal(" "))},
			want:      []at{{"openstack_networking_secgroup_v2.web", path("description")}},
		},
		"read back without one": {
			resources: []plugins.PolicyResource{res("openstack_networking_secgroup_v2.old", obj(map[string]cty.Value{"id": cty.StringVal("sg-1"), "description": cty.StringVal("")}), action(plugins.PolicyActionNoOp, cty.EmptyObjectVal))},
			want:      []at{{"openstack_networking_secgroup_v2.old", path("description")}},
		},
	})
	testRule(t, "NV-NET-002", map[string]ruleCase{
		"described":  {resources: []plugins.PolicyResource{secGroup("web", cty.StringVal("Web servers of the comune"))}},
		"from later": {resources: []plugins.PolicyResource{secGroup("web", unknown)}},
		"no configuration sent": {resources: []plugins.PolicyResource{
			res("openstack_networking_secgroup_v2.x", obj(map[string]cty.Value{"description": unknown})),
		}},
	})
}

func network(address string, external cty.Value, id, name string) plugins.PolicyResource {
	idv := cty.StringVal(id)
	if id == "" {
		idv = unknown
	}
	return res(address, obj(map[string]cty.Value{"id": idv, "name": cty.StringVal(name), "external": external}))
}

func port(name string, networkID cty.Value, tags cty.Value, opts ...func(*plugins.PolicyResource)) plugins.PolicyResource {
	return res("openstack_networking_port_v2."+name, obj(map[string]cty.Value{
		"id": unknown, "network_id": networkID, "tags": tags, "all_tags": unknown,
	}), opts...)
}

func instance(name string, tags cty.Value, networks ...map[string]cty.Value) plugins.PolicyResource {
	nt := cty.Object(map[string]cty.Type{"uuid": cty.String, "name": cty.String, "port": cty.String})
	var after, cfg []cty.Value
	for _, n := range networks {
		m := map[string]cty.Value{"uuid": null, "name": null, "port": null}
		for k, v := range n {
			m[k] = v
		}
		cfg = append(cfg, obj(m))
		after = append(after, planCreate(obj(m), "uuid", "name", "port"))
	}
	list := func(vs []cty.Value) cty.Value {
		if len(vs) == 0 {
			return cty.ListValEmpty(nt)
		}
		return cty.ListVal(vs)
	}
	return res("openstack_compute_instance_v2."+name,
		obj(map[string]cty.Value{"id": unknown, "tags": tags, "network": list(after)}),
		config(obj(map[string]cty.Value{"tags": tags, "network": list(cfg)})))
}

func TestExternalNetwork(t *testing.T) {
	nets := []plugins.PolicyResource{
		network("data.openstack_networking_network_v2.public", cty.True, "ext-id", "public"),
		network("openstack_networking_network_v2.ext", cty.True, "", "ext-new"),
		network("openstack_networking_network_v2.lan", cty.False, "", "lan"),
		network("data.openstack_networking_network_v2.internal", cty.False, "int-id", "internal"),
	}
	with := func(rs ...plugins.PolicyResource) []plugins.PolicyResource {
		return append(append([]plugins.PolicyResource{}, nets...), rs...)
	}
	sensitive := []string{plugins.ProfileCritico, plugins.ProfileStrategico}
	testRule(t, "NV-NET-003", map[string]ruleCase{
		"port on an external network by id": {
			profiles:  sensitive,
			resources: with(port("p", cty.StringVal("ext-id"), null)),
			want:      []at{{"openstack_networking_port_v2.p", path("network_id")}},
		},
		"port on a new external network": {
			profiles:  sensitive,
			resources: with(port("p", unknown, null, deps("openstack_networking_network_v2.ext"))),
			want:      []at{{"openstack_networking_port_v2.p", path("network_id")}},
		},
		"port tagged critico": {
			resources: with(port("p", cty.StringVal("ext-id"), tagged("critico"))),
			want:      []at{{"openstack_networking_port_v2.p", path("network_id")}},
		},
		"instance networks": {
			profiles: sensitive,
			resources: with(
				instance("vm", null, map[string]cty.Value{"name": cty.StringVal("lan")}, map[string]cty.Value{"uuid": cty.StringVal("ext-id")}),
				instance("vm2", null, map[string]cty.Value{"name": cty.StringVal("public")}),
			),
			want: []at{
				{"openstack_compute_instance_v2.vm", path("network", 1, "uuid")},
				{"openstack_compute_instance_v2.vm2", path("network", 0, "name")},
			},
		},
		"instance on a new external network": {
			profiles: sensitive,
			resources: with(res("openstack_compute_instance_v2.vm", obj(map[string]cty.Value{
				"network": cty.ListVal([]cty.Value{obj(map[string]cty.Value{"uuid": unknown, "name": unknown, "port": unknown})}),
			}), config(obj(map[string]cty.Value{
				"network": cty.ListVal([]cty.Value{obj(map[string]cty.Value{"uuid": unknown, "name": null, "port": null})}),
			})), deps("openstack_networking_network_v2.ext"))),
			want: []at{{"openstack_compute_instance_v2.vm", path("network", 0, "uuid")}},
		},
	})
	testRule(t, "NV-NET-003", map[string]ruleCase{
		"ordinario data": {
			profiles:  []string{plugins.ProfileOrdinario},
			resources: with(port("p", cty.StringVal("ext-id"), null), instance("vm", null, map[string]cty.Value{"name": cty.StringVal("public")})),
		},
		"tagged ordinario": {
			resources: with(port("p", cty.StringVal("ext-id"), tagged("ordinario"))),
		},
		"internal networks": {resources: with(
			port("p", cty.StringVal("int-id"), null),
			port("q", unknown, null, deps("openstack_networking_network_v2.lan")),
			instance("vm", null, map[string]cty.Value{"name": cty.StringVal("lan")}, map[string]cty.Value{"uuid": cty.StringVal("int-id")}),
		)},
		"instance through a port": {resources: with(
			instance("vm", null, map[string]cty.Value{"port": unknown}),
		)},
		"no external network":        {resources: []plugins.PolicyResource{port("p", cty.StringVal("ext-id"), null)}},
		"port unknown, no reference": {resources: with(port("p", unknown, null))},
		"port unknown, two networks": {resources: with(port("p", unknown, null, deps("openstack_networking_network_v2.ext", "openstack_networking_network_v2.lan")))},
		"instance referring to external and internal networks": {resources: with(res("openstack_compute_instance_v2.vm", obj(map[string]cty.Value{
			"network": cty.ListVal([]cty.Value{obj(map[string]cty.Value{"uuid": unknown, "name": null, "port": null}), obj(map[string]cty.Value{"uuid": unknown, "name": null, "port": null})}),
		}), deps("openstack_networking_network_v2.ext", "openstack_networking_network_v2.lan")))},
	})
}
