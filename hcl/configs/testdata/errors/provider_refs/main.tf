resource "null_resource" "quoted" {
  provider = "null.west" # ERROR: Invalid provider configuration reference
}

resource "null_resource" "too_long" {
  provider = null.west.extra # ERROR: Invalid provider configuration reference
}

resource "null_resource" "call" {
  provider = lookup(var.p, "x") # ERROR: Invalid provider configuration reference
}

data "null_data_source" "upper" {
  provider = Null # ERROR: Invalid provider local name
}

module "m" {
  source = "./m"
  providers = {
    null = "null" # ERROR: Invalid provider configuration reference
  }
}

provider "null" {
  alias = "bad alias" # ERROR: Invalid provider configuration alias
}
