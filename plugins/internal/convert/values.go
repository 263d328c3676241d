package convert

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/msgpack"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// Schemas holds the implied types that values are encoded against. A peer
// builds it once from the GetSchema answer rather than recomputing implied
// types on every call. The zero value (and nil) knows no schema, so every
// value travels as cty.DynamicPseudoType.
type Schemas struct {
	provider      cty.Type
	resourceTypes map[string]cty.Type
	dataSources   map[string]cty.Type
}

// NewSchemas records the implied types of the provider configuration, of
// each resource type and of each data source, by name.
func NewSchemas(provider cty.Type, resourceTypes, dataSources map[string]cty.Type) *Schemas {
	return &Schemas{provider: provider, resourceTypes: resourceTypes, dataSources: dataSources}
}

// Provider is the type of the provider configuration.
func (s *Schemas) Provider() cty.Type {
	if s == nil || s.provider == cty.NilType {
		return cty.DynamicPseudoType
	}
	return s.provider
}

// ResourceType is the type of an object of the named resource type. An
// unknown type name gets cty.DynamicPseudoType, so the request still reaches
// the provider, which reports the unknown type in its own words.
func (s *Schemas) ResourceType(name string) cty.Type {
	if s == nil {
		return cty.DynamicPseudoType
	}
	if ty, ok := s.resourceTypes[name]; ok {
		return ty
	}
	return cty.DynamicPseudoType
}

// DataSource is the type of the named data source's value.
func (s *Schemas) DataSource(name string) cty.Type {
	if s == nil {
		return cty.DynamicPseudoType
	}
	if ty, ok := s.dataSources[name]; ok {
		return ty
	}
	return cty.DynamicPseudoType
}

// ValueToProto encodes v against ty. cty.NilVal (no value at all) becomes a
// nil message so that it stays distinct from a null value. Marks are
// dropped: sensitivity is known to both sides from the schema.
func ValueToProto(v cty.Value, ty cty.Type) (*proto.DynamicValue, error) {
	if v == cty.NilVal {
		return nil, nil
	}
	if v.ContainsMarked() {
		v, _ = v.UnmarkDeep()
	}
	b, err := msgpack.Marshal(v, ty)
	if err != nil {
		return nil, err
	}
	return &proto.DynamicValue{Msgpack: b}, nil
}

// ValueFromProto decodes a value encoded against ty. A nil message is
// cty.NilVal.
func ValueFromProto(dv *proto.DynamicValue, ty cty.Type) (cty.Value, error) {
	if dv == nil {
		return cty.NilVal, nil
	}
	v, err := msgpack.Unmarshal(dv.GetMsgpack(), ty)
	if err != nil {
		return cty.NilVal, err
	}
	return v, nil
}

// Values encodes or decodes the several values of one message and keeps the
// first error, with the name of the field it came from, so a conversion can
// be written as one expression per field and checked once.
type Values struct {
	Err error
}

// Enc encodes v against ty, unless an earlier value failed.
func (c *Values) Enc(field string, v cty.Value, ty cty.Type) *proto.DynamicValue {
	if c.Err != nil {
		return nil
	}
	dv, err := ValueToProto(v, ty)
	if err != nil {
		c.Err = fieldError{field: field, err: err}
	}
	return dv
}

// Dec decodes dv against ty, unless an earlier value failed.
func (c *Values) Dec(field string, dv *proto.DynamicValue, ty cty.Type) cty.Value {
	if c.Err != nil {
		return cty.NilVal
	}
	v, err := ValueFromProto(dv, ty)
	if err != nil {
		c.Err = fieldError{field: field, err: err}
	}
	return v
}

// fieldError names the message field whose value could not be converted.
// The attribute path inside the value, when cty reports one, stays
// reachable through Unwrap so it can become the diagnostic's path.
type fieldError struct {
	field string
	err   error
}

func (e fieldError) Error() string { return fmt.Sprintf("%s: %s", e.field, e.err) }
func (e fieldError) Unwrap() error { return e.err }
