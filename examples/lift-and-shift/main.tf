# Lift and shift (PNRR measure 1.2, modality A): a municipal server moves
# to the regional cloud as it is. Its disk image, exported from the old
# hypervisor, is uploaded from a local file; a server boots from it (from a
# volume made from the image, or from the image itself); its data disk
# becomes a volume attached to it; it gets a port in the municipality's
# network with its security groups, and a floating IP.

terraform {
  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = "~> 3.x"
    }
  }
}

variable "name" {
  description = "The migrated server's name."
  type        = string
  default     = "protocollo"
}

variable "disk_image_path" {
  description = "The exported disk of the server (qcow2 or raw)."
  type        = string
}

variable "disk_format" {
  type    = string
  default = "qcow2"
}

variable "flavor" {
  type    = string
  default = "m1.small"
}

variable "boot_from_volume" {
  description = "Boot from a volume made from the image (true) or from the image (false)."
  type        = bool
  default     = true
}

variable "boot_volume_size" {
  type    = number
  default = 1
}

variable "data_volume_size" {
  type    = number
  default = 1
}

variable "external_network" {
  type    = string
  default = "public"
}

variable "cidr" {
  type    = string
  default = "10.30.0.0/24"
}

provider "openstack" {
  default_tags {
    tags = {
      migration      = "pnrr-1.2-a"
      classification = "ordinario"
    }
  }
}

data "openstack_networking_network_v2" "external" {
  name = var.external_network
}

data "openstack_compute_flavor_v2" "vm" {
  name = var.flavor
}

resource "openstack_images_image_v2" "disk" {
  name             = "${var.name}-disk"
  local_file_path  = var.disk_image_path
  disk_format      = var.disk_format
  container_format = "bare"
  properties = {
    os_type       = "linux"
    source_system = "vmware"
  }
}

resource "openstack_networking_network_v2" "lan" {
  name = "${var.name}-lan"
}

resource "openstack_networking_subnet_v2" "lan" {
  name       = "${var.name}-lan"
  network_id = openstack_networking_network_v2.lan.id
  cidr       = var.cidr
}

resource "openstack_networking_router_v2" "gw" {
  name                = "${var.name}-gw"
  external_network_id = data.openstack_networking_network_v2.external.id
}

resource "openstack_networking_router_interface_v2" "lan" {
  router_id = openstack_networking_router_v2.gw.id
  subnet_id = openstack_networking_subnet_v2.lan.id
}

resource "openstack_networking_secgroup_v2" "app" {
  name        = "${var.name}-app"
  description = "The application's users and its administrators"

  rule {
    direction        = "ingress"
    ethertype        = "IPv4"
    protocol         = "tcp"
    port_range_min   = 443
    port_range_max   = 443
    remote_ip_prefix = "0.0.0.0/0"
  }
  rule {
    direction        = "ingress"
    ethertype        = "IPv4"
    protocol         = "tcp"
    port_range_min   = 22
    port_range_max   = 22
    remote_ip_prefix = "10.0.0.0/8"
  }
}

resource "openstack_networking_port_v2" "vm" {
  name               = "${var.name}-port"
  network_id         = openstack_networking_network_v2.lan.id
  security_group_ids = [openstack_networking_secgroup_v2.app.id]
  fixed_ip {
    subnet_id = openstack_networking_subnet_v2.lan.id
  }
}

resource "openstack_compute_instance_v2" "vm" {
  name      = var.name
  flavor_id = data.openstack_compute_flavor_v2.vm.id
  image_id  = var.boot_from_volume ? null : openstack_images_image_v2.disk.id
  metadata = {
    role = "protocollo"
  }

  dynamic "block_device" {
    for_each = var.boot_from_volume ? [1] : []
    content {
      uuid                  = openstack_images_image_v2.disk.id
      source_type           = "image"
      destination_type      = "volume"
      volume_size           = var.boot_volume_size
      boot_index            = 0
      delete_on_termination = true
    }
  }

  network {
    port = openstack_networking_port_v2.vm.id
  }
}

resource "openstack_blockstorage_volume_v3" "data" {
  name = "${var.name}-data"
  size = var.data_volume_size
}

resource "openstack_compute_volume_attach_v2" "data" {
  instance_id = openstack_compute_instance_v2.vm.id
  volume_id   = openstack_blockstorage_volume_v3.data.id
}

resource "openstack_networking_floatingip_v2" "vm" {
  pool = var.external_network
}

resource "openstack_networking_floatingip_associate_v2" "vm" {
  floating_ip = openstack_networking_floatingip_v2.vm.address
  port_id     = openstack_networking_port_v2.vm.id
  depends_on  = [openstack_networking_router_interface_v2.lan]
}

output "floating_ip" {
  value = openstack_networking_floatingip_v2.vm.address
}

output "server_id" {
  value = openstack_compute_instance_v2.vm.id
}
