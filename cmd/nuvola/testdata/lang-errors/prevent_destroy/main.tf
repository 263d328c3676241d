# Replacing a protected object is an error; updating one in place is not.
resource "terraform_data" "archive" { # ERROR: Instance cannot be destroyed
  triggers_replace = "v2"
  lifecycle {
    prevent_destroy = true
  }
}

resource "terraform_data" "logs" {
  input = "v2"
  lifecycle {
    prevent_destroy = true
  }
}
