package acctest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// exampleWorkdir copies examples/NAME into a workdir.
func exampleWorkdir(e *Env, cloud, name string) *Workdir {
	e.t.Helper()
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", name)
	w := e.NewWorkdir(cloud)
	entries, err := os.ReadDir(src)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, ent := range entries {
		if ent.IsDir() || filepath.Ext(ent.Name()) != ".tf" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, ent.Name()))
		if err != nil {
			e.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(w.Dir, ent.Name()), data, 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
	return w
}

// The municipality's onboarding applies on the devcloud, plans no changes
// afterwards, and destroys.
func TestAccExampleComuneOnboarding(t *testing.T) {
	e := New(t)
	w := exampleWorkdir(e, CloudAdmin, "comune-onboarding")
	vars := []string{"-var", "ente=" + e.Name("comune")}
	w.Must("init", "-input=false")
	w.Must(append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, vars...)...)
	out, errOut, code := w.Run(append([]string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}, vars...)...)
	if code != 0 {
		t.Errorf("plan after apply exited %d, want 0:\n%s\n%s", code, out, errOut)
	}
	w.Must(append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...)
}

// The lift-and-shift migration uploads a disk image from a local file,
// boots a server from it with a data volume, a port and a floating IP.
func TestAccExampleLiftAndShift(t *testing.T) {
	e := New(t)
	w := exampleWorkdir(e, CloudAdmin, "lift-and-shift")
	disk := filepath.Join(t.TempDir(), "disk.qcow2")
	format := "qcow2"
	if err := exec.Command("qemu-img", "create", "-f", "qcow2", disk, "16M").Run(); err != nil {
		// Without qemu-img, a raw disk of zeros.
		disk, format = filepath.Join(t.TempDir(), "disk.raw"), "raw"
		if err := os.WriteFile(disk, make([]byte, 4<<20), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := []string{"-var", "name=" + e.Name("vm"), "-var", "disk_image_path=" + disk, "-var", "disk_format=" + format}
	if v := os.Getenv("NUVOLA_ACC_BOOT_FROM_VOLUME"); v != "" {
		vars = append(vars, "-var", "boot_from_volume="+v)
	}
	w.Must("init", "-input=false")
	w.Must(append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, vars...)...)
	out, errOut, code := w.Run(append([]string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}, vars...)...)
	if code != 0 {
		t.Errorf("plan after apply exited %d, want 0:\n%s\n%s", code, out, errOut)
	}
	w.Must(append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...)
}

// The municipality's onboarding passes the critico baseline; with a public
// SSH rule and an unencrypted volume it fails with exactly those two
// findings, and apply refuses the saved plan.
func TestAccExampleComuneOnboardingBaseline(t *testing.T) {
	e := New(t)
	w := exampleWorkdir(e, CloudAdmin, "comune-onboarding")
	vars := []string{"-var", "ente=" + e.Name("comune"), "-var", "classification=critico"}
	w.Must("init", "-input=false")
	out, errOut, code := w.Run(append([]string{"plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=critico.plan"}, vars...)...)
	if code != 2 {
		t.Fatalf("plan under the critico baseline exited %d, want 2 (changes, no violation):\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "Baseline") {
		t.Errorf("findings under the critico baseline:\n%s\n%s", out, errOut)
	}

	bad := append(vars, "-var", "admin_cidr=0.0.0.0/0", "-var", "volume_type=standard")
	out, errOut, code = w.Run(append([]string{"plan", "-input=false", "-no-color", "-out=bad.plan"}, bad...)...)
	if code != 1 {
		t.Fatalf("plan with a public SSH rule and an unencrypted volume exited %d, want 1:\n%s\n%s", code, out, errOut)
	}
	js := w.Must("show", "-json", "bad.plan")
	var doc struct {
		PolicyResults []struct {
			RuleID   string `json:"rule_id"`
			Address  string `json:"address"`
			Blocking bool   `json:"blocking"`
		} `json:"policy_results"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range doc.PolicyResults {
		if r.Blocking {
			got = append(got, r.RuleID+" "+r.Address)
		}
	}
	want := []string{"NV-NET-001 openstack_networking_secgroup_v2.admin", "NV-DATA-001 openstack_blockstorage_volume_v3.data"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("blocking findings %q, want %q", got, want)
	}
	_, errOut, code = w.Run("apply", "-input=false", "-no-color", "bad.plan")
	if code == 0 || !strings.Contains(errOut, "Plan blocked by the baseline") {
		t.Errorf("apply of the violating plan exited %d:\n%s", code, errOut)
	}
}
