variable "environment" {
  type        = string
  description = "Deployment environment."
  default     = "dev"

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "Environment must be dev or prod."
  }
}

variable "instance_count" {
  type     = number
  default  = 1
  nullable = false
}

variable "rules" {
  type    = list(number)
  default = [80, 443]
}

variable "settings" {
  type = object({
    name    = string
    size    = optional(number, 3)
    enabled = optional(bool)
  })
  default = {
    name = "x"
  }
}

variable "password" {
  sensitive = true
}
