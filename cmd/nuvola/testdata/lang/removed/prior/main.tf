resource "terraform_data" "destroy_me" {
  input = "temporary"
}

resource "terraform_data" "no_block" {
  input = "also temporary"
}

resource "null_resource" "counted" {
  count = 2
}
