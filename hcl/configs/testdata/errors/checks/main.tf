check "empty" { # ERROR: Zero assert blocks
}

check "nested" {
  data "null_data_source" "a" {
  }

  data "null_data_source" "b" { # ERROR: Multiple data resource blocks
  }

  assert {
    condition     = data.null_data_source.a.id != ""
    error_message = "x"
  }
}

check "nested_meta" {
  data "null_data_source" "c" {
    count    = 1 # ERROR: Invalid "count" attribute
    for_each = {} # ERROR: Invalid "for_each" attribute

    lifecycle { # ERROR: Invalid lifecycle block
    }
  }

  assert {
    condition     = data.null_data_source.c.id != ""
    error_message = "x"
  }
}

output "o" {
  value = 1

  postcondition { # ERROR: Postconditions are not allowed
    condition     = var.x
    error_message = "x"
  }
}
