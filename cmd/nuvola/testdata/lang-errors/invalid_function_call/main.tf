resource "terraform_data" "a" {
  input = nosuchfunction("x") # ERROR: Call to unknown function
}

resource "terraform_data" "b" {
  input = upper("a", "b") # ERROR: Too many function arguments
}

resource "terraform_data" "c" {
  input = cidrsubnet("10.0.0.0/16", 8, 300) # ERROR: Error in function call
}

resource "terraform_data" "d" {
  input = file("no-such-file.txt") # ERROR: Invalid function argument
}

resource "terraform_data" "e" {
  input = jsondecode("{not json") # ERROR: Error in function call
}
