package baseline

import (
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// encryptedTypesList names the encrypted volume types for a message.
func (c *checker) encryptedTypesList() string {
	if len(c.s.encryptedTypes) == 0 {
		return "the baseline lists no encrypted volume types (encrypted_volume_types)"
	}
	return "encrypted types: " + strings.Join(sortedKeys(c.s.encryptedTypes), ", ")
}

// volumeTypeNames are the names of the plan's volume types by address, for
// a volume_type set from a type still to be created.
func (c *checker) volumeTypeNames() map[string]string {
	out := map[string]string{}
	for _, r := range c.p.byType["openstack_blockstorage_volume_type_v3"] {
		if name, ok := str(attr(r.after, "name")); ok {
			out[r.addr] = name
		}
	}
	return out
}

// typeByReference is the name of the volume type a volume_type not known
// at plan time refers to, when the configuration refers to exactly one.
func typeByReference(deps map[string]bool, types map[string]string) (string, bool) {
	name, n := "", 0
	for a := range deps {
		if t, ok := types[a]; ok {
			name = t
			n++
		}
	}
	return name, n == 1
}

// checkVolumeEncryption is NV-DATA-001: volumes, and the volumes instances
// boot from, when they hold critico or strategico data.
func checkVolumeEncryption(c *checker) {
	types := c.volumeTypeNames()
	for _, r := range c.p.byType["openstack_blockstorage_volume_v3"] {
		if !r.planned() || !r.sensitiveData(c.s.profile) {
			continue
		}
		vt := r.arg("volume_type")
		switch s, ok := str(vt); {
		case isNull(vt):
			c.report(r, whole, "The volume of %s data has no volume_type, so it gets the cloud's default type, which is not known to encrypt; %s.", r.class(c.s.profile), c.encryptedTypesList())
		case ok && !c.s.encryptedTypes[s]:
			c.report(r, r.pathTo("volume_type"), "The volume of %s data has volume type %q, which does not encrypt; %s.", r.class(c.s.profile), s, c.encryptedTypesList())
		case !vt.IsKnown():
			if name, ok := typeByReference(r.deps, types); ok && !c.s.encryptedTypes[name] {
				c.report(r, r.pathTo("volume_type"), "The volume of %s data has volume type %q, which does not encrypt; %s.", r.class(c.s.profile), name, c.encryptedTypesList())
			}
		}
	}
	for _, r := range c.p.byType["openstack_compute_instance_v2"] {
		if !r.planned() || !r.sensitiveData(c.s.profile) {
			continue
		}
		cfg := attr(r.config, "block_device")
		for i, bd := range elements(attr(r.after, "block_device")) {
			bc := elementAt(cfg, i)
			if r.config == cty.NilVal {
				bc = cty.NilVal
			}
			dest, _ := str(arg(bd, bc, "destination_type"))
			source, _ := str(arg(bd, bc, "source_type"))
			if dest != "volume" || source == "volume" || source == "" {
				// Not a new volume: a local disk, or an existing
				// volume, which is checked as a resource.
				continue
			}
			path := cty.GetAttrPath("block_device").IndexInt(i)
			vt := arg(bd, bc, "volume_type")
			switch s, ok := str(vt); {
			case isNull(vt):
				c.report(r, path, "The instance of %s data boots from a new volume with the cloud's default type, which is not known to encrypt; set volume_type (%s).", r.class(c.s.profile), c.encryptedTypesList())
			case ok && !c.s.encryptedTypes[s]:
				c.report(r, pathIn(bc, path, "volume_type"), "The instance of %s data boots from a new volume of type %q, which does not encrypt; %s.", r.class(c.s.profile), s, c.encryptedTypesList())
			}
		}
	}
}

// checkVolumeBackup is NV-DATA-002.
func checkVolumeBackup(c *checker) {
	ids, addrs := map[string]bool{}, map[string]bool{}
	for _, typ := range []string{"openstack_blockstorage_backup_v3", "openstack_blockstorage_snapshot_v3"} {
		for _, b := range c.p.byType[typ] {
			if !isObject(b.after) {
				continue
			}
			v := b.arg("volume_id")
			if id, ok := str(v); ok && id != "" {
				ids[id] = true
			} else if !v.IsKnown() {
				for a := range b.deps {
					addrs[a] = true
				}
			}
		}
	}
	for _, r := range c.p.byType["openstack_blockstorage_volume_v3"] {
		if !r.planned() || !r.sensitiveData(c.s.profile) {
			continue
		}
		if id, ok := str(attr(r.after, "id")); ok && ids[id] || addrs[r.addr] {
			continue
		}
		switch v, st := r.tagsAfter().get(snapshotPolicyKey); {
		case st == tagUnknown:
			continue
		case st == tagFound && v.value != "":
			continue
		}
		c.report(r, whole, "No backup (openstack_blockstorage_backup_v3) or snapshot (openstack_blockstorage_snapshot_v3) refers to this volume of %s data, and its metadata names no %s that covers it.", r.class(c.s.profile), snapshotPolicyKey)
	}
}

// checkContainerVersioning is NV-DATA-003.
func checkContainerVersioning(c *checker) {
	for _, r := range c.p.byType["openstack_objectstorage_container_v1"] {
		if !r.planned() || !r.sensitiveData(c.s.profile) {
			continue
		}
		if legacy := attr(r.after, "versioning_legacy"); !legacy.IsKnown() || isCollection(legacy) && legacy.LengthInt() > 0 {
			continue
		}
		v := r.arg("versioning")
		switch on, ok := boolean(v); {
		case isNull(v):
			c.report(r, whole, "The container of %s data does not keep object versions; set versioning = true.", r.class(c.s.profile))
		case ok && !on:
			c.report(r, r.pathTo("versioning"), "The container of %s data does not keep object versions; set versioning = true.", r.class(c.s.profile))
		}
	}
}

// checkContainerPublicRead is NV-DATA-004.
func checkContainerPublicRead(c *checker) {
	for _, r := range c.p.byType["openstack_objectstorage_container_v1"] {
		if !r.planned() || !r.sensitiveData(c.s.profile) {
			continue
		}
		acl, ok := str(r.arg("container_read"))
		if !ok {
			continue
		}
		for _, entry := range strings.Split(acl, ",") {
			if strings.TrimSpace(entry) == ".r:*" {
				c.report(r, r.pathTo("container_read"), "The container of %s data is readable by anyone (.r:* in container_read).", r.class(c.s.profile))
				break
			}
		}
	}
}
