variable "classification" { # ERROR: Invalid value for variable
  type    = string
  default = "segreto"
  validation {
    condition     = contains(["ordinario", "critico", "strategico"], var.classification)
    error_message = "The classification must be ordinario, critico or strategico."
  }
}

module "ente" {
  source = "./modules/ente"
  code   = "h501" # ERROR: Invalid value for variable
}

variable "min_replicas" {
  type    = number
  default = 3
}

variable "max_replicas" { # ERROR: Invalid value for variable
  type    = number
  default = 2
  validation {
    condition     = var.max_replicas >= var.min_replicas
    error_message = "max_replicas (${var.max_replicas}) is below min_replicas (${var.min_replicas})."
  }
}
