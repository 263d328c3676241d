resource "terraform_data" "seed" {
  input = ["a", "b"]
}

resource "terraform_data" "copies" {
  for_each = toset(terraform_data.seed.output) # ERROR: Invalid for_each argument
}
