variable "zones" {
  type    = list(string)
  default = "nova" # ERROR: Invalid default value for variable
}

variable "size" {
  type = object({
    cpu = number
  })
  default = { cpu = "many" } # ERROR: Invalid default value for variable
}
