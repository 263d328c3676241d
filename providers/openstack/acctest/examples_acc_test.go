package acctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
