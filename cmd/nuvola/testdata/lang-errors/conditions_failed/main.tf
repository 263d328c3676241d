variable "flavor" {
  type    = string
  default = "x1.huge"
}

resource "terraform_data" "server" {
  input = var.flavor
  lifecycle {
    precondition {
      condition     = startswith(var.flavor, "m1.") # ERROR: Resource precondition failed
      error_message = "Only m1 flavors are available."
    }
  }
}

resource "terraform_data" "disk" {
  input = 5
  lifecycle {
    postcondition {
      condition     = self.input >= 10 # ERROR: Resource postcondition failed
      error_message = "The disk is too small."
    }
  }
}

output "flavor" {
  value = var.flavor
  precondition {
    condition     = length(var.flavor) < 5 # ERROR: Module output value precondition failed
    error_message = "The flavor name is too long."
  }
}
