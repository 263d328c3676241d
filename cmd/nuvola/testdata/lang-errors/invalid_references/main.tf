resource "terraform_data" "single" {
  input = count.index # ERROR: Reference to "count" in non-counted context
}

resource "terraform_data" "keyed" {
  input = each.key # ERROR: each.key cannot be used in this context
}

resource "terraform_data" "counted" {
  count = 2
}

resource "terraform_data" "bad_index" {
  input = terraform_data.counted[5].id # ERROR: Invalid index
}

resource "terraform_data" "bad_attr" {
  input = terraform_data.counted[0].flavor # ERROR: Unsupported attribute
}
