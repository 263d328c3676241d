# import blocks adopt existing objects: by a literal id, by an id built
# from a variable, and into for_each instances.

variable "legacy_id" {
  type    = string
  default = "b1946ac9-2f3d-4b8a-9a56-6b7d0d5d1a01"
}

import {
  to = terraform_data.adopted
  id = "f3c1d7a2-5e4b-4c1e-8d0a-3b2e1f0a9c88"
}

resource "terraform_data" "adopted" {}

import {
  to = terraform_data.legacy
  id = var.legacy_id
}

resource "terraform_data" "legacy" {
  input = "now managed"
}

import {
  for_each = { roma = "id-roma", prato = "id-prato" }
  to       = null_resource.ente[each.key]
  id       = each.value
}

resource "null_resource" "ente" {
  for_each = toset(["roma", "prato"])
}
