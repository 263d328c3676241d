resource "terraform_data" "fine" {}

resource "null_resourse" "typo" { # ERROR: Invalid resource type
}
