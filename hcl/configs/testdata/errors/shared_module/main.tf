module "first" {
  source = "./shared"
}

module "second" {
  source = "./shared"
}
