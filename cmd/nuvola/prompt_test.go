package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPromptsForMissingVariableOnTerminal runs plan under a pseudo-terminal
// (util-linux script): a required variable without a value is asked for,
// while -input=false makes it an error.
func TestPromptsForMissingVariableOnTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script(1) is needed for a pseudo-terminal")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": "variable \"ente\" {\n  description = \"IPA code\"\n}\nresource \"terraform_data\" \"a\" {\n  input = var.ente\n}\n"})
	cmd := exec.Command("script", "-qec", nuvolaBin+" plan -no-color", "/dev/null")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.Stdin = strings.NewReader("c_d612\n")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "var.ente")
	assert.Contains(t, string(out), "IPA code")
	assert.Contains(t, string(out), `+ input  = "c_d612"`)

	r := nuvola(t, dir, "plan", "-input=false")
	require.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "No value for required variable")
}
