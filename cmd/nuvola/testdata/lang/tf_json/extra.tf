# Native syntax and JSON files make one module.
output "from_native" {
  value = terraform_data.project.input.name
}
