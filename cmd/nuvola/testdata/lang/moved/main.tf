# moved blocks: a rename, a change of the same object (renamed and
# updated), a resource moved under for_each, count instances re-keyed, and
# a module renamed.

resource "terraform_data" "new_name" {
  input = "protocollo"
}

moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}

resource "terraform_data" "keyed" {
  for_each = toset(["a"])
  input    = "a-updated"
}

moved {
  from = terraform_data.single
  to   = terraform_data.keyed["a"]
}

resource "null_resource" "by_name" {
  for_each = toset(["first", "second"])
}

moved {
  from = null_resource.listed[0]
  to   = null_resource.by_name["first"]
}

moved {
  from = null_resource.listed[1]
  to   = null_resource.by_name["second"]
}

module "new_mod" {
  source = "./new_mod"
}

moved {
  from = module.old_mod
  to   = module.new_mod
}
