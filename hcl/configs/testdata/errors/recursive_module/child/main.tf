module "back" {
  source = "../" # ERROR: Recursive module source
}
