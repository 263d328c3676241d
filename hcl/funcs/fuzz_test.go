package funcs

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// fuzzTooExpensive rejects inputs whose cost is in resource use rather than
// in the crash class this target looks for: globbing or reading from system
// paths, and nested for-expressions that multiply collection sizes.
func fuzzTooExpensive(src string) bool {
	if len(src) > 512 {
		return true
	}
	if strings.Count(src, "for") > 1 {
		return true
	}
	for _, s := range []string{"/dev", "/proc", "/sys", ".."} {
		if strings.Contains(src, s) {
			return true
		}
	}
	return strings.Contains(src, "fileset") && (strings.Contains(src, "/") || strings.Contains(src, `\`) || strings.Contains(src, "~"))
}

// FuzzFunctionCall evaluates arbitrary expressions against the function
// table; any panic escaping hcl or a function is a failure. Errors are fine.
func FuzzFunctionCall(f *testing.F) {
	f.Add(`upper("x")`)
	f.Add(`cidrsubnet("10.0.0.0/16", 8, 2)`)

	tables := []map[string]function.Function{
		Scope{BaseDir: "testdata"}.Functions(),
		Scope{BaseDir: "testdata", Planning: true}.Functions(),
	}
	f.Fuzz(func(t *testing.T, src string) {
		if fuzzTooExpensive(src) {
			t.Skip()
		}
		expr, diags := hclsyntax.ParseExpression([]byte(src), "fuzz.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			return
		}
		for _, fns := range tables {
			val, diags := expr.Value(&hcl.EvalContext{Variables: testVars, Functions: fns})
			if !diags.HasErrors() && val == cty.NilVal {
				t.Fatalf("no error and no value for %q", src)
			}
		}
	})
}
