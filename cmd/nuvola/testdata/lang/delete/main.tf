# Deletions: a resource removed from the configuration, count reduced, a
# for_each key dropped, a resource that now uses count, and a module call
# removed.

resource "terraform_data" "counted" {
  count = 1
  input = "instance-${count.index}"
}

resource "terraform_data" "keyed" {
  for_each = toset(["roma", "firenze"])
  input    = each.key
}

resource "null_resource" "was_single" {
  count = 1
}
