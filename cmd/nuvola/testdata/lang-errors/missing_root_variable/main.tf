variable "ente" { # ERROR: No value for required variable
  type = string
}

resource "terraform_data" "x" {
  input = var.ente
}
