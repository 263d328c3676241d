package configs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

const precedenceDecls = `
variable "v" {
  type    = string
  default = "default"
}

variable "zones" {
  type    = list(string)
  default = []
}

variable "n" {
  type    = number
  default = 0
}

variable "anything" {
  default = "x"
}

variable "settings" {
  type = object({
    name  = string
    size  = optional(number, 3)
    flags = optional(list(string), [])
  })
  default = null
}

variable "strict" {
  type     = string
  nullable = false
  default  = "fallback"
}

variable "loose" {
  type    = string
  default = "not null"
}
`

func TestCollectVariableValues(t *testing.T) {
	tests := []struct {
		name  string
		decls string
		files map[string]string
		env   []string
		// cli entries starting with "@" are -var-file paths relative to the
		// test directory, the others -var texts.
		cli       []string
		want      map[string]cty.Value
		wantDiags []string
	}{
		{
			name: "declaration default",
			want: map[string]cty.Value{"v": cty.StringVal("default"), "n": cty.NumberIntVal(0)},
		},
		{
			name: "environment beats default",
			env:  []string{"PATH=/bin", "TF_VAR_v=env", "TF_VAR_undeclared=ignored"},
			want: map[string]cty.Value{"v": cty.StringVal("env")},
		},
		{
			name:  "terraform.tfvars beats environment",
			files: map[string]string{"terraform.tfvars": `v = "tfvars"`},
			env:   []string{"TF_VAR_v=env"},
			want:  map[string]cty.Value{"v": cty.StringVal("tfvars")},
		},
		{
			name: "terraform.tfvars.json beats terraform.tfvars",
			files: map[string]string{
				"terraform.tfvars":      `v = "tfvars"`,
				"terraform.tfvars.json": `{"v": "tfvars.json"}`,
			},
			want: map[string]cty.Value{"v": cty.StringVal("tfvars.json")},
		},
		{
			name: "auto files beat terraform.tfvars.json in lexical order",
			files: map[string]string{
				"terraform.tfvars.json": `{"v": "tfvars.json", "n": 1}`,
				"a.auto.tfvars":         "v = \"a.auto\"\nn = 2",
				"b.auto.tfvars.json":    `{"v": "b.auto.json"}`,
			},
			want: map[string]cty.Value{"v": cty.StringVal("b.auto.json"), "n": cty.NumberIntVal(2)},
		},
		{
			name:  "-var beats auto files",
			files: map[string]string{"z.auto.tfvars": `v = "auto"`},
			cli:   []string{"v=cli"},
			want:  map[string]cty.Value{"v": cty.StringVal("cli")},
		},
		{
			name:  "later -var-file beats earlier -var",
			files: map[string]string{"extra.tfvars": `v = "file"`},
			cli:   []string{"v=cli", "@extra.tfvars"},
			want:  map[string]cty.Value{"v": cty.StringVal("file")},
		},
		{
			name:  "later -var beats earlier -var-file",
			files: map[string]string{"extra.tfvars": `v = "file"`},
			cli:   []string{"@extra.tfvars", "v=cli"},
			want:  map[string]cty.Value{"v": cty.StringVal("cli")},
		},
		{
			name:  "-var-file in json",
			files: map[string]string{"extra.tfvars.json": `{"zones": ["j"]}`},
			cli:   []string{"@extra.tfvars.json"},
			want:  map[string]cty.Value{"zones": cty.ListVal([]cty.Value{cty.StringVal("j")})},
		},
		{
			name: "-var for list(string) is parsed as an expression",
			cli:  []string{`zones=["a", "b"]`},
			want: map[string]cty.Value{"zones": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		},
		{
			name: "environment value for list(string) is parsed as an expression",
			env:  []string{`TF_VAR_zones=["e"]`},
			want: map[string]cty.Value{"zones": cty.ListVal([]cty.Value{cty.StringVal("e")})},
		},
		{
			name: "-var for string is taken literally",
			cli:  []string{`v=["not", "a list"]`, "anything=1 + 2"},
			want: map[string]cty.Value{"v": cty.StringVal(`["not", "a list"]`), "anything": cty.StringVal("1 + 2")},
		},
		{
			name: "-var for number is converted",
			cli:  []string{"n=5"},
			want: map[string]cty.Value{"n": cty.NumberIntVal(5)},
		},
		{
			name:  "object with optional defaults",
			files: map[string]string{"terraform.tfvars": `settings = { name = "s" }`},
			want: map[string]cty.Value{"settings": cty.ObjectVal(map[string]cty.Value{
				"name":  cty.StringVal("s"),
				"size":  cty.NumberIntVal(3),
				"flags": cty.ListValEmpty(cty.String),
			})},
		},
		{
			name: "object from -var keeps given attributes and fills defaults",
			cli:  []string{`settings={ name = "c", size = 7 }`},
			want: map[string]cty.Value{"settings": cty.ObjectVal(map[string]cty.Value{
				"name":  cty.StringVal("c"),
				"size":  cty.NumberIntVal(7),
				"flags": cty.ListValEmpty(cty.String),
			})},
		},
		{
			name: "nullable default stays null",
			want: map[string]cty.Value{"settings": cty.NullVal(cty.Object(map[string]cty.Type{
				"name": cty.String, "size": cty.Number, "flags": cty.List(cty.String),
			}))},
		},
		{
			name:  "null handling follows nullable",
			files: map[string]string{"terraform.tfvars": "strict = null\nloose = null"},
			want: map[string]cty.Value{
				"strict": cty.StringVal("fallback"),
				"loose":  cty.NullVal(cty.String),
			},
		},
		{
			name:      "missing required variable",
			decls:     "variable \"region\" {\n  type = string\n}\n",
			wantDiags: []string{`error "No value for required variable" at main.tf:1`},
		},
		{
			name:      "required non-nullable set to null",
			decls:     "variable \"region\" {\n  nullable = false\n}\n",
			files:     map[string]string{"terraform.tfvars": "region = null"},
			wantDiags: []string{`error "Required variable not set" at terraform.tfvars:1`},
		},
		{
			name:      "undeclared in file is a warning",
			files:     map[string]string{"terraform.tfvars": "v = \"ok\"\nnope = 1"},
			want:      map[string]cty.Value{"v": cty.StringVal("ok")},
			wantDiags: []string{`warning "Value for undeclared variable" at terraform.tfvars:2`},
		},
		{
			name:      "undeclared in -var is an error",
			cli:       []string{"nope=1"},
			wantDiags: []string{`error "Value for undeclared variable" at <-var option 1>:1`},
		},
		{
			name:      "unsuitable value points at the file",
			files:     map[string]string{"terraform.tfvars": "v = \"fine\"\n\nn = \"many\""},
			want:      map[string]cty.Value{"v": cty.StringVal("fine")},
			wantDiags: []string{`error "Invalid value for input variable" at terraform.tfvars:3`},
		},
		{
			name:      "unsuitable -var value",
			cli:       []string{`settings={ size = 1 }`},
			wantDiags: []string{`error "Invalid value for input variable" at <value for var.settings>:1`},
		},
		{
			name:      "syntax error in tfvars",
			files:     map[string]string{"x.auto.tfvars": "v = \"ok\"\nn = ("},
			wantDiags: []string{`error "Missing expression" at x.auto.tfvars:2`},
		},
		{
			name:      "malformed -var",
			cli:       []string{"novalue"},
			wantDiags: []string{`error "Invalid -var option" at <-var option 1>:1`},
		},
		{
			name:      "missing -var-file",
			cli:       []string{"@nope.tfvars"},
			wantDiags: []string{`error "Failed to read variables file" at <-var-file option 1>:1`},
		},
		{
			name:      "expression error in -var",
			cli:       []string{"zones=[var.x]"},
			wantDiags: []string{`error "Variables not allowed" at <value for var.zones>:1`},
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
			}
			declSrc := tc.decls
			if declSrc == "" {
				declSrc = precedenceDecls
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(declSrc), 0o644))

			p := NewParser()
			mod, diags := p.LoadConfigDir(dir)
			requireNoErrors(t, diags)

			var cli []VarSource
			for _, c := range tc.cli {
				if c[0] == '@' {
					cli = append(cli, VarSource{File: filepath.Join(dir, c[1:])})
				} else {
					cli = append(cli, VarSource{Raw: c})
				}
			}

			got, diags := p.CollectVariableValues(dir, cli, tc.env, mod.Variables)

			var gotDiags []string
			for _, d := range diags {
				require.NotNil(t, d.Subject, "diagnostic without subject: %s", d.Error())
				sev := "error"
				if d.Severity == hcl.DiagWarning {
					sev = "warning"
				}
				file := d.Subject.Filename
				if filepath.IsAbs(file) {
					file = filepath.Base(file)
				}
				gotDiags = append(gotDiags, fmt.Sprintf("%s %q at %s:%d", sev, d.Summary, file, d.Subject.Start.Line))
				if src, ok := p.Sources()[d.Subject.Filename]; assert.True(t, ok, "no source for %s", d.Subject.Filename) {
					assert.LessOrEqual(t, d.Subject.End.Byte, len(src))
				}
			}
			assert.ElementsMatch(t, tc.wantDiags, gotDiags)

			for name, want := range tc.want {
				gotVal, ok := got[name]
				if assert.True(t, ok, "no value for %q", name) {
					assertCtyEqual(t, want, gotVal)
				}
			}
		})
	}
}

func TestCollectVariableValuesAllDeclaredPresent(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(precedenceDecls), 0o644))
	p := NewParser()
	mod, diags := p.LoadConfigDir(dir)
	requireNoErrors(t, diags)

	got, diags := p.CollectVariableValues(dir, nil, nil, mod.Variables)
	requireNoErrors(t, diags)
	assert.ElementsMatch(t, sortedKeys(mod.Variables), sortedKeys(got))
	for name, v := range got {
		assert.True(t, v.Type().Equals(mod.Variables[name].Type) || v.Type().Equals(cty.DynamicPseudoType) || mod.Variables[name].Type == cty.DynamicPseudoType,
			"%s has type %s", name, v.Type().FriendlyName())
	}
}
