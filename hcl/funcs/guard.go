package funcs

import (
	"fmt"
	"math"

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
	return guardTyped(inner, nil, check)
}

// guardTyped is guard with an additional check during type checking, for
// functions whose own type callback misbehaves on some argument types.
// typeCheck returns done=true to settle the result type itself.
func guardTyped(inner function.Function, typeCheck func(args []cty.Value) (ty cty.Type, done bool, err error), check func(args []cty.Value) error) function.Function {
	return function.New(&function.Spec{
		Description: inner.Description(),
		Params:      inner.Params(),
		VarParam:    inner.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			if typeCheck != nil {
				if ty, done, err := typeCheck(args); done || err != nil {
					return ty, err
				}
			}
			return inner.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			if typeCheck != nil {
				if _, done, _ := typeCheck(args); done {
					return cty.UnknownVal(retType), nil
				}
			}
			if check != nil {
				if err := check(args); err != nil {
					return cty.NilVal, err
				}
			}
			return inner.Call(args)
		},
	})
}

// dynamicArgsUnknown settles the result as unknown when any argument's type
// is not yet known; cty's set functions otherwise panic on such arguments
// instead of deferring the result, which would break planning with
// not-yet-known values.
func dynamicArgsUnknown(args []cty.Value) (cty.Type, bool, error) {
	for _, arg := range args {
		if arg.Type() == cty.DynamicPseudoType {
			return cty.DynamicPseudoType, true, nil
		}
	}
	return cty.NilType, false, nil
}

var (
	guardedSetUnionFunc        = guardTyped(stdlib.SetUnionFunc, dynamicArgsUnknown, nil)
	guardedSetIntersectionFunc = guardTyped(stdlib.SetIntersectionFunc, dynamicArgsUnknown, nil)
	guardedSetSubtractFunc     = guardTyped(stdlib.SetSubtractFunc, dynamicArgsUnknown, nil)
)

// guardedMergeFunc validates every argument's type up front: cty's merge
// stops checking at the first argument of unknown type (such as a literal
// null) and then panics on a non-map argument later in the list.
var guardedMergeFunc = guardTyped(stdlib.MergeFunc, func(args []cty.Value) (cty.Type, bool, error) {
	for i, arg := range args {
		ty := arg.Type()
		if ty != cty.DynamicPseudoType && !ty.IsMapType() && !ty.IsObjectType() {
			return cty.NilType, false, function.NewArgErrorf(i, "arguments must be maps or objects, got %q", ty.FriendlyName())
		}
	}
	return cty.NilType, false, nil
}, nil)

// guardedLogFunc reports an undefined logarithm as an error; cty's log
// panics when the float result is NaN.
var guardedLogFunc = guard(stdlib.LogFunc, func(args []cty.Value) error {
	var num, base float64
	if err := gocty.FromCtyValue(args[0], &num); err != nil {
		return nil
	}
	if err := gocty.FromCtyValue(args[1], &base); err != nil {
		return nil
	}
	if math.IsNaN(math.Log(num) / math.Log(base)) {
		return fmt.Errorf("log(%v, %v) is undefined", num, base)
	}
	return nil
})

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
