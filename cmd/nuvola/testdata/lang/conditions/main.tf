# Preconditions and postconditions that hold; a postcondition on an
# unknown value is checked at apply.

variable "flavor" {
  type    = string
  default = "m1.small"
}

resource "terraform_data" "server" {
  input = {
    flavor = var.flavor
    disk   = 20
  }
  lifecycle {
    precondition {
      condition     = startswith(var.flavor, "m1.")
      error_message = "Only m1 flavors are available."
    }
    postcondition {
      condition     = self.input.disk >= 10
      error_message = "The disk is too small."
    }
    postcondition {
      condition     = self.id != ""
      error_message = "The server has no id."
    }
  }
}

output "flavor" {
  value = terraform_data.server.input.flavor
  precondition {
    condition     = terraform_data.server.input.disk > 0
    error_message = "No disk."
  }
}
