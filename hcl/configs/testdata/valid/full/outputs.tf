output "prefix" {
  value       = local.prefix
  description = "Name prefix."
}

output "secret" {
  value      = var.password
  sensitive  = true
  depends_on = [null_resource.counted]

  precondition {
    condition     = length(var.password) > 8
    error_message = "Password too short."
  }
}
