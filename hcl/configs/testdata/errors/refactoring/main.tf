moved { # ERROR: Invalid "moved" addresses
  from = null_resource.a
  to   = module.b
}

moved {
  from = data.null_data_source.a # ERROR: Invalid address
  to   = data.null_data_source.b # ERROR: Invalid address
}

moved {
  from = "null_resource.x" # ERROR: Invalid expression
  to   = null_resource.y
}

import {
  to = module.m # ERROR: Invalid address
  id = "x"
}

import {
  to = upper(null_resource.a) # ERROR: Invalid import address expression
  id = "x"
}

import {
  to       = module.m.null_resource.a
  id       = "x"
  provider = null # ERROR: Invalid import provider argument
}

removed {
  from = null_resource.a[0] # ERROR: Invalid address
}

removed {
  from = null_resource.b
  lifecycle {
    destroy = "sometimes" # ERROR: Incorrect value type
  }
}
