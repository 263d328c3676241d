variable "ente" {
  type = string
}

variable "cidr" {
  type = string
}

variable "project_id" {
  type = string
}

locals {
  tiers = ["dmz", "app", "db"]
}

resource "terraform_data" "subnet" {
  count = length(local.tiers)
  input = {
    name       = "${var.ente}-${local.tiers[count.index]}"
    cidr       = cidrsubnet(var.cidr, 8, count.index)
    gateway    = cidrhost(cidrsubnet(var.cidr, 8, count.index), 1)
    project_id = var.project_id
  }
}

output "subnets" {
  value = terraform_data.subnet[*].input.cidr
}
