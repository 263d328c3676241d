package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
	assert.Contains(t, r.stderr, "Error: Inconsistent dependency lock file")
	assert.Contains(t, r.stderr, "provider registry.opentofu.org/nuvola/ente: required by this configuration but no version is selected")
	assert.Contains(t, r.stderr, "  nuvola init\n")

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
	assert.Contains(t, r.stderr, "Error: Required plugins are not installed")
	assert.Contains(t, r.stderr, "does not match the lock file")
	assert.Equal(t, 1, strings.Count(r.stderr, "Error:"), "reported once, not per resource:\n%s", r.stderr)
	r = nuvola(t, dir, "init")
	require.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "nuvola init -upgrade")
	r = nuvola(t, dir, "init", "-upgrade")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, leftovers(t, dir))
}

// A provider that cannot be used is reported once, before the state is
// touched, however many resources need it: one that is not installed, one
// whose lock file entry does not parse (quoted at its line), and one that
// crashes as it starts, which is started once.
func TestProviderProblemsReportedOnce(t *testing.T) {
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("terraform {\n  required_providers {\n    ente = { source = \"nuvola/ente\" }\n  }\n}\n")
	for i := range 25 {
		fmt.Fprintf(&cfg, "resource \"ente_registration\" \"r%d\" {\n  ipa_code = \"c_%d\"\n  name = \"n%d\"\n}\n", i, i, i)
	}
	writeFiles(t, dir, map[string]string{"main.tf": cfg.String()})
	once := func(r result, summary string) {
		t.Helper()
		require.Equal(t, 1, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stderr, "Error: "+summary)
		assert.Equal(t, 1, strings.Count(r.stderr, "Error:"), "reported once:\n%s", r.stderr)
		_, err := os.Stat(filepath.Join(dir, "nuvola.tfstate"))
		assert.True(t, os.IsNotExist(err), "no state written")
	}

	launches := filepath.Join(dir, "launches")
	bin := filepath.Join(dir, ".nuvola", "plugins", "nuvola-provider-ente")
	require.NoError(t, os.MkdirAll(filepath.Dir(bin), 0o755))
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\necho started >> "+launches+"\necho 'panic: broken at start' >&2\nexit 2\n"), 0o755))
	once(nuvola(t, dir, "plan"), "Inconsistent dependency lock file")
	once(nuvola(t, dir, "validate"), "Inconsistent dependency lock file")
	_, err := os.Stat(launches)
	assert.True(t, os.IsNotExist(err), "nothing started before the lock file records the provider")

	r := nuvola(t, dir, "init")
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, os.Remove(launches))
	for _, args := range [][]string{{"plan"}, {"apply", "-auto-approve"}, {"validate"}, {"import", "ente_registration.r1", "c_1"}} {
		r = nuvola(t, dir, args...)
		once(r, "Failed to load plugin schemas")
		assert.Contains(t, r.stderr, "panic: broken at start")
		b, err := os.ReadFile(launches)
		require.NoError(t, err)
		assert.Equal(t, 1, strings.Count(string(b), "started"), "%v starts the provider once", args)
		require.NoError(t, os.Remove(launches))
	}

	lock, err := os.ReadFile(filepath.Join(dir, ".nuvola.lock.hcl"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".nuvola.lock.hcl"), []byte(strings.Replace(string(lock), "version", "version = = ", 1)), 0o644))
	r = nuvola(t, dir, "plan")
	once(r, "Invalid expression")
	assert.Contains(t, r.stderr, "on .nuvola.lock.hcl:")

	require.NoError(t, os.WriteFile(filepath.Join(dir, ".nuvola.lock.hcl"), lock, 0o644))
	require.NoError(t, os.Remove(bin))
	r = nuvola(t, dir, "plan")
	once(r, "Required plugins are not installed")
	assert.Contains(t, r.stderr, "nuvola-provider-ente")
	assert.Empty(t, leftovers(t, dir))
}

// afterThree is an initialised working directory whose configuration has
// three terraform_data objects and, after them, one object of typ from the
// provider name built from pkg.
func afterThree(t *testing.T, pkg, name, typ string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
terraform {
  required_providers {
    ` + name + ` = { source = "test/` + name + `" }
  }
}
resource "terraform_data" "before" {
  count = 3
  input = count.index
}
resource "` + typ + `" "x" {
  name       = "x"
  depends_on = [terraform_data.before]
}
`})
	buildProvider(t, pkg, dir, name)
	require.Equal(t, 0, nuvola(t, dir, "init").code)
	return dir
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
			dir := afterThree(t, tc.pkg, tc.name, tc.typ)
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

// nuvola init records the version a provider reports with -version, and
// no version at all rather than anything else: a provider that answers
// -version with something that is not a version number, or not at all,
// must not leave a lock file that no later command can read.
func TestInitRecordsOnlyVersions(t *testing.T) {
	for _, tc := range []struct {
		name, script, constraint, want string
	}{
		{"reported", `echo "nuvola-provider-ente v0.3.1"`, "", "0.3.1"},
		{"first line", `printf 'nuvola-provider-ente 1.2.0\nbuilt by ci 2026\n'`, "", "1.2.0"},
		{"handshake", `echo "1|6|unix|/tmp/x.sock|grpc|"`, "", ""},
		{"silent, pinned", `exit 1`, "0.2.0", "0.2.0"},
		{"silent, range", `exit 1`, "~> 0.2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			req := `ente = { source = "nuvola/ente" }`
			if tc.constraint != "" {
				req = fmt.Sprintf(`ente = { source = "nuvola/ente", version = %q }`, tc.constraint)
			}
			writeFiles(t, dir, map[string]string{
				"main.tf":                              "terraform {\n  required_providers {\n    " + req + "\n  }\n}\n",
				".nuvola/plugins/nuvola-provider-ente": "#!/bin/sh\n" + tc.script + "\n",
			})
			require.NoError(t, os.Chmod(filepath.Join(dir, ".nuvola/plugins/nuvola-provider-ente"), 0o755))
			r := nuvola(t, dir, "init")
			require.Equal(t, 0, r.code, r.stderr)
			shown := "(version unknown)"
			if tc.want != "" {
				shown = "v" + tc.want
			}
			assert.Contains(t, r.stdout, "- Installed registry.opentofu.org/nuvola/ente "+shown+" (")
			lock, err := os.ReadFile(filepath.Join(dir, ".nuvola.lock.hcl"))
			require.NoError(t, err)
			assert.Regexp(t, `(?m)^  version +=  *"`+regexp.QuoteMeta(tc.want)+`"$`, string(lock))
			// The lock file reads back: the next command gets as far as
			// starting the provider.
			r = nuvola(t, dir, "validate")
			assert.NotContains(t, r.stdout+r.stderr, ".nuvola.lock.hcl:")
		})
	}
}

// Ctrl-C during an apply: the first interrupt says so and stops the
// operation gracefully (the provider is asked to stop, then ended), a
// second one ends the command at once. Either way what finished is kept,
// no provider process remains, and the next command can run.
func TestInterruptDuringApply(t *testing.T) {
	for _, interrupts := range []int{1, 2} {
		t.Run(fmt.Sprintf("interrupts=%d", interrupts), func(t *testing.T) {
			dir := afterThree(t, "./plugins/testdata/hangprovider", "hang", "hang_thing")
			cmd := exec.Command(nuvolaBin, "apply", "-auto-approve")
			cmd.Dir = dir
			started := filepath.Join(dir, "hanging")
			cmd.Env = append(os.Environ(), "NO_COLOR=1", "HANG_STARTED="+started)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			sc := bufio.NewScanner(stdout)
			var out strings.Builder
			for sc.Scan() {
				out.WriteString(sc.Text() + "\n")
				if strings.Contains(sc.Text(), "hang_thing.x: Creating...") {
					break
				}
			}
			// Interrupted while the provider is in the call.
			require.Eventually(t, func() bool { _, err := os.Stat(started); return err == nil }, time.Minute, 10*time.Millisecond)
			for range interrupts {
				require.NoError(t, cmd.Process.Signal(os.Interrupt))
				time.Sleep(100 * time.Millisecond)
			}
			rest, _ := io.ReadAll(stdout)
			out.Write(rest)
			err = cmd.Wait()
			require.Error(t, err, out.String())
			assert.Contains(t, stderr.String(), "Interrupt received.\nPlease wait for nuvola to exit or data loss may occur.\nGracefully shutting down...")
			if interrupts == 2 {
				assert.Contains(t, stderr.String(), "Two interrupts received. Exiting immediately.")
			} else {
				assert.NotContains(t, stderr.String(), "Two interrupts received")
				assert.Contains(t, stderr.String(), "The provider hang did not stop when cancelled")
			}
			assert.Empty(t, leftovers(t, dir), "no provider process remains")

			// The next command finds the finished objects, from the
			// state or from the journal the interrupted run left.
			r := nuvola(t, dir, "plan", "-detailed-exitcode")
			require.Equal(t, 2, r.code, r.stdout+r.stderr)
			assert.Contains(t, r.stdout, "Plan: 1 to add, 0 to change, 0 to destroy.")
		})
	}
}
