package plugins_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// TestForceNewPaths lists the force-new attributes whose planned value
// differs from the prior one or is not yet known, in name order.
func TestForceNewPaths(t *testing.T) {
	b := &plugins.Block{Attributes: map[string]*plugins.Attribute{
		"id":     {Type: cty.String, Computed: true},
		"name":   {Type: cty.String, Required: true, ForceNew: true},
		"zone":   {Type: cty.String, Optional: true, ForceNew: true},
		"size":   {Type: cty.Number, Optional: true, ForceNew: true},
		"labels": {Type: cty.Map(cty.String), Optional: true},
	}}
	obj := func(name, zone string, size cty.Value, label string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"id": cty.StringVal("1"), "name": cty.StringVal(name), "zone": cty.StringVal(zone), "size": size,
			"labels": cty.MapVal(map[string]cty.Value{"l": cty.StringVal(label)}),
		})
	}
	prior := obj("a", "z1", cty.NumberIntVal(1), "x")

	require.Nil(t, b.ForceNewPaths(prior, obj("a", "z1", cty.NumberIntVal(1), "y")), "only a not force-new attribute changed")
	require.Equal(t, []cty.Path{cty.GetAttrPath("name"), cty.GetAttrPath("zone")},
		b.ForceNewPaths(prior, obj("b", "z2", cty.NumberIntVal(1), "x")))
	require.Equal(t, []cty.Path{cty.GetAttrPath("name"), cty.GetAttrPath("size"), cty.GetAttrPath("zone")},
		b.ForceNewPaths(prior, obj("b", "z2", cty.UnknownVal(cty.Number), "x")), "an unknown planned value may differ")
	require.Nil(t, b.ForceNewPaths(cty.NullVal(prior.Type()), prior), "a create replaces nothing")
}
