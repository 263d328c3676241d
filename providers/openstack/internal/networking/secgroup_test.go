package networking

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const sgType = "openstack_networking_secgroup_v2"

// bodies records the JSON bodies of the requests matching method and a
// path suffix.
type bodies struct {
	mu  sync.Mutex
	got []map[string]any
}

func (b *bodies) watch(f *fakeNet, method, suffix string) {
	f.fail = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == method && strings.HasSuffix(r.URL.Path, suffix) {
			raw, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(raw))
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			b.mu.Lock()
			b.got = append(b.got, m)
			b.mu.Unlock()
		}
		return false
	}
}

func rule(dir, proto string, port int, prefix string) map[string]any {
	r := map[string]any{"direction": dir, "protocol": proto, "remote_ip_prefix": prefix}
	if port > 0 {
		r["port_range_min"], r["port_range_max"] = port, port
	}
	return r
}

func count(reqs []string, prefix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func TestSecGroupInlineRulesOneBulkCreate(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNet(cloud, t)
	var bulk bodies
	bulk.watch(fake, "POST", "/security-group-rules")
	p := cloud.Provider(t, []*osfw.Resource{SecGroup()}, nil, map[string]string{"ente": "c_a662"})

	var rules []map[string]any
	for i := range 50 {
		rules = append(rules, rule("ingress", "tcp", 1000+i, "10.0.0.0/8"))
	}
	rules = append(rules, map[string]any{"direction": "egress"}) // the default IPv4 egress rule, kept
	rules = append(rules, map[string]any{"direction": "ingress", "protocol": "icmp", "remote_group_id": "self", "description": "ping"})
	cfg := osfwtest.Object(t, p, sgType, map[string]any{"name": "web", "rule": rules})
	cloud.ResetRequests()
	st := osfwtest.Apply(t, p, sgType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()

	reqs := cloud.Requests()
	assert.Equal(t, 1, count(reqs, "POST /network/v2.0/security-group-rules"), "one bulk create: %v", reqs)
	assert.Equal(t, 1, count(reqs, "DELETE /network/v2.0/security-group-rules/"), "the default IPv6 egress rule goes, the IPv4 one stays: %v", reqs)
	require.Len(t, bulk.got, 1)
	list := bulk.got[0]["security_group_rules"].([]any)
	require.Len(t, list, 51, "50 tcp rules and the icmp rule")
	var first, icmp map[string]any
	for _, e := range list {
		m := e.(map[string]any)
		if m["port_range_min"] == 1000.0 {
			first = m
		}
		if m["protocol"] == "icmp" {
			icmp = m
		}
	}
	assert.Equal(t, map[string]any{"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 1000.0,
		"port_range_max": 1000.0, "remote_ip_prefix": "10.0.0.0/8", "security_group_id": id}, first)
	assert.Equal(t, id, icmp["remote_group_id"], "self is the group itself")
	assert.Equal(t, 52, fake.count("security-group-rules"))
	assert.Equal(t, 52, st.GetAttr("rule").LengthInt())

	// Refresh and no-change plan.
	st = osfwtest.Read(t, p, sgType, st)[0]
	osfwtest.NoChange(t, p, sgType, st, cfg)

	// Import reads the group; its rules are not managed until configured.
	imp := osfwtest.Import(t, p, sgType, id)
	assert.Equal(t, "web", imp.GetAttr("name").AsString())

	cloud.ResetRequests()
	osfwtest.Destroy(t, p, sgType, st)
	assert.Equal(t, []string{"DELETE /network/v2.0/security-groups/" + id}, cloud.Requests(), "rules go with the group")
	assert.Equal(t, 0, fake.count("security-group-rules"))
}

func TestSecGroupUpdateTouchesOnlyChangedRules(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNet(cloud, t)
	var bulk bodies
	bulk.watch(fake, "POST", "/security-group-rules")
	p := cloud.Provider(t, []*osfw.Resource{SecGroup()}, nil, nil)
	var rules []map[string]any
	for i := range 20 {
		rules = append(rules, rule("ingress", "tcp", 2000+i, "0.0.0.0/0"))
	}
	st := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": "db", "delete_default_rules": true, "rule": rules}))
	require.Equal(t, 20, fake.count("security-group-rules"), "defaults deleted")
	ids := map[string]bool{}
	for id := range fake.objs["security-group-rules"] {
		ids[id] = true
	}

	// Change rule 3's port, drop rule 7, add one.
	rules2 := append([]map[string]any{}, rules...)
	rules2[3] = rule("ingress", "tcp", 3306, "0.0.0.0/0")
	rules2 = append(rules2[:7], rules2[8:]...)
	rules2 = append(rules2, rule("ingress", "udp", 53, "10.0.0.0/8"))
	cfg2 := osfwtest.Object(t, p, sgType, map[string]any{"name": "db", "delete_default_rules": true, "rule": rules2})
	bulk.got = nil
	cloud.ResetRequests()
	st2 := osfwtest.Apply(t, p, sgType, st, cfg2)
	reqs := cloud.Requests()
	assert.Equal(t, 1, count(reqs, "POST /network/v2.0/security-group-rules"), "%v", reqs)
	assert.Equal(t, 2, count(reqs, "DELETE /network/v2.0/security-group-rules/"), "%v", reqs)
	assert.Equal(t, 0, count(reqs, "PUT "), "nothing else updated: %v", reqs)
	require.Len(t, bulk.got, 1)
	assert.Len(t, bulk.got[0]["security_group_rules"], 2, "the changed rule and the new one")
	kept := 0
	for id := range fake.objs["security-group-rules"] {
		if ids[id] {
			kept++
		}
	}
	assert.Equal(t, 18, kept, "untouched rules keep their ids")
	assert.Equal(t, 20, fake.count("security-group-rules"))
	st2 = osfwtest.Read(t, p, sgType, st2)[0]
	osfwtest.NoChange(t, p, sgType, st2, cfg2)

	// A rule added outside nuvola shows as a change to undo.
	fake.mu.Lock()
	fake.add("security-group-rules", map[string]any{"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 23,
		"port_range_max": 23, "security_group_id": st2.GetAttr("id").AsString()})
	fake.mu.Unlock()
	st3 := osfwtest.Read(t, p, sgType, st2)[0]
	assert.Equal(t, 21, st3.GetAttr("rule").LengthInt())
	cloud.ResetRequests()
	osfwtest.Apply(t, p, sgType, st3, cfg2)
	assert.Equal(t, 1, count(cloud.Requests(), "DELETE /network/v2.0/security-group-rules/"), "%v", cloud.Requests())
	assert.Equal(t, 0, count(cloud.Requests(), "POST "), "%v", cloud.Requests())
}

func TestSecGroupWithoutRuleBlocksLeavesRulesAlone(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNet(cloud, t)
	p := cloud.Provider(t, []*osfw.Resource{SecGroup()}, nil, nil)
	cfg := osfwtest.Object(t, p, sgType, map[string]any{"name": "free", "description": "d"})
	st := osfwtest.Apply(t, p, sgType, cty.NilVal, cfg)
	assert.Equal(t, 2, fake.count("security-group-rules"), "default rules kept")
	fake.mu.Lock()
	fake.add("security-group-rules", map[string]any{"direction": "ingress", "ethertype": "IPv4", "security_group_id": st.GetAttr("id").AsString()})
	fake.mu.Unlock()
	st = osfwtest.Read(t, p, sgType, st)[0]
	osfwtest.NoChange(t, p, sgType, st, cfg)

	// delete_default_rules without rule blocks.
	st2 := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": "bare", "delete_default_rules": true}))
	n := 0
	for _, r := range fake.objs["security-group-rules"] {
		if r["security_group_id"] == st2.GetAttr("id").AsString() {
			n++
		}
	}
	assert.Zero(t, n)
}

func TestSecGroupRefreshIsOneListRequest(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNet(cloud, t)
	p := cloud.Provider(t, []*osfw.Resource{SecGroup()}, nil, nil)
	var states []cty.Value
	for i := range 10 {
		states = append(states, osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{
			"name": fmt.Sprintf("g%d", i), "rule": []map[string]any{rule("ingress", "tcp", 22, "0.0.0.0/0")}})))
	}
	fake.mu.Lock()
	delete(fake.objs["security-groups"], states[4].GetAttr("id").AsString())
	fake.mu.Unlock()
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, sgType, states...)
	require.Len(t, cloud.Requests(), 1, "%v", cloud.Requests())
	assert.Equal(t, "GET /network/v2.0/security-groups", cloud.Requests()[0])
	assert.True(t, got[4].IsNull())
	assert.Equal(t, 1, got[0].GetAttr("rule").LengthInt(), "the rule; the default rules went at create")
}

func TestSecGroupRuleQuotaError(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeNet(cloud, t)
	fake.fail = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/security-group-rules") {
			osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"NeutronError": map[string]any{"type": "OverQuota",
				"message": "Quota exceeded for resources: ['security_group_rule'].", "detail": ""}})
			return true
		}
		return false
	}
	p := cloud.Provider(t, []*osfw.Resource{SecGroup()}, nil, nil)
	resp := osfwtest.ApplyResp(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{
		"name": "q", "rule": []map[string]any{rule("ingress", "tcp", 22, "0.0.0.0/0")}}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Equal(t, "Quota exceeded", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, `the "security_group_rule" quota of project `+osfwtest.ProjectID)
	assert.False(t, resp.NewState.IsNull(), "the group was made: it is recorded")
}

func TestRuleDiff(t *testing.T) {
	p22, p80 := 22, 80
	tcp := "tcp"
	have := []sgRule{
		{ID: "a", Direction: "ingress", EtherType: "IPv4", Protocol: &tcp, PortRangeMin: &p22, PortRangeMax: &p22},
		{ID: "b", Direction: "ingress", EtherType: "IPv4", Protocol: &tcp, PortRangeMin: &p80, PortRangeMax: &p80},
		{ID: "dup", Direction: "ingress", EtherType: "IPv4", Protocol: &tcp, PortRangeMin: &p80, PortRangeMax: &p80},
	}
	want := []wantRule{
		{key: have[0].key(), body: map[string]any{"x": 1}},
		{key: "new", body: map[string]any{"y": 2}},
	}
	create, del := ruleDiff(want, have)
	assert.Equal(t, []map[string]any{{"y": 2}}, create)
	assert.Equal(t, []string{"b", "dup"}, del)
}
