package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nuvolaEnv runs the built binary in dir with the locale variables set as
// given (and the caller's cleared).
func nuvolaEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(nuvolaBin, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "LANG" || k == "LC_ALL" || k == "LC_MESSAGES" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "NO_COLOR=1")
	cmd.Env = append(cmd.Env, env...)
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

func TestCLIPlanReport(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": secretConfig + `
resource "terraform_data" "later" {
  input      = "x"
  depends_on = [null_resource.n]
}
`})
	r := nuvola(t, dir, "plan", "-input=false", "-var=name=app", "-out=tfplan")
	require.Equal(t, 0, r.code, r.stderr)

	for name, tc := range map[string]struct {
		env       []string
		args      []string
		wantLang  string
		wantTitle string
	}{
		"English by default":     {nil, nil, `<html lang="en">`, "<h1>Plan report</h1>"},
		"Italian from LANG":      {[]string{"LANG=it_IT.UTF-8"}, nil, `<html lang="it">`, "<h1>Rapporto del piano</h1>"},
		"LC_ALL over LANG":       {[]string{"LANG=it_IT.UTF-8", "LC_ALL=C"}, nil, `<html lang="en">`, "<h1>Plan report</h1>"},
		"-lang over the locale":  {[]string{"LANG=en_US.UTF-8"}, []string{"-lang=it"}, `<html lang="it">`, "<h1>Rapporto del piano</h1>"},
		"-lang en in an Italian": {[]string{"LC_MESSAGES=it_IT"}, []string{"-lang", "en"}, `<html lang="en">`, "<h1>Plan report</h1>"},
	} {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"show", "-html"}, tc.args...)
			r := nuvolaEnv(t, dir, tc.env, append(args, "tfplan")...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, "<!DOCTYPE html>"), "stdout is the page and nothing else")
			assert.True(t, strings.HasSuffix(strings.TrimSpace(r.stdout), "</html>"))
			assert.Contains(t, r.stdout, tc.wantLang)
			assert.Contains(t, r.stdout, tc.wantTitle)
			assert.Contains(t, r.stdout, `<td data-count="create">3</td>`)
			assert.Contains(t, r.stdout, `<td data-count="total">3</td>`)
			assert.Contains(t, r.stdout, `<path class="edge"`, "terraform_data.later depends on null_resource.n")
			assert.NotContains(t, r.stdout, "hunter2-secret")
		})
	}

	// plan -html writes the report of the plan it just made; the plan
	// file is still saved.
	r = nuvolaEnv(t, dir, []string{"LANG=it_IT.UTF-8"}, "plan", "-input=false", "-var=name=app", "-html", "-out=tfplan2")
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "<!DOCTYPE html>"), "stdout is the page and nothing else: %.200s", r.stdout)
	assert.Contains(t, r.stdout, "<h1>Rapporto del piano</h1>")
	assert.NotContains(t, r.stdout, "hunter2-secret")
	assert.FileExists(t, dir+"/tfplan2")

	r = nuvola(t, dir, "apply", "-input=false", "-auto-approve", "tfplan2")
	require.Equal(t, 0, r.code, r.stderr)

	// With nothing changed outside nuvola, the drift report says so.
	r = nuvola(t, dir, "plan", "-input=false", "-var=name=app", "-refresh-only", "-html")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "<h1>Drift report: changes made outside nuvola</h1>")
	assert.Contains(t, r.stdout, "No drift: the remote objects still match the state.")
	assert.NotContains(t, r.stdout, "hunter2-secret")

	// Its JSON names no planned change: drift would be resource_drift.
	r = nuvola(t, dir, "plan", "-input=false", "-var=name=app", "-refresh-only", "-json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stdout, `"planned_change"`)
	assert.Contains(t, r.stdout, `"type":"change_summary"`)
}

func TestCLIPlanReportBadFlags(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `resource "terraform_data" "a" {}`})
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"show -html without a plan": {[]string{"show", "-html"}, "No plan file given"},
		"-html with -json":          {[]string{"show", "-html", "-json", "x"}, "-html and -json both write to stdout"},
		"plan -html with -json":     {[]string{"plan", "-html", "-json"}, "-html and -json"},
		"-lang without -html":       {[]string{"show", "-lang=it", "x"}, "it needs -html"},
		"unknown language":          {[]string{"show", "-html", "-lang=fr", "x"}, "unsupported language"},
		"apply has no -html":        {[]string{"apply", "-html"}, "flag provided but not defined: -html"},
	} {
		t.Run(name, func(t *testing.T) {
			r := nuvola(t, dir, tc.args...)
			assert.Equal(t, 1, r.code)
			assert.Contains(t, r.stderr+r.stdout, tc.want)
		})
	}
}
