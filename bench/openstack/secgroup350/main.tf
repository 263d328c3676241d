# One security group with 350 inline rules.

variable "prefix" {
  type    = string
  default = "bench"
}

resource "openstack_networking_secgroup_v2" "big" {
  name = "${var.prefix}-sg350"

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
