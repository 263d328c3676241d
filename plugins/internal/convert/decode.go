package convert

import (
	"bytes"
	"errors"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// decode reads a value encoded against p the way cty's msgpack.Unmarshal
// does, with the plan worked out once and a pooled decoder: cty allocates
// a decoder for every value and looks each attribute's type up by name.
// Unknown values, dynamic values and anything it does not expect go to
// cty's own decoder; on any error the whole value goes to it, so that the
// error is cty's.
func decode(b []byte, p *plan) (cty.Value, error) {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.r.Reset(b)
	d.dec.Reset(&d.r)
	v, err := d.value(p)
	if err != nil || d.r.Len() != 0 {
		return ctymsgpack.Unmarshal(b, p.ty)
	}
	return v, nil
}

type decoder struct {
	r   bytes.Reader
	dec *msgpack.Decoder
}

var decoders = sync.Pool{New: func() any {
	d := &decoder{}
	d.dec = msgpack.NewDecoder(&d.r)
	return d
}}

var errFallback = errors.New("decoded by cty")

func (d *decoder) value(p *plan) (cty.Value, error) {
	code, err := d.dec.PeekCode()
	if err != nil {
		return cty.NilVal, err
	}
	if code == msgpcode.Nil && p.kind != kindCty {
		_ = d.dec.Skip()
		return cty.NullVal(p.ty), nil
	}
	if msgpcode.IsExt(code) || p.kind == kindCty {
		raw, err := d.dec.DecodeRaw()
		if err != nil {
			return cty.NilVal, err
		}
		return ctymsgpack.Unmarshal(raw, p.ty)
	}
	switch p.kind {
	case kindString:
		s, err := d.dec.DecodeString()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(s), nil
	case kindBool:
		b, err := d.dec.DecodeBool()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.BoolVal(b), nil
	case kindNumber:
		return d.number(code)
	case kindObject:
		n, err := d.dec.DecodeMapLen()
		if err != nil || n != len(p.attrs) {
			return cty.NilVal, errFallback
		}
		vals := make(map[string]cty.Value, n)
		for _, a := range p.attrs {
			// cty writes the attributes in p.attrs' order.
			k, err := d.dec.DecodeString()
			if err != nil || k != a.norm {
				return cty.NilVal, errFallback
			}
			v, err := d.value(a.plan)
			if err != nil {
				return cty.NilVal, err
			}
			vals[a.name] = v
		}
		return cty.ObjectVal(vals), nil
	case kindMap:
		n, err := d.dec.DecodeMapLen()
		if err != nil || n < 0 {
			return cty.NilVal, errFallback
		}
		if n == 0 {
			return cty.MapValEmpty(p.ty.ElementType()), nil
		}
		vals := make(map[string]cty.Value, n)
		for range n {
			k, err := d.dec.DecodeString()
			if err != nil {
				return cty.NilVal, err
			}
			v, err := d.value(p.elem)
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		return cty.MapVal(vals), nil
	case kindSequence:
		n, err := d.dec.DecodeArrayLen()
		if err != nil || n < 0 {
			return cty.NilVal, errFallback
		}
		if n == 0 {
			if p.ty.IsSetType() {
				return cty.SetValEmpty(p.ty.ElementType()), nil
			}
			return cty.ListValEmpty(p.ty.ElementType()), nil
		}
		vals := make([]cty.Value, n)
		for i := range vals {
			if vals[i], err = d.value(p.elem); err != nil {
				return cty.NilVal, err
			}
		}
		if p.ty.IsSetType() {
			return cty.SetVal(vals), nil
		}
		return cty.ListVal(vals), nil
	case kindTuple:
		n, err := d.dec.DecodeArrayLen()
		if err != nil || n != len(p.elems) {
			return cty.NilVal, errFallback
		}
		vals := make([]cty.Value, n)
		for i, ep := range p.elems {
			if vals[i], err = d.value(ep); err != nil {
				return cty.NilVal, err
			}
		}
		return cty.TupleVal(vals), nil
	}
	return cty.NilVal, errFallback
}

// number reads a number as cty does: integers, floats, or a string for
// what neither holds.
func (d *decoder) number(code byte) (cty.Value, error) {
	switch {
	case msgpcode.IsFixedNum(code), code == msgpcode.Int8, code == msgpcode.Int16, code == msgpcode.Int32, code == msgpcode.Int64:
		i, err := d.dec.DecodeInt64()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.NumberIntVal(i), nil
	case code == msgpcode.Uint8, code == msgpcode.Uint16, code == msgpcode.Uint32, code == msgpcode.Uint64:
		u, err := d.dec.DecodeUint64()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.NumberUIntVal(u), nil
	case code == msgpcode.Float, code == msgpcode.Double:
		f, err := d.dec.DecodeFloat64()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.NumberFloatVal(f), nil
	}
	s, err := d.dec.DecodeString()
	if err != nil {
		return cty.NilVal, err
	}
	return cty.ParseNumberVal(s)
}
