variable "nope" {} # ERROR: Missing base variable declaration to override

resource "null_resource" "b" {} # ERROR: Missing resource to override

resource "null_resource" "a" { # ERROR: Unsupported override
  depends_on = [null_resource.b]
}

provider "null" { # ERROR: Missing base provider configuration for override
  alias = "west"
}

moved { # ERROR: Cannot override 'moved' blocks
  from = null_resource.x
  to   = null_resource.a
}

check "c" { # ERROR: Can't override check blocks
  assert {
    condition     = var.x
    error_message = "x"
  }
}
