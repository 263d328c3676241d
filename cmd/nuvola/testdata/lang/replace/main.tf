# -replace forces the replacement of objects that have no changes.

resource "terraform_data" "server" {
  count = 2
  input = "web-${count.index}"
}

resource "null_resource" "cert" {}

resource "terraform_data" "keep" {
  input = "unchanged"
}
