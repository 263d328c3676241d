variable "v" {}

variable "v" {} # ERROR: Duplicate variable declaration

output "o" {
  value = 1
}

output "o" { # ERROR: Duplicate output definition
  value = 2
}

locals {
  l = 1
}

locals {
  l = 2 # ERROR: Duplicate local value definition
}

module "m" {
  source = "./m"
}

module "m" { # ERROR: Duplicate module call
  source = "./m"
}

provider "null" {}

provider "null" {} # ERROR: Duplicate provider configuration

provider "null" {
  alias = "x"
}

provider "null" { # ERROR: Duplicate provider configuration
  alias = "x"
}

check "c" {
  assert {
    condition     = var.v
    error_message = "x"
  }
}

check "c" { # ERROR: Duplicate check "c" configuration
  assert {
    condition     = var.v
    error_message = "x"
  }
}
