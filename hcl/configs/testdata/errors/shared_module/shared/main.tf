output "broken" { # ERROR: Missing required argument
}
