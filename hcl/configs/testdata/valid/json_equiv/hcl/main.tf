terraform {
  required_version = ">= 1.0"
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = ">= 3.0"
    }
    random = "~> 3.5"
  }
  backend "local" {
    path = "x.tfstate"
  }
}

provider "null" {
  alias = "west"
}

variable "settings" {
  type = object({
    name = string
    size = optional(number, 2)
  })
  default = {
    name = "n"
  }
}

variable "names" {
  type     = set(string)
  default  = ["a"]
  nullable = false
}

locals {
  greeting = "hello"
}

resource "null_resource" "a" {
  count    = 2
  provider = null.west
  triggers = {
    g = local.greeting
  }

  dynamic "rule" {
    for_each = var.names
    content {
      name = rule.value
    }
  }

  lifecycle {
    create_before_destroy = true
    prevent_destroy       = true
    ignore_changes        = [triggers]
    replace_triggered_by  = [null_resource.b]

    precondition {
      condition     = var.settings.size > 0
      error_message = "size"
    }
  }
}

resource "null_resource" "b" {
  for_each   = var.names
  depends_on = [null_resource.a]

  lifecycle {
    ignore_changes = all
  }
}

data "null_data_source" "d" {
  inputs = {
    a = "b"
  }
}

module "child" {
  source   = "./modules/child"
  for_each = var.names
  providers = {
    null = null.west
  }
  value = each.key
}

moved {
  from = null_resource.old
  to   = null_resource.a
}

import {
  for_each = var.names
  to       = null_resource.b[each.key]
  id       = each.key
}

removed {
  from = null_resource.gone
  lifecycle {
    destroy = false
  }
}

check "c" {
  data "null_data_source" "probe" {
  }
  assert {
    condition     = data.null_data_source.probe.id != ""
    error_message = "probe"
  }
}

output "out" {
  value      = local.greeting
  sensitive  = true
  depends_on = [null_resource.a]
  precondition {
    condition     = local.greeting != ""
    error_message = "empty"
  }
}
