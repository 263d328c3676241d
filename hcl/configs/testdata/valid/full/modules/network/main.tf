terraform {
  required_providers {
    null = {
      source                = "hashicorp/null"
      configuration_aliases = [null.extra]
    }
  }
}

variable "cidr" {
  type = string
}

module "subnet" {
  source = "./subnet"
  name   = var.cidr
}

resource "null_resource" "net" {
  provider = null.extra
}

output "cidr" {
  value = var.cidr
}
