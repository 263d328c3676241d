package acctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds the nuvola command once per test process and returns its
// path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..", "..")
		dir, err := os.MkdirTemp("", "nuvola-acc-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "nuvola")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/nuvola")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building nuvola: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Workdir is a configuration directory that the nuvola command works on,
// against a cloud of the devcloud's clouds.yaml.
type Workdir struct {
	t     testing.TB
	Dir   string
	Cloud string
	// Env is added to the command's environment.
	Env []string
}

// NewWorkdir makes an empty configuration directory whose commands use the
// named cloud (CloudDemo, CloudAdmin, ...).
func (e *Env) NewWorkdir(cloud string) *Workdir {
	e.t.Helper()
	return &Workdir{t: e.t, Dir: e.t.TempDir(), Cloud: cloud}
}

// Provider is the provider block the configurations get: the cloud, and
// default tags naming the test.
func (w *Workdir) Provider() string {
	return fmt.Sprintf(`provider "openstack" {
  cloud = %q
}
`, w.Cloud)
}

// Write replaces main.tf with the provider block plus config.
func (w *Workdir) Write(config string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(w.Provider()+config), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// Run runs a nuvola command and returns its output and exit code.
func (w *Workdir) Run(args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	cmd := exec.Command(Binary(w.t), args...)
	cmd.Dir = w.Dir
	env := append(os.Environ(), "OS_CLOUD="+w.Cloud, "NUVOLA_LOG=", "TF_IN_AUTOMATION=1")
	if f := CloudsFile(); f != "" {
		env = append(env, "OS_CLIENT_CONFIG_FILE="+f)
	}
	cmd.Env = append(env, w.Env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			w.t.Fatalf("running nuvola %s: %v", strings.Join(args, " "), err)
		}
	}
	return out.String(), errb.String(), code
}

// Must runs a nuvola command that must succeed.
func (w *Workdir) Must(args ...string) string {
	w.t.Helper()
	out, errOut, code := w.Run(args...)
	if code != 0 {
		w.t.Fatalf("nuvola %s exited %d:\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// Apply writes config and applies it (init, apply -auto-approve).
func (w *Workdir) Apply(config string) {
	w.t.Helper()
	w.Write(config)
	w.Must("init", "-input=false")
	w.Must("apply", "-auto-approve", "-input=false", "-no-color")
}

// ApplyFails writes config, applies it and returns the error output; the
// test fails if the apply succeeds.
func (w *Workdir) ApplyFails(config string) string {
	w.t.Helper()
	w.Write(config)
	w.Must("init", "-input=false")
	out, errOut, code := w.Run("apply", "-auto-approve", "-input=false", "-no-color")
	if code == 0 {
		w.t.Fatalf("apply succeeded; want an error:\n%s", out)
	}
	return errOut
}

// PlanNoChanges asserts that a plan finds nothing to do (exit 0 under
// -detailed-exitcode).
func (w *Workdir) PlanNoChanges() {
	w.t.Helper()
	out, errOut, code := w.Run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if code != 0 {
		w.t.Fatalf("plan exited %d, want 0 (no changes):\n%s\n%s", code, out, errOut)
	}
}

// PlanChanges returns the plan's output and fails the test unless it has
// changes (exit 2 under -detailed-exitcode).
func (w *Workdir) PlanChanges() string {
	w.t.Helper()
	out, errOut, code := w.Run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if code != 2 {
		w.t.Fatalf("plan exited %d, want 2 (changes):\n%s\n%s", code, out, errOut)
	}
	return out
}

// Destroy destroys everything in the state.
func (w *Workdir) Destroy() {
	w.t.Helper()
	w.Must("destroy", "-auto-approve", "-input=false", "-no-color")
}

// Import imports an object into addr, which the configuration declares.
func (w *Workdir) Import(addr, id string) {
	w.t.Helper()
	w.Must("import", "-input=false", "-no-color", addr, id)
}

// StateRm forgets addr.
func (w *Workdir) StateRm(addr string) {
	w.t.Helper()
	w.Must("state", "rm", addr)
}

// Attrs returns the attributes of a resource instance in the state
// ("openstack_networking_network_v2.lan", "module.x.foo.bar[0]").
func (w *Workdir) Attrs(addr string) map[string]any {
	w.t.Helper()
	out := w.Must("show", "-json")
	var doc struct {
		Values struct {
			RootModule module `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		w.t.Fatalf("show -json: %v\n%s", err, out)
	}
	if a, ok := doc.Values.RootModule.find(addr); ok {
		return a
	}
	w.t.Fatalf("%s is not in the state", addr)
	return nil
}

// ID is the id attribute of a resource instance in the state.
func (w *Workdir) ID(addr string) string {
	w.t.Helper()
	id, _ := w.Attrs(addr)["id"].(string)
	if id == "" {
		w.t.Fatalf("%s has no id in the state", addr)
	}
	return id
}

type module struct {
	Resources []struct {
		Address string         `json:"address"`
		Values  map[string]any `json:"values"`
	} `json:"resources"`
	ChildModules []module `json:"child_modules"`
}

func (m module) find(addr string) (map[string]any, bool) {
	for _, r := range m.Resources {
		if r.Address == addr {
			return r.Values, true
		}
	}
	for _, c := range m.ChildModules {
		if v, ok := c.find(addr); ok {
			return v, true
		}
	}
	return nil, false
}
