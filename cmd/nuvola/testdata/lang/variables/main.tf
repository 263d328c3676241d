# Root module variables of every kind, set from every source OpenTofu reads.

variable "ente" {
  description = "IPA code of the public body."
  type        = string
  validation {
    condition     = can(regex("^c_[a-z][0-9]{3}$", var.ente))
    error_message = "The ente must be an IPA code such as c_h501."
  }
}

variable "classification" {
  type    = string
  default = "ordinario"
  validation {
    condition     = contains(["ordinario", "critico", "strategico"], var.classification)
    error_message = "Unknown classification."
  }
}

variable "network" {
  type = object({
    cidr        = string
    dns         = optional(list(string), ["1.1.1.1"])
    mtu         = optional(number, 1450)
    description = optional(string)
  })
}

variable "replicas" {
  type    = number
  default = 1
}

variable "max_replicas" {
  type    = number
  default = 5
  validation {
    condition     = var.max_replicas >= var.replicas
    error_message = "max_replicas must not be below replicas."
  }
}

variable "tags" {
  type    = map(string)
  default = { managed_by = "nuvola" }
}

variable "admin_password" {
  type      = string
  sensitive = true
  default   = "changeme"
}

variable "region" {
  type     = string
  default  = "RegionOne"
  nullable = false
}

variable "comment" {
  type    = string
  default = "default comment"
}

variable "zones" {
  type    = set(string)
  default = []
}

variable "from_env" {
  type    = string
  default = "not set"
}

variable "anything" {
  default = null
}

resource "terraform_data" "settings" {
  input = {
    ente           = var.ente
    classification = var.classification
    network        = var.network
    replicas       = var.replicas
    max_replicas   = var.max_replicas
    tags           = var.tags
    region         = var.region
    comment        = var.comment
    zones          = var.zones
    from_env       = var.from_env
    anything       = var.anything
  }
}

resource "terraform_data" "secret" {
  input = var.admin_password
}
