variable "declared" {
  type    = string
  default = "x"
}

locals {
  fine = var.declared
}

resource "terraform_data" "uses_var" {
  input = var.undeclared # ERROR: Reference to undeclared input variable
}

resource "terraform_data" "uses_local" {
  input = local.missing # ERROR: Reference to undeclared local value
}

resource "terraform_data" "uses_resource" {
  input = terraform_data.nowhere.id # ERROR: Reference to undeclared resource
}

output "uses_module" {
  value = module.absent.value # ERROR: Reference to undeclared module
}
