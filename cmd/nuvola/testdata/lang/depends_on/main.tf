# depends_on on resources and on a module; depends_on does not change what
# is planned, only the order.

resource "terraform_data" "network" {
  input = "net"
}

resource "terraform_data" "subnet" {
  input      = "subnet"
  depends_on = [terraform_data.network]
}

module "storage" {
  source = "./storage"
}

resource "null_resource" "server" {
  depends_on = [terraform_data.subnet, module.storage]
}

output "order" {
  value      = "done"
  depends_on = [null_resource.server]
}
