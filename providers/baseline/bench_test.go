package baseline

import (
	"context"
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// benchPlan is a plan of n enti's worth of resources: per ente a network,
// a port, a security group with two rules, a volume and its backup.
func benchPlan(n int) []plugins.PolicyResource {
	var rs []plugins.PolicyResource
	pc := defaultTags("ente", "c_a662", "classification", "critico")
	for i := range n {
		m := fmt.Sprintf("module.ente[%q].", fmt.Sprintf("e%d", i))
		rs = append(rs,
			res(m+"openstack_networking_network_v2.lan", obj(map[string]cty.Value{"id": unknown, "name": cty.StringVal("lan"), "external": cty.False, "tags": null, "all_tags": cty.UnknownVal(cty.Set(cty.String)), "region": unknown}), pc),
			res(m+"openstack_networking_port_v2.app", obj(map[string]cty.Value{"id": unknown, "network_id": unknown, "tags": null, "all_tags": cty.UnknownVal(cty.Set(cty.String)), "region": unknown}), pc, deps(m+"openstack_networking_network_v2.lan")),
			secGroup("web", cty.StringVal("web"),
				inline(map[string]cty.Value{"remote_ip_prefix": cty.StringVal("10.20.0.0/24")}),
				inline(map[string]cty.Value{"port_range_min": cty.NumberIntVal(443), "port_range_max": cty.NumberIntVal(443), "remote_ip_prefix": cty.StringVal("0.0.0.0/0")})),
			volume(m+"openstack_blockstorage_volume_v3.data", cty.StringVal("encrypted-luks"), null, pc),
			backup(m+"openstack_blockstorage_backup_v3.data", unknown, deps(m+"openstack_blockstorage_volume_v3.data")),
		)
		rs[len(rs)-3].Address = m + rs[len(rs)-3].Address
	}
	return rs
}

func BenchmarkCheckPlan(b *testing.B) {
	for _, n := range []int{100, 1000} {
		req := plugins.CheckPlanRequest{Settings: settingsFor("critico", nil), Resources: benchPlan(n)}
		b.Run(fmt.Sprintf("%d enti", n), func(b *testing.B) {
			p := New().(plugins.PolicyChecker)
			b.ReportAllocs()
			for b.Loop() {
				if resp := p.CheckPlan(context.Background(), req); resp.Diagnostics.HasErrors() {
					b.Fatal(resp.Diagnostics.Err())
				}
			}
		})
	}
}
