variable "password" {
  type      = string
  sensitive = true
  default   = "s3cret"
}

output "password" { # ERROR: Output refers to sensitive values
  value = var.password
}

output "derived" { # ERROR: Output refers to sensitive values
  value = { user = "admin", password = var.password }
}

output "fine" {
  value     = var.password
  sensitive = true
}
