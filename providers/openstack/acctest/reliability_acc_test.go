package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// The reliability trials apply an estate of municipalities under faults
// or crashes; they take minutes each, so they run only when asked
// (NUVOLA_ACC_RELIABILITY=1, as CI does) besides NUVOLA_ACC.
func skipUnlessReliability(t *testing.T) {
	t.Helper()
	if os.Getenv("NUVOLA_ACC_RELIABILITY") == "" {
		t.Skip("set NUVOLA_ACC_RELIABILITY=1 (with NUVOLA_ACC=1) to run the reliability trials")
	}
}

// reliabilityComuni is the estate's size: 15 municipalities, 17 objects
// each (project, group, role assignment, network, subnet, router, router
// interface, 2 security groups, 5 rules, volume, container).
const reliabilityComuni = 15

// estateWorkdir copies bench/openstack/estate into a workdir, with the
// provider block given extra arguments.
func estateWorkdir(e *Env, providerExtra string) *Workdir {
	e.t.Helper()
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "..", "bench", "openstack", "estate")
	w := e.NewWorkdir(CloudAdmin)
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".tf" {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == "main.tf" {
			data = []byte(strings.Replace(string(data), `provider "openstack" {`, "provider \"openstack\" {\n"+providerExtra, 1))
		}
		dst := filepath.Join(w.Dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

func (w *Workdir) estateArgs(cmd, prefix string) []string {
	return []string{cmd, "-input=false", "-no-color", "-var", "prefix=" + prefix, "-var", fmt.Sprintf("comuni=%d", reliabilityComuni)}
}

// cloudObjects lists, straight from the cloud, the estate's objects by
// kind and name, with their IDs.
func cloudObjects(ctx context.Context, t *testing.T, admin *Cloud, prefix string) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	add := func(kind, name, id string) {
		if out[kind] == nil {
			out[kind] = map[string][]string{}
		}
		out[kind][name] = append(out[kind][name], id)
	}
	must := func(err error) {
		if err != nil {
			t.Fatalf("listing the cloud: %v", err)
		}
	}
	ic, err := admin.Identity()
	must(err)
	ps, err := listProjects(ctx, ic, prefix)
	must(err)
	for _, p := range ps {
		add("project", p.Name, p.ID)
	}
	gs, err := listGroups(ctx, ic, prefix)
	must(err)
	for _, g := range gs {
		add("group", g.Name, g.ID)
	}
	nc, err := admin.Network()
	must(err)
	ns, err := listNetworks(ctx, nc, prefix)
	must(err)
	for _, n := range ns {
		add("network", n.Name, n.ID)
	}
	pages, err := subnets.List(nc, subnets.ListOpts{}).AllPages(ctx)
	must(err)
	sns, err := subnets.ExtractSubnets(pages)
	must(err)
	for _, s := range sns {
		if strings.HasPrefix(s.Name, prefix) {
			add("subnet", s.Name, s.ID)
		}
	}
	rs, err := listRouters(ctx, nc, prefix)
	must(err)
	for _, r := range rs {
		add("router", r.Name, r.ID)
	}
	sgs, err := listSecGroups(ctx, nc, prefix)
	must(err)
	for _, g := range sgs {
		add("secgroup", g.Name, g.ID)
	}
	bc, err := admin.BlockStorage()
	must(err)
	vs, err := listVolumes(ctx, bc, prefix)
	must(err)
	for _, v := range vs {
		add("volume", v.Name, v.ID)
	}
	oc, err := admin.ObjectStorage()
	must(err)
	cs, err := listContainers(ctx, oc, prefix)
	must(err)
	for _, c := range cs {
		add("container", c, c)
	}
	return out
}

// stateIDs is every id attribute in the workdir's state.
func (w *Workdir) stateIDs() map[string]bool {
	w.t.Helper()
	out := w.Must("show", "-json")
	var doc struct {
		Values struct {
			RootModule module `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		w.t.Fatalf("show -json: %v", err)
	}
	ids := map[string]bool{}
	var walk func(m module)
	walk = func(m module) {
		for _, r := range m.Resources {
			if id, ok := r.Values["id"].(string); ok {
				ids[id] = true
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(doc.Values.RootModule)
	return ids
}

// checkConverged asserts the estate is whole, once: every object exactly
// once in the cloud (no duplicate), every one in state (no orphan), the
// expected number of each kind. It returns the orphan and duplicate counts.
func checkConverged(ctx context.Context, t *testing.T, w *Workdir, admin *Cloud, prefix string) (orphans, duplicates int) {
	t.Helper()
	objs := cloudObjects(ctx, t, admin, prefix)
	ids := w.stateIDs()
	want := map[string]int{"project": 1, "group": 1, "network": 1, "subnet": 1, "router": 1, "secgroup": 2, "volume": 1, "container": 1}
	for kind, per := range want {
		names := objs[kind]
		if len(names) != per*reliabilityComuni {
			t.Errorf("%s: %d distinct names in the cloud, want %d", kind, len(names), per*reliabilityComuni)
		}
		for name, list := range names {
			if len(list) > 1 {
				duplicates += len(list) - 1
				t.Errorf("duplicate %s %s: %v", kind, name, list)
			}
			for _, id := range list {
				if !ids[id] {
					orphans++
					t.Errorf("orphan %s %s (%s): in the cloud, not in state", kind, name, id)
				}
			}
		}
	}
	return orphans, duplicates
}

// destroyAndCheckEmpty destroys the estate and checks the cloud holds none
// of it, before the sweep could hide anything.
func destroyAndCheckEmpty(ctx context.Context, t *testing.T, w *Workdir, admin *Cloud, prefix string) {
	t.Helper()
	if _, errOut, code := w.Run(append(w.estateArgs("destroy", prefix), "-auto-approve")...); code != 0 {
		t.Fatalf("destroy failed:\n%s", tail(errOut, 60))
	}
	left, err := Leftovers(ctx, admin, nil, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("left after destroy: %s", strings.Join(left, ", "))
	}
}

// TestAccReliabilityFaults applies the estate with 10% of API requests
// failing (503, 429, resets before and after the server acted, delays past
// the client's timeout), three seeds: the apply succeeds or one re-run
// converges, with no orphan and no duplicate, and destroy leaves nothing.
func TestAccReliabilityFaults(t *testing.T) {
	skipUnlessReliability(t)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			e := New(t)
			admin := e.Admin()
			authURL := admin.Auth.IdentityEndpoint
			proxy, front := NewFaultProxy(t, authURL, seed, 0.10)
			proxy.Delay = 20 * time.Second
			w := estateWorkdir(e, fmt.Sprintf("  auth_url        = %q\n  request_timeout = \"15s\"\n", front))
			prefix := e.Name("r")
			w.Must("init", "-input=false")
			start := time.Now()
			_, errOut, code := w.Run(append(w.estateArgs("apply", prefix), "-auto-approve")...)
			applied := time.Since(start)
			t.Logf("seed %d: apply exited %d after %s; %s", seed, code, applied.Round(time.Second), proxy.Summary())
			converged := "first apply"
			if code != 0 {
				t.Logf("first apply's errors:\n%s", tail(errOut, 40))
				proxy.SetEnabled(false)
				w.Must(append(w.estateArgs("apply", prefix), "-auto-approve")...)
				converged = "one re-run"
			}
			proxy.SetEnabled(false)
			out, errOut, code := w.Run(append(w.estateArgs("plan", prefix), "-detailed-exitcode")...)
			if code != 0 {
				t.Fatalf("plan after convergence exited %d:\n%s\n%s", code, tail(out, 60), errOut)
			}
			orphans, dups := checkConverged(e.Context(), t, w, admin, prefix)
			t.Logf("RESULT seed=%d faults=[%s] converged=%s orphans=%d duplicates=%d", seed, proxy.Summary(), converged, orphans, dups)
			destroyAndCheckEmpty(e.Context(), t, w, admin, prefix)
		})
	}
}

// TestAccReliabilityCrash kills nuvola with SIGKILL at a random moment of
// the estate's apply, five times: the next apply converges with no orphan
// and no duplicate.
func TestAccReliabilityCrash(t *testing.T) {
	skipUnlessReliability(t)
	rng := rand.New(rand.NewPCG(2026, 11))
	for trial := 1; trial <= 5; trial++ {
		t.Run(fmt.Sprintf("trial%d", trial), func(t *testing.T) {
			e := New(t)
			admin := e.Admin()
			w := estateWorkdir(e, "")
			prefix := e.Name("k")
			w.Must("init", "-input=false")
			after := time.Duration(3000+rng.IntN(25000)) * time.Millisecond
			cmd := exec.Command(Binary(t), append(w.estateArgs("apply", prefix), "-auto-approve")...)
			cmd.Dir = w.Dir
			cmd.Env = append(os.Environ(), "OS_CLOUD="+w.Cloud, "NUVOLA_LOG=", "TF_IN_AUTOMATION=1")
			if f := CloudsFile(); f != "" {
				cmd.Env = append(cmd.Env, "OS_CLIENT_CONFIG_FILE="+f)
			}
			// Its own process group, so the kill takes the provider
			// processes too, as a machine going down would.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			killed := false
			select {
			case <-done:
			case <-time.After(after):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-done
				killed = true
			}
			state, _ := os.ReadFile(filepath.Join(w.Dir, "nuvola.tfstate"))
			journal, _ := os.ReadFile(filepath.Join(w.Dir, "nuvola.tfstate.journal"))
			t.Logf("trial %d: killed=%v after %s (state %d bytes, journal %d lines)", trial, killed, after, len(state), strings.Count(string(journal), "\n"))

			start := time.Now()
			w.Must(append(w.estateArgs("apply", prefix), "-auto-approve")...)
			t.Logf("trial %d: the re-run converged in %s", trial, time.Since(start).Round(time.Second))
			out, errOut, code := w.Run(append(w.estateArgs("plan", prefix), "-detailed-exitcode")...)
			if code != 0 {
				t.Fatalf("plan after the re-run exited %d:\n%s\n%s", code, tail(out, 60), errOut)
			}
			orphans, dups := checkConverged(e.Context(), t, w, admin, prefix)
			t.Logf("RESULT trial=%d killed_after=%s killed=%v orphans=%d duplicates=%d", trial, after, killed, orphans, dups)
			destroyAndCheckEmpty(e.Context(), t, w, admin, prefix)
		})
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
