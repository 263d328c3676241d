module "net" { # ERROR: Invalid value for input variable
  source = "./modules/net"
  cidr   = ["10.0.0.0/16"]
}
