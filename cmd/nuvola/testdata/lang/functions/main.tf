# The function library, family by family.

locals {
  settings = jsondecode(file("${path.module}/files/settings.json"))
  enti     = csvdecode(file("${path.module}/files/enti.csv"))
}

resource "terraform_data" "filesystem" {
  input = {
    file          = file("${path.module}/files/motd.txt")
    templatefile  = templatefile("${path.module}/files/cloud-init.yaml.tftpl", { hostname = "web-1", packages = ["nginx", "postgresql-client"] })
    fileexists    = fileexists("${path.module}/files/motd.txt")
    missing       = fileexists("${path.module}/files/missing.txt")
    path_module   = path.module
    path_root     = path.root
    module_is_abs = startswith(abspath(path.module), "/")
    same_root     = abspath(path.root) == abspath(path.module)
    basename      = basename(abspath("${path.module}/files/enti.csv"))
  }
}

resource "terraform_data" "encoding" {
  input = {
    csvdecode    = local.enti
    jsonencode   = jsonencode({ b = [1, 2], a = "x" })
    jsondecode   = local.settings.backup.retention_days
    yamlencode   = yamlencode({ zones = ["nova"], backup = { enabled = true } })
    yamldecode   = yamldecode(file("${path.module}/files/settings.yaml")).zones
    yaml_matches = yamldecode(file("${path.module}/files/settings.yaml")) == local.settings
    base64encode = base64encode("comune di Prato")
    base64decode = base64decode("Y29tdW5lIGRpIFByYXRv")
    urlencode    = urlencode("a b&c")
  }
}

resource "terraform_data" "crypto" {
  input = {
    sha256 = sha256("nuvola")
    md5    = md5("nuvola")
    sha1   = sha1("nuvola")
  }
}

resource "terraform_data" "network" {
  input = {
    subnets  = [for i in range(3) : cidrsubnet("10.20.0.0/16", 8, i)]
    gateway  = cidrhost("10.20.1.0/24", 1)
    last     = cidrhost("10.20.1.0/24", -2)
    netmask  = cidrnetmask("10.20.0.0/16")
    subnets2 = cidrsubnets("10.30.0.0/16", 4, 4, 8)
  }
}

resource "terraform_data" "errors" {
  input = {
    try_ok       = try(local.settings.backup.enabled, false)
    try_fallback = try(local.settings.missing.attr, "fallback")
    can_ok       = can(regex("^c_", "c_h501"))
    can_fail     = can(regex("^c_", "h501"))
    coalesce     = coalesce("", null, "first non-empty")
    coalescelist = coalescelist([], ["b"])
  }
}

resource "terraform_data" "collections" {
  input = {
    lookup      = lookup({ small = "m1.small" }, "small", "m1.tiny")
    lookup_dflt = lookup({ small = "m1.small" }, "large", "m1.tiny")
    merge       = merge({ a = 1, b = 2 }, { b = 3, c = 4 })
    flatten     = flatten([["a", "b"], [], ["c", ["d"]]])
    setproduct  = setproduct(["web", "db"], ["nova", "nova-2"])
    zipmap      = zipmap(["c_h501", "c_d612"], ["Roma", "Firenze"])
    keys        = keys({ z = 1, a = 2 })
    values      = values({ z = 1, a = 2 })
    length      = length(local.enti)
    element     = element(["a", "b", "c"], 4)
    contains    = contains(["a", "b"], "b")
    distinct    = distinct(["a", "b", "a"])
    concat      = concat(["a"], ["b", "c"])
    slice       = slice(["a", "b", "c", "d"], 1, 3)
    sort        = sort(["b", "c", "a"])
    reverse     = reverse([1, 2, 3])
    range       = range(1, 10, 3)
    toset       = toset(["b", "a", "b"])
    tomap       = tomap({ a = "1" })
    tolist      = tolist(toset(["x"]))
    tonumber    = tonumber("42")
    tostring    = tostring(42)
    min_max_sum = [min(3, 1, 2), max(3, 1, 2), sum([1, 2, 3])]
    one         = one(["only"])
    index       = index(["a", "b"], "b")
    transpose   = transpose({ a = ["1", "2"], b = ["2"] })
  }
}

resource "terraform_data" "strings" {
  input = {
    format      = format("%s-%03d-%.2f-%t-%q", "web", 7, 3.14159, true, "x")
    formatlist  = formatlist("%s.example.it", ["www", "mail"])
    regex       = regex("^(c)_([a-z])([0-9]+)$", "c_h501")
    regex_named = regex("(?P<letter>[a-z])(?P<digits>[0-9]+)", "c_h501")
    regexall    = regexall("[0-9]", "a1b22")
    replace     = replace("comune-di-prato", "-", " ")
    replace_re  = replace("v1.2.3", "/[0-9]+/", "N")
    join_split  = join("|", split(",", "a,b,c"))
    case        = [upper("x"), lower("Y"), title("comune di prato")]
    trim        = [trimspace("  x  "), trim("--x--", "-"), trimprefix("c_h501", "c_"), trimsuffix("a.tf", ".tf")]
    substr      = substr("protocollo", 0, 5)
    strrev      = strrev("abc")
    startswith  = [startswith("c_h501", "c_"), endswith("c_h501", "01")]
    chomp       = chomp("line\n")
    indent      = indent(2, "a\nb")
  }
}

resource "terraform_data" "time" {
  input = {
    uuid      = uuid()
    timestamp = timestamp()
    formatted = formatdate("YYYY-MM-DD", "2024-03-01T10:00:00Z")
    added     = timeadd("2024-03-01T10:00:00Z", "36h")
  }
}
