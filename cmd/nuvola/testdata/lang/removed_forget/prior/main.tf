resource "terraform_data" "keep_in_cloud" {
  input = "protocollo storico"
}

resource "null_resource" "counted" {
  count = 2
}
