# for_each over a map, a set of strings and a map built with a for
# expression; each.key and each.value; references by key.

variable "enti" {
  type = map(object({
    name  = string
    quota = number
  }))
  default = {
    c_h501 = { name = "Roma", quota = 100 }
    c_d612 = { name = "Firenze", quota = 50 }
  }
}

variable "zones" {
  type    = set(string)
  default = ["nova", "nova-2", "nova"]
}

resource "terraform_data" "project" {
  for_each = var.enti
  input = {
    code  = each.key
    name  = each.value.name
    quota = each.value.quota
  }
}

resource "null_resource" "zone" {
  for_each = var.zones
  triggers = {
    zone = each.value
    key  = each.key
  }
}

resource "terraform_data" "big" {
  for_each = { for k, v in var.enti : k => v if v.quota >= 100 }
  input    = "${each.key}: ${each.value.name}"
}

resource "terraform_data" "roma" {
  input = terraform_data.project["c_h501"].input.name
}
