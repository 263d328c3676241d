resource "null_resource" "a" {
  triggers = {
    a = # ERROR: Invalid expression
  }
}
