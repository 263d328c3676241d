# String templates, directives and heredocs.

variable "services" {
  type    = list(string)
  default = ["protocollo", "anagrafe"]
}

variable "debug" {
  type    = bool
  default = false
}

locals {
  greeting = "Benvenuti, ${upper("comune")}!"
  list     = "%{for s in var.services}${s};%{endfor}"
  trimmed  = "%{for i, s in var.services~} ${i}=${s} %{~endfor}"
  flag     = "debug is %{if var.debug}on%{else}off%{endif}"
  heredoc  = <<EOT
[global]
services = ${join(",", var.services)}
%{for s in var.services~}
[${s}]
enabled = true
%{endfor~}
EOT
  indented = <<-EOT
    line one
      line two, indented
    line three
  EOT
}

resource "terraform_data" "text" {
  input = {
    greeting = local.greeting
    list     = local.list
    trimmed  = local.trimmed
    flag     = local.flag
    heredoc  = local.heredoc
    indented = local.indented
  }
}
