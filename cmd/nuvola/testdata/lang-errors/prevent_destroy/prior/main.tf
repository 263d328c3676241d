resource "terraform_data" "archive" {
  triggers_replace = "v1"
}

resource "terraform_data" "logs" {
  input = "v1"
}
