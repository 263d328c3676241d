# A small municipal estate without a cloud: each ente gets a project record,
# a network plan derived from its CIDR, and an access rule set. It runs with
# local state and the built-in terraform_data and null_resource types.

terraform {
  required_version = ">= 1.6"
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = ">= 3.0"
    }
  }
}

variable "enti" {
  description = "Public bodies by IPA code."
  type = map(object({
    name           = string
    cidr           = string
    classification = optional(string, "ordinario")
  }))
  default = {
    c_d612 = { name = "Comune di Firenze", cidr = "10.20.0.0/16", classification = "critico" }
    c_g999 = { name = "Comune di Prato", cidr = "10.21.0.0/16" }
    c_l378 = { name = "Comune di Trento", cidr = "10.30.0.0/16" }
  }

  validation {
    condition     = alltrue([for e in var.enti : contains(["ordinario", "critico", "strategico"], e.classification)])
    error_message = "classification must be ordinario, critico or strategico."
  }
}

locals {
  tags = { managed_by = "nuvola", region = "it-fi-1" }
}

resource "terraform_data" "project" {
  for_each = var.enti
  input = merge(local.tags, {
    ente           = each.key
    name           = each.value.name
    classification = each.value.classification
  })
}

module "network" {
  source   = "./modules/network"
  for_each = var.enti

  ente       = each.key
  cidr       = each.value.cidr
  project_id = terraform_data.project[each.key].id
}

resource "null_resource" "baseline" {
  for_each = var.enti
  triggers = {
    project = terraform_data.project[each.key].id
    subnets = join(",", module.network[each.key].subnets)
  }
}

output "subnets" {
  value = { for k, m in module.network : k => m.subnets }
}
