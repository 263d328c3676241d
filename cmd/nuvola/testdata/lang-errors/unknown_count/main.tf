resource "terraform_data" "seed" {
  input = 3
}

resource "terraform_data" "copies" {
  count = terraform_data.seed.output # ERROR: Invalid count argument
}
