"""nova-compute without Debian's nova-compute package, which depends on
libvirt and qemu: the service and its fake virt driver are in python3-nova."""
import sys

from nova.cmd.compute import main

if __name__ == "__main__":
    sys.exit(main())
