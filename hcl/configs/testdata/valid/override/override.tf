terraform {
  required_signatures = 2

  backend "local" {
    path = "override.tfstate"
  }
}

variable "size" {
  type    = string
  default = "large"
}

locals {
  name = "overridden"
}

resource "null_resource" "a" {
  for_each = toset(["x"])

  triggers = {
    name = "over"
  }

  rule {
    port = 443
  }

  lifecycle {
    create_before_destroy = true
  }
}
