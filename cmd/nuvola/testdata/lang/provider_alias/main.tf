# Provider configurations with aliases, chosen per resource and passed to a
# module.

terraform {
  required_providers {
    null = {
      source = "hashicorp/null"
    }
  }
}

provider "null" {}

provider "null" {
  alias = "secondary"
}

resource "null_resource" "default" {
  triggers = {
    region = "RegionOne"
  }
}

resource "null_resource" "secondary" {
  provider = null.secondary
  triggers = {
    region = "RegionTwo"
  }
}

module "dr" {
  source = "./dr"
  providers = {
    null = null.secondary
  }
}
