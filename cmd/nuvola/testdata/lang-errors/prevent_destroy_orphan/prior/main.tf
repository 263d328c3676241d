resource "terraform_data" "counted" {
  count = 2
}

resource "terraform_data" "keyed" {
  for_each = toset(["a", "b"])
}

resource "terraform_data" "dropped" {
  lifecycle {
    prevent_destroy = true
  }
}
