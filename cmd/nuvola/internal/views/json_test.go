package views

import (
	"bufio"
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

func jsonLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		for _, k := range []string{"@level", "@message", "@module", "@timestamp", "type"} {
			require.Contains(t, m, k)
		}
		require.Equal(t, "nuvola.ui", m["@module"])
		out = append(out, m)
	}
	return out
}

func TestJSONView(t *testing.T) {
	var buf bytes.Buffer
	v := NewJSONView(&buf)
	v.now = func() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }
	v.SetSources(map[string][]byte{"main.tf": []byte(mainTF)})
	v.Version("0.1.0")
	p := richPlan(t)
	for _, c := range p.Changes {
		v.PlannedChange(c)
	}
	v.ChangeSummary(4, 4, 5, 1, "plan")
	v.ApplyStartWithID(`test_thing.each["x"]`, plan.Delete, "e-x")
	v.ApplyProgress("test_thing.create", plan.Create, 10*time.Second)
	v.ApplyComplete("test_thing.create", plan.Create, "123", 1400*time.Millisecond)
	v.ApplyErrored("module.child.test_thing.in_module", plan.Create, 0)
	v.Diagnostics(hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Bad", Detail: "Very bad.", Subject: at(t, "var.x")},
		{Severity: hcl.DiagWarning, Summary: "Hmm"},
	})
	v.Outputs(map[string]*state.OutputValue{
		"plain": {Value: cty.StringVal("v")},
		"pw":    {Value: cty.StringVal(secret), Sensitive: true},
		"mk":    {Value: cty.StringVal(secret).Mark("sensitive")},
	})
	v.ChangeSummary(1, 0, 0, 0, "apply")

	require.NotContains(t, buf.String(), secret)
	golden(t, "json.golden", buf.String())
	lines := jsonLines(t, buf.Bytes())
	types := make([]string, len(lines))
	for i, l := range lines {
		types[i] = l["type"].(string)
	}
	require.Contains(t, types, "version")
	require.Contains(t, types, "planned_change")
	require.Contains(t, types, "apply_start")
	require.Contains(t, types, "apply_progress")
	require.Contains(t, types, "apply_complete")
	require.Contains(t, types, "apply_errored")
	require.Contains(t, types, "diagnostic")
	require.Contains(t, types, "outputs")
	require.Contains(t, types, "change_summary")
	require.Equal(t, "nuvola 0.1.0", lines[0]["@message"])
}

func TestJSONViewConcurrent(t *testing.T) {
	var buf bytes.Buffer
	v := NewJSONView(&buf)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				v.ApplyStart("test_thing.a", plan.Create)
				v.ApplyComplete("test_thing.a", plan.Create, "1", time.Second)
			}
		}()
	}
	wg.Wait()
	require.Len(t, jsonLines(t, buf.Bytes()), 50*20*2)
}

func TestJSONViewResourceDrift(t *testing.T) {
	var buf bytes.Buffer
	v := NewJSONView(&buf)
	addr := mustAddr(t, "openstack_networking_network_v2.net")
	tagged := func(name string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name),
			"all_tags": cty.SetVal([]cty.Value{cty.StringVal("ente=c_h501"), cty.StringVal("classification=critico")})})
	}
	v.ResourceDrift(&plan.ResourceChange{Addr: addr, Action: plan.Update, Before: tagged("a"), After: tagged("b")})
	v.ResourceDrift(&plan.ResourceChange{Addr: mustAddr(t, "openstack_compute_keypair_v2.k"), Action: plan.Delete,
		Before: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("k")}), After: cty.NullVal(cty.DynamicPseudoType)})
	lines := jsonLines(t, buf.Bytes())
	require.Len(t, lines, 2)
	require.Equal(t, "resource_drift", lines[0]["type"])
	require.Equal(t, "openstack_networking_network_v2.net: Drift detected (update)", lines[0]["@message"])
	change := lines[0]["change"].(map[string]any)
	require.Equal(t, "update", change["action"])
	require.Equal(t, "c_h501", change["ente"])
	require.Equal(t, "critico", change["classification"])
	change = lines[1]["change"].(map[string]any)
	require.Equal(t, "delete", change["action"])
	require.NotContains(t, change, "ente", "an object without tags has no ente")
}
