resource "null_resource" "a" {
  depends_on = [upper("x")] # ERROR: Invalid expression
}

output "o" {
  value      = 1
  depends_on = "null_resource.a" # ERROR: Invalid expression
}
