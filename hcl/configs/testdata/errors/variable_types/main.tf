variable "a" {
  type = strin # ERROR: Invalid type specification
}

variable "b" {
  type = "string" # ERROR: Invalid quoted type constraints
}

variable "c" {
  type    = number
  default = "not a number" # ERROR: Invalid default value for variable
}

variable "d" {
  type     = string
  nullable = false
  default  = null # ERROR: Invalid default value for variable
}

variable "e" {
  type = object({
    name = string
    size = optional(number, 1)
  })
  default = { # ERROR: Invalid default value for variable
    size = 2
  }
}

variable "f" {
  validation {
    condition     = var.other != "" # ERROR: Invalid variable validation condition
    error_message = "x"
  }
}

variable "g" {
  validation {
    condition     = true # ERROR: Invalid validation expression
    error_message = "x"
  }
}
