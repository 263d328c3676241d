package convert

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"sort"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// Type is a cty type with what encoding its values needs worked out once,
// and the values of its encodings decoded lately. cty's msgpack.Marshal
// sorts an object's attribute names, normalises each of them and allocates
// an encoder for every value it encodes, which for the small objects of a
// large plan costs more than the rest of the call. Encode writes exactly
// the bytes msgpack.Marshal writes, so either side can decode them with
// cty's Unmarshal.
type Type struct {
	ty     cty.Type
	plan   *plan
	recent *decodeCache
	kept   *keptEncodings
}

// TypeOf prepares ty for encoding and decoding.
func TypeOf(ty cty.Type) Type {
	if ty == cty.NilType {
		ty = cty.DynamicPseudoType
	}
	return Type{ty: ty, plan: planOf(ty), recent: &decodeCache{}, kept: &keptEncodings{}}
}

// Decode decodes a value encoded against t.
func (t Type) Decode(b []byte) (cty.Value, error) {
	if t.recent == nil {
		return ctymsgpack.Unmarshal(b, t.Cty())
	}
	if v, ok := t.recent.get(b); ok {
		return v, nil
	}
	v, err := decode(b, t.plan)
	if err == nil {
		t.recent.put(b, v)
	}
	return v, err
}

// decodeCache remembers the values of encodings decoded lately. The same
// object often arrives several times (refreshed, then planned against; a
// configuration validated, then planned), and decoding is most of what a
// call costs a plugin. cty values are immutable, so callers can share one.
//
// A plan refreshes every object in large batches before it plans them, so
// the cache holds two generations: when the current one is full it becomes
// the previous one, and a hit there moves up. What was decoded lately stays
// for at least a generation, the cost of a lookup stays one or two map
// reads, and nothing keeps track of age entry by entry.
type decodeCache struct {
	mu        sync.Mutex
	cur, prev map[string]cty.Value
	curBytes  int // the keys' bytes in cur
}

const (
	// decodeCacheEntries and decodeCacheBytes bound one generation: the
	// objects of a 10,000-resource plan, refreshed then planned, fit in
	// the two.
	decodeCacheEntries = 16384
	decodeCacheBytes   = 4 << 20
	// decodeCacheMaxBytes keeps large values out: they are rarely sent
	// twice, and the cache would keep them alive.
	decodeCacheMaxBytes = 1024
)

func (c *decodeCache) get(b []byte) (cty.Value, bool) {
	if len(b) > decodeCacheMaxBytes {
		return cty.NilVal, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[string(b)]; ok {
		return v, true
	}
	v, ok := c.prev[string(b)]
	if ok {
		c.putLocked(b, v)
	}
	return v, ok
}

func (c *decodeCache) put(b []byte, v cty.Value) {
	if len(b) > decodeCacheMaxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(b, v)
}

func (c *decodeCache) putLocked(b []byte, v cty.Value) {
	if c.cur == nil || len(c.cur) >= decodeCacheEntries || c.curBytes+len(b) > decodeCacheBytes {
		c.prev, c.cur, c.curBytes = c.cur, make(map[string]cty.Value, 64), 0
	}
	c.cur[string(b)] = v
	c.curBytes += len(b)
}

// Dynamic is cty.DynamicPseudoType: values travel with their type.
var Dynamic = TypeOf(cty.DynamicPseudoType)

// Cty is the cty type.
func (t Type) Cty() cty.Type {
	if t.plan == nil {
		return cty.DynamicPseudoType
	}
	return t.ty
}

type kind uint8

const (
	// kindCty leaves the value to cty's own encoder: dynamic values,
	// which carry their type, and anything unusual.
	kindCty kind = iota
	kindString
	kindNumber
	kindBool
	kindObject
	kindMap
	kindSequence // list or set
	kindTuple
)

type plan struct {
	kind  kind
	ty    cty.Type
	attrs []attrPlan // kindObject, by name
	elem  *plan      // kindMap, kindSequence
	elems []*plan    // kindTuple
}

type attrPlan struct {
	name string
	norm string // the name as cty writes it: NFC-normalised
	key  []byte // the name, msgpack-encoded
	plan *plan
}

func planOf(ty cty.Type) *plan {
	p := &plan{ty: ty}
	switch {
	case ty == cty.String:
		p.kind = kindString
	case ty == cty.Number:
		p.kind = kindNumber
	case ty == cty.Bool:
		p.kind = kindBool
	case ty.IsObjectType():
		p.kind = kindObject
		atys := ty.AttributeTypes()
		names := make([]string, 0, len(atys))
		for name := range atys {
			names = append(names, name)
		}
		// The order cty's encoder writes them in.
		sort.Strings(names)
		for _, name := range names {
			key, err := msgpack.Marshal(cty.NormalizeString(name))
			if err != nil {
				return &plan{ty: ty}
			}
			p.attrs = append(p.attrs, attrPlan{name: name, norm: cty.NormalizeString(name), key: key, plan: planOf(atys[name])})
		}
	case ty.IsMapType():
		p.kind, p.elem = kindMap, planOf(ty.ElementType())
	case ty.IsListType(), ty.IsSetType():
		p.kind, p.elem = kindSequence, planOf(ty.ElementType())
	case ty.IsTupleType():
		p.kind = kindTuple
		for _, ety := range ty.TupleElementTypes() {
			p.elems = append(p.elems, planOf(ety))
		}
	}
	return p
}

// fits is a shallow check that values of ty can be encoded with p: the
// elements and attributes are checked as they are encoded. It is much
// cheaper than comparing types, which walks both whole.
func (p *plan) fits(ty cty.Type) bool {
	switch p.kind {
	case kindString:
		return ty == cty.String
	case kindNumber:
		return ty == cty.Number
	case kindBool:
		return ty == cty.Bool
	case kindObject:
		// Whether it has the same attributes shows when they are read:
		// cty panics for one it lacks.
		return ty.IsObjectType() && len(ty.AttributeTypes()) == len(p.attrs)
	case kindMap:
		return ty.IsMapType()
	case kindSequence:
		return ty.IsListType() && p.ty.IsListType() || ty.IsSetType() && p.ty.IsSetType()
	case kindTuple:
		return ty.IsTupleType() && len(ty.TupleElementTypes()) == len(p.elems)
	}
	return false
}

type encoder struct {
	buf    bytes.Buffer
	enc    *msgpack.Encoder
	marked bool // a value had marks
}

var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = msgpack.NewEncoder(&e.buf)
	return e
}}

// Encode encodes v against t as cty's msgpack.Marshal would, marks
// dropped; marked says whether v had any. A value of another type than t
// is converted to it first, by cty, as Marshal does.
func Encode(v cty.Value, t Type) (b []byte, marked bool, err error) {
	if t.plan == nil {
		t = Dynamic
	}
	e := encoders.Get().(*encoder)
	defer encoders.Put(e)
	e.buf.Reset()
	e.enc.Reset(&e.buf)
	// As cty configures its encoder.
	e.enc.UseCompactInts(true)
	e.enc.UseCompactFloats(false)
	e.marked = false
	if err := e.encodeTop(v, t.plan); err != nil {
		if errors.Is(err, errOtherType) {
			return marshalCty(v, t.ty)
		}
		return nil, false, err
	}
	return bytes.Clone(e.buf.Bytes()), e.marked, nil
}

// errOtherType stops the encoder at a value whose type is not the one it
// planned for; cty's encoder then converts the value, or says why it
// cannot.
var errOtherType = errors.New("value of another type")

// marshalCty is cty's own encoder. It refuses marks, which are looked for
// only when it did, since hardly any value has them.
func marshalCty(v cty.Value, ty cty.Type) (b []byte, marked bool, err error) {
	b, err = ctymsgpack.Marshal(v, ty)
	if err != nil && v.ContainsMarked() {
		v, _ = v.UnmarkDeep()
		b, err = ctymsgpack.Marshal(v, ty)
		marked = true
	}
	return b, marked, err
}

// encodeTop is encode, with a value of an object type with other attribute
// names of the same number, on which cty panics, as one of another type.
func (e *encoder) encodeTop(v cty.Value, p *plan) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errOtherType
		}
	}()
	return e.encode(v, p)
}

func (e *encoder) encode(v cty.Value, p *plan) error {
	if v.IsMarked() {
		v, _ = v.Unmark()
		e.marked = true
	}
	if p.kind == kindCty || !v.IsKnown() {
		// msgpack is self-delimiting, so cty's encoding of the value
		// alone is also its encoding in place.
		return e.writeCty(v, p.ty)
	}
	if v.IsNull() {
		return e.enc.EncodeNil()
	}
	if !p.fits(v.Type()) {
		return errOtherType
	}
	switch p.kind {
	case kindString:
		return e.enc.EncodeString(v.AsString())
	case kindBool:
		return e.enc.EncodeBool(v.True())
	case kindNumber:
		bf := v.AsBigFloat()
		switch {
		case bf.IsInf():
			return e.enc.EncodeFloat64(math.Inf(bf.Sign()))
		default:
			if iv, acc := bf.Int64(); acc == big.Exact {
				return e.enc.EncodeInt(iv)
			} else if fv, acc := bf.Float64(); acc == big.Exact && !bf.IsInt() {
				return e.enc.EncodeFloat64(fv)
			}
			return e.enc.EncodeString(bf.Text('f', -1))
		}
	case kindObject:
		if err := e.enc.EncodeMapLen(len(p.attrs)); err != nil {
			return err
		}
		for i := range p.attrs {
			a := &p.attrs[i]
			e.buf.Write(a.key)
			if err := e.encode(v.GetAttr(a.name), a.plan); err != nil {
				return err
			}
		}
		return nil
	case kindMap:
		if err := e.enc.EncodeMapLen(v.LengthInt()); err != nil {
			return err
		}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if err := e.enc.EncodeString(k.AsString()); err != nil {
				return err
			}
			if err := e.encode(ev, p.elem); err != nil {
				return err
			}
		}
		return nil
	case kindSequence:
		if err := e.enc.EncodeArrayLen(v.LengthInt()); err != nil {
			return err
		}
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			if err := e.encode(ev, p.elem); err != nil {
				return err
			}
		}
		return nil
	case kindTuple:
		if err := e.enc.EncodeArrayLen(len(p.elems)); err != nil {
			return err
		}
		i := 0
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			if err := e.encode(ev, p.elems[i]); err != nil {
				return err
			}
			i++
		}
		return nil
	}
	return e.writeCty(v, p.ty)
}

func (e *encoder) writeCty(v cty.Value, ty cty.Type) error {
	b, marked, err := marshalCty(v, ty)
	if err != nil {
		return err
	}
	e.marked = e.marked || marked
	_, err = e.buf.Write(b)
	return err
}
