package networking

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// Separate rule resources created at the same time share bulk requests,
// one per security group and project (Neutron refuses a bulk request that
// mixes them), and each gets its own rule back.
func TestSecGroupRulesCreatedTogetherShareBulkRequests(t *testing.T) {
	widenRuleWindow(t)
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	const groups = 4
	var sgIDs []string
	for g := range groups {
		sg := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": fmt.Sprintf("g%d", g)}))
		sgIDs = append(sgIDs, sg.GetAttr("id").AsString())
	}
	typ := "openstack_networking_secgroup_rule_v2"
	before := f.count("security-group-rules")
	cloud.ResetRequests()

	const n = 40
	states := make([]cty.Value, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attrs := map[string]any{
				"security_group_id": sgIDs[i%groups], "direction": "ingress", "protocol": "tcp",
				"port_range_min": 1000 + i, "port_range_max": 1000 + i, "remote_ip_prefix": "10.0.0.0/8"}
			if i%2 == 1 {
				attrs["tenant_id"] = "other-project"
			}
			states[i] = osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, attrs))
		}()
	}
	wg.Wait()
	posts := 0
	for _, r := range cloud.Requests() {
		if strings.HasPrefix(r, "POST ") {
			posts++
		}
	}
	assert.Zero(t, f.bulkRefused, "no bulk request mixes groups or projects")
	assert.LessOrEqual(t, posts, 2*groups+2, "bulk requests, one per group and project, not one per rule: %v", cloud.Requests())
	assert.Equal(t, before+n, f.count("security-group-rules"))
	seen := map[string]bool{}
	for i, st := range states {
		require.False(t, st.IsNull())
		id := st.GetAttr("id").AsString()
		assert.False(t, seen[id], "each rule its own id")
		seen[id] = true
		o := f.obj("security-group-rules", id)
		assert.Equal(t, fmt.Sprint(1000+i), fmt.Sprint(o["port_range_min"]), "rule %d got its own object", i)
	}
}

// Under a -parallelism bound smaller than the number of rules, the rules of
// a group still come together: a rule waiting for its batch lends its slot
// to the next one.
func TestSecGroupRulesCombineUnderTheParallelismBound(t *testing.T) {
	widenRuleWindow(t)
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	const groups, perGroup, slots = 6, 5, 3
	var sgIDs []string
	for g := range groups {
		sg := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": fmt.Sprintf("g%d", g)}))
		sgIDs = append(sgIDs, sg.GetAttr("id").AsString())
	}
	typ := "openstack_networking_secgroup_rule_v2"
	// Planned first, so that only the applies run under the bound.
	type item struct{ cfg, planned cty.Value }
	var items []item
	for i := range groups * perGroup {
		cfg := osfwtest.Object(t, p, typ, map[string]any{
			"security_group_id": sgIDs[i%groups], "direction": "ingress", "protocol": "tcp",
			"port_range_min": 2000 + i, "port_range_max": 2000 + i, "remote_ip_prefix": "10.0.0.0/8"})
		pr := osfwtest.Plan(t, p, typ, cty.NullVal(cfg.Type()), cfg)
		items = append(items, item{cfg, pr.PlannedState})
	}
	cloud.ResetRequests()
	sem := make(chan struct{}, slots)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{} // as the engine takes a slot for each call
			defer func() { <-sem }()
			resp := p.ApplyResourceChange(plugins.WithCallSlot(context.Background(), sem), plugins.ApplyResourceChangeRequest{
				TypeName: typ, PriorState: cty.NullVal(it.cfg.Type()), PlannedState: it.planned, Config: it.cfg})
			assert.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		}()
	}
	wg.Wait()
	posts := 0
	for _, r := range cloud.Requests() {
		if strings.HasPrefix(r, "POST ") {
			posts++
		}
	}
	assert.Zero(t, f.bulkRefused)
	assert.LessOrEqual(t, posts, groups+2, "about one bulk request per group, not one per slot: %v", cloud.Requests())
	assert.Len(t, sem, 0, "every slot given back")
}

// widenRuleWindow gives the rules of a test time to arrive together however
// busy the machine is: what is tested is that they can, not how fast.
func widenRuleWindow(t *testing.T) {
	old := ruleWindow
	ruleWindow = 500 * time.Millisecond
	t.Cleanup(func() { ruleWindow = old })
}
