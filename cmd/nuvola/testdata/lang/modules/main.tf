# Local modules: a plain call, count, for_each, two levels of nesting and
# outputs used by the parent.

variable "enti" {
  type = map(object({
    name  = string
    cidr  = string
    users = list(string)
  }))
  default = {
    c_d612 = { name = "Firenze", cidr = "10.1.0.0/16", users = ["anna", "marco"] }
    c_g999 = { name = "Prato", cidr = "10.2.0.0/16", users = [] }
  }
}

module "network" {
  source = "./modules/network"
  cidr   = "10.0.0.0/16"
  zones  = ["nova", "nova-2"]
}

module "bastion" {
  source = "./modules/network"
  count  = 2
  cidr   = cidrsubnet("192.168.0.0/16", 8, count.index)
}

module "ente" {
  source   = "./modules/ente"
  for_each = var.enti
  code     = each.key
  name     = each.value.name
  users    = each.value.users
  network  = module.network.id
}

resource "terraform_data" "summary" {
  input = {
    subnets       = module.network.subnets
    bastion_cidrs = module.bastion[*].cidr
    projects      = { for k, e in module.ente : k => e.project_name }
    firenze_users = module.ente["c_d612"].users
    network_path  = module.network.path
  }
}

output "project_names" {
  value = [for e in module.ente : e.project_name]
}
