variable "code" {
  type = string
  validation {
    condition     = can(regex("^c_[a-z][0-9]{3}$", var.code))
    error_message = "The code must be an IPA code such as c_h501."
  }
}
