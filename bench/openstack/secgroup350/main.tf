# One security group with 350 inline rules.

variable "prefix" {
  type    = string
  default = "bench"
}

data "openstack_identity_auth_scope_v3" "operator" {
  name = "operator"
}

# Room for the rules in the operator's project.
resource "openstack_networking_quota_v2" "operator" {
  project_id          = data.openstack_identity_auth_scope_v3.operator.project_id
  security_group      = 100
  security_group_rule = 2000
}

resource "openstack_networking_secgroup_v2" "big" {
  name       = "${var.prefix}-sg350"
  depends_on = [openstack_networking_quota_v2.operator]

  dynamic "rule" {
    for_each = range(350)
    content {
      direction        = "ingress"
      ethertype        = "IPv4"
      protocol         = "tcp"
      port_range_min   = 10000 + rule.value
      port_range_max   = 10000 + rule.value
      remote_ip_prefix = "10.0.0.0/8"
    }
  }
}
