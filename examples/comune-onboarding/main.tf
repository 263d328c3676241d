# A municipality's tenant on the regional cloud: its project, the groups of
# its administrators and operators with their roles, an application
# credential for its automation, a network reaching the outside through a
# router, security groups for web and administrative access, a data volume
# with a backup, and a versioned container for documents.

terraform {
  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = "~> 3.x"
    }
  }
}

variable "ente" {
  description = "The municipality, as its ISTAT code or short name."
  type        = string
  default     = "c-a662"
}

variable "classification" {
  description = "Data classification of the tenant's workloads: ordinario, critico or strategico."
  type        = string
  default     = "ordinario"
  validation {
    condition     = contains(["ordinario", "critico", "strategico"], var.classification)
    error_message = "The classification must be ordinario, critico or strategico."
  }
}

variable "cidr" {
  type    = string
  default = "10.20.0.0/24"
}

variable "admin_cidr" {
  description = "Where administrators connect from."
  type        = string
  default     = "192.168.10.0/24"
}

variable "external_network" {
  type    = string
  default = "public"
}

variable "allowed_admin_cidrs" {
  description = "The networks the baseline accepts administrative access from."
  type        = list(string)
  default     = ["192.168.10.0/24"]
}

variable "volume_type" {
  description = "The data volume's type; by default an encrypted one for critico and strategico data."
  type        = string
  default     = null
}

variable "credential_expires_at" {
  description = "When the automation's application credential stops working."
  type        = string
  default     = "2027-12-31T00:00:00Z"
}

variable "cloud_qualification" {
  description = "The ACN qualification of the regional cloud (QC1 to QC4)."
  type        = string
  default     = "QC2"
}

variable "regions" {
  type    = list(string)
  default = ["RegionOne"]
}

# The security baseline for the municipality's classification: every plan
# is checked against it, and apply refuses a plan that violates it.
baseline "ente" {
  profile                = var.classification
  target_cloud           = { qualification = var.cloud_qualification, regions = var.regions }
  encrypted_volume_types = ["encrypted-luks"]
  admin_cidrs            = var.allowed_admin_cidrs
}

# Credentials: OS_CLOUD (clouds.yaml) or OS_* variables; the operator's
# account must be an admin of the regional cloud.
provider "openstack" {
  default_tags {
    tags = {
      ente           = var.ente
      classification = var.classification
      migration      = "pnrr-1.2"
    }
  }
}

data "openstack_identity_auth_scope_v3" "operator" {
  name = "operator"
}

data "openstack_identity_role_v3" "member" {
  name = "member"
}

data "openstack_identity_role_v3" "reader" {
  name = "reader"
}

data "openstack_networking_network_v2" "external" {
  name = var.external_network
}

resource "openstack_identity_project_v3" "ente" {
  name        = var.ente
  description = "Tenant of ${var.ente} (${var.classification})"
  tags        = ["ente=${var.ente}"]
}

resource "openstack_identity_group_v3" "admins" {
  name        = "${var.ente}-admins"
  description = "Administrators of ${var.ente}"
}

resource "openstack_identity_group_v3" "operators" {
  name        = "${var.ente}-operators"
  description = "Operators of ${var.ente}"
}

resource "openstack_identity_role_assignment_v3" "admins" {
  group_id   = openstack_identity_group_v3.admins.id
  project_id = openstack_identity_project_v3.ente.id
  role_id    = data.openstack_identity_role_v3.member.id
}

resource "openstack_identity_role_assignment_v3" "operators" {
  group_id   = openstack_identity_group_v3.operators.id
  project_id = openstack_identity_project_v3.ente.id
  role_id    = data.openstack_identity_role_v3.reader.id
}

# The regional operator works inside the new project through this role.
resource "openstack_identity_role_assignment_v3" "operator" {
  user_id    = data.openstack_identity_auth_scope_v3.operator.user_id
  project_id = openstack_identity_project_v3.ente.id
  role_id    = data.openstack_identity_role_v3.member.id
}

resource "openstack_identity_application_credential_v3" "automation" {
  name        = "${var.ente}-automation"
  description = "CI of ${var.ente}"
  roles       = ["member"]
  expires_at  = var.credential_expires_at
}

resource "openstack_networking_network_v2" "lan" {
  name      = "${var.ente}-lan"
  tenant_id = openstack_identity_project_v3.ente.id
}

resource "openstack_networking_subnet_v2" "lan" {
  name            = "${var.ente}-lan"
  network_id      = openstack_networking_network_v2.lan.id
  cidr            = var.cidr
  dns_nameservers = ["9.9.9.9"]
  tenant_id       = openstack_identity_project_v3.ente.id
}

resource "openstack_networking_router_v2" "gw" {
  name                = "${var.ente}-gw"
  external_network_id = data.openstack_networking_network_v2.external.id
  tenant_id           = openstack_identity_project_v3.ente.id
}

resource "openstack_networking_router_interface_v2" "lan" {
  router_id = openstack_networking_router_v2.gw.id
  subnet_id = openstack_networking_subnet_v2.lan.id
}

resource "openstack_networking_secgroup_v2" "web" {
  name        = "${var.ente}-web"
  description = "Public web access"
  tenant_id   = openstack_identity_project_v3.ente.id

  dynamic "rule" {
    for_each = [80, 443]
    content {
      direction        = "ingress"
      ethertype        = "IPv4"
      protocol         = "tcp"
      port_range_min   = rule.value
      port_range_max   = rule.value
      remote_ip_prefix = "0.0.0.0/0"
    }
  }
}

resource "openstack_networking_secgroup_v2" "admin" {
  name        = "${var.ente}-admin"
  description = "Administrative access"
  tenant_id   = openstack_identity_project_v3.ente.id

  rule {
    direction        = "ingress"
    ethertype        = "IPv4"
    protocol         = "tcp"
    port_range_min   = 22
    port_range_max   = 22
    remote_ip_prefix = var.admin_cidr
  }
}

# The volume and container live in the municipality's project: a provider
# configuration scoped to it, once the operator has a role there.
provider "openstack" {
  alias     = "ente"
  tenant_id = openstack_identity_role_assignment_v3.operator.project_id
  default_tags {
    tags = {
      ente           = var.ente
      classification = var.classification
      migration      = "pnrr-1.2"
    }
  }
}

resource "openstack_blockstorage_volume_v3" "data" {
  provider    = openstack.ente
  name        = "${var.ente}-protocollo-data"
  description = "Data of the protocollo application"
  size        = 1
  volume_type = coalesce(var.volume_type, var.classification == "ordinario" ? "standard" : "encrypted-luks")
}

resource "openstack_blockstorage_backup_v3" "data" {
  provider    = openstack.ente
  name        = "${var.ente}-protocollo-data"
  volume_id   = openstack_blockstorage_volume_v3.data.id
  description = "Backup required by the ${var.classification} baseline"
}

resource "openstack_objectstorage_container_v1" "documents" {
  provider   = openstack.ente
  name       = "${var.ente}-documenti"
  versioning = true
  metadata = {
    retention = "10y"
  }
}

output "project_id" {
  value = openstack_identity_project_v3.ente.id
}

output "network_id" {
  value = openstack_networking_network_v2.lan.id
}

output "automation_credential_id" {
  value = openstack_identity_application_credential_v3.automation.id
}

output "automation_credential_secret" {
  value     = openstack_identity_application_credential_v3.automation.secret
  sensitive = true
}
