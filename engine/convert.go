package engine

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

func convertValue(v cty.Value, want cty.Type) (cty.Value, error) {
	return convert.Convert(v, want)
}
