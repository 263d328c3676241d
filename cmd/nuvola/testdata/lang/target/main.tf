# -target limits the plan to the named resources, instances and modules and
# what they depend on.

resource "terraform_data" "network" {
  input = "net"
}

resource "terraform_data" "server" {
  count = 3
  input = "server-${count.index}-on-${terraform_data.network.input}"
}

resource "terraform_data" "unrelated" {
  input = "not targeted"
}

resource "terraform_data" "by_key" {
  for_each = toset(["a", "b"])
  input    = each.key
}

module "storage" {
  source = "./storage"
}

output "network" {
  value = terraform_data.network.input
}

output "unrelated" {
  value = terraform_data.unrelated.input
}
