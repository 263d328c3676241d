variable "value" {
  type = string
}
