# Replacements: create_before_destroy shows +/- (create the new object
# first), the default shows -/+.

resource "terraform_data" "gateway" {
  triggers_replace = "v2"
  input            = "gw"
  lifecycle {
    create_before_destroy = true
  }
}

resource "null_resource" "cert" {
  triggers = {
    version = "2025"
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "terraform_data" "plain" {
  triggers_replace = "v2"
}
