package acctest

import (
	"strings"
	"testing"
)

// nuvola state orphans finds what carries the state's mark but is not in
// it: listed, adopted back into its address, or deleted.
func TestAccStateOrphans(t *testing.T) {
	e := New(t)
	w := e.NewWorkdir(CloudAdmin)
	cfg := `
resource "openstack_networking_network_v2" "lan" {
  name = "` + e.Name("orphan-lan") + `"
}
resource "openstack_networking_secgroup_v2" "web" {
  name        = "` + e.Name("orphan-web") + `"
  description = "web"
}
`
	w.Apply(cfg)
	netID := w.ID("openstack_networking_network_v2.lan")
	sgID := w.ID("openstack_networking_secgroup_v2.web")

	out := w.Must("state", "orphans", "-no-color")
	if !strings.Contains(out, "No orphans") {
		t.Fatalf("orphans before anything was lost:\n%s", out)
	}
	w.StateRm("openstack_networking_network_v2.lan")
	w.StateRm("openstack_networking_secgroup_v2.web")
	out = w.Must("state", "orphans", "-no-color")
	for _, want := range []string{netID + " (" + e.Name("orphan-lan") + ") — openstack_networking_network_v2.lan", sgID} {
		if !strings.Contains(out, want) {
			t.Errorf("state orphans does not list %q:\n%s", want, out)
		}
	}
	out = w.Must("state", "orphans", "-adopt", "-no-color")
	if strings.Count(out, ": adopted") != 2 {
		t.Fatalf("adopt:\n%s", out)
	}
	if got := w.ID("openstack_networking_network_v2.lan"); got != netID {
		t.Errorf("adopted network %s, want %s", got, netID)
	}
	w.PlanNoChanges()

	// Deleted: gone from the cloud, and the next apply makes it again.
	w.StateRm("openstack_networking_secgroup_v2.web")
	out = w.Must("state", "orphans", "-delete", "-no-color")
	if !strings.Contains(out, sgID) || !strings.Contains(out, ": deleted") {
		t.Fatalf("delete:\n%s", out)
	}
	nc := e.Client(e.Admin().Network)
	if sgs, err := listSecGroups(e.Context(), nc, e.Name("orphan-web")); err != nil || len(sgs) != 0 {
		t.Errorf("the deleted orphan is still in the cloud: %v %v", sgs, err)
	}
	w.Apply(cfg)
	w.Destroy()
}
