replicas = "three"          # ERROR: Invalid value for input variable
zones    = { a = ["nova"] } # ERROR: Invalid value for input variable
