"""Volume driver of the devcloud: needs no block device.

cinder's own test driver (shipped in python3-cinder) logs instead of running
LVM commands; this subclass adds the operations it lacks, as no-ops, so that
extend, retype and revert succeed.
"""
from cinder.tests.fake_driver import FakeLoggingVolumeDriver


class DevcloudVolumeDriver(FakeLoggingVolumeDriver):
    def extend_volume(self, volume, new_size):
        pass

    def retype(self, context, volume, new_type, diff, host):
        return True, None

    def revert_to_snapshot(self, context, volume, snapshot):
        pass
