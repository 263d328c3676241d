module "network" {
  source = "./modules/network" # ERROR: Failed to read module directory
}
