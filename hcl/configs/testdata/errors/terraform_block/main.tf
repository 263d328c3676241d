terraform {
  required_version = "not a version" # ERROR: Invalid version constraint

  required_providers {
    a = {
      source = "too/many/parts/here" # ERROR: Invalid provider source string
    }
    b = {
      version = "~> 1.0"
      bogus   = true # ERROR: Invalid required_providers object
    }
    c = 42 # ERROR: Invalid version constraint
  }

  backend "local" {}

  cloud { # ERROR: Unsupported "cloud" block
    organization = "acme"
  }
}

terraform {
  backend "s3" {} # ERROR: Duplicate backend configuration

  required_providers { # ERROR: Duplicate required providers configuration
  }
}
