module "self" {
  source = "./" # ERROR: Recursive module source
}

module "loop" {
  source = "./child"
}

module "missing" {
  source = "./does-not-exist" # ERROR: Failed to read module directory
}
