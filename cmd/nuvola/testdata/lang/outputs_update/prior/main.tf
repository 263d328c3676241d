resource "terraform_data" "db" {
  input = "postgres"
}

output "engine" {
  value = terraform_data.db.input
}

output "version" {
  value = "15"
}

output "removed_later" {
  value = "bye"
}

output "same" {
  value = ["a", "b"]
}
