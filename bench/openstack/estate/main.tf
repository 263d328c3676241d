# A regional estate: 20 municipalities, each with 16 objects (project,
# group, role assignment, network, subnet, router with gateway, router
# interface, 2 security groups with 5 rules, volume, container).

variable "prefix" {
  type    = string
  default = "bench"
}

variable "comuni" {
  type    = number
  default = 20
}

provider "openstack" {
  default_tags {
    tags = { classification = "ordinario" }
  }
}

data "openstack_networking_network_v2" "public" {
  name = "public"
}

data "openstack_identity_role_v3" "member" {
  name = "member"
}

module "comune" {
  source   = "./modules/comune"
  for_each = { for i in range(var.comuni) : format("c%02d", i) => i }

  name              = "${var.prefix}-${each.key}"
  index             = each.value
  external_network  = data.openstack_networking_network_v2.public.id
  member_role_id    = data.openstack_identity_role_v3.member.id
}

output "networks" {
  value = { for k, m in module.comune : k => m.network_id }
}
