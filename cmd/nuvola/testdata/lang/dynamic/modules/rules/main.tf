variable "ports" {
  type = map(object({
    protocol = string
    cidr     = string
  }))
}

output "rules" {
  value = [
    for port, r in var.ports : {
      direction        = "ingress"
      port_range_min   = tonumber(port)
      port_range_max   = tonumber(port)
      protocol         = r.protocol
      remote_ip_prefix = r.cidr
    }
  ]
}
