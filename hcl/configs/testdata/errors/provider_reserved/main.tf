provider "null" {
  count      = 1 # ERROR: Reserved argument name in provider block
  for_each   = {} # ERROR: Reserved argument name in provider block
  depends_on = [] # ERROR: Reserved argument name in provider block
  source     = "x" # ERROR: Reserved argument name in provider block

  lifecycle { # ERROR: Reserved block type name in provider block
  }
}

resource "null_resource" "a" {
  locals { # ERROR: Reserved block type name in resource block
  }
}

data "null_data_source" "a" {
  locals { # ERROR: Reserved block type name in data block
  }
}

module "m" {
  source = "./m"

  lifecycle { # ERROR: Reserved block type name in module block
  }
}
