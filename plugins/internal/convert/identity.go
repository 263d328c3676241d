package convert

import (
	"reflect"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// Same reports whether a and b are one value, not merely equal ones: the
// object or map a provider was given, handed back as it is. cty values are
// immutable, so one value encodes alike wherever it goes, and a peer can
// answer "unchanged" without encoding it to find out.
//
// Same looks at how cty holds an object's attributes or a map's elements.
// For other values, and should cty ever hold them otherwise, it answers
// false, and callers compare encodings as before.
func Same(a, b cty.Value) bool {
	id := identity(a)
	return id != 0 && id == identity(b)
}

// valueField is the index of the field of cty.Value that holds its
// contents, or -1 if cty.Value has none by that name.
var valueField = func() int {
	f, ok := reflect.TypeFor[cty.Value]().FieldByName("v")
	if !ok || f.Type.Kind() != reflect.Interface || len(f.Index) != 1 {
		return -1
	}
	return f.Index[0]
}()

// identity is the address of the Go map that holds an object's attributes
// or a map's elements, or 0 for any other value: null, unknown and marked
// values, primitives and sequences. Two live values with the same identity
// are the same value.
func identity(v cty.Value) uintptr {
	if valueField < 0 {
		return 0
	}
	f := reflect.ValueOf(&v).Elem().Field(valueField)
	if f.IsNil() {
		return 0
	}
	if e := f.Elem(); e.Kind() == reflect.Map && !e.IsNil() {
		return e.Pointer()
	}
	return 0
}

// keptEncodings remembers, by identity, the encodings of values that are
// likely to be sent again: a plan reads every object in state, then sends
// the same objects as the prior state of its plan calls. Each entry holds
// its value, so that no other map can take its address while the entry
// exists. Like decodeCache, it keeps two generations.
type keptEncodings struct {
	mu        sync.Mutex
	cur, prev map[uintptr]keptEncoding
}

type keptEncoding struct {
	v cty.Value // keeps the map at the key's address alive
	b []byte
}

// keptEntries bounds one generation.
const keptEntries = 16384

func (k *keptEncodings) get(id uintptr) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e, ok := k.cur[id]; ok {
		return e.b, true
	}
	e, ok := k.prev[id]
	if ok {
		k.putLocked(id, e)
	}
	return e.b, ok
}

func (k *keptEncodings) put(id uintptr, v cty.Value, b []byte) {
	if len(b) > decodeCacheMaxBytes {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.putLocked(id, keptEncoding{v: v, b: b})
}

func (k *keptEncodings) putLocked(id uintptr, e keptEncoding) {
	if k.cur == nil || len(k.cur) >= keptEntries {
		k.prev, k.cur = k.cur, make(map[uintptr]keptEncoding, 64)
	}
	k.cur[id] = e
}

// EncodeKept is Encode for a value likely to be sent again: the encoding
// of an object or map without marks is remembered, and the same value,
// sent again while it is, is not encoded again.
func EncodeKept(v cty.Value, t Type) (b []byte, marked bool, err error) {
	id := identity(v)
	if id == 0 || t.kept == nil {
		return Encode(v, t)
	}
	if b, ok := t.kept.get(id); ok {
		return b, false, nil
	}
	b, marked, err = Encode(v, t)
	if err == nil && !marked {
		t.kept.put(id, v, b)
	}
	return b, marked, err
}
