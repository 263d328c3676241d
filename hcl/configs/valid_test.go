package configs

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

func requireNoErrors(t *testing.T, diags hcl.Diagnostics) {
	t.Helper()
	require.False(t, diags.HasErrors(), "unexpected errors: %s", diags.Error())
}

func assertCtyEqual(t *testing.T, want, got cty.Value) {
	t.Helper()
	assert.True(t, want.RawEquals(got), "want %#v\ngot  %#v", want, got)
}

func traversalStrings(trs []hcl.Traversal) []string {
	ret := make([]string, 0, len(trs))
	for _, tr := range trs {
		ret = append(ret, TraversalString(tr))
	}
	return ret
}

func refString(r *ProviderRef) string {
	if r == nil {
		return "<implied>"
	}
	return r.String()
}

// bodyShape lists the arguments and dynamic blocks of a raw body, using
// the argument names that occur in the fixtures.
func bodyShape(t *testing.T, body hcl.Body) []string {
	t.Helper()
	schema := &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "triggers"}, {Name: "inputs"}, {Name: "name"}, {Name: "tags"},
			{Name: "input"}, {Name: "cidr"}, {Name: "value"}, {Name: "path"},
			{Name: "endpoint"}, {Name: "region"}, {Name: "keep"},
		},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "dynamic", LabelNames: []string{"type"}},
			{Type: "rule"},
		},
	}
	content, _, diags := body.PartialContent(schema)
	requireNoErrors(t, diags)
	var ret []string
	for name := range content.Attributes {
		ret = append(ret, name)
	}
	for _, b := range content.Blocks {
		ret = append(ret, b.Type+strings.Join(append([]string{""}, b.Labels...), ":"))
	}
	sort.Strings(ret)
	return ret
}

func exprShape(expr hcl.Expression) string {
	if expr == nil {
		return "<nil>"
	}
	vars := traversalStrings(expr.Variables())
	if len(vars) > 0 {
		sort.Strings(vars)
		return "refs(" + strings.Join(vars, ",") + ")"
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return "<error>"
	}
	return val.GoString()
}

func TestLoadConfigFull(t *testing.T) {
	p := NewParser()
	cfg, diags := p.LoadConfig(filepath.Join("testdata", "valid", "full"))
	requireNoErrors(t, diags)
	mod := cfg.Module

	t.Run("terraform block", func(t *testing.T) {
		require.Len(t, mod.RequiredVersion, 1)
		require.Len(t, mod.RequiredVersionRanges, 1)
		assert.True(t, mod.RequiredVersion[0].Check(version.Must(version.NewVersion("1.6.1"))))
		assert.False(t, mod.RequiredVersion[0].Check(version.Must(version.NewVersion("1.5.0"))))

		require.Contains(t, mod.RequiredProviders, "null")
		null := mod.RequiredProviders["null"]
		assert.Equal(t, "null", null.Name)
		assert.Equal(t, "registry.opentofu.org/hashicorp/null", null.Source)
		assert.Equal(t, "~> 3.2", null.RequirementStr)
		assert.True(t, null.Requirement.Check(version.Must(version.NewVersion("3.2.4"))))

		random := mod.RequiredProviders["random"]
		require.NotNil(t, random)
		assert.Equal(t, "registry.opentofu.org/hashicorp/random", random.Source)
		assert.Equal(t, "~> 3.5", random.RequirementStr)

		custom := mod.RequiredProviders["custom"]
		require.NotNil(t, custom)
		assert.Equal(t, "example.com/acme/custom", custom.Source)
		assert.Nil(t, custom.Requirement)

		assert.Equal(t, "registry.opentofu.org/hashicorp/aws", mod.ProviderSource("aws"))
		assert.Equal(t, "terraform.io/builtin/terraform", mod.ProviderSource("terraform"))

		require.NotNil(t, mod.Backend)
		assert.Equal(t, "local", mod.Backend.Type)
		assert.Equal(t, []string{"path"}, bodyShape(t, mod.Backend.Config))

		require.NotNil(t, mod.PlanSigning)
		assert.Equal(t, 2, mod.PlanSigning.RequiredSignatures)
		assert.Equal(t, "approvers", mod.PlanSigning.TrustedKeysDir)
		require.NotNil(t, mod.PlanSigning.RequiredRange)
		assert.Equal(t, 4, mod.PlanSigning.RequiredRange.Start.Line)
	})

	t.Run("providers", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"null", "null.secondary", "custom"}, sortedKeys(mod.ProviderConfigs))
		sec := mod.ProviderConfigs["null.secondary"]
		assert.Equal(t, "null", sec.Name)
		assert.Equal(t, "secondary", sec.Alias)
		attrs, aDiags := sec.Config.JustAttributes()
		requireNoErrors(t, aDiags)
		assert.Empty(t, attrs, "alias must not reach the provider")
		assert.Equal(t, []string{"endpoint"}, bodyShape(t, mod.ProviderConfigs["custom"].Config))
	})

	t.Run("managed resources", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"null_resource.counted", "null_resource.each", "custom_thing.lifecycle", "terraform_data.ignore_all"}, sortedKeys(mod.ManagedResources))

		counted := mod.ManagedResources["null_resource.counted"]
		assert.Equal(t, ManagedResourceMode, counted.Mode)
		assert.Equal(t, "null_resource.counted", counted.Key())
		assert.Equal(t, "refs(var.instance_count)", exprShape(counted.Count))
		assert.Nil(t, counted.ForEach)
		assert.Nil(t, counted.ProviderRef)
		assert.Equal(t, "null", counted.ProviderLocalName())
		assert.Equal(t, []string{"triggers"}, bodyShape(t, counted.Config))

		each := mod.ManagedResources["null_resource.each"]
		assert.Nil(t, each.Count)
		assert.Equal(t, "refs(local.names)", exprShape(each.ForEach))
		assert.Equal(t, "null.secondary", refString(each.ProviderRef))
		assert.Equal(t, "null", each.ProviderLocalName())
		assert.Equal(t, "null.secondary", each.ProviderConfigKey())
		assert.Equal(t, []string{"null_resource.counted", "module.network"}, traversalStrings(each.DependsOn))

		lc := mod.ManagedResources["custom_thing.lifecycle"]
		assert.Equal(t, "custom", lc.ProviderLocalName())
		m := lc.Managed
		require.NotNil(t, m)
		assert.True(t, m.CreateBeforeDestroy)
		assert.True(t, m.CreateBeforeDestroySet)
		assert.False(t, m.PreventDestroy)
		assert.True(t, m.PreventDestroySet)
		assert.False(t, m.IgnoreAllChanges)
		assert.Equal(t, []string{".tags", ".name"}, traversalStrings(m.IgnoreChanges))
		require.Len(t, m.ReplaceTriggeredBy, 2)
		assert.Equal(t, "refs(null_resource.counted[0])", exprShape(m.ReplaceTriggeredBy[0]))
		require.Len(t, lc.Preconditions, 1)
		require.Len(t, lc.Postconditions, 1)
		assert.NotNil(t, lc.Preconditions[0].Condition)
		assert.NotNil(t, lc.Preconditions[0].ErrorMessage)
		assert.Equal(t, []string{"dynamic:rule", "name", "tags"}, bodyShape(t, lc.Config))

		all := mod.ManagedResources["terraform_data.ignore_all"]
		assert.True(t, all.Managed.IgnoreAllChanges)
		assert.Empty(t, all.Managed.IgnoreChanges)
		assert.False(t, all.Managed.CreateBeforeDestroySet)
		assert.Equal(t, "terraform", all.ProviderLocalName())
	})

	t.Run("data resources", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"data.null_data_source.lookup", "data.null_data_source.probe"}, sortedKeys(mod.DataResources))
		lookup := mod.DataResources["data.null_data_source.lookup"]
		assert.Equal(t, DataResourceMode, lookup.Mode)
		assert.Nil(t, lookup.Managed)
		assert.Empty(t, lookup.InCheck)
		assert.Equal(t, []string{"inputs"}, bodyShape(t, lookup.Config))
		assert.Same(t, lookup, mod.ResourceByKey("data.null_data_source.lookup"))
		assert.Equal(t, "health", mod.DataResources["data.null_data_source.probe"].InCheck)
	})

	t.Run("variables", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"environment", "instance_count", "rules", "settings", "password"}, sortedKeys(mod.Variables))

		env := mod.Variables["environment"]
		assert.Equal(t, cty.String, env.Type)
		assert.Equal(t, "Deployment environment.", env.Description)
		assert.Equal(t, cty.StringVal("dev"), env.Default)
		assert.True(t, env.Nullable)
		assert.Equal(t, VariableParseLiteral, env.ParsingMode)
		require.Len(t, env.Validations, 1)

		count := mod.Variables["instance_count"]
		assert.False(t, count.Nullable)
		assert.True(t, count.Default.RawEquals(cty.NumberIntVal(1)))

		rules := mod.Variables["rules"]
		assert.Equal(t, cty.List(cty.Number), rules.Type)
		assert.Equal(t, VariableParseHCL, rules.ParsingMode)
		assertCtyEqual(t, cty.ListVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(443)}), rules.Default)

		settings := mod.Variables["settings"]
		wantType := cty.Object(map[string]cty.Type{"name": cty.String, "size": cty.Number, "enabled": cty.Bool})
		assert.Equal(t, wantType, settings.Type)
		assert.Equal(t, cty.ObjectWithOptionalAttrs(map[string]cty.Type{"name": cty.String, "size": cty.Number, "enabled": cty.Bool}, []string{"size", "enabled"}), settings.ConstraintType)
		require.NotNil(t, settings.TypeDefaults)
		assertCtyEqual(t, cty.ObjectVal(map[string]cty.Value{
			"name":    cty.StringVal("x"),
			"size":    cty.NumberIntVal(3),
			"enabled": cty.NullVal(cty.Bool),
		}), settings.Default)

		pw := mod.Variables["password"]
		assert.True(t, pw.Sensitive)
		assert.True(t, pw.Required())
		assert.Equal(t, cty.NilVal, pw.Default)
		assert.Equal(t, cty.DynamicPseudoType, pw.Type)
	})

	t.Run("locals and outputs", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"names", "prefix"}, sortedKeys(mod.Locals))
		assert.Equal(t, "refs(var.environment)", exprShape(mod.Locals["prefix"].Expr))

		prefix := mod.Outputs["prefix"]
		require.NotNil(t, prefix)
		assert.Equal(t, "Name prefix.", prefix.Description)
		assert.False(t, prefix.Sensitive)
		assert.Equal(t, "refs(local.prefix)", exprShape(prefix.Expr))

		secret := mod.Outputs["secret"]
		require.NotNil(t, secret)
		assert.True(t, secret.Sensitive)
		assert.Equal(t, []string{"null_resource.counted"}, traversalStrings(secret.DependsOn))
		assert.Len(t, secret.Preconditions, 1)
	})

	t.Run("module calls", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"network", "counted", "each"}, sortedKeys(mod.ModuleCalls))

		network := mod.ModuleCalls["network"]
		assert.Equal(t, "./modules/network", network.SourceAddr)
		assert.True(t, filepath.IsAbs(network.SourceDir))
		assert.Equal(t, filepath.Join("modules", "network"), filepath.Join(filepath.Base(filepath.Dir(network.SourceDir)), filepath.Base(network.SourceDir)))
		assert.Nil(t, network.Count)
		assert.Nil(t, network.ForEach)
		require.Len(t, network.Providers, 2)
		assert.Equal(t, "null", network.Providers[0].InChild.String())
		assert.Equal(t, "null.secondary", network.Providers[0].InParent.String())
		assert.Equal(t, "null.extra", network.Providers[1].InChild.String())
		assert.Equal(t, "null", network.Providers[1].InParent.String())
		assert.Equal(t, []string{"cidr"}, bodyShape(t, network.Config))

		counted := mod.ModuleCalls["counted"]
		assert.Equal(t, "2", strings.TrimSpace(exprShape(counted.Count)[len("cty.NumberIntVal("):len(exprShape(counted.Count))-1]))
		assert.Nil(t, counted.ForEach)

		each := mod.ModuleCalls["each"]
		assert.Equal(t, "refs(local.names)", exprShape(each.ForEach))
		assert.Equal(t, []string{"null_resource.counted"}, traversalStrings(each.DependsOn))
		assert.Equal(t, []string{"name"}, bodyShape(t, each.Config))
	})

	t.Run("moved import removed", func(t *testing.T) {
		require.Len(t, mod.Moved, 2)
		assert.Equal(t, "null_resource.old", TraversalString(mod.Moved[0].From))
		assert.Equal(t, "null_resource.counted", TraversalString(mod.Moved[0].To))
		assert.Equal(t, "module.old_network", TraversalString(mod.Moved[1].From))
		assert.Equal(t, "module.network", TraversalString(mod.Moved[1].To))

		require.Len(t, mod.Imports, 2)
		static := mod.Imports[0]
		assert.Equal(t, "null_resource.imported", TraversalString(static.To))
		assert.Equal(t, `cty.StringVal("abc-123")`, exprShape(static.ID))
		assert.Nil(t, static.ForEach)
		assert.Nil(t, static.ProviderRef)

		keyed := mod.Imports[1]
		assert.Nil(t, keyed.To, "a dynamic key leaves no static address")
		assert.Equal(t, "refs(each.key,null_resource.each)", exprShape(keyed.ToExpr))
		assert.Equal(t, "refs(local.names)", exprShape(keyed.ForEach))
		assert.Equal(t, "null.secondary", refString(keyed.ProviderRef))

		require.Len(t, mod.Removed, 2)
		assert.Equal(t, "null_resource.gone", TraversalString(mod.Removed[0].From))
		assert.False(t, mod.Removed[0].Destroy)
		assert.Equal(t, "module.legacy", TraversalString(mod.Removed[1].From))
		assert.True(t, mod.Removed[1].Destroy)
	})

	t.Run("checks", func(t *testing.T) {
		require.Contains(t, mod.Checks, "health")
		c := mod.Checks["health"]
		require.NotNil(t, c.DataResource)
		assert.Equal(t, "data.null_data_source.probe", c.DataResource.Key())
		assert.Same(t, c.DataResource, mod.DataResources["data.null_data_source.probe"])
		require.Len(t, c.Asserts, 1)
	})

	t.Run("module tree", func(t *testing.T) {
		assert.Same(t, cfg, cfg.Root)
		assert.Nil(t, cfg.Parent)
		assert.Empty(t, cfg.Path)
		assert.Equal(t, "", cfg.PathString())
		assert.ElementsMatch(t, []string{"network", "counted", "each"}, sortedKeys(cfg.Children))

		var visited []string
		cfg.DeepEach(func(c *Config) { visited = append(visited, c.PathString()) })
		assert.Equal(t, []string{"", "module.counted", "module.each", "module.network", "module.network.module.subnet"}, visited)

		subnet := cfg.Descendant([]string{"network", "subnet"})
		require.NotNil(t, subnet)
		assert.Equal(t, []string{"network", "subnet"}, subnet.Path)
		assert.Same(t, cfg, subnet.Root)
		assert.Same(t, cfg.Children["network"], subnet.Parent)
		assert.Equal(t, filepath.Join("testdata", "valid", "full", "modules", "network", "subnet"), subnet.SourceDir)
		assert.Equal(t, 14, subnet.CallRange.Start.Line)
		assert.Contains(t, subnet.Module.ManagedResources, "null_resource.subnet")
		assert.Nil(t, cfg.Descendant([]string{"network", "nope"}))
		assert.Same(t, cfg, cfg.Descendant(nil))

		network := cfg.Children["network"].Module
		rp := network.RequiredProviders["null"]
		require.NotNil(t, rp)
		require.Len(t, rp.ConfigurationAliases, 1)
		assert.Equal(t, "null.extra", rp.ConfigurationAliases[0].String())
		assert.Equal(t, "null.extra", refString(network.ManagedResources["null_resource.net"].ProviderRef))

		// Both calls of the subnet module get their own Module values.
		assert.NotSame(t, cfg.Children["counted"].Module, cfg.Children["each"].Module)
	})

	t.Run("sources", func(t *testing.T) {
		src := p.Sources()
		assert.Contains(t, src, filepath.Join("testdata", "valid", "full", "main.tf"))
		assert.Contains(t, src, filepath.Join("testdata", "valid", "full", "modules", "network", "subnet", "main.tf"))
		rng := mod.ManagedResources["null_resource.counted"].DeclRange
		text := string(src[rng.Filename][rng.Start.Byte:rng.End.Byte])
		assert.Equal(t, `resource "null_resource" "counted"`, text)
	})
}

// moduleSummary flattens what the decoder extracted from a module into
// comparable strings, independent of source positions and syntax.
func moduleSummary(t *testing.T, m *Module) map[string]string {
	t.Helper()
	s := map[string]string{}
	for i, c := range m.RequiredVersion {
		s[fmt.Sprintf("required_version.%d", i)] = c.String()
	}
	for name, rp := range m.RequiredProviders {
		s["required_provider."+name] = rp.Source + " " + rp.RequirementStr
	}
	if m.Backend != nil {
		s["backend"] = m.Backend.Type + fmt.Sprint(bodyShape(t, m.Backend.Config))
	}
	for key, p := range m.ProviderConfigs {
		s["provider."+key] = p.Name + "|" + p.Alias + fmt.Sprint(bodyShape(t, p.Config))
	}
	for name, v := range m.Variables {
		s["variable."+name] = fmt.Sprintf("%s|%s|%s|%v|%v|%d", typeexpr.TypeString(v.ConstraintType), v.Type.GoString(), v.Default.GoString(), v.Nullable, v.Sensitive, len(v.Validations))
	}
	for name, l := range m.Locals {
		s["local."+name] = exprShape(l.Expr)
	}
	for name, o := range m.Outputs {
		s["output."+name] = fmt.Sprintf("%s|%v|%v|%d", exprShape(o.Expr), o.Sensitive, traversalStrings(o.DependsOn), len(o.Preconditions))
	}
	for key, r := range m.ManagedResources {
		s["resource."+key] = fmt.Sprintf("%s|%s|%s|%v|%v|%d|%d|%s",
			exprShape(r.Count), exprShape(r.ForEach), refString(r.ProviderRef), traversalStrings(r.DependsOn),
			bodyShape(t, r.Config), len(r.Preconditions), len(r.Postconditions), r.InCheck)
		mr := r.Managed
		var rtb []string
		for _, e := range mr.ReplaceTriggeredBy {
			rtb = append(rtb, exprShape(e))
		}
		s["lifecycle."+key] = fmt.Sprintf("%v/%v %v/%v %v %v %v", mr.CreateBeforeDestroy, mr.CreateBeforeDestroySet,
			mr.PreventDestroy, mr.PreventDestroySet, traversalStrings(mr.IgnoreChanges), mr.IgnoreAllChanges, rtb)
	}
	for key, r := range m.DataResources {
		s["data."+key] = fmt.Sprintf("%s|%s|%s|%v|%v|%s", exprShape(r.Count), exprShape(r.ForEach), refString(r.ProviderRef),
			traversalStrings(r.DependsOn), bodyShape(t, r.Config), r.InCheck)
	}
	for name, mc := range m.ModuleCalls {
		var pp []string
		for _, p := range mc.Providers {
			pp = append(pp, p.InChild.String()+"="+p.InParent.String())
		}
		s["module."+name] = fmt.Sprintf("%s|%s|%s|%v|%v|%v|%s", mc.SourceAddr, exprShape(mc.Count), exprShape(mc.ForEach),
			pp, traversalStrings(mc.DependsOn), bodyShape(t, mc.Config), filepath.Base(mc.SourceDir))
	}
	for i, mv := range m.Moved {
		s[fmt.Sprintf("moved.%d", i)] = TraversalString(mv.From) + "->" + TraversalString(mv.To)
	}
	for i, imp := range m.Imports {
		s[fmt.Sprintf("import.%d", i)] = fmt.Sprintf("%s|%s|%s|%s|%s", TraversalString(imp.To), exprShape(imp.ToExpr), exprShape(imp.ID), exprShape(imp.ForEach), refString(imp.ProviderRef))
	}
	for i, rm := range m.Removed {
		s[fmt.Sprintf("removed.%d", i)] = fmt.Sprintf("%s|%v", TraversalString(rm.From), rm.Destroy)
	}
	for name, c := range m.Checks {
		data := ""
		if c.DataResource != nil {
			data = c.DataResource.Key()
		}
		s["check."+name] = fmt.Sprintf("%s|%d", data, len(c.Asserts))
	}
	return s
}

func TestJSONEquivalentToNative(t *testing.T) {
	base := filepath.Join("testdata", "valid", "json_equiv")
	native, diags := NewParser().LoadConfig(filepath.Join(base, "hcl"))
	requireNoErrors(t, diags)
	jsonCfg, diags := NewParser().LoadConfig(filepath.Join(base, "json"))
	requireNoErrors(t, diags)

	want := moduleSummary(t, native.Module)
	got := moduleSummary(t, jsonCfg.Module)

	// Guard against a vacuous comparison.
	require.GreaterOrEqual(t, len(want), 20)
	assert.Equal(t, want, got)
	assert.Contains(t, jsonCfg.Children, "child")

	for _, key := range sortedKeys(want) {
		t.Run(key, func(t *testing.T) {
			assert.Equal(t, want[key], got[key])
		})
	}
}

func TestOverrideFiles(t *testing.T) {
	mod, diags := NewParser().LoadConfigDir(filepath.Join("testdata", "valid", "override"))
	requireNoErrors(t, diags)

	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"local": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("L")}),
	}}
	attrValue := func(t *testing.T, body hcl.Body, name string) cty.Value {
		t.Helper()
		content, _, diags := body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: name}}})
		requireNoErrors(t, diags)
		attr, ok := content.Attributes[name]
		require.True(t, ok, "attribute %q missing", name)
		v, diags := attr.Expr.Value(ctx)
		requireNoErrors(t, diags)
		return v
	}

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"plan signing: override wins, the rest stays", func(t *testing.T) {
			require.NotNil(t, mod.PlanSigning)
			assert.Equal(t, 2, mod.PlanSigning.RequiredSignatures)
			assert.Equal(t, "keys", mod.PlanSigning.TrustedKeysDir)
		}},
		{"backend replaced", func(t *testing.T) {
			require.NotNil(t, mod.Backend)
			assert.Equal(t, cty.StringVal("override.tfstate"), attrValue(t, mod.Backend.Config, "path"))
		}},
		{"provider merged from json override", func(t *testing.T) {
			p := mod.ProviderConfigs["null.west"]
			require.NotNil(t, p)
			assert.Equal(t, cty.StringVal("us-west-2"), attrValue(t, p.Config, "region"))
		}},
		{"variable type and default replaced", func(t *testing.T) {
			v := mod.Variables["size"]
			assert.Equal(t, cty.String, v.Type)
			assert.Equal(t, cty.StringVal("large"), v.Default)
		}},
		{"local replaced", func(t *testing.T) {
			v, diags := mod.Locals["name"].Expr.Value(nil)
			requireNoErrors(t, diags)
			assert.Equal(t, cty.StringVal("overridden"), v)
		}},
		{"resource arguments merged", func(t *testing.T) {
			r := mod.ManagedResources["null_resource.a"]
			assert.Nil(t, r.Count, "for_each in the override replaces count")
			assert.NotNil(t, r.ForEach)
			assert.Equal(t, cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("over")}), attrValue(t, r.Config, "triggers"))
			assert.Equal(t, cty.StringVal("base"), attrValue(t, r.Config, "keep"))

			content, _, diags := r.Config.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "rule"}}})
			requireNoErrors(t, diags)
			require.Len(t, content.Blocks, 1, "override blocks replace all base blocks of the type")
			assertCtyEqual(t, cty.NumberIntVal(443), attrValue(t, content.Blocks[0].Body, "port"))

			assert.True(t, r.Managed.PreventDestroy)
			assert.True(t, r.Managed.CreateBeforeDestroy)
		}},
		{"output merged", func(t *testing.T) {
			o := mod.Outputs["o"]
			assert.True(t, o.Sensitive)
			assert.Equal(t, "refs(local.name)", exprShape(o.Expr))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func TestParseModuleFromBytes(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string][]byte
		wantErrs  []string
		wantCheck func(t *testing.T, m *Module)
	}{
		{
			name: "native",
			files: map[string][]byte{"main.tf": []byte(`
resource "null_resource" "a" {}
module "m" { source = "./m" }
`)},
			wantCheck: func(t *testing.T, m *Module) {
				assert.Contains(t, m.ManagedResources, "null_resource.a")
				assert.Equal(t, "", m.SourceDir)
				assert.Equal(t, "", m.ModuleCalls["m"].SourceDir)
			},
		},
		{
			name:  "json",
			files: map[string][]byte{"main.tf.json": []byte(`{"resource": {"null_resource": {"a": {"count": 3}}}}`)},
			wantCheck: func(t *testing.T, m *Module) {
				require.Contains(t, m.ManagedResources, "null_resource.a")
				assert.Equal(t, "cty.NumberIntVal(3)", exprShape(m.ManagedResources["null_resource.a"].Count))
			},
		},
		{
			name: "json named .json is parsed as json",
			files: map[string][]byte{
				"a.tf":               []byte(`variable "x" {}`),
				"x_override.tf.json": []byte(`{"variable": {"x": {"default": "o"}}}`),
			},
			wantCheck: func(t *testing.T, m *Module) {
				assert.Equal(t, cty.StringVal("o"), m.Variables["x"].Default)
			},
		},
		{
			name: "escape block passes meta-argument names to the provider",
			files: map[string][]byte{"main.tf": []byte(`resource "x_y" "a" {
  count = 2
  _ {
    count = 5
  }
}
`)},
			wantCheck: func(t *testing.T, m *Module) {
				r := m.ManagedResources["x_y.a"]
				require.NotNil(t, r)
				assert.Equal(t, "cty.NumberIntVal(2)", exprShape(r.Count))
				content, diags := r.Config.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count"}}})
				requireNoErrors(t, diags)
				require.Contains(t, content.Attributes, "count")
				assert.Equal(t, "cty.NumberIntVal(5)", exprShape(content.Attributes["count"].Expr))
				assert.Equal(t, "x", r.ProviderLocalName())
			},
		},
		{
			name:     "duplicates across files",
			files:    map[string][]byte{"a.tf": []byte(`output "o" { value = 1 }`), "b.tf": []byte(`output "o" { value = 2 }`)},
			wantErrs: []string{"b.tf:1 Duplicate output definition"},
		},
		{
			name:     "syntax error",
			files:    map[string][]byte{"main.tf": []byte(`resource "a" {`)},
			wantErrs: []string{"main.tf:1 Unclosed configuration block", "main.tf:1 Missing name for resource"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewParser()
			m, diags := p.ParseModuleFromBytes(tc.files)
			require.NotNil(t, m)
			var got []string
			for _, d := range diags.Errs() {
				hd := d.(*hcl.Diagnostic)
				require.NotNil(t, hd.Subject)
				got = append(got, fmt.Sprintf("%s:%d %s", hd.Subject.Filename, hd.Subject.Start.Line, hd.Summary))
			}
			assert.ElementsMatch(t, tc.wantErrs, got)
			for name := range tc.files {
				assert.Contains(t, p.Sources(), name)
			}
			if tc.wantCheck != nil {
				tc.wantCheck(t, m)
			}
		})
	}
}
