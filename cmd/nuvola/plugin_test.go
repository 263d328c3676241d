package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildProvider builds a provider main package into dir/.nuvola/plugins.
func buildProvider(t *testing.T, pkg, dir, name string) string {
	t.Helper()
	out := filepath.Join(dir, ".nuvola", "plugins", "nuvola-provider-"+name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, string(b))
	return out
}

// leftovers lists running processes whose command line mentions dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		cmdline := strings.ReplaceAll(string(b), "\x00", " ")
		if strings.Contains(cmdline, dir) {
			found = append(found, cmdline)
		}
	}
	return found
}

func TestExternalProviderLockFile(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../examples/provider-ente/example/main.tf")
	require.NoError(t, err)
	writeFiles(t, dir, map[string]string{"main.tf": string(src)})
	bin := buildProvider(t, "./examples/provider-ente", dir, "ente")

	r := nuvola(t, dir, "plan")
	require.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "run \"nuvola init\"")

	r = nuvola(t, dir, "init")
	require.Equal(t, 0, r.code, r.stderr)
	lock, err := os.ReadFile(filepath.Join(dir, ".nuvola.lock.hcl"))
	require.NoError(t, err)
	assert.Contains(t, string(lock), `provider "registry.opentofu.org/nuvola/ente"`)
	assert.Contains(t, string(lock), "sha256:")

	r = nuvola(t, dir, "apply", "-auto-approve")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Apply complete! Resources: 2 added")
	assert.NotContains(t, r.stdout, "ced@comune.fi.it")
	r = nuvola(t, dir, "plan", "-detailed-exitcode")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)

	// A different binary under the same name is refused until re-pinned.
	other := buildProvider(t, "./plugins/testdata/hangprovider", t.TempDir(), "x")
	b, err := os.ReadFile(other)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, b, 0o755))
	r = nuvola(t, dir, "plan")
	require.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "does not match the lock file")
	r = nuvola(t, dir, "init")
	require.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "nuvola init -upgrade")
	r = nuvola(t, dir, "init", "-upgrade")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, leftovers(t, dir))
}

func TestProviderCrashAndHang(t *testing.T) {
	cases := map[string]struct {
		pkg, name, typ string
		env            []string
		want           string
	}{
		"panic": {pkg: "./plugins/testdata/crashprovider", name: "crash", typ: "crash_thing", want: "The provider crash crashed"},
		"hang": {pkg: "./plugins/testdata/hangprovider", name: "hang", typ: "hang_thing",
			env: []string{"NUVOLA_PROVIDER_TIMEOUT=1s"}, want: "did not respond within 1s"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"main.tf": `
terraform {
  required_providers {
    ` + tc.name + ` = { source = "test/` + tc.name + `" }
  }
}
resource "terraform_data" "before" {
  count = 3
  input = count.index
}
resource "` + tc.typ + `" "x" {
  name       = "x"
  depends_on = [terraform_data.before]
}
`})
			buildProvider(t, tc.pkg, dir, tc.name)
			require.Equal(t, 0, nuvola(t, dir, "init").code)
			cmd := exec.Command(nuvolaBin, "apply", "-auto-approve")
			cmd.Dir = dir
			cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), tc.env...)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, string(out))
			assert.Contains(t, string(out), tc.want)
			st := loadStateFile(t, filepath.Join(dir, "nuvola.tfstate"))
			assert.Equal(t, 3, st.InstanceCount(), "what finished is in state")
			assert.Empty(t, leftovers(t, dir), "no provider process remains")
		})
	}
}

// TestProviderDiagnosticPointsAtAttribute: a provider reports a problem with
// an attribute path; it comes back over gRPC and the engine points the
// diagnostic at that attribute's line.
func TestProviderDiagnosticPointsAtAttribute(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `terraform {
  required_providers {
    ente = { source = "nuvola/ente" }
  }
}

resource "ente_registration" "x" {
  ipa_code       = "c_x001"
  name           = "Comune X"
  classification = "segretissimo"
}
`})
	buildProvider(t, "./examples/provider-ente", dir, "ente")
	require.Equal(t, 0, nuvola(t, dir, "init").code)
	r := nuvola(t, dir, "plan")
	require.Equal(t, 1, r.code, r.stdout)
	assert.Contains(t, r.stderr, "main.tf:10:")
	assert.Contains(t, r.stderr, `classification = "segretissimo"`)
}
