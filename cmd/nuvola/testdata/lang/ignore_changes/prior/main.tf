resource "terraform_data" "specific" {
  input = {
    name = "web"
    size = "small"
  }
  triggers_replace = "a"
}

resource "terraform_data" "all" {
  input            = "before"
  triggers_replace = "a"
}

resource "terraform_data" "noticed" {
  input = "before"
}
