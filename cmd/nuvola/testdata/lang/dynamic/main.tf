# dynamic blocks need a resource type with nested blocks, and neither
# terraform_data nor null_resource has one (an attempt is an error fixture:
# lang-errors/dynamic_block). What dynamic blocks are used for — a list of
# nested objects built from a collection — is covered here with a for
# expression inside a module, whose output the root uses.

variable "ports" {
  type = map(object({
    protocol = string
    cidr     = optional(string, "0.0.0.0/0")
  }))
  default = {
    "22"  = { protocol = "tcp", cidr = "10.0.0.0/8" }
    "443" = { protocol = "tcp" }
    "53"  = { protocol = "udp" }
  }
}

module "rules" {
  source = "./modules/rules"
  ports  = var.ports
}

resource "terraform_data" "secgroup" {
  input = {
    name  = "web"
    rules = module.rules.rules
  }
}
