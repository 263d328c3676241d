"""Volume driver of the devcloud: needs no block device.

cinder's own test driver (shipped in python3-cinder) logs instead of running
LVM commands; this subclass adds the operations it lacks, so that extend,
retype and revert succeed, and gives every volume and snapshot a sparse file
of its size under the devcloud's directory ($state_path/volume-files and
$state_path/snapshot-files). Connections are of type `local` with that file
as device_path: os-brick's LocalConnector hands the path to whoever attaches
(cinder-backup reads and writes it; Nova's fake virt driver only records the
connection), and the LVM driver's image copies use it as local_path, so
backups, restores, volumes from images and uploads to images move real bytes.
"""
import errno
import os

from oslo_concurrency import processutils
from oslo_config import cfg
from oslo_log import log as logging

from cinder.tests.fake_driver import FakeLoggingVolumeDriver

CONF = cfg.CONF
LOG = logging.getLogger(__name__)
GiB = 1024 ** 3


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _sparse_copy(src, dst, size):
    """Copy src to dst (of size bytes), only src's data extents."""
    tmp = dst + ".tmp"
    with open(src, "rb") as s, open(tmp, "wb") as d:
        end = os.fstat(s.fileno()).st_size
        off = 0
        while off < end:
            try:
                data = os.lseek(s.fileno(), off, os.SEEK_DATA)
            except OSError as e:
                if e.errno == errno.ENXIO:  # only a hole after off
                    break
                raise
            hole = os.lseek(s.fileno(), data, os.SEEK_HOLE)
            pos = data
            while pos < hole:
                n = os.copy_file_range(s.fileno(), d.fileno(), hole - pos, pos, pos)
                if n == 0:
                    break
                pos += n
            off = hole
        os.ftruncate(d.fileno(), size)
    os.rename(tmp, dst)


class DevcloudVolumeDriver(FakeLoggingVolumeDriver):
    # ---- where the bytes are

    def _file(self, kind, obj_id):
        d = os.path.join(CONF.state_path, kind)
        os.makedirs(d, exist_ok=True)
        return os.path.join(d, obj_id)

    def _volume_file(self, volume, create=True):
        """The volume's file; created (sparse, of the volume's size) when
        missing, e.g. for a volume made before files existed."""
        path = self._file("volume-files", volume["id"])
        if create and not os.path.exists(path):
            self._new_file(path, volume["size"])
        return path

    def _snapshot_file(self, snapshot):
        return self._file("snapshot-files", snapshot["id"])

    @staticmethod
    def _new_file(path, size_gb):
        with open(path + ".tmp", "wb") as f:
            os.ftruncate(f.fileno(), size_gb * GiB)
        os.rename(path + ".tmp", path)

    def _copy_or_new(self, src, dst, size_gb):
        if os.path.exists(src):
            _sparse_copy(src, dst, size_gb * GiB)
        else:
            self._new_file(dst, size_gb)

    # ---- volumes

    def create_volume(self, volume):
        update = super().create_volume(volume)
        self._new_file(self._volume_file(volume, create=False), volume["size"])
        return update

    def create_cloned_volume(self, volume, src_vref):
        super().create_cloned_volume(volume, src_vref)
        self._copy_or_new(self._volume_file(src_vref, create=False),
                          self._volume_file(volume, create=False), volume["size"])

    def create_volume_from_snapshot(self, volume, snapshot):
        super().create_volume_from_snapshot(volume, snapshot)
        self._copy_or_new(self._snapshot_file(snapshot),
                          self._volume_file(volume, create=False), volume["size"])

    def delete_volume(self, volume):
        super().delete_volume(volume)
        _remove(self._volume_file(volume, create=False))

    def extend_volume(self, volume, new_size):
        path = self._volume_file(volume)
        os.truncate(path, max(os.stat(path).st_size, new_size * GiB))

    def retype(self, context, volume, new_type, diff, host):
        return True, None

    def local_path(self, volume, vg=None):
        # The LVM driver's image copies (volume from image, upload to image)
        # read and write local_path.
        return self._volume_file(volume)

    def copy_image_to_volume(self, context, volume, image_service, image_id):
        super().copy_image_to_volume(context, volume, image_service, image_id)
        # qemu-img convert leaves the file at the image's size
        path = self._volume_file(volume)
        if os.stat(path).st_size < volume["size"] * GiB:
            os.truncate(path, volume["size"] * GiB)

    # ---- snapshots

    def create_snapshot(self, snapshot):
        super().create_snapshot(snapshot)
        self._copy_or_new(self._file("volume-files", snapshot["volume_id"]),
                          self._snapshot_file(snapshot), snapshot.volume_size)

    def delete_snapshot(self, snapshot):
        super().delete_snapshot(snapshot)
        _remove(self._snapshot_file(snapshot))

    def revert_to_snapshot(self, context, volume, snapshot):
        self._copy_or_new(self._snapshot_file(snapshot),
                          self._volume_file(volume, create=False), volume["size"])

    # ---- connections

    def validate_connector(self, connector):
        # A local file needs no initiator (cinder-backup's connector may have none).
        return True

    def initialize_connection(self, volume, connector):
        conn = super().initialize_connection(volume, connector)
        conn["driver_volume_type"] = "local"
        conn["data"]["device_path"] = self._volume_file(volume)
        return conn

    def initialize_connection_snapshot(self, snapshot, connector):
        path = self._snapshot_file(snapshot)
        if not os.path.exists(path):
            self._new_file(path, snapshot["volume_size"])
        return {"driver_volume_type": "local", "data": {"device_path": path}}

    def terminate_connection(self, volume, connector, **kwargs):
        """After a restore, which writes every byte of the backup: zeros
        back to holes, and the volume's full size when the backup was of a
        smaller volume."""
        path = self._volume_file(volume, create=False)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return
        if st.st_size < volume["size"] * GiB:
            os.truncate(path, volume["size"] * GiB)
        if st.st_blocks:
            try:
                processutils.execute("fallocate", "--dig-holes", path)
            except (processutils.ProcessExecutionError, OSError) as e:
                LOG.warning("fallocate --dig-holes %s: %s", path, e)
