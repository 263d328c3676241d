terraform {
  required_version = ">= 99.0" # ERROR: Unsupported language version
}

resource "terraform_data" "x" {}
