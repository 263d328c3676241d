package funcs

import (
	"errors"
	"fmt"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

var timestampFunc = function.New(&function.Spec{
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
		return cty.StringVal(time.Now().UTC().Format(time.RFC3339)), nil
	},
})

var timeCmpFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "timestamp_a", Type: cty.String},
		{Name: "timestamp_b", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.Number),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		a, err := parseTimestamp(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.Number), function.NewArgError(0, err)
		}
		b, err := parseTimestamp(args[1].AsString())
		if err != nil {
			return cty.UnknownVal(cty.Number), function.NewArgError(1, err)
		}
		return cty.NumberIntVal(int64(a.Compare(b))), nil
	},
})

// parseTimestamp parses RFC 3339, translating Go's layout-based parse errors
// (which name parts like "2006" or "15") into the names users know.
func parseTimestamp(ts string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, ts)
	if err == nil {
		return t, nil
	}
	var perr *time.ParseError
	if !errors.As(err, &perr) {
		return time.Time{}, err
	}
	if perr.LayoutElem == "" && perr.ValueElem == "" && perr.Message != "" {
		return time.Time{}, fmt.Errorf("not a valid RFC3339 timestamp: %w", err)
	}
	var what string
	switch perr.LayoutElem {
	case "2006":
		what = "year"
	case "01":
		what = "month"
	case "02":
		what = "day of month"
	case "15":
		what = "hour"
	case "04":
		what = "minute"
	case "05":
		what = "second"
	case "Z07:00":
		what = "UTC offset"
	case "T":
		return time.Time{}, errors.New("not a valid RFC3339 timestamp: missing required time introducer 'T'")
	case ":", "-":
		if perr.ValueElem == "" {
			return time.Time{}, fmt.Errorf("not a valid RFC3339 timestamp: end of string where %q is expected", perr.LayoutElem)
		}
		return time.Time{}, fmt.Errorf("not a valid RFC3339 timestamp: found %q where %q is expected", perr.ValueElem, perr.LayoutElem)
	default:
		what = "timestamp segment"
	}
	if perr.ValueElem == "" {
		return time.Time{}, fmt.Errorf("not a valid RFC3339 timestamp: end of string before %s", what)
	}
	return time.Time{}, fmt.Errorf("not a valid RFC3339 timestamp: cannot use %q as %s", perr.ValueElem, what)
}
