package main

import (
	"fmt"
	"io"

	"github.com/nuvola-pa/nuvola/cmd/nuvola/internal/views"
	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

func readAll(r io.Reader) ([]byte, error) { return io.ReadAll(r) }

// rawOutput prints a primitive output as OpenTofu's -raw does.
func rawOutput(v cty.Value) (string, error) {
	if v.IsNull() {
		return "", fmt.Errorf("the value is null")
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), nil
	case cty.Number:
		return v.AsBigFloat().Text('f', -1), nil
	case cty.Bool:
		if v.True() {
			return "true", nil
		}
		return "false", nil
	}
	return "", fmt.Errorf("the -raw option only supports strings, numbers, and boolean values, but this output value is %s; use -json instead", v.Type().FriendlyName())
}

// stateDecoder decodes stored objects with the schemas of their providers.
func stateDecoder(sc *engine.SchemaCache) views.StateDecoder {
	return func(res *state.Resource, obj *state.Object) (cty.Value, error) {
		s := sc.ResourceTypeSchema(res.Provider, res.Addr.Resource.Mode, res.Addr.Resource.Type)
		if s == nil {
			ty, err := ctyjson.ImpliedType(obj.AttrsJSON)
			if err != nil {
				return cty.NilVal, err
			}
			return ctyjson.Unmarshal(obj.AttrsJSON, ty)
		}
		return ctyjson.Unmarshal(obj.AttrsJSON, s.Block.ImpliedType())
	}
}
