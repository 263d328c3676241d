variable "name" {
  type = string
}

resource "null_resource" "subnet" {
  triggers = {
    name = var.name
  }
}

output "name" {
  value = var.name
}
