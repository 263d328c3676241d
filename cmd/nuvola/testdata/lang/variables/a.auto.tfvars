replicas = 3
tags = {
  managed_by = "nuvola"
  ente       = "c_h501"
}
