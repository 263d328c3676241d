terraform {
  required_signatures = 1
  trusted_keys_dir    = "keys"

  backend "local" {
    path = "base.tfstate"
  }
}

provider "null" {
  alias = "west"
  region = "us-west-1"
}

variable "size" {
  type    = number
  default = 1
}

locals {
  name = "base"
}

resource "null_resource" "a" {
  count = 1

  triggers = {
    name = local.name
  }
  keep = "base"

  rule {
    port = 80
  }
  rule {
    port = 81
  }

  lifecycle {
    prevent_destroy = true
  }
}

output "o" {
  value = local.name
}
