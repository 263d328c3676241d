check "always" { # ERROR: Zero assert blocks
  assert {
    condition     = 1 + 1 == 2 # ERROR: Invalid assert expression
    error_message = "Arithmetic is broken."
  }
}
