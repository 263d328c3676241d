output "no_value" { # ERROR: Missing required argument
  description = "no value"
}

moved { # ERROR: Missing required argument
  from = null_resource.a
}

import { # ERROR: Missing required argument
  to = null_resource.a
}

module "nosource" { # ERROR: Missing required argument
  x = 1
}
