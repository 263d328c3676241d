resource "terraform_data" "gateway" {
  triggers_replace = "v1"
  input            = "gw"
  lifecycle {
    create_before_destroy = true
  }
}

resource "null_resource" "cert" {
  triggers = {
    version = "2024"
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "terraform_data" "plain" {
  triggers_replace = "v1"
}
