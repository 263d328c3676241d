package funcs

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// maxTemplateDepth bounds templatefile/templatestring nesting, so a
// template that renders itself fails with an error instead of exhausting
// the stack.
const maxTemplateDepth = 1024

// templateStringFilename names the source of templatestring() templates in
// diagnostics, where there is no file to point at.
const templateStringFilename = "<templatestring>"

// templateFuncsAt returns the function table seen by a template rendered at
// the given nesting depth: the caller's table with the template functions
// replaced by ones that know how deep they are.
func templateFuncsAt(baseDir string, table func() map[string]function.Function, depth int) map[string]function.Function {
	given := table()
	out := make(map[string]function.Function, len(given))
	for name, fn := range given {
		out[name] = fn
	}
	tf := makeTemplateFileFunc(baseDir, table, depth)
	ts := makeTemplateStringFunc(baseDir, table, depth)
	for _, prefix := range []string{"", CoreNamespace} {
		if _, ok := out[prefix+"templatefile"]; ok {
			out[prefix+"templatefile"] = tf
		}
		if _, ok := out[prefix+"templatestring"]; ok {
			out[prefix+"templatestring"] = ts
		}
	}
	return out
}

// templateDepthError is returned when maxTemplateDepth is exceeded. Each
// enclosing template adds its call site instead of wrapping the error in
// another diagnostic, which would otherwise nest the message a thousand
// times over.
type templateDepthError struct {
	// sites lists the template call sites, innermost first.
	sites []string
}

func (e templateDepthError) Error() string {
	// Show the chain from the outermost call until it starts repeating,
	// which is enough to identify the cycle.
	const maxShown = 16
	var shown []string
	seen := map[string]bool{}
	for i := len(e.sites) - 1; i >= 0 && len(shown) < maxShown; i-- {
		site := e.sites[i]
		shown = append(shown, site)
		if seen[site] {
			break
		}
		seen[site] = true
	}
	if len(shown) == 0 {
		return fmt.Sprintf("maximum template recursion depth %d reached", maxTemplateDepth)
	}
	return fmt.Sprintf("maximum template recursion depth %d reached in %s ...", maxTemplateDepth, strings.Join(shown, ", "))
}

func errTemplateDepth() error {
	return templateDepthError{}
}

// rollUpDepthError finds a depth error raised by a nested template call and
// extends its trace with that call's location.
func rollUpDepthError(diags hcl.Diagnostics) (templateDepthError, bool) {
	for _, diag := range diags {
		extra, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](diag)
		if !ok {
			continue
		}
		var depthErr templateDepthError
		if !errors.As(extra.FunctionCallError(), &depthErr) {
			continue
		}
		site := "template"
		if diag.Subject != nil {
			site = diag.Subject.String()
		}
		sites := make([]string, len(depthErr.sites), len(depthErr.sites)+1)
		copy(sites, depthErr.sites)
		return templateDepthError{sites: append(sites, site)}, true
	}
	return templateDepthError{}, false
}

// The template functions report a dynamic type rather than rendering during
// type checking: rendering in both the type and the implementation callback
// would double the work at every nesting level.
func makeTemplateFileFunc(baseDir string, table func() map[string]function.Function, depth int) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			pathParam,
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if depth >= maxTemplateDepth {
				return cty.DynamicVal, errTemplateDepth()
			}
			pathVal, marks := args[0].Unmark()
			path := pathVal.AsString()
			src, err := readFileBytes(baseDir, path, marks)
			if err != nil {
				return cty.DynamicVal, function.NewArgError(0, err)
			}
			if !utf8.Valid(src) {
				return cty.DynamicVal, function.NewArgErrorf(0, "contents of %s are not valid UTF-8", redactIfSensitive(path, marks))
			}
			// Diagnostics name the file as the caller wrote it, which is
			// what the user will recognise.
			filename := path
			if hasSensitive(marks) {
				filename = "(sensitive value)"
			}
			expr, diags := hclsyntax.ParseTemplate(src, filename, hcl.Pos{Line: 1, Column: 1, Byte: 0})
			if diags.HasErrors() {
				return cty.DynamicVal, diags
			}
			result, err := renderTemplate(expr, args[1], templateFuncsAt(baseDir, table, depth+1))
			if err != nil {
				return cty.DynamicVal, err
			}
			return result.WithMarks(marks), nil
		},
	})
}

func makeTemplateStringFunc(baseDir string, table func() map[string]function.Function, depth int) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "template", Type: cty.String, AllowMarked: true},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if depth >= maxTemplateDepth {
				return cty.DynamicVal, errTemplateDepth()
			}
			tmplVal, marks := args[0].Unmark()
			expr, diags := hclsyntax.ParseTemplate([]byte(tmplVal.AsString()), templateStringFilename, hcl.Pos{Line: 1, Column: 1, Byte: 0})
			if diags.HasErrors() {
				return cty.DynamicVal, diags
			}
			result, err := renderTemplate(expr, args[1], templateFuncsAt(baseDir, table, depth+1))
			if err != nil {
				return cty.DynamicVal, err
			}
			return result.WithMarks(marks), nil
		},
	})
}

func renderTemplate(expr hclsyntax.Expression, vars cty.Value, funcs map[string]function.Function) (cty.Value, error) {
	ty := vars.Type()
	if !ty.IsMapType() && !ty.IsObjectType() {
		return cty.DynamicVal, function.NewArgErrorf(1, "invalid vars value: must be a map")
	}
	var varMap map[string]cty.Value
	if !vars.IsNull() {
		varMap = vars.AsValueMap()
	}
	for name := range varMap {
		if !hclsyntax.ValidIdentifier(name) {
			return cty.DynamicVal, function.NewArgErrorf(1, "invalid template variable name %q: must start with a letter, followed by zero or more letters, digits, and underscores", name)
		}
	}
	// Checking references up front gives an error that points at the
	// templatefile/templatestring call's vars rather than a generic
	// "unknown variable" from inside the template.
	for _, traversal := range expr.Variables() {
		root := traversal.RootName()
		if _, ok := varMap[root]; !ok {
			where := fmt.Sprintf("%q", root)
			if rng := traversal.SourceRange(); rng.Filename != templateStringFilename {
				where = fmt.Sprintf("%q, referenced at %s", root, rng)
			}
			return cty.DynamicVal, function.NewArgErrorf(1, "vars map does not contain key %s", where)
		}
	}
	ctx := &hcl.EvalContext{Variables: varMap, Functions: funcs}
	val, diags := expr.Value(ctx)
	if diags.HasErrors() {
		if depthErr, ok := rollUpDepthError(diags); ok {
			return cty.DynamicVal, depthErr
		}
		return cty.DynamicVal, diags
	}
	return val, nil
}
