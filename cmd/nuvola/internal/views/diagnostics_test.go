package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

const mainTF = `variable "x" {
  default = "hello"
}

resource "null_resource" "a" {
  triggers = {
    value = var.x
    other = var.secret
  }
}
`

func rng(file string, sl, sc, sb, el, ec, eb int) *hcl.Range {
	return &hcl.Range{Filename: file, Start: hcl.Pos{Line: sl, Column: sc, Byte: sb}, End: hcl.Pos{Line: el, Column: ec, Byte: eb}}
}

// at finds the range of the first occurrence of s in mainTF.
func at(t *testing.T, s string) *hcl.Range {
	t.Helper()
	i := strings.Index(mainTF, s)
	require.GreaterOrEqual(t, i, 0)
	pos := func(off int) hcl.Pos {
		line := strings.Count(mainTF[:off], "\n") + 1
		col := off - strings.LastIndex(mainTF[:off], "\n")
		return hcl.Pos{Line: line, Column: col, Byte: off}
	}
	return &hcl.Range{Filename: "main.tf", Start: pos(i), End: pos(i + len(s))}
}

func TestRenderDiagnostics(t *testing.T) {
	expr, diags := hclsyntax.ParseExpression([]byte("var.x"), "main.tf", at(t, "var.x").Start)
	require.False(t, diags.HasErrors())
	secretExpr, diags := hclsyntax.ParseExpression([]byte("var.secret"), "main.tf", at(t, "var.secret").Start)
	require.False(t, diags.HasErrors())
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
		"x":      cty.StringVal("hello"),
		"secret": cty.StringVal(secret).Mark("sensitive"),
	})}}

	in := hcl.Diagnostics{
		{
			Severity: hcl.DiagError, Summary: "Invalid value",
			Detail:     "The value of var.x is not acceptable here because it is far too friendly for a trigger, and this sentence is long enough to need wrapping across lines.\n\n  indented lines are left as they are, however long they happen to be, because they may be code",
			Subject:    at(t, "var.x"),
			Expression: expr, EvalContext: ctx,
		},
		{
			Severity: hcl.DiagError, Summary: "Sensitive reference",
			Detail:  "The secret must not appear.",
			Subject: at(t, "var.secret"), Expression: secretExpr, EvalContext: ctx,
		},
		{Severity: hcl.DiagWarning, Summary: "Something to note", Detail: "No source for this one."},
		{Severity: hcl.DiagWarning, Summary: "No detail, no subject"},
		{
			Severity: hcl.DiagError, Summary: "Multi-line range",
			Detail:  "Spans the whole triggers argument.",
			Subject: at(t, "{\n    value = var.x\n    other = var.secret\n  }"),
		},
		{
			Severity: hcl.DiagError, Summary: "Past the end",
			Subject: rng("main.tf", 40, 1, 5000, 41, 3, 5100),
		},
		{
			Severity: hcl.DiagError, Summary: "Inverted range",
			Subject: rng("main.tf", 2, 5, 20, 1, 1, 0),
		},
		{
			Severity: hcl.DiagError, Summary: "Missing file",
			Subject: rng("other.tf", 3, 1, 10, 3, 5, 14),
		},
		{
			Severity: hcl.DiagError, Summary: "With context",
			Subject: at(t, "triggers"), Context: at(t, "resource \"null_resource\" \"a\" {"),
		},
	}
	sources := map[string][]byte{"main.tf": []byte(mainTF)}
	var plain, colored bytes.Buffer
	require.NoError(t, RenderDiagnostics(&plain, in, sources, Options{}))
	require.NoError(t, RenderDiagnostics(&colored, in, sources, Options{Color: true}))
	golden(t, "diagnostics.golden", plain.String())
	for _, out := range []string{plain.String(), colored.String()} {
		require.NotContains(t, out, secret)
	}
	// Colour underlines the range; plain text marks it with a caret line.
	var withoutCarets []string
	for _, line := range strings.Split(plain.String(), "\n") {
		if strings.Trim(strings.TrimPrefix(line, "│"), " ^") == "" && strings.Contains(line, "^") {
			continue
		}
		withoutCarets = append(withoutCarets, line)
	}
	require.Equal(t, strings.Join(withoutCarets, "\n"), stripANSI(colored.String()))
	for _, line := range strings.Split(plain.String(), "\n") {
		if strings.HasPrefix(line, "│ ") && !strings.HasPrefix(line, "│   ") {
			require.LessOrEqual(t, len([]rune(line)), 78, line)
		}
	}
}

func TestRenderDiagnosticsNoSources(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, RenderDiagnostics(&buf, hcl.Diagnostics{{
		Severity: hcl.DiagError, Summary: "S", Subject: rng("x.tf", 1, 1, 0, 1, 1, 0),
	}}, nil, Options{}))
	require.Equal(t, "╷\n│ Error: S\n│\n│   on x.tf:1:1:\n│   (source code not available)\n│\n╵\n", buf.String())
}
