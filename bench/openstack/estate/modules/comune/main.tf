variable "name" { type = string }
variable "index" { type = number }
variable "external_network" { type = string }
variable "member_role_id" { type = string }

resource "openstack_identity_project_v3" "p" {
  name        = var.name
  description = "Comune ${var.name}"
  tags        = ["ente=${var.name}"]
}

resource "openstack_identity_group_v3" "admins" {
  name = "${var.name}-admins"
}

resource "openstack_identity_role_assignment_v3" "admins" {
  group_id   = openstack_identity_group_v3.admins.id
  project_id = openstack_identity_project_v3.p.id
  role_id    = var.member_role_id
}

resource "openstack_networking_network_v2" "lan" {
  name      = "${var.name}-lan"
  tenant_id = openstack_identity_project_v3.p.id
}

resource "openstack_networking_subnet_v2" "lan" {
  name       = "${var.name}-lan"
  network_id = openstack_networking_network_v2.lan.id
  cidr       = "10.${var.index}.0.0/24"
  tenant_id  = openstack_identity_project_v3.p.id
}

resource "openstack_networking_router_v2" "gw" {
  name                = "${var.name}-gw"
  external_network_id = var.external_network
  tenant_id           = openstack_identity_project_v3.p.id
}

resource "openstack_networking_router_interface_v2" "lan" {
  router_id = openstack_networking_router_v2.gw.id
  subnet_id = openstack_networking_subnet_v2.lan.id
}

resource "openstack_networking_secgroup_v2" "web" {
  name      = "${var.name}-web"
  tenant_id = openstack_identity_project_v3.p.id
}

resource "openstack_networking_secgroup_v2" "admin" {
  name      = "${var.name}-admin"
  tenant_id = openstack_identity_project_v3.p.id
}

resource "openstack_networking_secgroup_rule_v2" "web" {
  for_each          = { http = 80, https = 443 }
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = each.value
  port_range_max    = each.value
  remote_ip_prefix  = "0.0.0.0/0"
  security_group_id = openstack_networking_secgroup_v2.web.id
  tenant_id         = openstack_identity_project_v3.p.id
}

resource "openstack_networking_secgroup_rule_v2" "admin" {
  for_each          = { ssh = 22, rdp = 3389, https = 8443 }
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = each.value
  port_range_max    = each.value
  remote_ip_prefix  = "10.0.0.0/8"
  security_group_id = openstack_networking_secgroup_v2.admin.id
  tenant_id         = openstack_identity_project_v3.p.id
}

resource "openstack_blockstorage_volume_v3" "data" {
  name = "${var.name}-data"
  size = 1
}

resource "openstack_objectstorage_container_v1" "docs" {
  name = "${var.name}-docs"
}

output "network_id" {
  value = openstack_networking_network_v2.lan.id
}
