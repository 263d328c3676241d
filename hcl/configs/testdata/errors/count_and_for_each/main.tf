resource "null_resource" "a" {
  count    = 1
  for_each = toset([]) # ERROR: Invalid combination of "count" and "for_each"
}

data "null_data_source" "b" {
  count    = 1
  for_each = toset([]) # ERROR: Invalid combination of "count" and "for_each"
}

module "m" {
  source   = "./m"
  count    = 1
  for_each = toset([]) # ERROR: Invalid combination of "count" and "for_each"
}
