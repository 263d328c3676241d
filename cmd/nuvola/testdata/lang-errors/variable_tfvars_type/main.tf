variable "replicas" {
  type = number
}

variable "zones" {
  type = set(string)
}

resource "terraform_data" "x" {
  input = [var.replicas, var.zones]
}
