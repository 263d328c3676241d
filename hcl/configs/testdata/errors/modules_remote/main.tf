module "registry" {
  source = "hashicorp/consul/aws" # ERROR: Unsupported module source
}

module "git" {
  source = "git::https://example.com/x.git" # ERROR: Unsupported module source
}

module "versioned" {
  source  = "./local"
  version = "1.0.0" # ERROR: Unsupported argument
}
