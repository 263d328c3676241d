package osfw

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// A declaration whose mark has nowhere to go is a bug of the type, said at
// once; metadata brought by MetadataTags is a place.
func TestFinishChecksWhereTheMarkGoes(t *testing.T) {
	list := func(r *Resource) *Resource {
		r.ListMarked = func(_ context.Context, _ *Client) ([]Marked, error) { return nil, nil }
		return r
	}
	str := &plugins.Attribute{Type: cty.String, Optional: true}
	strMap := &plugins.Attribute{Type: cty.Map(cty.String), Optional: true}
	cases := map[string]struct {
		r      *Resource
		panics bool
	}{
		"description":                {list(&Resource{Type: "t", Mark: MarkDescription, Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{"description": str}}}), false},
		"no description":             {list(&Resource{Type: "t", Mark: MarkDescription, Block: &plugins.Block{}}), true},
		"metadata from MetadataTags": {list(&Resource{Type: "t", Mark: MarkMetadata, Tags: MetadataTags, Block: &plugins.Block{}}), false},
		"no metadata":                {list(&Resource{Type: "t", Mark: MarkMetadata, Block: &plugins.Block{}}), true},
		"properties":                 {list(&Resource{Type: "t", Mark: MarkMetadata, MarkMap: "properties", Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{"properties": strMap}}}), false},
		"properties not a map":       {list(&Resource{Type: "t", Mark: MarkMetadata, MarkMap: "properties", Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{"properties": str}}}), true},
		"no list":                    {&Resource{Type: "t", Mark: MarkDescription, Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{"description": str}}}, true},
		"remake without a mark":      {&Resource{Type: "t", Remake: func(context.Context, *Client, *Data) error { return nil }, Block: &plugins.Block{}}, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.panics {
				assert.Panics(t, tc.r.finish)
			} else {
				assert.NotPanics(t, tc.r.finish)
			}
		})
	}
}

// A metadata mark goes into the map the type names, all_metadata for
// MetadataTags types (what their creates send), and comes out of both on
// a read.
func TestMetadataMarkInAndOut(t *testing.T) {
	owner := &plugins.Owner{Address: "x.y", Lineage: "L"}
	mark := "L:" + plugins.OwnerAddressHash("x.y")
	md := func(kv ...string) cty.Value {
		m := map[string]cty.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = cty.StringVal(kv[i+1])
		}
		return cty.MapVal(m)
	}
	t.Run("properties", func(t *testing.T) {
		r := &Resource{Type: "t", Mark: MarkMetadata, MarkMap: "properties", Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"properties": {Type: cty.Map(cty.String), Optional: true, Computed: true}}},
			ListMarked: func(context.Context, *Client) ([]Marked, error) { return nil, nil }}
		r.finish()
		d := NewData(r.Block, cty.NullVal(r.Block.ImpliedType()))
		d.attrs["properties"] = cty.UnknownVal(cty.Map(cty.String))
		r.addMark(d, owner)
		assert.True(t, md(MarkOwnerKey, mark, MarkAddressKey, "x.y").RawEquals(d.Get("properties")), "%#v", d.Get("properties"))
		d.Set("properties", map[string]string{"os_distro": "debian", "Nuvola-Owner": mark})
		r.stripMark(d)
		assert.True(t, md("os_distro", "debian").RawEquals(d.Get("properties")))
	})
	t.Run("metadata with default tags", func(t *testing.T) {
		r := &Resource{Type: "t", Mark: MarkMetadata, Tags: MetadataTags, Block: &plugins.Block{},
			ListMarked: func(context.Context, *Client) ([]Marked, error) { return nil, nil }}
		r.finish()
		d := NewData(r.Block, cty.NullVal(r.Block.ImpliedType()))
		d.Set("metadata", map[string]string{"a": "1"})
		d.Set("all_metadata", map[string]string{"a": "1", "ente": "x"})
		r.addMark(d, owner)
		assert.True(t, md("a", "1", "ente", "x", MarkOwnerKey, mark, MarkAddressKey, "x.y").RawEquals(d.Get("all_metadata")))
		d.Set("metadata", map[string]string{"a": "1", MarkOwnerKey: mark, MarkAddressKey: "x.y"})
		r.stripMark(d)
		assert.True(t, md("a", "1").RawEquals(d.Get("metadata")))
		assert.True(t, md("a", "1", "ente", "x").RawEquals(d.Get("all_metadata")))
	})
}
