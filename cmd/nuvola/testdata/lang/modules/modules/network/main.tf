variable "cidr" {
  type = string
}

variable "zones" {
  type    = list(string)
  default = ["nova"]
}

resource "terraform_data" "net" {
  input = var.cidr
}

output "id" {
  value = terraform_data.net.id
}

output "cidr" {
  value = var.cidr
}

output "subnets" {
  value = { for i, z in var.zones : z => cidrsubnet(var.cidr, 8, i) }
}

output "path" {
  value = path.module
}
