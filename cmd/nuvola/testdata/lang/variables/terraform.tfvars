ente = "c_h501"
network = {
  cidr = "10.10.0.0/16"
}
replicas = 2
