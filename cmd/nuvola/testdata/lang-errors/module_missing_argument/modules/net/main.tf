variable "cidr" {
  type = string
}

variable "name" {
  type    = string
  default = "net"
}

resource "terraform_data" "net" {
  input = "${var.name}: ${var.cidr}"
}
