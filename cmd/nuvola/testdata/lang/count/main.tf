# count with literal, variable and conditional values; references to
# instances by index and with splat.

variable "servers" {
  type    = number
  default = 3
}

variable "with_backup" {
  type    = bool
  default = false
}

resource "terraform_data" "server" {
  count = var.servers
  input = "server-${count.index}"
}

resource "terraform_data" "backup" {
  count = var.with_backup ? 1 : 0
  input = "backup"
}

resource "null_resource" "first" {
  count = 1
  triggers = {
    name = terraform_data.server[0].input
  }
}

resource "terraform_data" "inventory" {
  input = {
    count   = length(terraform_data.server)
    names   = terraform_data.server[*].input
    backups = length(terraform_data.backup)
  }
}
