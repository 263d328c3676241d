# Root outputs: plain, derived from resources, sensitive, and guarded by a
# precondition.

variable "db_password" {
  type      = string
  sensitive = true
  default   = "pa55word"
}

variable "ports" {
  type    = list(number)
  default = [80, 443]
}

resource "terraform_data" "db" {
  input = "postgres"
}

output "engine" {
  description = "The database engine."
  value       = terraform_data.db.input
}

output "db_id" {
  value = terraform_data.db.id
}

output "password" {
  value     = var.db_password
  sensitive = true
}

output "ports" {
  value = var.ports
  precondition {
    condition     = length(var.ports) > 0
    error_message = "At least one port must be open."
  }
}

output "summary" {
  value = {
    engine = terraform_data.db.input
    ports  = var.ports
  }
}
