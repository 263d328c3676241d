resource "null_resource" "a" {}

resource "null_resource" "a" {} # ERROR: Duplicate resource "null_resource" configuration

data "null_data_source" "d" {}

data "null_data_source" "d" {} # ERROR: Duplicate data "null_data_source" configuration
