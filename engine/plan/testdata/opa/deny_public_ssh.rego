# A policy written for OpenTofu plan JSON (`tofu show -json PLANFILE`):
# no security-group rule that a plan creates or changes may let the whole
# internet reach SSH. It reads only OpenTofu's fields, so it runs unchanged
# on `nuvola show -json PLANFILE`.
package nuvola.deny_public_ssh

public_prefixes := {"0.0.0.0/0", "::/0"}

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "openstack_networking_secgroup_rule_v2"
	some action in rc.change.actions
	action in {"create", "update"}
	rule := rc.change.after
	rule.direction == "ingress"
	rule.remote_ip_prefix in public_prefixes
	carries_tcp(rule)
	reaches_port(rule, 22)
	msg := sprintf("%s lets %s reach SSH (port 22)", [rc.address, rule.remote_ip_prefix])
}

# No protocol means every protocol.
carries_tcp(rule) if object.get(rule, "protocol", null) in {"tcp", "", null}

# No port range (or 0) means every port.
reaches_port(rule, _) if {
	object.get(rule, "port_range_min", null) in {null, 0}
	object.get(rule, "port_range_max", null) in {null, 0}
}

reaches_port(rule, port) if {
	is_number(rule.port_range_min)
	is_number(rule.port_range_max)
	rule.port_range_min <= port
	port <= rule.port_range_max
}
