# removed blocks with destroy = false forget the objects: they leave the
# state and stay in the cloud.

removed {
  from = terraform_data.keep_in_cloud
  lifecycle {
    destroy = false
  }
}

removed {
  from = null_resource.counted
  lifecycle {
    destroy = false
  }
}
