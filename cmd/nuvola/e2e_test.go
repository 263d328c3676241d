package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/stretchr/testify/require"
)

var nuvolaBin string

func TestMain(m *testing.M) {
	// Tests that run commands in-process start built-in providers by
	// re-executing os.Executable(), which is this test binary: serve them.
	if len(os.Args) == 4 && os.Args[1] == "provider" && os.Args[2] == "serve" {
		os.Exit(cmdProvider(&meta{stdout: os.Stdout, stderr: os.Stderr}, os.Args[2:]))
	}
	dir, err := os.MkdirTemp("", "nuvola-bin")
	if err != nil {
		panic(err)
	}
	nuvolaBin = filepath.Join(dir, "nuvola")
	out, err := exec.Command("go", "build", "-o", nuvolaBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building nuvola: %s\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// nuvola runs the built binary in dir.
func nuvola(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(nuvolaBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running nuvola: %s", err)
	}
	return result{code: code, stdout: so.String(), stderr: se.String()}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
}

// independentConfig declares n terraform_data resources.
func independentConfig(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" {\n  input = \"v%d\"\n}\n", i, i)
	}
	return b.String()
}

func loadStateFile(t *testing.T, path string) *state.State {
	t.Helper()
	st, _, err := state.NewLocal(path).Load()
	require.NoError(t, err)
	return st
}

func instanceIDs(t *testing.T, st *state.State) map[string]string {
	ids := map[string]string{}
	st.AllInstances(func(addr addrs.AbsResourceInstance, _ *state.Resource, inst *state.Instance) {
		if inst.Current == nil {
			return
		}
		ids[addr.String()] = jsonID(t, inst.Current.AttrsJSON)
	})
	return ids
}

func TestEndToEndThousandResources(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": independentConfig(1000)})

	r := nuvola(t, dir, "init")
	require.Equal(t, 0, r.code, r.stderr)

	r = nuvola(t, dir, "plan", "-out=tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "Plan: 1000 to add, 0 to change, 0 to destroy.")

	r = nuvola(t, dir, "apply", "tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "Apply complete! Resources: 1000 added, 0 changed, 0 destroyed.")
	st := loadStateFile(t, filepath.Join(dir, "nuvola.tfstate"))
	require.Equal(t, 1000, st.InstanceCount())

	r = nuvola(t, dir, "plan", "-detailed-exitcode")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stdout, "No changes.")

	// The saved plan was applied: applying it again is refused as stale.
	r = nuvola(t, dir, "apply", "tfplan")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "Saved plan is stale")

	r = nuvola(t, dir, "destroy", "-auto-approve")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "Destroy complete! Resources: 1000 destroyed.")
	st = loadStateFile(t, filepath.Join(dir, "nuvola.tfstate"))
	require.Equal(t, 0, st.InstanceCount())

	r = nuvola(t, dir, "plan", "-detailed-exitcode")
	require.Equal(t, 2, r.code, r.stdout+r.stderr)
}
