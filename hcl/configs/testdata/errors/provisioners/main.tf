resource "null_resource" "a" {
  provisioner "local-exec" { # ERROR: Provisioners are not supported
    command = "echo hi"
  }

  connection { # ERROR: Provisioners are not supported
    host = "example.com"
  }
}

removed {
  from = null_resource.b

  provisioner "local-exec" { # ERROR: Provisioners are not supported
    when    = destroy
    command = "echo bye"
  }
}
