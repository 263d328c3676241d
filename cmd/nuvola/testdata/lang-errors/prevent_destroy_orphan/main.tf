# Instances dropped from a resource that is still configured keep its
# prevent_destroy. A resource removed from the configuration entirely has
# no lifecycle left, so it is destroyed, as in OpenTofu.
resource "terraform_data" "counted" { # ERROR: Instance cannot be destroyed
  count = 1
  lifecycle {
    prevent_destroy = true
  }
}

resource "terraform_data" "keyed" { # ERROR: Instance cannot be destroyed
  for_each = toset(["a"])
  lifecycle {
    prevent_destroy = true
  }
}
