locals {
  a = local.c # ERROR: Cycle: local.a, local.b, local.c
  b = local.a # ERROR: Cycle: local.a, local.b, local.c
  c = local.b # ERROR: Cycle: local.a, local.b, local.c
}

resource "terraform_data" "x" {
  input = local.a
}
