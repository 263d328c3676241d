# prevent_destroy stops a plan that would replace the object; an update in
# place of a protected object is fine.

resource "terraform_data" "archive" {
  triggers_replace = "v2"
  input            = "protocollo"
  lifecycle {
    prevent_destroy = true
  }
}

resource "terraform_data" "logs" {
  input = "logs-v2"
  lifecycle {
    prevent_destroy = true
  }
}
