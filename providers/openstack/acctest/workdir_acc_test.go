package acctest

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
)

func TestAccWorkdirNetwork(t *testing.T) {
	e := New(t)
	w := e.NewWorkdir(CloudDemo)
	name := e.Name("lan")
	w.Apply(`resource "openstack_networking_network_v2" "lan" {
  name = "` + name + `"
}
`)
	id := w.ID("openstack_networking_network_v2.lan")
	nc, err := e.Cloud(CloudDemo).Network()
	if err != nil {
		t.Fatal(err)
	}
	n, err := networks.Get(e.Context(), nc, id).Extract()
	if err != nil || n.Name != name {
		t.Fatalf("network %s: %v %v", id, n, err)
	}
	w.PlanNoChanges()
	w.Destroy()
}
