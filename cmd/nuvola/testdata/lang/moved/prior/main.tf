resource "terraform_data" "old_name" {
  input = "protocollo"
}

resource "terraform_data" "single" {
  input = "a"
}

resource "null_resource" "listed" {
  count = 2
}

module "old_mod" {
  source = "./old_mod"
}
