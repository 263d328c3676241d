package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/zclconf/go-cty/cty"
)

func TestObjectTag(t *testing.T) {
	str := cty.StringVal
	strs := func(ss ...string) []cty.Value {
		out := make([]cty.Value, len(ss))
		for i, s := range ss {
			out[i] = str(s)
		}
		return out
	}
	cases := map[string]struct {
		obj       cty.Value
		sensitive []cty.Path
		want      string
		ok        bool
	}{
		"all_tags set": {
			obj:  cty.ObjectVal(map[string]cty.Value{"all_tags": cty.SetVal(strs("ente=c_h501", "web")), "tags": cty.SetVal(strs("web"))}),
			want: "c_h501", ok: true,
		},
		"tags list when all_tags unknown": {
			obj:  cty.ObjectVal(map[string]cty.Value{"all_tags": cty.UnknownVal(cty.Set(cty.String)), "tags": cty.ListVal(strs("x", "ente=c_a944"))}),
			want: "c_a944", ok: true,
		},
		"value with an equals sign": {
			obj:  cty.ObjectVal(map[string]cty.Value{"tags": cty.ListVal(strs("ente=a=b"))}),
			want: "a=b", ok: true,
		},
		"metadata map": {
			obj:  cty.ObjectVal(map[string]cty.Value{"all_metadata": cty.MapVal(map[string]cty.Value{"ente": str("c_h501")})}),
			want: "c_h501", ok: true,
		},
		"metadata object": {
			obj:  cty.ObjectVal(map[string]cty.Value{"metadata": cty.ObjectVal(map[string]cty.Value{"ente": str("c_h501"), "n": cty.NumberIntVal(1)})}),
			want: "c_h501", ok: true,
		},
		"no tag": {
			obj: cty.ObjectVal(map[string]cty.Value{"all_tags": cty.SetVal(strs("web")), "all_metadata": cty.MapValEmpty(cty.String)}),
		},
		"no tag attributes": {obj: cty.ObjectVal(map[string]cty.Value{"id": str("x")})},
		"null object":       {obj: cty.NullVal(cty.Object(map[string]cty.Type{"tags": cty.List(cty.String)}))},
		"unknown object":    {obj: cty.DynamicVal},
		"nil":               {obj: cty.NilVal},
		"sensitive tags": {
			obj:       cty.ObjectVal(map[string]cty.Value{"tags": cty.ListVal(strs("ente=c_h501"))}),
			sensitive: []cty.Path{cty.GetAttrPath("tags").Index(cty.NumberIntVal(0))},
		},
		"sensitive tags spelled as an index": {
			obj:       cty.ObjectVal(map[string]cty.Value{"metadata": cty.MapVal(map[string]cty.Value{"ente": str("c_h501")})}),
			sensitive: []cty.Path{cty.IndexPath(str("metadata"))},
		},
		"whole object sensitive": {
			obj:       cty.ObjectVal(map[string]cty.Value{"tags": cty.ListVal(strs("ente=c_h501"))}),
			sensitive: []cty.Path{{}},
		},
		"other attribute sensitive": {
			obj:       cty.ObjectVal(map[string]cty.Value{"tags": cty.ListVal(strs("ente=c_h501")), "password": str("x")}),
			sensitive: []cty.Path{cty.GetAttrPath("password")},
			want:      "c_h501", ok: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := ObjectTag(tc.obj, tc.sensitive, TagEnte)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestResourceChangeTags(t *testing.T) {
	tagged := func(tags ...string) cty.Value {
		vs := make([]cty.Value, len(tags))
		for i, s := range tags {
			vs[i] = cty.StringVal(s)
		}
		return cty.ObjectVal(map[string]cty.Value{"all_tags": cty.SetVal(vs)})
	}
	del := &ResourceChange{Action: Delete, Before: tagged("ente=c_h501", "classification=critico"), After: cty.NullVal(cty.DynamicPseudoType)}
	assert.Equal(t, "c_h501", del.Ente(), "a deletion is labelled by the object it deletes")
	assert.Equal(t, "critico", del.Classification())
	moved := &ResourceChange{Action: Update, Before: tagged("ente=c_h501"), After: tagged("ente=c_a944")}
	assert.Equal(t, "c_a944", moved.Ente(), "the object after the change wins")
	pending := &ResourceChange{Action: Update, Before: tagged("ente=c_h501"),
		After: cty.ObjectVal(map[string]cty.Value{"all_tags": cty.UnknownVal(cty.Set(cty.String))})}
	assert.Equal(t, "c_h501", pending.Ente(), "tags known only after apply fall back to the object before")
	assert.Equal(t, "", (&ResourceChange{}).Ente())
	assert.Equal(t, "", (*ResourceChange)(nil).Ente())
}
