terraform {
  required_version = ">= 1.6.0"

  required_signatures = 2
  trusted_keys_dir    = "approvers"

  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "~> 3.2"
    }
    random = "~> 3.5"
    custom = {
      source = "example.com/acme/custom"
    }
  }

  backend "local" {
    path = "state/terraform.tfstate"
  }
}

provider "null" {}

provider "null" {
  alias = "secondary"
}

provider "custom" {
  endpoint = "https://api.example.com"
}

locals {
  names  = toset(["a", "b"])
  prefix = "${var.environment}-app"
}

resource "null_resource" "counted" {
  count = var.instance_count

  triggers = {
    index = count.index
  }
}

resource "null_resource" "each" {
  for_each = local.names
  provider = null.secondary

  triggers = {
    name = each.key
  }

  depends_on = [null_resource.counted, module.network]
}

resource "custom_thing" "lifecycle" {
  name = local.prefix

  tags = {
    owner = "ops"
  }

  dynamic "rule" {
    for_each = var.rules
    content {
      port = rule.value
    }
  }

  lifecycle {
    create_before_destroy = true
    prevent_destroy       = false
    ignore_changes        = [tags, name]
    replace_triggered_by  = [null_resource.counted[0], null_resource.each["a"].id]

    precondition {
      condition     = var.environment != ""
      error_message = "Environment must be set."
    }

    postcondition {
      condition     = self.name != ""
      error_message = "Name must not be empty."
    }
  }
}

resource "terraform_data" "ignore_all" {
  input = var.environment

  lifecycle {
    ignore_changes = all
  }
}

data "null_data_source" "lookup" {
  inputs = {
    env = var.environment
  }
}

module "network" {
  source = "./modules/network"

  cidr = "10.0.0.0/16"

  providers = {
    null       = null.secondary
    null.extra = null
  }
}

module "counted" {
  source = "./modules/network/subnet"
  count  = 2

  name = "subnet-${count.index}"
}

module "each" {
  source   = "./modules/network/subnet"
  for_each = local.names

  name       = each.key
  depends_on = [null_resource.counted]
}

moved {
  from = null_resource.old
  to   = null_resource.counted
}

moved {
  from = module.old_network
  to   = module.network
}

import {
  to = null_resource.imported
  id = "abc-123"
}

import {
  for_each = local.names
  to       = null_resource.each[each.key]
  id       = "id-${each.key}"
  provider = null.secondary
}

removed {
  from = null_resource.gone

  lifecycle {
    destroy = false
  }
}

removed {
  from = module.legacy
}

check "health" {
  data "null_data_source" "probe" {
    inputs = {
      status = "ok"
    }
  }

  assert {
    condition     = data.null_data_source.probe.outputs["status"] == "ok"
    error_message = "Probe failed."
  }
}
