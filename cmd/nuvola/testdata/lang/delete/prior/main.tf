resource "terraform_data" "gone" {
  input = "no longer configured"
}

resource "terraform_data" "counted" {
  count = 3
  input = "instance-${count.index}"
}

resource "terraform_data" "keyed" {
  for_each = toset(["roma", "prato", "firenze"])
  input    = each.key
}

resource "null_resource" "was_single" {}

module "old" {
  source = "./old"
}
