# Locals built from other locals, variables and each other, across blocks.

variable "ente" {
  type    = string
  default = "c_l378"
}

locals {
  prefix   = "pa-${var.ente}"
  services = ["protocollo", "anagrafe", "tributi"]
}

locals {
  names      = [for s in local.services : "${local.prefix}-${s}"]
  by_service = { for i, s in local.services : s => { index = i, name = local.names[i] } }
  first      = local.names[0]
  count      = length(local.services)
  upper      = upper(local.prefix)
}

resource "terraform_data" "naming" {
  input = {
    names      = local.names
    by_service = local.by_service
    first      = local.first
    count      = local.count
    upper      = local.upper
  }
}
