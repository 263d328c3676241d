package blockstorage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// readData reads a data source with the given arguments.
func readData(t *testing.T, p plugins.Provider, typ string, attrs map[string]any) (cty.Value, plugins.Diagnostics) {
	t.Helper()
	b := p.GetSchema(t.Context(), plugins.GetSchemaRequest{}).DataSources[typ].Block
	require.NotNil(t, b, typ)
	d := osfw.NewData(b, cty.NullVal(b.ImpliedType()))
	for k, v := range attrs {
		d.Set(k, v)
	}
	resp := p.ReadDataSource(t.Context(), plugins.ReadDataSourceRequest{TypeName: typ, Config: d.Value()})
	return resp.State, resp.Diagnostics
}

func TestDataSources(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	newFakeCinder(t, cloud)
	p := cloud.Provider(t, Resources(), DataSources(), nil)
	vol := osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "dati", "size": 3, "metadata": map[string]string{"uso": "x"}}))
	osfwtest.Apply(t, p, volType, cty.NilVal, object(t, p, volType, map[string]any{"name": "altro", "size": 1}))

	v, diags := readData(t, p, volType, map[string]any{"name": "dati"})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, vol.GetAttr("id"), v.GetAttr("id"))
	assert.Equal(t, cty.NumberIntVal(3), v.GetAttr("size"))
	v, diags = readData(t, p, volType, map[string]any{"metadata": map[string]string{"uso": "x"}})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, "dati", v.GetAttr("name").AsString())
	_, diags = readData(t, p, volType, map[string]any{})
	require.True(t, diags.HasErrors())
	assert.Contains(t, diags[0].Detail, "2 volumes match")

	for _, n := range []string{"s1", "s2"} {
		osfwtest.Apply(t, p, snapType, cty.NilVal, object(t, p, snapType, map[string]any{"volume_id": vol.GetAttr("id").AsString(), "name": n}))
	}
	_, diags = readData(t, p, snapType, map[string]any{"volume_id": vol.GetAttr("id").AsString()})
	require.True(t, diags.HasErrors(), "two match")
	s, diags := readData(t, p, snapType, map[string]any{"volume_id": vol.GetAttr("id").AsString(), "most_recent": true})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, cty.NumberIntVal(3), s.GetAttr("size"))

	osfwtest.Apply(t, p, vtType, cty.NilVal, object(t, p, vtType, map[string]any{"name": "ssd", "extra_specs": map[string]string{"k": "v"}}))
	vt, diags := readData(t, p, vtType, map[string]any{"name": "ssd"})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, "v", vt.GetAttr("extra_specs").AsValueMap()["k"].AsString())

	az, diags := readData(t, p, "openstack_blockstorage_availability_zones_v3", map[string]any{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, cty.ListVal([]cty.Value{cty.StringVal("nova")}), az.GetAttr("names"))

	q, diags := readData(t, p, quotaType, map[string]any{"project_id": "p9"})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, cty.NumberIntVal(10), q.GetAttr("volumes"))
	assert.Equal(t, cty.NumberIntVal(-1), q.GetAttr("volume_type_quota").AsValueMap()["volumes_standard"])
}
