package funcs

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// markParam accepts anything, exactly as given, so the mark functions can
// see and change the marks of unknown, null and dynamically-typed values.
var markParam = function.Parameter{
	Name:             "value",
	Type:             cty.DynamicPseudoType,
	AllowUnknown:     true,
	AllowNull:        true,
	AllowMarked:      true,
	AllowDynamicType: true,
}

func sameTypeAsArg(args []cty.Value) (cty.Type, error) {
	return args[0].Type(), nil
}

var sensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{markParam},
	Type:   sameTypeAsArg,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return args[0].Mark(SensitiveMark), nil
	},
})

// nonsensitiveFunc removes only the top-level sensitive mark; sensitive
// values nested inside a collection stay sensitive, as in OpenTofu.
var nonsensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{markParam},
	Type:   sameTypeAsArg,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, marks := args[0].Unmark()
		delete(marks, SensitiveMark)
		return v.WithMarks(marks), nil
	},
})

var isSensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{markParam},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(args[0].HasMark(SensitiveMark)), nil
	},
})

// hasSensitive reports whether any of the mark sets flags sensitivity.
func hasSensitive(markSets ...cty.ValueMarks) bool {
	for _, m := range markSets {
		if _, ok := m[SensitiveMark]; ok {
			return true
		}
	}
	return false
}

// containsSensitive reports whether v or anything nested in it is sensitive.
func containsSensitive(v cty.Value) bool {
	_, marks := v.UnmarkDeep()
	return hasSensitive(marks)
}

// redactIfSensitive renders value for an error message unless the marks say
// it must not be disclosed.
func redactIfSensitive(value any, markSets ...cty.ValueMarks) string {
	if hasSensitive(markSets...) {
		return "(sensitive value)"
	}
	if s, ok := value.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%v", value)
}
