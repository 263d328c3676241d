resource "terraform_data" "archive" {
  triggers_replace = "v1"
  input            = "protocollo"
}

resource "terraform_data" "logs" {
  input = "logs"
}
