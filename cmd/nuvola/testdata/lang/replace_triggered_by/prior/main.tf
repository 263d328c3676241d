resource "terraform_data" "image" {
  input = "debian-12.1"
}

resource "terraform_data" "server" {
  input = "web"
  lifecycle {
    replace_triggered_by = [terraform_data.image]
  }
}

resource "terraform_data" "config" {
  for_each = toset(["a", "b"])
  input    = "config-${each.key}-v1"
}

resource "null_resource" "agent" {
  for_each = toset(["a", "b"])
  lifecycle {
    replace_triggered_by = [terraform_data.config[each.key]]
  }
}

resource "terraform_data" "untouched" {
  input = "same"
  lifecycle {
    replace_triggered_by = [terraform_data.image.id]
  }
}

resource "null_resource" "sidecar" {
  for_each = toset(["x"])
  lifecycle {
    replace_triggered_by = [terraform_data.image.output]
  }
}

resource "null_resource" "worker" {
  count = 2
  lifecycle {
    replace_triggered_by = [terraform_data.config[count.index == 0 ? "a" : "b"].input]
  }
}
