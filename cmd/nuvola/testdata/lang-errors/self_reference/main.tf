resource "terraform_data" "self_ref" {
  input = terraform_data.self_ref.id # ERROR: Self-referential block
}

locals {
  loop = "${local.loop}-x" # ERROR: Self-referential block
}
