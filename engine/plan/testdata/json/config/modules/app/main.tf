variable "name" {}

variable "secret" {
  sensitive = true
}

resource "null_resource" "b" {
  count = 2
  triggers = {
    name = var.name
    idx  = count.index
  }
  depends_on = [module.inner]
}

module "inner" {
  source = "./inner"
}

output "id" {
  value = null_resource.b[0].id
}
