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

data "openstack_identity_auth_scope_v3" "operator" {
  name = "operator"
}

# The municipalities' volumes live in the operator's project: room for
# them.
resource "openstack_blockstorage_quotaset_v3" "operator" {
  project_id = data.openstack_identity_auth_scope_v3.operator.project_id
  volumes    = 200
  gigabytes  = 2000
  snapshots  = 200
  backups    = 200
}

module "comune" {
  source   = "./modules/comune"
  for_each = { for i in range(var.comuni) : format("c%02d", i) => i }

  name              = "${var.prefix}-${each.key}"
  index             = each.value
  external_network  = data.openstack_networking_network_v2.public.id
  member_role_id    = data.openstack_identity_role_v3.member.id

  depends_on = [openstack_blockstorage_quotaset_v3.operator]
}

output "networks" {
  value = { for k, m in module.comune : k => m.network_id }
}
