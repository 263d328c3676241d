variable "dir" {
  type = string
}

terraform {
  required_signatures = -1 # ERROR: Invalid required_signatures
  trusted_keys_dir    = "" # ERROR: Invalid trusted_keys_dir
}

terraform {
  required_signatures = 2
}

terraform {
  required_signatures = 3 # ERROR: Duplicate required_signatures
}

terraform {
  required_signatures = 1.5 # ERROR: Invalid required_signatures
  trusted_keys_dir    = var.dir # ERROR: Variables not allowed
}
