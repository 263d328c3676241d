package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Files of a fixture directory that drive the test rather than being part
// of the configuration under test.
var fixtureControlFiles = map[string]bool{
	"expected.txt": true, "args.txt": true, "env.txt": true, "skip.txt": true, "prior": true,
}

// TestLanguageFixtures plans every configuration under testdata/lang and
// compares what `nuvola plan` prints with the fixture's expected.txt.
//
// A fixture may hold:
//   - prior/: a configuration applied first, so the plan has a prior state;
//   - args.txt: extra plan arguments, one per line;
//   - env.txt: NAME=value environment variables, one per line;
//   - skip.txt: the reason the fixture is skipped.
//
// Object ids created by the prior apply are random, so each is replaced in
// the output by the address of the instance that holds it.
func TestLanguageFixtures(t *testing.T) {
	root := filepath.Join("testdata", "lang")
	for _, name := range fixtureDirs(t, root) {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(root, name)
			skipIfMarked(t, src)
			setFixtureEnv(t, src)
			dir := t.TempDir()

			ids := map[string]string{}
			if isDir(filepath.Join(src, "prior")) {
				ids = applyPrior(t, filepath.Join(src, "prior"), dir)
			}
			copyFixture(t, src, dir)

			args := append([]string{"plan", "-no-color", "-input=false"}, fixtureArgs(t, src)...)
			code, stdout, stderr := runIn(t, dir, args...)
			got := normalizeOutput(stdout, dir, ids)
			if code != 0 || stderr != "" {
				got += fmt.Sprintf("\n--- exit code %d; stderr:\n%s", code, normalizeOutput(stderr, dir, ids))
			}
			compareGolden(t, filepath.Join(src, "expected.txt"), got)
		})
	}
}

// TestLanguageErrorFixtures plans every configuration under
// testdata/lang-errors and checks that the errors reported are exactly the
// ones annotated in the configuration with `# ERROR: <summary>` at the end
// of the offending line.
func TestLanguageErrorFixtures(t *testing.T) {
	root := filepath.Join("testdata", "lang-errors")
	for _, name := range fixtureDirs(t, root) {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(root, name)
			skipIfMarked(t, src)
			setFixtureEnv(t, src)
			dir := t.TempDir()
			if isDir(filepath.Join(src, "prior")) {
				applyPrior(t, filepath.Join(src, "prior"), dir)
			}
			copyFixture(t, src, dir)

			want := expectedErrors(t, dir)
			require.NotEmpty(t, want, "an error fixture needs at least one # ERROR: annotation")
			diags := planDiagnostics(t, dir)
			got := map[errorAt]bool{}
			for _, d := range diags {
				if d.Severity != hcl.DiagError {
					continue
				}
				for _, at := range diagLocations(d, dir) {
					got[at] = true
				}
			}
			for at := range want {
				assert.True(t, got[at], "expected error not reported: %s", at)
			}
			for at := range got {
				assert.True(t, want[at], "unexpected error: %s\n%s", at, diagDetail(diags, at.summary))
			}
		})
	}
}

type errorAt struct {
	file    string
	line    int
	summary string
}

func (e errorAt) String() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.summary) }

var errorAnnotation = regexp.MustCompile(`#\s*ERROR:\s*(.+?)\s*$`)

// expectedErrors reads the `# ERROR:` annotations of every .tf and .tfvars
// file.
func expectedErrors(t *testing.T, dir string) map[errorAt]bool {
	t.Helper()
	want := map[errorAt]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".tf") && !strings.HasSuffix(path, ".tfvars") {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			if m := errorAnnotation.FindStringSubmatch(sc.Text()); m != nil {
				want[errorAt{file: filepath.ToSlash(rel), line: line, summary: m[1]}] = true
			}
		}
		return sc.Err()
	})
	require.NoError(t, err)
	return want
}

// planDiagnostics loads, collects variables and plans as `nuvola plan`
// does, stopping where the command would stop.
func planDiagnostics(t *testing.T, dir string) hcl.Diagnostics {
	t.Helper()
	p := configs.NewParser()
	cfg, diags := p.LoadConfig(dir)
	if cfg == nil || diags.HasErrors() {
		return diags
	}
	diags = append(diags, checkRequiredVersion(cfg)...)
	if diags.HasErrors() {
		return diags
	}
	vars, vd := p.CollectVariableValues(dir, nil, os.Environ(), cfg.Module.Variables)
	diags = append(diags, vd...)
	if diags.HasErrors() {
		return diags
	}
	prior := state.New()
	if path := filepath.Join(dir, DefaultStatePath); fileExists(path) {
		st, _, err := state.NewLocal(path).Load()
		require.NoError(t, err)
		prior = st
	}
	_, pd := engine.Plan(context.Background(), engine.PlanOptions{
		Config: cfg, PriorState: prior, Variables: vars, Providers: (&meta{ctx: context.Background(), cfg: cfg}).factories(),
	})
	return append(diags, pd...)
}

// cycleMember matches one member of a cycle as the cycle error's detail
// lists it: `local.a (dir/main.tf:3,3-15)`.
var cycleMember = regexp.MustCompile(`\((.+):(\d+),\d+-[\d,]+\)\s*$`)

// diagLocations gives where a diagnostic points. A cycle points at every
// member, each listed with its range in the detail.
func diagLocations(d *hcl.Diagnostic, dir string) []errorAt {
	rel := func(name string) string {
		if r, err := filepath.Rel(dir, name); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
		return name
	}
	if strings.HasPrefix(d.Summary, "Cycle: ") {
		var out []errorAt
		for _, line := range strings.Split(d.Detail, "\n") {
			if m := cycleMember.FindStringSubmatch(line); m != nil {
				var n int
				fmt.Sscan(m[2], &n)
				out = append(out, errorAt{file: rel(m[1]), line: n, summary: d.Summary})
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	if d.Subject == nil {
		return []errorAt{{summary: d.Summary}}
	}
	return []errorAt{{file: rel(d.Subject.Filename), line: d.Subject.Start.Line, summary: d.Summary}}
}

func diagDetail(diags hcl.Diagnostics, summary string) string {
	for _, d := range diags {
		if d.Summary == summary {
			return d.Detail
		}
	}
	return ""
}

func fixtureDirs(t *testing.T, root string) []string {
	t.Helper()
	ents, err := os.ReadDir(root)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	require.NotEmpty(t, out, "no fixtures in %s", root)
	return out
}

func skipIfMarked(t *testing.T, src string) {
	t.Helper()
	if reason, err := os.ReadFile(filepath.Join(src, "skip.txt")); err == nil {
		t.Skip(strings.TrimSpace(string(reason)))
	}
}

func setFixtureEnv(t *testing.T, src string) {
	t.Helper()
	for _, line := range fixtureLines(t, filepath.Join(src, "env.txt")) {
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, "env.txt line %q is not NAME=value", line)
		t.Setenv(k, v)
	}
}

func fixtureArgs(t *testing.T, src string) []string {
	return fixtureLines(t, filepath.Join(src, "args.txt"))
}

// fixtureLines reads the non-blank lines of an optional file.
func fixtureLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// applyPrior applies the configuration in prior into dir, then removes that
// configuration again, leaving only the state. It returns the placeholder
// for each id the apply created.
func applyPrior(t *testing.T, prior, dir string) map[string]string {
	t.Helper()
	require.NoError(t, os.CopyFS(dir, os.DirFS(prior)))
	code, stdout, stderr := runIn(t, dir, "apply", "-auto-approve", "-no-color", "-input=false")
	require.Equal(t, 0, code, "applying prior/ failed:\n%s\n%s", stdout, stderr)
	ents, err := os.ReadDir(prior)
	require.NoError(t, err)
	for _, e := range ents {
		require.NoError(t, os.RemoveAll(filepath.Join(dir, e.Name())))
	}
	ids := map[string]string{}
	st := loadStateFile(t, filepath.Join(dir, DefaultStatePath))
	st.AllInstances(func(addr addrs.AbsResourceInstance, _ *state.Resource, inst *state.Instance) {
		if inst.Current == nil {
			return
		}
		if id := jsonID(t, inst.Current.AttrsJSON); id != "" {
			ids[id] = "<id of " + addr.String() + ">"
		}
	})
	return ids
}

// copyFixture copies the configuration of a fixture into dir.
func copyFixture(t *testing.T, src, dir string) {
	t.Helper()
	ents, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range ents {
		if fixtureControlFiles[e.Name()] {
			continue
		}
		from, to := filepath.Join(src, e.Name()), filepath.Join(dir, e.Name())
		if e.IsDir() {
			require.NoError(t, os.CopyFS(to, os.DirFS(from)))
			continue
		}
		b, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, b, 0o644))
	}
}

// runIn runs a nuvola command in-process in dir and restores the working
// directory afterwards.
func runIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	cwd, err := os.Getwd()
	require.NoError(t, err)
	defer func() { require.NoError(t, os.Chdir(cwd)) }()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"-chdir=" + dir}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func normalizeOutput(s, dir string, ids map[string]string) string {
	s = strings.ReplaceAll(s, dir, "<dir>")
	if len(ids) == 0 {
		return s
	}
	// Longest first, so no id is replaced inside another.
	keys := make([]string, 0, len(ids))
	for id := range ids {
		keys = append(keys, id)
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) > len(keys[j]) || len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	pairs := make([]string, 0, 2*len(keys))
	for _, id := range keys {
		pairs = append(pairs, id, ids[id])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file; run go test ./cmd/nuvola -run TestLanguageFixtures -update")
	assert.Equal(t, string(want), got)
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
