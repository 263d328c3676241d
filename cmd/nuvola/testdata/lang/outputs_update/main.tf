# Only output values change: an update, an addition and a removal, and
# nothing to do to real infrastructure.

resource "terraform_data" "db" {
  input = "postgres"
}

output "engine" {
  value = terraform_data.db.input
}

output "version" {
  value = "16"
}

output "added" {
  value = { port = 5432 }
}

output "same" {
  value = ["a", "b"]
}
