terraform {
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = ">= 3.0"
    }
    test = {
      source = "example.com/acme/test"
    }
  }
}

variable "region" {
  default = "eu-west-1"
}

variable "apps" {
  type    = list(string)
  default = ["blue", "green"]
}

variable "password" {
  type      = string
  sensitive = true
  default   = "default-secret"
}

provider "test" {
  endpoint = "https://api.example.com"
  token    = "provider-secret-token"
}

provider "test" {
  alias    = "backup"
  endpoint = "https://backup.example.com"
}

resource "null_resource" "a" {
  triggers = {
    region = var.region
  }
}

resource "test_secret" "s" {
  provider = test.backup
  name     = "db"
  password = "config-secret-literal"

  rule {
    port  = 22
    token = var.password
  }
  rule {
    port  = 443
    token = "rule-secret-literal"
  }
}

data "null_data_source" "r" {
  inputs = {
    a = null_resource.a.id
    b = module.app["blue"].id
  }
}

module "app" {
  source   = "./modules/app"
  for_each = toset(var.apps)

  name   = each.key
  secret = var.password
}

output "id" {
  value       = null_resource.a.id
  description = "The id."
}

output "secret" {
  value     = "output-secret"
  sensitive = true
}
