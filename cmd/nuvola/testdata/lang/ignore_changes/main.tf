# ignore_changes on one attribute and on all: changes there are not
# planned; other changes still are.

resource "terraform_data" "specific" {
  input = {
    name = "web"
    size = "large"
  }
  triggers_replace = "b"
  lifecycle {
    ignore_changes = [triggers_replace]
  }
}

resource "terraform_data" "all" {
  input            = "after"
  triggers_replace = "b"
  lifecycle {
    ignore_changes = all
  }
}

resource "terraform_data" "noticed" {
  input = "after"
}
