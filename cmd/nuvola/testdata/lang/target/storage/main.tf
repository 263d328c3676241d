resource "terraform_data" "volume" {
  input = 100
}
