variable "code" {
  type = string
}

variable "name" {
  type = string
}

variable "users" {
  type = list(string)
}

variable "network" {
  type = string
}

module "project" {
  source = "./modules/project"
  name   = "${var.code}-${lower(var.name)}"
}

resource "null_resource" "user" {
  for_each = toset(var.users)
  triggers = {
    project = module.project.name
    user    = each.key
    network = var.network
  }
}

output "project_name" {
  value = module.project.name
}

output "users" {
  value = keys(null_resource.user)
}
