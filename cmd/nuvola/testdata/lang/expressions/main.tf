# Splats, for expressions, conditionals and operators.

variable "enti" {
  type = list(object({
    code = string
    name = string
    size = number
    tags = list(string)
  }))
  default = [
    { code = "c_h501", name = "Roma", size = 2800000, tags = ["capoluogo", "metro"] },
    { code = "c_d612", name = "Firenze", size = 360000, tags = ["capoluogo"] },
    { code = "c_g999", name = "Prato", size = 195000, tags = [] },
  ]
}

variable "environment" {
  type    = string
  default = "prod"
}

resource "terraform_data" "ente" {
  count = length(var.enti)
  input = var.enti[count.index].code
}

locals {
  codes        = var.enti[*].code
  first_tags   = var.enti[0].tags[*]
  legacy_splat = var.enti.*.name
  by_code      = { for e in var.enti : e.code => e.name }
  big          = [for e in var.enti : upper(e.name) if e.size > 300000]
  grouped      = { for e in var.enti : length(e.tags) > 0 ? "tagged" : "untagged" => e.code... }
  indexed      = [for i, e in var.enti : "${i}:${e.code}"]
  tag_pairs    = flatten([for e in var.enti : [for t in e.tags : "${e.code}/${t}"]])
  obj_keys     = [for k, v in { b = 2, a = 1 } : "${k}=${v}"]
  flavor       = var.environment == "prod" ? "m1.large" : "m1.small"
  replicas     = var.environment == "prod" ? 3 : 1
  maybe_null   = var.environment == "dev" ? "x" : null
  arith        = (10 + 5) * 2 - 6 / 3 % 2
  logic        = !(true && false) || false
  compare      = [1 < 2, 2 <= 2, 3 > 4, "a" == "a", 1 != 1]
  nested_cond  = var.environment == "prod" ? (local.replicas > 2 ? "ha" : "single") : "dev"
  strings      = ["${"interp"}olation", "100% and %%{not_a_directive}", "$${not_interpolated}"]
}

resource "terraform_data" "exprs" {
  input = {
    codes        = local.codes
    first_tags   = local.first_tags
    legacy_splat = local.legacy_splat
    by_code      = local.by_code
    big          = local.big
    grouped      = local.grouped
    indexed      = local.indexed
    tag_pairs    = local.tag_pairs
    obj_keys     = local.obj_keys
    flavor       = local.flavor
    replicas     = local.replicas
    maybe_null   = local.maybe_null
    arith        = local.arith
    logic        = local.logic
    compare      = local.compare
    nested_cond  = local.nested_cond
    strings      = local.strings
  }
}

resource "terraform_data" "splat_of_resources" {
  input = {
    inputs = terraform_data.ente[*].input
    ids    = terraform_data.ente[*].id
  }
}
