package networking

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// Separate rule resources created at the same time share bulk requests,
// and each gets its own rule back.
func TestSecGroupRulesCreatedTogetherShareBulkRequests(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	f := newFullFake(t, cloud)
	p := provider(t, cloud)
	sg := osfwtest.Apply(t, p, sgType, cty.NilVal, osfwtest.Object(t, p, sgType, map[string]any{"name": "g"}))
	sgID := sg.GetAttr("id").AsString()
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
			states[i] = osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, map[string]any{
				"security_group_id": sgID, "direction": "ingress", "protocol": "tcp",
				"port_range_min": 1000 + i, "port_range_max": 1000 + i, "remote_ip_prefix": "10.0.0.0/8"}))
		}()
	}
	wg.Wait()
	posts := 0
	for _, r := range cloud.Requests() {
		if strings.HasPrefix(r, "POST ") {
			posts++
		}
	}
	assert.Less(t, posts, n/4, "bulk requests, not one per rule: %v", cloud.Requests())
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
