resource "terraform_data" "both" {
  count    = 2
  for_each = toset(["a"]) # ERROR: Invalid combination of "count" and "for_each"
}
