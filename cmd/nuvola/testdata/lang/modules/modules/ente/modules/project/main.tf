variable "name" {
  type = string
}

resource "terraform_data" "project" {
  input = {
    name        = var.name
    description = "Project of ${var.name}"
  }
}

output "name" {
  value = terraform_data.project.input.name
}
