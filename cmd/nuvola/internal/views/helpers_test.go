package views

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	require.Equal(t, string(want), got)
}

// secret is a value that must never appear in any output.
const secret = "hunter2-s3cr3t"

type testSchemas map[string]*plugins.Schema

func (s testSchemas) ResourceTypeSchema(_ string, mode addrs.ResourceMode, typ string) *plugins.Schema {
	if mode == addrs.DataResourceMode {
		return s["data."+typ]
	}
	return s[typ]
}

func str(t cty.Type, opts ...func(*plugins.Attribute)) *plugins.Attribute {
	a := &plugins.Attribute{Type: t, Optional: true}
	for _, o := range opts {
		o(a)
	}
	return a
}

func sensitive(a *plugins.Attribute) { a.Sensitive = true }
func forceNew(a *plugins.Attribute)  { a.ForceNew = true }

var thingSchema = &plugins.Schema{Block: &plugins.Block{
	Attributes: map[string]*plugins.Attribute{
		"id":       {Type: cty.String, Computed: true},
		"name":     str(cty.String),
		"triggers": str(cty.Map(cty.String), forceNew),
		"tags":     str(cty.Map(cty.String)),
		"list":     str(cty.List(cty.String)),
		"numbers":  str(cty.Set(cty.Number)),
		"password": str(cty.String, sensitive),
		"size":     str(cty.Number),
		"enabled":  str(cty.Bool),
		"script":   str(cty.String),
	},
	BlockTypes: map[string]*plugins.NestedBlock{
		"rule": {Nesting: plugins.NestingList, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
			"port":  str(cty.Number),
			"proto": str(cty.String),
		}}},
		"setting": {Nesting: plugins.NestingSingle, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
			"value": str(cty.String),
		}}},
		"credential": {Nesting: plugins.NestingSet, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
			"user":  str(cty.String),
			"token": str(cty.String, sensitive),
		}}},
	},
}}

var dataSchema = &plugins.Schema{Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
	"id":     {Type: cty.String, Computed: true},
	"input":  str(cty.String),
	"result": {Type: cty.String, Computed: true},
}}}

var schemas = testSchemas{"test_thing": thingSchema, "data.test_data": dataSchema}

// thing builds an object of the test_thing type from the given
// attributes, the rest null.
func thing(attrs map[string]cty.Value) cty.Value {
	ty := thingSchema.Block.ImpliedType()
	vals := map[string]cty.Value{}
	for name, aty := range ty.AttributeTypes() {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = cty.NullVal(aty)
		}
	}
	return cty.ObjectVal(vals)
}

func mustAddr(t *testing.T, s string) addrs.AbsResourceInstance {
	t.Helper()
	a, diags := addrs.ParseAbsResourceInstanceStr(s)
	require.False(t, diags.HasErrors(), diags.Error())
	return a
}
