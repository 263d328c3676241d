package baseline

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// defaultTags is an openstack provider configuration with default_tags.
func defaultTags(kv ...string) func(*plugins.PolicyResource) {
	return providerConfig(obj(map[string]cty.Value{
		"region":       cty.StringVal("it-fi-1"),
		"default_tags": obj(map[string]cty.Value{"tags": strMap(kv...)}),
	}))
}

// net is a network with string tags; all_tags as the provider plans them
// when it has not been configured (unknown) unless given.
func net(name string, tags cty.Value, opts ...func(*plugins.PolicyResource)) plugins.PolicyResource {
	return res("openstack_networking_network_v2."+name, obj(map[string]cty.Value{
		"id": unknown, "name": cty.StringVal(name), "tags": tags, "all_tags": cty.UnknownVal(cty.Set(cty.String)), "region": unknown,
	}), opts...)
}

func TestClassificationTags(t *testing.T) {
	testRule(t, "NV-CLS-001", map[string]ruleCase{
		"no tags": {
			resources: []plugins.PolicyResource{net("lan", null)},
			want:      []at{{"openstack_networking_network_v2.lan", nil}},
		},
		"no ente": {
			resources: []plugins.PolicyResource{net("lan", strs("classification=critico", "ente="))},
			want:      []at{{"openstack_networking_network_v2.lan", nil}},
		},
		"not a classification": {
			resources: []plugins.PolicyResource{net("lan", strs("ente=c_a662", "classification=riservato"))},
			want:      []at{{"openstack_networking_network_v2.lan", path("tags", cty.StringVal("classification=riservato"))}},
		},
		"not a classification, in metadata": {
			resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), strMap("ente", "c_a662", "classification", "secret"))},
			want:      []at{{"openstack_blockstorage_volume_v3.data", path("metadata", cty.StringVal("classification"))}},
		},
		"default tags without classification": {
			resources: []plugins.PolicyResource{net("lan", null, defaultTags("ente", "c_a662"))},
			want:      []at{{"openstack_networking_network_v2.lan", nil}},
		},
		"applied tags without them": {
			resources: []plugins.PolicyResource{res("openstack_networking_network_v2.old", obj(map[string]cty.Value{"tags": null, "all_tags": strs("team=sit")}), action(plugins.PolicyActionNoOp, cty.EmptyObjectVal))},
			want:      []at{{"openstack_networking_network_v2.old", nil}},
		},
	})
	testRule(t, "NV-CLS-001", map[string]ruleCase{
		"own tags":         {resources: []plugins.PolicyResource{net("lan", tagged("critico"))}},
		"own metadata":     {resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), critico())}},
		"default tags":     {resources: []plugins.PolicyResource{net("lan", null, defaultTags("ente", "c_a662", "classification", "ordinario"))}},
		"mixed":            {resources: []plugins.PolicyResource{net("lan", strs("classification=critico"), defaultTags("ente", "c_a662"))}},
		"applied":          {resources: []plugins.PolicyResource{res("openstack_networking_network_v2.old", obj(map[string]cty.Value{"tags": null, "all_tags": tagged("strategico")}))}},
		"tags known later": {resources: []plugins.PolicyResource{net("lan", cty.UnknownVal(cty.Set(cty.String)))}},
		"defaults known later": {resources: []plugins.PolicyResource{net("lan", null, providerConfig(obj(map[string]cty.Value{
			"default_tags": obj(map[string]cty.Value{"tags": cty.UnknownVal(cty.Map(cty.String))}),
		})))}},
		"not taggable":  {resources: []plugins.PolicyResource{res("openstack_identity_role_assignment_v3.a", obj(map[string]cty.Value{"role_id": cty.StringVal("r")}))}},
		"a data source": {resources: []plugins.PolicyResource{res("data.openstack_networking_network_v2.public", obj(map[string]cty.Value{"all_tags": strs()}))}},
	})
}

func TestQualification(t *testing.T) {
	qc := func(q string) map[string]cty.Value {
		return map[string]cty.Value{"target_cloud": obj(map[string]cty.Value{"qualification": cty.StringVal(q), "regions": cty.TupleVal([]cty.Value{cty.StringVal("it-fi-1")})})}
	}
	baselineFinding := at{"", path("target_cloud", "qualification")}
	testRule(t, "NV-CLS-002", map[string]ruleCase{
		"critico baseline on a QC1 cloud": {
			profiles:  []string{plugins.ProfileCritico},
			settings:  qc("QC1"),
			resources: []plugins.PolicyResource{net("lan", null), net("dmz", tagged("critico"))},
			want:      []at{baselineFinding},
		},
		"strategico baseline on a QC3 cloud": {
			profiles: []string{plugins.ProfileStrategico},
			settings: qc("QC3"),
			want:     []at{baselineFinding},
		},
		"strategico data on a QC3 cloud": {
			profiles:  []string{plugins.ProfileOrdinario, plugins.ProfileCritico},
			settings:  qc("QC3"),
			resources: []plugins.PolicyResource{net("lan", tagged("strategico")), net("dmz", tagged("critico"))},
			want:      []at{{"openstack_networking_network_v2.lan", path("tags", cty.StringVal("classification=strategico"))}},
		},
		"above the baseline too": {
			profiles:  []string{plugins.ProfileCritico},
			settings:  qc("QC1"),
			resources: []plugins.PolicyResource{net("lan", tagged("strategico"))},
			want:      []at{baselineFinding, {"openstack_networking_network_v2.lan", path("tags", cty.StringVal("classification=strategico"))}},
		},
		"from default tags, in metadata": {
			profiles: []string{plugins.ProfileOrdinario},
			settings: qc("QC1"),
			resources: []plugins.PolicyResource{
				volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), null, defaultTags("ente", "c_a662", "classification", "critico")),
				volume("openstack_blockstorage_volume_v3.logs", cty.StringVal("encrypted-luks"), critico()),
			},
			want: []at{{"openstack_blockstorage_volume_v3.data", nil}, {"openstack_blockstorage_volume_v3.logs", path("metadata", cty.StringVal("classification"))}},
		},
	})
	testRule(t, "NV-CLS-002", map[string]ruleCase{
		"PSN": {settings: qc("PSN"), resources: []plugins.PolicyResource{net("lan", tagged("strategico"))}},
		"QC4": {settings: qc("qc4"), resources: []plugins.PolicyResource{net("lan", tagged("strategico"))}},
		"QC2 for critico": {
			profiles:  []string{plugins.ProfileOrdinario, plugins.ProfileCritico},
			settings:  qc("QC2"),
			resources: []plugins.PolicyResource{net("lan", tagged("critico")), net("wan", tagged("ordinario"))},
		},
		"own tags known later": {
			profiles: []string{plugins.ProfileCritico},
			settings: qc("QC2"),
			resources: []plugins.PolicyResource{
				net("lan", cty.SetVal([]cty.Value{cty.StringVal("ente=c_a662"), unknown}), defaultTags("classification", "strategico")),
				volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), cty.MapVal(map[string]cty.Value{"classification": unknown}), defaultTags("classification", "strategico")),
			},
		},
		"no qualification": {
			settings:  map[string]cty.Value{"target_cloud": obj(map[string]cty.Value{"regions": cty.TupleVal([]cty.Value{cty.StringVal("it-fi-1")})})},
			resources: []plugins.PolicyResource{net("lan", tagged("strategico"))},
		},
	})
}

func TestRegion(t *testing.T) {
	inRegion := func(name string, region cty.Value, opts ...func(*plugins.PolicyResource)) plugins.PolicyResource {
		cfg := obj(map[string]cty.Value{"name": cty.StringVal(name), "region": region, "id": null})
		return res("openstack_networking_network_v2."+name, planCreate(cfg, "region", "id"), append([]func(*plugins.PolicyResource){config(cfg)}, opts...)...)
	}
	milan := providerConfig(obj(map[string]cty.Value{"region": cty.StringVal("it-mi-1")}))
	testRule(t, "NV-CLS-003", map[string]ruleCase{
		"its own": {
			resources: []plugins.PolicyResource{inRegion("lan", cty.StringVal("it-mi-1"))},
			want:      []at{{"openstack_networking_network_v2.lan", path("region")}},
		},
		"its provider's": {
			resources: []plugins.PolicyResource{inRegion("lan", null, milan)},
			want:      []at{{"openstack_networking_network_v2.lan", nil}},
		},
		"read back": {
			resources: []plugins.PolicyResource{res("openstack_networking_network_v2.old", obj(map[string]cty.Value{"region": cty.StringVal("RegionOne")}), action(plugins.PolicyActionNoOp, cty.EmptyObjectVal))},
			want:      []at{{"openstack_networking_network_v2.old", path("region")}},
		},
	})
	testRule(t, "NV-CLS-003", map[string]ruleCase{
		"in the region": {resources: []plugins.PolicyResource{
			inRegion("lan", cty.StringVal("it-fi-1"), milan),
			inRegion("wan", null, providerConfig(obj(map[string]cty.Value{"region": cty.StringVal("it-fi-1")}))),
		}},
		"known later":      {resources: []plugins.PolicyResource{inRegion("lan", unknown, milan)}},
		"no region at all": {resources: []plugins.PolicyResource{inRegion("lan", null)}},
		"a data source":    {resources: []plugins.PolicyResource{res("data.openstack_networking_network_v2.public", obj(map[string]cty.Value{"region": cty.StringVal("it-mi-1")}))}},
		"no region attribute": {resources: []plugins.PolicyResource{
			res("null_resource.x", obj(map[string]cty.Value{"id": unknown}), milan),
		}},
		"no regions to check": {
			settings:  map[string]cty.Value{"target_cloud": obj(map[string]cty.Value{"qualification": cty.StringVal("PSN")})},
			resources: []plugins.PolicyResource{inRegion("lan", cty.StringVal("it-mi-1"))},
		},
	})
}

func TestDestruction(t *testing.T) {
	prior := func(metadataAttr string, class string) cty.Value {
		return obj(map[string]cty.Value{"id": cty.StringVal("x-1"), metadataAttr: strMap("ente", "c_a662", "classification", class)})
	}
	gone := func(address, act string, before cty.Value) plugins.PolicyResource {
		r := res(address, before, action(act, before))
		if act != plugins.PolicyActionDelete {
			r.After = plugins.SetAttrs(before, map[string]cty.Value{"id": unknown})
		}
		return r
	}
	testRule(t, "NV-DEST-001", map[string]ruleCase{
		"a critico volume deleted": {
			resources: []plugins.PolicyResource{gone("openstack_blockstorage_volume_v3.data", plugins.PolicyActionDelete, prior("metadata", "critico"))},
			want:      []at{{"openstack_blockstorage_volume_v3.data", nil}},
		},
		"replaced": {
			resources: []plugins.PolicyResource{
				gone("openstack_objectstorage_container_v1.docs", plugins.PolicyActionDeleteCreate, prior("all_metadata", "strategico")),
				gone("openstack_blockstorage_snapshot_v3.s", plugins.PolicyActionCreateDelete, prior("all_metadata", "Critico")),
				gone("openstack_blockstorage_backup_v3.b", plugins.PolicyActionDelete, prior("metadata", "critico")),
			},
			want: []at{
				{"openstack_objectstorage_container_v1.docs", nil},
				{"openstack_blockstorage_backup_v3.b", nil},
				{"openstack_blockstorage_snapshot_v3.s", nil},
			},
		},
	})
	testRule(t, "NV-DEST-001", map[string]ruleCase{
		"ordinario data": {resources: []plugins.PolicyResource{gone("openstack_blockstorage_volume_v3.data", plugins.PolicyActionDelete, prior("metadata", "ordinario"))}},
		"untagged, whatever the profile": {resources: []plugins.PolicyResource{
			gone("openstack_blockstorage_volume_v3.data", plugins.PolicyActionDelete, obj(map[string]cty.Value{"id": cty.StringVal("v-1"), "metadata": null})),
		}},
		"updated": {resources: []plugins.PolicyResource{
			res("openstack_blockstorage_volume_v3.data", prior("metadata", "critico"), action(plugins.PolicyActionUpdate, prior("metadata", "critico"))),
		}},
		"not storage": {resources: []plugins.PolicyResource{
			gone("openstack_networking_network_v2.lan", plugins.PolicyActionDelete, obj(map[string]cty.Value{"all_tags": tagged("critico")})),
		}},
		"created": {resources: []plugins.PolicyResource{volume("openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), critico())}},
	})
}
