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
	provider      Type
	resourceTypes map[string]Type
	dataSources   map[string]Type
}

// NewSchemas records the implied types of the provider configuration, of
// each resource type and of each data source, by name.
func NewSchemas(provider cty.Type, resourceTypes, dataSources map[string]cty.Type) *Schemas {
	s := &Schemas{
		provider:      TypeOf(provider),
		resourceTypes: make(map[string]Type, len(resourceTypes)),
		dataSources:   make(map[string]Type, len(dataSources)),
	}
	for name, ty := range resourceTypes {
		s.resourceTypes[name] = TypeOf(ty)
	}
	for name, ty := range dataSources {
		s.dataSources[name] = TypeOf(ty)
	}
	return s
}

// Provider is the type of the provider configuration.
func (s *Schemas) Provider() Type {
	if s == nil {
		return Dynamic
	}
	return s.provider
}

// ResourceType is the type of an object of the named resource type. An
// unknown type name gets cty.DynamicPseudoType, so the request still reaches
// the provider, which reports the unknown type in its own words.
func (s *Schemas) ResourceType(name string) Type {
	if s == nil {
		return Dynamic
	}
	if t, ok := s.resourceTypes[name]; ok {
		return t
	}
	return Dynamic
}

// DataSource is the type of the named data source's value.
func (s *Schemas) DataSource(name string) Type {
	if s == nil {
		return Dynamic
	}
	if t, ok := s.dataSources[name]; ok {
		return t
	}
	return Dynamic
}

// ValueToProto encodes v against ty. cty.NilVal (no value at all) becomes a
// nil message so that it stays distinct from a null value. Marks are
// dropped: sensitivity is known to both sides from the schema.
func ValueToProto(v cty.Value, ty cty.Type) (*proto.DynamicValue, error) {
	dv, _, err := encodeValue(v, TypeOf(ty))
	return dv, err
}

func encodeValue(v cty.Value, t Type) (*proto.DynamicValue, bool, error) {
	return encodeValueWith(Encode, v, t)
}

func encodeValueWith(encode func(cty.Value, Type) ([]byte, bool, error), v cty.Value, t Type) (*proto.DynamicValue, bool, error) {
	if v == cty.NilVal {
		return nil, false, nil
	}
	b, marked, err := encode(v, t)
	if err != nil {
		return nil, false, err
	}
	return &proto.DynamicValue{Msgpack: b}, marked, nil
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

// Enc encodes v against t, unless an earlier value failed.
func (c *Values) Enc(field string, v cty.Value, t Type) *proto.DynamicValue {
	dv, _ := c.EncMarked(field, v, t)
	return dv
}

// EncMarked is Enc, and says whether v had marks.
func (c *Values) EncMarked(field string, v cty.Value, t Type) (*proto.DynamicValue, bool) {
	return c.enc(Encode, field, v, t)
}

// EncKept is EncMarked for a value likely to be sent again, such as an
// object read then planned: see EncodeKept.
func (c *Values) EncKept(field string, v cty.Value, t Type) (*proto.DynamicValue, bool) {
	return c.enc(EncodeKept, field, v, t)
}

func (c *Values) enc(encode func(cty.Value, Type) ([]byte, bool, error), field string, v cty.Value, t Type) (*proto.DynamicValue, bool) {
	if c.Err != nil {
		return nil, false
	}
	dv, marked, err := encodeValueWith(encode, v, t)
	if err != nil {
		c.Err = fieldError{field: field, err: err}
	}
	return dv, marked
}

// Dec decodes dv against t, unless an earlier value failed.
func (c *Values) Dec(field string, dv *proto.DynamicValue, t Type) cty.Value {
	if c.Err != nil {
		return cty.NilVal
	}
	if dv == nil {
		return cty.NilVal
	}
	v, err := t.Decode(dv.GetMsgpack())
	if err != nil {
		c.Err = fieldError{field: field, err: err}
		return cty.NilVal
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
