package sdk

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/nuvola-pa/nuvola/plugins"
)

func TestAttributeConstructors(t *testing.T) {
	assert.Equal(t, &plugins.Attribute{Type: cty.String, Required: true}, Required(cty.String))
	assert.Equal(t, &plugins.Attribute{Type: cty.Number, Optional: true}, Optional(cty.Number))
	assert.Equal(t, &plugins.Attribute{Type: cty.Bool, Computed: true}, Computed(cty.Bool))
	assert.Equal(t, &plugins.Attribute{Type: cty.String, Optional: true, Computed: true}, OptionalComputed(cty.String))

	a := Describe(Deprecated(Sensitive(ForceNew(Required(cty.String)))), "The name.")
	assert.Equal(t, &plugins.Attribute{Type: cty.String, Required: true, ForceNew: true, Sensitive: true, Deprecated: true, Description: "The name."}, a)

	d := Default(Required(cty.String), cty.StringVal("x"))
	assert.Equal(t, &plugins.Attribute{Type: cty.String, Optional: true, Computed: true, Default: cty.StringVal("x")}, d,
		"a defaulted attribute is optional and computed")
}

func TestModifiersCopy(t *testing.T) {
	shared := Optional(cty.String)
	s := Sensitive(shared)
	f := ForceNew(shared)
	assert.False(t, shared.Sensitive)
	assert.False(t, shared.ForceNew)
	assert.True(t, s.Sensitive)
	assert.False(t, s.ForceNew)
	assert.True(t, f.ForceNew)
}

func TestBlocks(t *testing.T) {
	empty := Block(nil, nil)
	assert.NotNil(t, empty.Attributes)
	assert.NotNil(t, empty.BlockTypes)
	assert.Equal(t, cty.EmptyObject, empty.ImpliedType())

	inner := Block(Attrs{"port": Required(cty.Number)}, nil)
	b := Block(Attrs{"name": Required(cty.String)}, Blocks{
		"single":   SingleBlock(inner),
		"required": RequiredBlock(inner),
		"list":     ListBlock(inner, 1, 3),
		"set":      SetBlock(inner, 0, 0),
		"map":      MapBlock(inner),
	})
	assert.Equal(t, plugins.NestingSingle, b.BlockTypes["single"].Nesting)
	assert.Equal(t, 0, b.BlockTypes["single"].MinItems)
	assert.Equal(t, 1, b.BlockTypes["required"].MinItems)
	assert.Equal(t, 1, b.BlockTypes["required"].MaxItems)
	assert.Equal(t, plugins.NestedBlock{Block: *inner, Nesting: plugins.NestingList, MinItems: 1, MaxItems: 3}, *b.BlockTypes["list"])
	assert.Equal(t, plugins.NestingSet, b.BlockTypes["set"].Nesting)
	assert.Equal(t, plugins.NestingMap, b.BlockTypes["map"].Nesting)

	ity := cty.Object(map[string]cty.Type{"port": cty.Number})
	assert.Equal(t, cty.Object(map[string]cty.Type{
		"name": cty.String, "single": ity, "required": ity,
		"list": cty.List(ity), "set": cty.Set(ity), "map": cty.Map(ity),
	}), b.ImpliedType())
}

func TestDiagnostics(t *testing.T) {
	p := cty.GetAttrPath("rule").IndexInt(0).GetAttr("port")
	assert.Equal(t, plugins.Diagnostic{Severity: plugins.Error, Summary: "Bad port", Detail: "Too high.", Attribute: p}, AttrError(p, "Bad port", "Too high."))
	assert.Equal(t, plugins.Diagnostic{Severity: plugins.Warning, Summary: "Odd port", Detail: "Unusual.", Attribute: p}, AttrWarning(p, "Odd port", "Unusual."))
	assert.Equal(t, plugins.Diagnostic{Severity: plugins.Error, Summary: "Broken", Detail: "Badly."}, Error("Broken", "Badly."))
	assert.Equal(t, plugins.Diagnostic{Severity: plugins.Warning, Summary: "Careful", Detail: "Mind it."}, Warning("Careful", "Mind it."))

	assert.Nil(t, FromErr(nil))
	d := FromErr(errors.New("the API said no"))
	require.Len(t, d, 1)
	assert.Equal(t, plugins.Diagnostic{Severity: plugins.Error, Summary: "the API said no"}, d[0])
	assert.True(t, d.HasErrors())

	// A conversion error carries the path of the element that failed, and
	// keeps it through wrapping.
	_, err := convert.Convert(cty.ObjectVal(map[string]cty.Value{"port": cty.StringVal("eighty")}), cty.Object(map[string]cty.Type{"port": cty.Number}))
	require.Error(t, err)
	d = FromErr(fmt.Errorf("decoding the rule: %w", err))
	require.Len(t, d, 1)
	assert.Equal(t, cty.GetAttrPath("port"), d[0].Attribute)
}

var nestedSchema = Block(Attrs{
	"name":    Required(cty.String),
	"id":      Computed(cty.String),
	"size":    Default(Optional(cty.Number), cty.NumberIntVal(1)),
	"address": OptionalComputed(cty.String),
	"note":    Optional(cty.String),
}, Blocks{
	"network": SingleBlock(Block(Attrs{"name": Required(cty.String), "fixed_ip": OptionalComputed(cty.String)}, nil)),
	"rule":    ListBlock(Block(Attrs{"port": Required(cty.Number), "rule_id": Computed(cty.String), "proto": Default(Optional(cty.String), cty.StringVal("tcp"))}, nil), 0, 0),
	"volume":  SetBlock(Block(Attrs{"size": Required(cty.Number), "volume_id": Computed(cty.String)}, nil), 0, 0),
	"env":     MapBlock(Block(Attrs{"value": Optional(cty.String), "version": Computed(cty.Number)}, nil)),
})

var (
	ruleType   = nestedSchema.BlockTypes["rule"].Block.ImpliedType()
	volumeType = nestedSchema.BlockTypes["volume"].Block.ImpliedType()
	envType    = nestedSchema.BlockTypes["env"].Block.ImpliedType()
)

func proposedServer() cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"name":    cty.StringVal("web"),
		"id":      cty.NullVal(cty.String),
		"size":    cty.NullVal(cty.Number),
		"address": cty.StringVal("10.0.0.1"),
		"note":    cty.NullVal(cty.String),
		"network": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("lan"), "fixed_ip": cty.NullVal(cty.String)}),
		"rule": cty.ListVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(22), "rule_id": cty.NullVal(cty.String), "proto": cty.NullVal(cty.String)}),
			cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(53), "rule_id": cty.NullVal(cty.String), "proto": cty.StringVal("udp")}),
		}),
		"volume": cty.SetVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"size": cty.NumberIntVal(10), "volume_id": cty.NullVal(cty.String)}),
		}),
		"env": cty.MapVal(map[string]cty.Value{
			"A": cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal("1"), "version": cty.NullVal(cty.Number)}),
		}),
	})
}

func TestApplyDefaultsThenSetComputedUnknown(t *testing.T) {
	got := SetComputedUnknown(nestedSchema, ApplyDefaults(nestedSchema, proposedServer()))
	want := cty.ObjectVal(map[string]cty.Value{
		"name":    cty.StringVal("web"),
		"id":      cty.UnknownVal(cty.String),
		"size":    cty.NumberIntVal(1),
		"address": cty.StringVal("10.0.0.1"),
		"note":    cty.NullVal(cty.String),
		"network": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("lan"), "fixed_ip": cty.UnknownVal(cty.String)}),
		"rule": cty.ListVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(22), "rule_id": cty.UnknownVal(cty.String), "proto": cty.StringVal("tcp")}),
			cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(53), "rule_id": cty.UnknownVal(cty.String), "proto": cty.StringVal("udp")}),
		}),
		"volume": cty.SetVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"size": cty.NumberIntVal(10), "volume_id": cty.UnknownVal(cty.String)}),
		}),
		"env": cty.MapVal(map[string]cty.Value{
			"A": cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal("1"), "version": cty.UnknownVal(cty.Number)}),
		}),
	})
	assert.True(t, want.RawEquals(got), "got %#v", got)
	assert.True(t, got.Type().Equals(nestedSchema.ImpliedType()))
}

func TestSetComputedUnknownOnly(t *testing.T) {
	got := SetComputedUnknown(nestedSchema, proposedServer())
	assert.False(t, got.GetAttr("size").IsKnown(), "without ApplyDefaults first, a defaulted attribute is just computed")
	assert.False(t, got.GetAttr("id").IsKnown())
	assert.Equal(t, cty.StringVal("10.0.0.1"), got.GetAttr("address"), "a configured value stays")
	assert.True(t, got.GetAttr("note").IsNull(), "an optional attribute stays null")
}

func TestValueHelpersLeaveEmptyAndUnknownAlone(t *testing.T) {
	ty := nestedSchema.ImpliedType()
	for _, v := range []cty.Value{cty.NullVal(ty), cty.UnknownVal(ty)} {
		assert.True(t, v.RawEquals(SetComputedUnknown(nestedSchema, v)))
		assert.True(t, v.RawEquals(ApplyDefaults(nestedSchema, v)))
	}
	v := proposedServer()
	attrs := v.AsValueMap()
	attrs["rule"] = cty.ListValEmpty(ruleType)
	attrs["volume"] = cty.NullVal(cty.Set(volumeType))
	attrs["env"] = cty.UnknownVal(cty.Map(envType))
	attrs["network"] = cty.NullVal(nestedSchema.BlockTypes["network"].Block.ImpliedType())
	v = cty.ObjectVal(attrs)
	got := SetComputedUnknown(nestedSchema, v)
	assert.True(t, got.GetAttr("rule").RawEquals(cty.ListValEmpty(ruleType)))
	assert.True(t, got.GetAttr("volume").IsNull())
	assert.False(t, got.GetAttr("env").IsKnown())
	assert.True(t, got.GetAttr("network").IsNull())
	assert.False(t, got.GetAttr("id").IsKnown())

	assert.True(t, cty.StringVal("x").RawEquals(SetComputedUnknown(nil, cty.StringVal("x"))))
}

func TestStringAttr(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{
		"s": cty.StringVal("v"), "n": cty.NullVal(cty.String), "u": cty.UnknownVal(cty.String), "num": cty.NumberIntVal(1),
	})
	s, ok := StringAttr(obj, "s")
	assert.True(t, ok)
	assert.Equal(t, "v", s)
	for _, name := range []string{"n", "u", "num", "missing"} {
		_, ok := StringAttr(obj, name)
		assert.False(t, ok, name)
	}
	_, ok = StringAttr(cty.NullVal(obj.Type()), "s")
	assert.False(t, ok)
	_, ok = StringAttr(cty.StringVal("x"), "s")
	assert.False(t, ok)
}
