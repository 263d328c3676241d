module "net" { # ERROR: Missing required argument
  source = "./modules/net"
  name   = "public"
}

module "net2" {
  source = "./modules/net"
  cidr   = "10.0.0.0/16"
  colour = "blue" # ERROR: Unsupported argument
}
