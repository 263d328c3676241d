# Neither terraform_data nor null_resource has nested blocks, so a dynamic
# block in them has nothing to generate.
resource "terraform_data" "rules" {
  dynamic "rule" { # ERROR: Unsupported block type
    for_each = ["22", "443"]
    content {
      port = rule.value
    }
  }
}
