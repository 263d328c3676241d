package convert

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// TestSame checks that Same tells one value from an equal one. Should cty
// hold values differently, valueField fails here rather than Same quietly
// answering false everywhere.
func TestSame(t *testing.T) {
	require.GreaterOrEqual(t, valueField, 0, "cty.Value holds its contents in a field named v")
	obj := func() cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "tags": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")})})
	}
	a := obj()
	copied := a
	assert.True(t, Same(a, copied), "a copy of a value is the value")
	assert.True(t, Same(a.GetAttr("tags"), copied.GetAttr("tags")), "so is a map inside it")
	assert.False(t, Same(a, obj()), "an equal value built apart is another value")
	unmarked, _ := a.Mark("sensitive").Unmark()
	assert.True(t, Same(a, unmarked))
	assert.False(t, Same(a, a.Mark("sensitive")), "a marked value has no identity")
	ty := a.Type()
	for _, v := range []cty.Value{cty.NullVal(ty), cty.UnknownVal(ty), cty.StringVal("a"), cty.ListVal([]cty.Value{cty.True})} {
		assert.False(t, Same(v, v), "%#v has no identity", v)
	}
}

// TestEncodeKept checks that EncodeKept encodes as Encode does, and that the
// same value sent again gets the bytes already made, while an equal value
// built apart, or one with marks, is encoded afresh.
func TestEncodeKept(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"id": cty.String, "tags": cty.Map(cty.String)})
	typ := TypeOf(ty)
	val := func() cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "tags": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")})})
	}
	want, err := ctymsgpack.Marshal(val(), ty)
	require.NoError(t, err)

	v := val()
	first, marked, err := EncodeKept(v, typ)
	require.NoError(t, err)
	assert.False(t, marked)
	assert.Equal(t, want, first)
	again, _, err := EncodeKept(v, typ)
	require.NoError(t, err)
	assert.Same(t, unsafe.SliceData(first), unsafe.SliceData(again), "the same value is not encoded again")

	other, _, err := EncodeKept(val(), typ)
	require.NoError(t, err)
	assert.Equal(t, want, other)
	assert.NotSame(t, unsafe.SliceData(first), unsafe.SliceData(other), "an equal value is encoded")

	withMarks := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a").Mark("sensitive"), "tags": cty.MapValEmpty(cty.String)})
	for range 2 {
		_, marked, err := EncodeKept(withMarks, typ)
		require.NoError(t, err)
		assert.True(t, marked, "marks are reported every time")
	}

	// Past a generation, a value still in the previous one is found
	// there; past two, it is encoded again.
	for range keptEntries {
		_, _, err := EncodeKept(val(), typ)
		require.NoError(t, err)
	}
	kept, _, err := EncodeKept(v, typ)
	require.NoError(t, err)
	assert.Same(t, unsafe.SliceData(first), unsafe.SliceData(kept))
	for range 2 * keptEntries {
		_, _, err := EncodeKept(val(), typ)
		require.NoError(t, err)
	}
	late, _, err := EncodeKept(v, typ)
	require.NoError(t, err)
	assert.Equal(t, want, late)
	assert.NotSame(t, unsafe.SliceData(first), unsafe.SliceData(late))
}
