package state

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

const nullProvider = `provider["registry.opentofu.org/hashicorp/null"]`

func mustInst(t testing.TB, s string) addrs.AbsResourceInstance {
	t.Helper()
	a, err := parseAbsResourceInstance(s)
	require.NoError(t, err)
	return a
}

func mustRes(t testing.TB, s string) addrs.AbsResource {
	t.Helper()
	a, err := parseAbsResource(s)
	require.NoError(t, err)
	return a
}

func obj(attrs string) *Object {
	return &Object{AttrsJSON: json.RawMessage(attrs)}
}

// sampleState exercises every part of the file format.
func sampleState(t testing.TB) *State {
	t.Helper()
	s := New()
	s.Serial = 7
	s.NuvolaVersion = "0.1.0"
	s.Outputs["ip"] = &OutputValue{Value: cty.StringVal("10.0.0.1")}
	s.Outputs["secret"] = &OutputValue{Sensitive: true, Value: cty.ObjectVal(map[string]cty.Value{
		"pw":   cty.StringVal("hunter2"),
		"n":    cty.NumberFloatVal(1.5),
		"list": cty.ListVal([]cty.Value{cty.True, cty.False}),
		"set":  cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}),
		"map":  cty.MapVal(map[string]cty.Value{"k": cty.NumberIntVal(3)}),
		"none": cty.NullVal(cty.String),
	})}
	s.Outputs["empty_tuple"] = &OutputValue{Value: cty.EmptyTupleVal}

	s.SetCurrent(mustInst(t, "null_resource.a"), &Object{
		SchemaVersion: 2,
		AttrsJSON:     json.RawMessage(`{"id":"1","password":"p","tags":{"x":"<y>&"},"list":[{"y":1}]}`),
		SensitivePaths: []cty.Path{
			cty.GetAttrPath("password"),
			cty.GetAttrPath("tags").Index(cty.StringVal("x")),
			cty.GetAttrPath("list").Index(cty.NumberIntVal(0)).GetAttr("y"),
		},
		Private:             []byte{0, 1, 2, 254, 255},
		CreateBeforeDestroy: true,
	}, nullProvider)
	s.SetDeposed(mustInst(t, "null_resource.a"), "0badcafe", obj(`{"id":"0"}`), nullProvider)
	s.SetDeposed(mustInst(t, "null_resource.a"), "00000001", &Object{AttrsJSON: json.RawMessage(`{"id":"00"}`), Status: ObjectTainted}, nullProvider)

	for _, k := range []int{0, 1, 10, 2} {
		addr := mustInst(t, fmt.Sprintf("null_resource.count[%d]", k))
		o := obj(fmt.Sprintf(`{"id":"c%d"}`, k))
		o.Dependencies = []addrs.AbsResource{mustRes(t, "null_resource.a"), mustRes(t, `module.m["x"].null_resource.y`)}
		if k == 1 {
			o.Status = ObjectTainted
		}
		s.SetCurrent(addr, o, nullProvider)
	}

	// A deposed object whose instance has no current object any more.
	s.SetDeposed(mustInst(t, `null_resource.gone["k"]`), "deadbeef", obj(`{}`), nullProvider)

	odd := `module.net["a.b"].module.sub["q\"x.y"].null_resource.x["k.1"]`
	s.SetCurrent(mustInst(t, odd), &Object{
		AttrsJSON:      json.RawMessage(`{"id":"odd"}`),
		Dependencies:   []addrs.AbsResource{mustRes(t, `module.net["a.b"].data.null_data_source.d`)},
		SensitivePaths: []cty.Path{{}},
	}, `module.net.provider["registry.opentofu.org/hashicorp/null"].alias`)
	s.SetCurrent(mustInst(t, `module.net["a.b"].module.sub["${x}\x01\xff"].null_resource.x["%{y}"]`), obj(`{"id":"weird"}`), nullProvider)
	s.SetCurrent(mustInst(t, `module.net["a.b"].data.null_data_source.d`), obj(`{"id":"d","outputs":null}`), nullProvider)
	s.SetCurrent(mustInst(t, `data.null_data_source.root`), obj(`{"id":"r"}`), nullProvider)
	return s
}

// requireStatesEqual compares states by meaning: cty values with RawEquals
// (numbers and sets have no single Go representation) and addresses by
// their string form (a root module may be nil or empty).
func requireStatesEqual(t testing.TB, want, got *State) {
	t.Helper()
	require.NotNil(t, got)
	require.Equal(t, want.Serial, got.Serial, "serial")
	require.Equal(t, want.Lineage, got.Lineage, "lineage")
	require.Equal(t, want.NuvolaVersion, got.NuvolaVersion, "nuvola version")

	require.Equal(t, sortedKeys(want.Outputs), sortedKeys(got.Outputs), "output names")
	for name, w := range want.Outputs {
		g := got.Outputs[name]
		require.Equal(t, w.Sensitive, g.Sensitive, "output %s sensitive", name)
		require.True(t, w.Value.RawEquals(g.Value), "output %s: want %#v, got %#v", name, w.Value, g.Value)
	}

	require.Equal(t, len(want.PendingCreates), len(got.PendingCreates), "pending creates")
	for k, v := range want.PendingCreates {
		require.Equal(t, v, got.PendingCreates[k], "pending create %s", k)
	}
	require.Equal(t, sortedKeys(want.Resources), sortedKeys(got.Resources), "resources")
	for k, wr := range want.Resources {
		gr := got.Resources[k]
		require.Equal(t, wr.Addr.String(), gr.Addr.String())
		require.Equal(t, wr.Provider, gr.Provider, "%s provider", k)
		require.Equal(t, wr.EachMode, gr.EachMode, "%s each", k)
		require.Equal(t, keyStrings(wr.SortedKeys()), keyStrings(gr.SortedKeys()), "%s instance keys", k)
		for ik, wi := range wr.Instances {
			gi := gr.Instances[ik]
			where := wr.Addr.Instance(ik).String()
			requireObjectsEqual(t, where, wi.Current, gi.Current)
			require.Equal(t, sortedKeys(wi.Deposed), sortedKeys(gi.Deposed), "%s deposed keys", where)
			for dk, wd := range wi.Deposed {
				requireObjectsEqual(t, where+" deposed "+dk, wd, gi.Deposed[dk])
			}
		}
	}
}

func requireObjectsEqual(t testing.TB, where string, want, got *Object) {
	t.Helper()
	if want == nil {
		require.Nil(t, got, where)
		return
	}
	require.NotNil(t, got, where)
	require.Equal(t, want.SchemaVersion, got.SchemaVersion, where)
	require.JSONEq(t, string(want.AttrsJSON), string(got.AttrsJSON), where)
	require.Equal(t, want.Private, got.Private, where)
	require.Equal(t, want.Status, got.Status, where)
	require.Equal(t, want.CreateBeforeDestroy, got.CreateBeforeDestroy, where)
	require.Len(t, got.SensitivePaths, len(want.SensitivePaths), where)
	for i := range want.SensitivePaths {
		require.True(t, want.SensitivePaths[i].Equals(got.SensitivePaths[i]), "%s sensitive path %d", where, i)
	}
	var wd, gd []string
	for _, d := range want.Dependencies {
		wd = append(wd, d.String())
	}
	for _, d := range got.Dependencies {
		gd = append(gd, d.String())
	}
	require.Equal(t, wd, gd, where+" dependencies")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keyStrings(keys []addrs.InstanceKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		if k == nil {
			out[i] = "<none>"
		} else {
			out[i] = k.String()
		}
	}
	return out
}
