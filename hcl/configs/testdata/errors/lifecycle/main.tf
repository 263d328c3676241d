resource "null_resource" "a" {
  lifecycle {
  }

  lifecycle { # ERROR: Duplicate lifecycle block
  }
}

resource "null_resource" "b" {
  lifecycle {
    ignore_changes = ["*"] # ERROR: Invalid ignore_changes wildcard
  }
}

resource "null_resource" "c" {
  lifecycle {
    create_before_destroy = "maybe" # ERROR: Incorrect value type
    prevent_destroy       = var.x # ERROR: Variables not allowed
    unknown_option        = true # ERROR: Unsupported argument
  }
}

resource "null_resource" "d" {
  lifecycle {
    replace_triggered_by = [var.x] # ERROR: Invalid reference in replace_triggered_by expression
  }
}

data "null_data_source" "e" {
  lifecycle {
    create_before_destroy = true # ERROR: Invalid data resource lifecycle argument
  }
}

resource "null_resource" "f" {
  lifecycle {
    postcondition {
      condition     = null_resource.f.id != "" # ERROR: Invalid reference in postcondition
      error_message = "x"
    }
  }
}
