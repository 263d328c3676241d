package convert

import (
	"github.com/zclconf/go-cty/cty"
)

// TypeToProto encodes a type in cty's JSON type syntax. cty.NilType (no type
// at all) becomes nil bytes rather than an error, so one typeless attribute,
// a provider bug, does not keep the rest of its schema from crossing.
func TypeToProto(ty cty.Type) ([]byte, error) {
	if ty == cty.NilType {
		return nil, nil
	}
	return ty.MarshalJSON()
}

// TypeFromProto decodes a type; empty bytes are cty.NilType.
func TypeFromProto(b []byte) (cty.Type, error) {
	if len(b) == 0 {
		return cty.NilType, nil
	}
	var ty cty.Type
	if err := ty.UnmarshalJSON(b); err != nil {
		return cty.NilType, err
	}
	return ty, nil
}
