package engine

import (
	"encoding/json"
	"github.com/nuvola-pa/nuvola/engine/internal/jsonscan"
	"sync"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// unmarshalAttrs decodes a stored object's attributes exactly as
// ctyjson.Unmarshal does. ctyjson starts a new encoding/json decoder for
// every nested value, so a terraform_data object, whose dynamically typed
// attributes each carry their type, costs about forty allocations and 20 KB
// of garbage; at 10,000 instances that decoding dominated a no-change plan.
//
// The fast path below accepts only strictly well-formed JSON whose kinds
// match the type; anything else (an unknown attribute, a duplicate key,
// a string where a number belongs, inconsistent element types, trailing
// data) goes to ctyjson, so lenient conversions and error messages stay
// ctyjson's own.
func unmarshalAttrs(buf []byte, ty cty.Type) (cty.Value, error) {
	d := jsonDec{b: buf}
	if v, ok := d.value(ty); ok {
		d.ws()
		if d.i == len(d.b) {
			return v, nil
		}
	}
	return ctyjson.Unmarshal(buf, ty)
}

type jsonDec struct {
	b []byte
	i int
}

func (d *jsonDec) ws() { d.i = jsonscan.SkipSpace(d.b, d.i) }

// peek skips white space and returns the next byte, or 0 at the end.
func (d *jsonDec) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *jsonDec) lit(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

func (d *jsonDec) value(ty cty.Type) (cty.Value, bool) {
	c := d.peek()
	if c == 'n' {
		if !d.lit("null") {
			return cty.NilVal, false
		}
		return cty.NullVal(ty), true
	}
	switch {
	case ty == cty.DynamicPseudoType:
		return d.dynamic()
	case ty == cty.String:
		if c != '"' {
			return cty.NilVal, false
		}
		s, ok := d.str()
		if !ok {
			return cty.NilVal, false
		}
		return cty.StringVal(s), true
	case ty == cty.Number:
		start := d.i
		if !d.num() {
			return cty.NilVal, false
		}
		v, err := cty.ParseNumberVal(string(d.b[start:d.i]))
		return v, err == nil
	case ty == cty.Bool:
		if d.lit("true") {
			return cty.True, true
		}
		if d.lit("false") {
			return cty.False, true
		}
		return cty.NilVal, false
	case ty.IsObjectType():
		return d.object(ty.AttributeTypes())
	case ty.IsListType(), ty.IsSetType():
		ety := ty.ElementType()
		vals, ok := d.array(func(int) (cty.Type, bool) { return ety, true })
		if !ok || !sameTypes(vals) {
			return cty.NilVal, false
		}
		switch {
		case len(vals) == 0 && ty.IsListType():
			return cty.ListValEmpty(ety), true
		case len(vals) == 0:
			return cty.SetValEmpty(ety), true
		case ty.IsListType():
			return cty.ListVal(vals), true
		}
		return cty.SetVal(vals), true
	case ty.IsTupleType():
		etys := ty.TupleElementTypes()
		vals, ok := d.array(func(i int) (cty.Type, bool) {
			if i >= len(etys) {
				return cty.NilType, false
			}
			return etys[i], true
		})
		if !ok || len(vals) != len(etys) {
			return cty.NilVal, false
		}
		if len(vals) == 0 {
			return cty.EmptyTupleVal, true
		}
		return cty.TupleVal(vals), true
	case ty.IsMapType():
		return d.mapVal(ty.ElementType())
	}
	return cty.NilVal, false
}

func sameTypes(vals []cty.Value) bool {
	for i := 1; i < len(vals); i++ {
		if !vals[i].Type().Equals(vals[0].Type()) {
			return false
		}
	}
	return true
}

func (d *jsonDec) array(elemType func(int) (cty.Type, bool)) ([]cty.Value, bool) {
	if d.peek() != '[' {
		return nil, false
	}
	d.i++
	var vals []cty.Value
	if d.peek() == ']' {
		d.i++
		return vals, true
	}
	for {
		ety, ok := elemType(len(vals))
		if !ok {
			return nil, false
		}
		v, ok := d.value(ety)
		if !ok {
			return nil, false
		}
		vals = append(vals, v)
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return vals, true
		default:
			return nil, false
		}
	}
}

// members walks an object's members, calling fn with each key; fn decodes
// the member's value.
func (d *jsonDec) members(fn func(key []byte) bool) bool {
	if d.peek() != '{' {
		return false
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		start := d.i
		raw, plain, ok := d.strRaw()
		if !ok {
			return false
		}
		if !plain {
			// Escaped keys are rare; resolve them so fn sees the real name.
			s, ok := unquoteSlow(d.b[start:d.i])
			if !ok {
				return false
			}
			raw = []byte(s)
		}
		if d.peek() != ':' {
			return false
		}
		d.i++
		if !fn(raw) {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

func (d *jsonDec) object(atys map[string]cty.Type) (cty.Value, bool) {
	vals := make(map[string]cty.Value, len(atys))
	ok := d.members(func(key []byte) bool {
		aty, known := atys[string(key)]
		if !known {
			return false
		}
		if _, dup := vals[string(key)]; dup {
			return false
		}
		v, ok := d.value(aty)
		if !ok {
			return false
		}
		vals[string(key)] = v
		return true
	})
	if !ok {
		return cty.NilVal, false
	}
	for k, aty := range atys {
		if _, exists := vals[k]; !exists {
			vals[k] = cty.NullVal(aty)
		}
	}
	if len(vals) == 0 {
		return cty.EmptyObjectVal, true
	}
	return cty.ObjectVal(vals), true
}

func (d *jsonDec) mapVal(ety cty.Type) (cty.Value, bool) {
	vals := map[string]cty.Value{}
	ok := d.members(func(key []byte) bool {
		if _, dup := vals[string(key)]; dup {
			return false
		}
		v, ok := d.value(ety)
		if !ok {
			return false
		}
		vals[string(key)] = v
		return true
	})
	if !ok {
		return cty.NilVal, false
	}
	if len(vals) == 0 {
		return cty.MapValEmpty(ety), true
	}
	first := true
	var t cty.Type
	for _, v := range vals {
		if first {
			t, first = v.Type(), false
		} else if !v.Type().Equals(t) {
			return cty.NilVal, false
		}
	}
	return cty.MapVal(vals), true
}

// dynamic decodes ctyjson's {"value": ..., "type": ...} form.
func (d *jsonDec) dynamic() (cty.Value, bool) {
	var ty cty.Type
	valStart, valEnd := -1, -1
	ok := d.members(func(key []byte) bool {
		switch string(key) {
		case "type":
			if ty != cty.NilType {
				return false
			}
			start := d.i
			if !d.skip() {
				return false
			}
			t, ok := parseType(d.b[start:d.i])
			if !ok {
				return false
			}
			ty = t
		case "value":
			if valStart >= 0 {
				return false
			}
			d.ws()
			valStart = d.i
			if !d.skip() {
				return false
			}
			valEnd = d.i
		default:
			return false
		}
		return true
	})
	if !ok || ty == cty.NilType || valStart < 0 {
		return cty.NilVal, false
	}
	sub := jsonDec{b: d.b[valStart:valEnd]}
	v, ok := sub.value(ty)
	if !ok || sub.i != len(sub.b) {
		return cty.NilVal, false
	}
	return v, true
}

// typeCache remembers the types named in dynamically typed values: a state
// repeats the same few types once per instance. Its size is capped, so an
// unusual state costs speed, never memory.
var typeCache struct {
	sync.RWMutex
	m map[string]cty.Type
}

const typeCacheMax = 4096

func parseType(raw []byte) (cty.Type, bool) {
	switch string(raw) {
	case `"string"`:
		return cty.String, true
	case `"number"`:
		return cty.Number, true
	case `"bool"`:
		return cty.Bool, true
	case `"dynamic"`:
		return cty.DynamicPseudoType, true
	}
	typeCache.RLock()
	t, ok := typeCache.m[string(raw)]
	typeCache.RUnlock()
	if ok {
		return t, true
	}
	t, err := ctyjson.UnmarshalType(raw)
	if err != nil {
		return cty.NilType, false
	}
	typeCache.Lock()
	if typeCache.m == nil {
		typeCache.m = map[string]cty.Type{}
	}
	if len(typeCache.m) < typeCacheMax {
		typeCache.m[string(raw)] = t
	}
	typeCache.Unlock()
	return t, true
}

// str reads a string token.
func (d *jsonDec) str() (string, bool) {
	start := d.i
	raw, plain, ok := d.strRaw()
	if !ok {
		return "", false
	}
	if plain {
		return string(raw), true
	}
	return unquoteSlow(d.b[start:d.i])
}

// strRaw scans a string token. plain reports that its contents are raw,
// with neither escapes nor invalid UTF-8, and then raw holds them.
func (d *jsonDec) strRaw() (raw []byte, plain, ok bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false, false
	}
	start := d.i + 1
	plain = true
	ascii := true
	for i := start; i < len(d.b); i++ {
		c := d.b[i]
		switch {
		case c == '"':
			d.i = i + 1
			raw = d.b[start:i]
			if !ascii && !utf8.Valid(raw) {
				plain = false
			}
			return raw, plain, true
		case c == '\\':
			plain = false
			i++
			if i >= len(d.b) {
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, false, false
}

// unquoteSlow decodes a string token with escapes or invalid UTF-8 the way
// encoding/json does, which is how ctyjson reads it.
func unquoteSlow(tok []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return "", false
	}
	return s, true
}

// num scans a number token with JSON's grammar.
func (d *jsonDec) num() bool {
	end, ok := jsonscan.NumberEnd(d.b, d.i)
	if ok {
		d.i = end
	}
	return ok
}

// skip passes over one well-formed value.
func (d *jsonDec) skip() bool {
	switch d.peek() {
	case '"':
		_, _, ok := d.strRaw()
		return ok
	case 't':
		return d.lit("true")
	case 'f':
		return d.lit("false")
	case 'n':
		return d.lit("null")
	case '[':
		d.i++
		if d.peek() == ']' {
			d.i++
			return true
		}
		for {
			if !d.skip() {
				return false
			}
			switch d.peek() {
			case ',':
				d.i++
			case ']':
				d.i++
				return true
			default:
				return false
			}
		}
	case '{':
		return d.members(func([]byte) bool { return d.skip() })
	default:
		return d.num()
	}
}
