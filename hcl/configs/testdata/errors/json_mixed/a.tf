resource "null_resource" "a" {}

variable "v" {}
