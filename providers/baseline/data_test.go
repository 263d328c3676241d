package baseline

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

var (
	sensitiveProfiles = []string{plugins.ProfileCritico, plugins.ProfileStrategico}
	ordinarioOnly     = []string{plugins.ProfileOrdinario}
)

// volume is a planned volume made from its configuration: volume_type and
// id computed.
func volume(address string, volumeType, metadata cty.Value, opts ...func(*plugins.PolicyResource)) plugins.PolicyResource {
	cfg := obj(map[string]cty.Value{
		"id": null, "size": cty.NumberIntVal(10), "volume_type": volumeType, "metadata": metadata,
		"all_metadata": cty.NullVal(cty.Map(cty.String)), "region": null,
	})
	after := planCreate(cfg, "id", "volume_type", "region")
	after = plugins.SetAttrs(after, map[string]cty.Value{"all_metadata": cty.UnknownVal(cty.Map(cty.String))})
	return res(address, after, append([]func(*plugins.PolicyResource){config(cfg)}, opts...)...)
}

func critico() cty.Value { return strMap("ente", "c_a662", "classification", "critico") }

func TestVolumeEncryption(t *testing.T) {
	bootDevice := func(source, dest string, volumeType cty.Value) cty.Value {
		return obj(map[string]cty.Value{"source_type": cty.StringVal(source), "destination_type": cty.StringVal(dest), "volume_type": volumeType, "uuid": null})
	}
	vm := func(name string, devices ...cty.Value) plugins.PolicyResource {
		after := obj(map[string]cty.Value{"id": unknown, "tags": null, "block_device": cty.ListVal(devices)})
		return res("openstack_compute_instance_v2."+name, after, config(after))
	}
	standardType := res("openstack_blockstorage_volume_type_v3.standard", obj(map[string]cty.Value{"id": unknown, "name": cty.StringVal("standard")}))
	luksType := res("openstack_blockstorage_volume_type_v3.luks", obj(map[string]cty.Value{"id": unknown, "name": cty.StringVal("encrypted-luks")}))
	testRule(t, "NV-DATA-001", map[string]ruleCase{
		"a plain type": {
			profiles:  sensitiveProfiles,
			resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", cty.StringVal("standard"), null)},
			want:      []at{{"openstack_blockstorage_volume_v3.data", path("volume_type")}},
		},
		"the default type": {
			profiles:  sensitiveProfiles,
			resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", null, null)},
			want:      []at{{"openstack_blockstorage_volume_v3.data", nil}},
		},
		"a new plain type": {
			profiles: sensitiveProfiles,
			resources: []plugins.PolicyResource{standardType, luksType,
				volume("openstack_blockstorage_volume_v3.data", unknown, null, deps("openstack_blockstorage_volume_type_v3.standard"))},
			want: []at{{"openstack_blockstorage_volume_v3.data", path("volume_type")}},
		},
		"tagged critico in an ordinario baseline": {
			resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", cty.StringVal("standard"), critico())},
			want:      []at{{"openstack_blockstorage_volume_v3.data", path("volume_type")}},
		},
		"boot volumes": {
			profiles: sensitiveProfiles,
			resources: []plugins.PolicyResource{vm("vm",
				bootDevice("image", "volume", null),
				bootDevice("blank", "volume", cty.StringVal("standard")),
				bootDevice("image", "local", null),
				bootDevice("volume", "volume", null),
			)},
			want: []at{
				{"openstack_compute_instance_v2.vm", path("block_device", 0)},
				{"openstack_compute_instance_v2.vm", path("block_device", 1, "volume_type")},
			},
		},
	})
	testRule(t, "NV-DATA-001", map[string]ruleCase{
		"encrypted": {resources: []plugins.PolicyResource{
			volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), critico()),
			vm("vm", bootDevice("image", "volume", cty.StringVal("encrypted-luks"))),
		}},
		"a new encrypted type": {resources: []plugins.PolicyResource{luksType,
			volume("openstack_blockstorage_volume_v3.data", unknown, null, deps("openstack_blockstorage_volume_type_v3.luks"))}},
		"a type known later": {resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", unknown, null)}},
		"ordinario data": {
			profiles: ordinarioOnly,
			resources: []plugins.PolicyResource{
				volume("openstack_blockstorage_volume_v3.data", null, null),
				vm("vm", bootDevice("image", "volume", null)),
			},
		},
		"tagged ordinario": {resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", null, strMap("classification", "ordinario"))}},
		"no configuration sent": {resources: []plugins.PolicyResource{
			res("openstack_blockstorage_volume_v3.data", obj(map[string]cty.Value{"volume_type": unknown})),
		}},
	})
}

func backup(address string, volumeID cty.Value, opts ...func(*plugins.PolicyResource)) plugins.PolicyResource {
	return res(address, obj(map[string]cty.Value{"id": unknown, "volume_id": volumeID}), opts...)
}

func TestVolumeBackup(t *testing.T) {
	existing := res("openstack_blockstorage_volume_v3.old", obj(map[string]cty.Value{"id": cty.StringVal("v-1"), "metadata": null, "all_metadata": strMap()}),
		action(plugins.PolicyActionNoOp, obj(map[string]cty.Value{"id": cty.StringVal("v-1")})))
	testRule(t, "NV-DATA-002", map[string]ruleCase{
		"no backup": {
			profiles:  sensitiveProfiles,
			resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), null)},
			want:      []at{{"openstack_blockstorage_volume_v3.data", nil}},
		},
		"backups of other volumes": {
			profiles: sensitiveProfiles,
			resources: []plugins.PolicyResource{
				existing,
				volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), null),
				backup("openstack_blockstorage_backup_v3.other", cty.StringVal("v-2")),
				backup("openstack_blockstorage_backup_v3.new", unknown, deps("openstack_blockstorage_volume_v3.logs")),
				res("openstack_blockstorage_backup_v3.gone", cty.NilVal, action(plugins.PolicyActionDelete, obj(map[string]cty.Value{"id": cty.StringVal("b-1"), "volume_id": cty.StringVal("v-1")}))),
			},
			want: []at{{"openstack_blockstorage_volume_v3.old", nil}, {"openstack_blockstorage_volume_v3.data", nil}},
		},
		"tagged critico in an ordinario baseline": {
			resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), critico())},
			want:      []at{{"openstack_blockstorage_volume_v3.data", nil}},
		},
	})
	testRule(t, "NV-DATA-002", map[string]ruleCase{
		"backed up": {resources: []plugins.PolicyResource{
			existing,
			backup("openstack_blockstorage_backup_v3.old", cty.StringVal("v-1")),
			volume("module.comune[\"prato\"].openstack_blockstorage_volume_v3.data[0]", cty.StringVal("encrypted-luks"), critico()),
			backup("module.comune[\"prato\"].openstack_blockstorage_backup_v3.data[0]", unknown, deps("module.comune[\"prato\"].openstack_blockstorage_volume_v3.data")),
		}},
		"snapshotted": {resources: []plugins.PolicyResource{
			volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), critico()),
			backup("openstack_blockstorage_snapshot_v3.data", unknown, deps("openstack_blockstorage_volume_v3.data")),
		}},
		"a snapshot policy": {resources: []plugins.PolicyResource{
			volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), strMap("classification", "critico", snapshotPolicyKey, "daily-7d")),
		}},
		"a snapshot policy for every volume": {resources: []plugins.PolicyResource{
			volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), null,
				providerConfig(obj(map[string]cty.Value{"default_tags": obj(map[string]cty.Value{"tags": strMap(snapshotPolicyKey, "daily-7d")})}))),
		}},
		"metadata known later": {resources: []plugins.PolicyResource{
			volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), cty.UnknownVal(cty.Map(cty.String))),
		}},
		"ordinario data": {
			profiles:  ordinarioOnly,
			resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), null)},
		},
		"deleted": {resources: []plugins.PolicyResource{
			res("openstack_blockstorage_volume_v3.gone", cty.NilVal, action(plugins.PolicyActionDelete, obj(map[string]cty.Value{"id": cty.StringVal("v-9")}))),
		}},
	})
}

func container(name string, attrs map[string]cty.Value) plugins.PolicyResource {
	m := map[string]cty.Value{
		"name": cty.StringVal(name), "versioning": null, "container_read": null, "metadata": null, "all_metadata": strMap(),
		"versioning_legacy": cty.SetValEmpty(cty.Object(map[string]cty.Type{"type": cty.String, "location": cty.String})),
	}
	for k, v := range attrs {
		m[k] = v
	}
	return res("openstack_objectstorage_container_v1."+name, obj(m), config(obj(m)))
}

func TestContainerVersioning(t *testing.T) {
	testRule(t, "NV-DATA-003", map[string]ruleCase{
		"unset": {
			profiles:  sensitiveProfiles,
			resources: []plugins.PolicyResource{container("docs", nil)},
			want:      []at{{"openstack_objectstorage_container_v1.docs", nil}},
		},
		"off": {
			resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"versioning": cty.False, "metadata": critico()})},
			want:      []at{{"openstack_objectstorage_container_v1.docs", path("versioning")}},
		},
		"off by default": {
			// The provider plans its default; no line sets it.
			profiles: sensitiveProfiles,
			resources: []plugins.PolicyResource{func() plugins.PolicyResource {
				r := container("docs", nil)
				r.After = plugins.SetAttrs(r.After, map[string]cty.Value{"versioning": cty.False})
				return r
			}()},
			want: []at{{"openstack_objectstorage_container_v1.docs", nil}},
		},
	})
	testRule(t, "NV-DATA-003", map[string]ruleCase{
		"on":     {resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"versioning": cty.True, "metadata": critico()})}},
		"later":  {resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"versioning": cty.UnknownVal(cty.Bool)})}},
		"legacy": {resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"versioning_legacy": cty.SetVal([]cty.Value{obj(map[string]cty.Value{"type": cty.StringVal("versions"), "location": cty.StringVal("docs-old")})})})}},
		"ordinario data": {
			profiles:  ordinarioOnly,
			resources: []plugins.PolicyResource{container("site", nil)},
		},
	})
}

func TestContainerPublicRead(t *testing.T) {
	testRule(t, "NV-DATA-004", map[string]ruleCase{
		"public": {
			profiles:  sensitiveProfiles,
			resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"container_read": cty.StringVal(".r:*,.rlistings")})},
			want:      []at{{"openstack_objectstorage_container_v1.docs", path("container_read")}},
		},
		"tagged critico in an ordinario baseline": {
			resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"container_read": cty.StringVal(" .r:* "), "metadata": critico()})},
			want:      []at{{"openstack_objectstorage_container_v1.docs", path("container_read")}},
		},
	})
	testRule(t, "NV-DATA-004", map[string]ruleCase{
		"a project's users": {resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"container_read": cty.StringVal("p-1:*")})}},
		"one referrer":      {resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"container_read": cty.StringVal(".r:www.comune.prato.it")})}},
		"later":             {resources: []plugins.PolicyResource{container("docs", map[string]cty.Value{"container_read": unknown})}},
		"a public site of ordinario data": {
			profiles:  ordinarioOnly,
			resources: []plugins.PolicyResource{container("site", map[string]cty.Value{"container_read": cty.StringVal(".r:*")})},
		},
	})
}
