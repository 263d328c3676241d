# check blocks: a failing assertion is a warning and the plan goes on; a
# passing one says nothing.

variable "backup_retention" {
  type    = number
  default = 3
}

resource "terraform_data" "backup" {
  input = var.backup_retention
}

check "retention" {
  assert {
    condition     = var.backup_retention >= 7
    error_message = "Backups are kept for ${var.backup_retention} days; AgID minimum measures ask for at least 7."
  }
}

locals {
  service = "protocollo"
}

check "name" {
  assert {
    condition     = length(local.service) > 0
    error_message = "The service has no name."
  }
}

check "unknown_until_apply" {
  assert {
    condition     = terraform_data.backup.id != ""
    error_message = "No id."
  }
}
