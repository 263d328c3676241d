package acctest

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

// A no-change plan refreshes many objects with a few list requests, and
// the -json stream reports the count by service.
func TestAccPlanRequestCount(t *testing.T) {
	e := New(t)
	w := e.NewWorkdir(CloudDemo)
	w.Apply(`resource "openstack_networking_network_v2" "n" {
  count = 15
  name  = "` + e.Name("n") + `${count.index}"
}
`)
	out, errOut, code := w.Run("plan", "-json", "-detailed-exitcode", "-input=false")
	if code != 0 {
		t.Fatalf("plan exited %d:\n%s\n%s", code, out, errOut)
	}
	var metrics struct {
		Provider    string           `json:"provider"`
		APIRequests map[string]int64 `json:"api_requests"`
		Total       int64            `json:"total"`
	}
	found := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var ev map[string]json.RawMessage
		if json.Unmarshal(sc.Bytes(), &ev) != nil || string(ev["type"]) != `"provider_metrics"` {
			continue
		}
		if err := json.Unmarshal(sc.Bytes(), &metrics); err != nil {
			t.Fatal(err)
		}
		found = true
	}
	if !found {
		t.Fatalf("no provider_metrics event in:\n%s", out)
	}
	t.Logf("no-change plan of 15 networks: %d requests %v", metrics.Total, metrics.APIRequests)
	// One list of networks, plus the endpoint's version discovery.
	if n := metrics.APIRequests["network"]; n < 1 || n > 2 {
		t.Errorf("network requests = %d, want 1 list (and at most one version discovery)", n)
	}
	if metrics.Total >= 15 {
		t.Errorf("%d requests for 15 objects", metrics.Total)
	}
	w.Destroy()
}
