package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secretConfig = `
variable "password" {
  type      = string
  sensitive = true
  default   = "hunter2-secret"
}
variable "name" {
  type = string
}
resource "terraform_data" "db" {
  input = { user = var.name, password = var.password }
}
resource "null_resource" "n" {
  triggers = { db = terraform_data.db.id }
}
output "db_id" {
  value = terraform_data.db.id
}
output "password" {
  value     = var.password
  sensitive = true
}
`

func TestCLISecretsNeverShown(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": secretConfig})
	r := nuvola(t, dir, "plan", "-input=false", "-var=name=app", "-out=tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "(sensitive value)")
	r2 := nuvola(t, dir, "show", "-json", "tfplan")
	require.Equal(t, 0, r2.code, r2.stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(r2.stdout), &doc))
	assert.Equal(t, "1.2", doc["format_version"])
	r3 := nuvola(t, dir, "apply", "-json", "tfplan")
	require.Equal(t, 0, r3.code, r3.stderr)
	for _, line := range strings.Split(strings.TrimSpace(r3.stdout), "\n") {
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
		require.Contains(t, ev, "type")
	}
	r4 := nuvola(t, dir, "show", "-json")
	require.Equal(t, 0, r4.code, r4.stderr)
	r5 := nuvola(t, dir, "output")
	require.Equal(t, 0, r5.code, r5.stderr)
	assert.Contains(t, r5.stdout, "password = <sensitive>")
	r6 := nuvola(t, dir, "show")
	for _, out := range []string{r.stdout, r2.stdout, r3.stdout, r4.stdout, r5.stdout, r6.stdout} {
		assert.NotContains(t, out, "hunter2-secret")
	}
	state, err := os.ReadFile(filepath.Join(dir, "nuvola.tfstate"))
	require.NoError(t, err)
	assert.Contains(t, string(state), "sensitive_attributes")

	// -raw prints a value as it is, for scripts.
	r7 := nuvola(t, dir, "output", "-raw", "db_id")
	require.Equal(t, 0, r7.code, r7.stderr)
	assert.NotEmpty(t, r7.stdout)
	assert.NotContains(t, r7.stdout, "\n")
}

func TestCLIBadInput(t *testing.T) {
	cases := map[string]struct {
		files   map[string]string
		args    []string
		wantOut []string
	}{
		"malformed HCL points at file:line": {
			files:   map[string]string{"main.tf": "resource \"terraform_data\" \"a\" {\n  input = \n}\n"},
			args:    []string{"plan"},
			wantOut: []string{"Error: ", "main.tf:2:11"},
		},
		"missing required variable without input": {
			files:   map[string]string{"main.tf": "variable \"x\" {}\nresource \"terraform_data\" \"a\" { input = var.x }\n"},
			args:    []string{"plan", "-input=false"},
			wantOut: []string{"No value for required variable"},
		},
		"corrupt state file": {
			files:   map[string]string{"main.tf": "resource \"terraform_data\" \"a\" {}\n", "nuvola.tfstate": "{\"format\":\"nuvola-state\",\"version\":1,\"serial\":"},
			args:    []string{"plan"},
			wantOut: []string{"Failed to load state"},
		},
		"foreign state file": {
			files:   map[string]string{"main.tf": "resource \"terraform_data\" \"a\" {}\n", "nuvola.tfstate": `{"version":4,"terraform_version":"1.9.0","serial":1,"lineage":"x","outputs":{},"resources":[]}`},
			args:    []string{"plan"},
			wantOut: []string{"Failed to load state"},
		},
		"tampered plan file": {
			files:   map[string]string{"main.tf": "resource \"terraform_data\" \"a\" {}\n", "tfplan": "nuvola-plan 1\n{\"digest\":\"sha256:00\",\"body\":{}}\n"},
			args:    []string{"apply", "tfplan"},
			wantOut: []string{"Failed to load the saved plan"},
		},
		"cycle names every member": {
			files:   map[string]string{"main.tf": "resource \"terraform_data\" \"a\" { input = terraform_data.b.id }\nresource \"terraform_data\" \"b\" { input = terraform_data.a.id }\n"},
			args:    []string{"validate"},
			wantOut: []string{"Cycle: ", "terraform_data.a", "terraform_data.b"},
		},
		"unknown command": {
			args:    []string{"frobnicate"},
			wantOut: []string{"no command named"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			r := nuvola(t, dir, tc.args...)
			require.Equal(t, 1, r.code, r.stdout+r.stderr)
			for _, w := range tc.wantOut {
				assert.Contains(t, r.stdout+r.stderr, w)
			}
			assert.NotContains(t, r.stderr, "panic")
			assert.NotContains(t, r.stderr, "goroutine ")
		})
	}
}

func TestCLIStateCommands(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": "resource \"terraform_data\" \"a\" {\n  count = 2\n  input = count.index\n}\nresource \"terraform_data\" \"b\" {}\n"})
	require.Equal(t, 0, nuvola(t, dir, "apply", "-auto-approve").code)
	r := nuvola(t, dir, "state", "list")
	assert.Equal(t, "terraform_data.a[0]\nterraform_data.a[1]\nterraform_data.b\n", r.stdout)
	r = nuvola(t, dir, "state", "show", "terraform_data.a[1]")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `resource "terraform_data" "a"`)
	r = nuvola(t, dir, "state", "mv", "terraform_data.b", "terraform_data.c")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvola(t, dir, "state", "rm", "terraform_data.a[0]")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvola(t, dir, "state", "list")
	assert.Equal(t, "terraform_data.a[1]\nterraform_data.c\n", r.stdout)
	_, err := os.Stat(filepath.Join(dir, "nuvola.tfstate.backup"))
	require.NoError(t, err)

	// The moved object is not in configuration; a[0] is recreated.
	r = nuvola(t, dir, "plan", "-detailed-exitcode")
	require.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Plan: 2 to add, 0 to change, 1 to destroy.")

	r = nuvola(t, dir, "import", "terraform_data.a[0]", "adopted-id")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvola(t, dir, "state", "list")
	assert.Contains(t, r.stdout, "terraform_data.a[0]")
}

func TestCLIFmtValidateGraph(t *testing.T) {
	dir := t.TempDir()
	ugly := "resource \"terraform_data\" \"a\" {\ninput=\"x\"\n  triggers_replace   = 1\n}\n"
	writeFiles(t, dir, map[string]string{"main.tf": ugly, "sub/x.tf": ugly})
	r := nuvola(t, dir, "fmt", "-check")
	assert.Equal(t, 3, r.code)
	assert.Equal(t, "main.tf\n", r.stdout)
	r = nuvola(t, dir, "fmt", "-check", "-recursive", "-diff")
	assert.Equal(t, 3, r.code)
	assert.Contains(t, r.stdout, "+  input            = \"x\"")
	r = nuvola(t, dir, "fmt", "-recursive")
	assert.Equal(t, 0, r.code)
	r = nuvola(t, dir, "fmt", "-check", "-recursive")
	assert.Equal(t, 0, r.code, r.stdout)

	r = nuvola(t, dir, "validate")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Success!")
	r = nuvola(t, dir, "graph")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "digraph")
	assert.Contains(t, r.stdout, "terraform_data.a")
	r = nuvola(t, dir, "version")
	assert.Contains(t, r.stdout, "nuvola v")
}
