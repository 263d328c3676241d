# removed blocks with destroy = true destroy the objects, as dropping the
# resource without a block does. (destroy = false: removed_forget.)

removed {
  from = terraform_data.destroy_me
  lifecycle {
    destroy = true
  }
}

removed {
  from = null_resource.counted
}
