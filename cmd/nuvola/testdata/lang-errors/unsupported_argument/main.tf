resource "terraform_data" "server" {
  input  = "web"
  flavor = "m1.small" # ERROR: Unsupported argument
}

resource "null_resource" "marker" {
  triggers = {}
  id       = "fixed" # ERROR: Value for unconfigurable attribute
}
