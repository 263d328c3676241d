resource "terraform_data" "server" {
  input = "a"
}

resource "terraform_data" "server" { # ERROR: Duplicate resource "terraform_data" configuration
  input = "b"
}

variable "x" {}

variable "x" {} # ERROR: Duplicate variable declaration
