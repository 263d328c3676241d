resource "terraform_data" "network" { # ERROR: Cycle: terraform_data.network, terraform_data.subnet
  input = terraform_data.subnet.id
}

resource "terraform_data" "subnet" { # ERROR: Cycle: terraform_data.network, terraform_data.subnet
  input = terraform_data.network.id
}
