variable "zones" {
  type    = list(string)
  default = ["nova", "nova-2"]
}

resource "terraform_data" "zone" {
  for_each = var.zones # ERROR: Invalid for_each argument
  input    = each.key
}

resource "terraform_data" "numbers" {
  for_each = toset([1, 2]) # ERROR: Invalid for_each set argument
  input    = each.key
}

resource "terraform_data" "nulls" {
  for_each = toset(["a", null]) # ERROR: Invalid for_each set argument
}
