package funcs

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	"github.com/zclconf/go-cty/cty/gocty"
)

// These limits sit far above anything a real configuration needs, and
// stop a short expression from allocating without bound (a process-killing
// out-of-memory condition is worse than an error).
const (
	// maxPadding bounds format widths/precisions and indent() spaces.
	maxPadding = 4096
	// maxSetProduct bounds the number of combinations setproduct() builds.
	maxSetProduct = 1 << 16
)

// guard wraps inner so that check runs on the (unmarked, known) arguments
// before inner is called; inner's own parameter handling then runs as usual.
func guard(inner function.Function, check func(args []cty.Value) error) function.Function {
	return function.New(&function.Spec{
		Description: inner.Description(),
		Params:      inner.Params(),
		VarParam:    inner.VarParam(),
		Type:        inner.ReturnTypeForValues,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if err := check(args); err != nil {
				return cty.NilVal, err
			}
			return inner.Call(args)
		},
	})
}

func guardedFormatFunc(inner function.Function) function.Function {
	return guard(inner, func(args []cty.Value) error {
		f, _ := args[0].Unmark()
		if !f.IsKnown() || f.IsNull() {
			return nil
		}
		return checkFormatPadding(f.AsString())
	})
}

// checkFormatPadding scans the verbs of a cty format string for widths and
// precisions above maxPadding. It only needs to recognise the numeric parts;
// the real parser still reports malformed verbs.
func checkFormatPadding(f string) error {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		for i < len(f) && (f[i] == '0' || f[i] == '#' || f[i] == '-' || f[i] == '+' || f[i] == ' ') {
			i++
		}
		if i < len(f) && f[i] == '[' {
			for i < len(f) && f[i] != ']' {
				i++
			}
			i++
		}
		for _, part := range []string{"width", "precision"} {
			if part == "precision" {
				if i >= len(f) || f[i] != '.' {
					break
				}
				i++
			}
			n := 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				if n <= maxPadding {
					n = n*10 + int(f[i]-'0')
				}
				i++
			}
			if n > maxPadding {
				return function.NewArgErrorf(0, "format %s must not exceed %d", part, maxPadding)
			}
		}
		i--
	}
	return nil
}

var indentFunc = guard(stdlib.IndentFunc, func(args []cty.Value) error {
	n, _ := args[0].Unmark()
	if !n.IsKnown() || n.IsNull() {
		return nil
	}
	var spaces int
	if err := gocty.FromCtyValue(n, &spaces); err != nil {
		return function.NewArgError(0, err)
	}
	if spaces < 0 {
		return function.NewArgErrorf(0, "number of spaces must not be negative")
	}
	if spaces > maxPadding {
		return function.NewArgErrorf(0, "number of spaces must not exceed %d", maxPadding)
	}
	return nil
})

var guardedSetProductFunc = guard(stdlib.SetProductFunc, func(args []cty.Value) error {
	total := 1
	for i, arg := range args {
		v, _ := arg.Unmark()
		if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
			continue
		}
		l := v.Length()
		if !l.IsKnown() {
			continue
		}
		total *= v.LengthInt()
		if total > maxSetProduct {
			return function.NewArgErrorf(i, "setproduct would produce more than %d elements", maxSetProduct)
		}
		if total == 0 {
			return nil
		}
	}
	return nil
})
