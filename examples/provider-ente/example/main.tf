# Registers two public bodies with the example ente provider. Build the
# provider first (see ../README.md); it keeps nothing remotely, so this runs
# anywhere.

terraform {
  required_providers {
    ente = {
      source  = "nuvola/ente"
      version = "0.1.0"
    }
  }
}

data "ente_classification_levels" "all" {}

resource "ente_registration" "firenze" {
  ipa_code       = "c_d612"
  name           = "Comune di Firenze"
  classification = "critico"
  contact_email  = "ced@comune.fi.it"
}

resource "ente_registration" "prato" {
  ipa_code = "c_g999"
  name     = "Comune di Prato"
}

output "levels" {
  value = data.ente_classification_levels.all.levels
}

output "registrations" {
  value = {
    firenze = ente_registration.firenze.id
    prato   = ente_registration.prato.id
  }
}

output "prato_classification" {
  value = ente_registration.prato.classification
}
