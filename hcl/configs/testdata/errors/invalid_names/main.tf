resource "null_resource" "1bad" {} # ERROR: Invalid resource name

resource "null resource" "ok" {} # ERROR: Invalid resource type name

data "null_data_source" "bad name" {} # ERROR: Invalid data resource name

variable "2x" {} # ERROR: Invalid variable name

variable "count" {} # ERROR: Invalid variable name

output "a b" { # ERROR: Invalid output name
  value = 1
}

module "-m" { # ERROR: Invalid module instance name
  source = "./m"
}

check "1check" { # ERROR: Invalid check block name
  assert {
    condition     = var.x
    error_message = "x"
  }
}
