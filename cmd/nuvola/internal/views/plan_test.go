package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

const nullProvider = `provider["registry.opentofu.org/hashicorp/null"]`

func richPlan(t *testing.T) *plan.Plan {
	rule := func(port int64, proto string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(port), "proto": cty.StringVal(proto)})
	}
	cred := func(user, token string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"user": cty.StringVal(user), "token": cty.StringVal(token)})
	}
	strs := func(ss ...string) cty.Value {
		vs := make([]cty.Value, len(ss))
		for i, s := range ss {
			vs[i] = cty.StringVal(s)
		}
		return cty.ListVal(vs)
	}

	changes := []*plan.ResourceChange{
		{
			Addr: mustAddr(t, "test_thing.create"), Provider: nullProvider, Action: plan.Create,
			Before: cty.NullVal(thingSchema.Block.ImpliedType()),
			After: thing(map[string]cty.Value{
				"id":       cty.UnknownVal(cty.String),
				"name":     cty.StringVal("fresh"),
				"triggers": cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "long_key": cty.StringVal("2")}),
				"list":     strs("x", "y"),
				"size":     cty.NumberFloatVal(1.5),
				"enabled":  cty.True,
				"password": cty.StringVal(secret),
				"rule":     cty.ListVal([]cty.Value{rule(80, "tcp")}),
				"setting":  cty.ObjectVal(map[string]cty.Value{"value": cty.UnknownVal(cty.String)}),
			}),
			AfterSensitive: []cty.Path{cty.GetAttrPath("password")},
		},
		{
			Addr: mustAddr(t, "test_thing.update"), Provider: nullProvider, Action: plan.Update,
			Before: thing(map[string]cty.Value{
				"id":      cty.StringVal("u-1"),
				"name":    cty.StringVal("same"),
				"tags":    cty.MapVal(map[string]cty.Value{"env": cty.StringVal("dev"), "team": cty.StringVal("a"), "keep": cty.StringVal("k")}),
				"list":    strs("a", "b", "c", "d", "e", "f"),
				"size":    cty.NumberIntVal(1),
				"enabled": cty.True,
				"script":  cty.StringVal("line one\nline two\nline three\n"),
				"rule":    cty.ListVal([]cty.Value{rule(80, "tcp"), rule(443, "tcp")}),
				"setting": cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal("old")}),
			}),
			After: thing(map[string]cty.Value{
				"id":      cty.StringVal("u-1"),
				"name":    cty.StringVal("same"),
				"tags":    cty.MapVal(map[string]cty.Value{"env": cty.StringVal("prod"), "owner": cty.StringVal("me"), "keep": cty.StringVal("k")}),
				"list":    strs("a", "b", "c", "X", "e", "f"),
				"size":    cty.NumberIntVal(2),
				"enabled": cty.True,
				"script":  cty.StringVal("line one\nline 2\nline three\n"),
				"rule":    cty.ListVal([]cty.Value{rule(80, "tcp"), rule(8443, "udp")}),
				"setting": cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal("old")}),
			}),
		},
		{
			Addr: mustAddr(t, "test_thing.replace"), Provider: nullProvider, Action: plan.DeleteThenCreate,
			Reason: plan.ReasonReplaceBecauseCannotUpdate,
			Before: thing(map[string]cty.Value{
				"id":       cty.StringVal("r-1"),
				"triggers": cty.MapVal(map[string]cty.Value{"v": cty.StringVal("1")}),
				"numbers":  cty.SetVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}),
			}),
			After: thing(map[string]cty.Value{
				"id":       cty.UnknownVal(cty.String),
				"triggers": cty.MapVal(map[string]cty.Value{"v": cty.StringVal("2")}),
				"numbers":  cty.SetVal([]cty.Value{cty.NumberIntVal(2), cty.NumberIntVal(3)}),
			}),
			RequiredReplace: []cty.Path{cty.GetAttrPath("triggers")},
		},
		{
			Addr: mustAddr(t, "test_thing.tainted"), Provider: nullProvider, Action: plan.CreateThenDelete,
			Reason: plan.ReasonReplaceBecauseTainted,
			Before: thing(map[string]cty.Value{"id": cty.StringVal("t-1"), "name": cty.StringVal("t")}),
			After:  thing(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "name": cty.StringVal("t")}),
		},
		{
			Addr: mustAddr(t, "test_thing.counted[3]"), Provider: nullProvider, Action: plan.Delete,
			Reason: plan.ReasonDeleteCountIndex,
			Before: thing(map[string]cty.Value{"id": cty.StringVal("c-3"), "tags": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")})}),
			After:  cty.NullVal(thingSchema.Block.ImpliedType()),
		},
		{
			Addr: mustAddr(t, `test_thing.each["x"]`), Provider: nullProvider, Action: plan.Delete,
			Reason: plan.ReasonDeleteEachKey,
			Before: thing(map[string]cty.Value{"id": cty.StringVal("e-x")}),
			After:  cty.NullVal(thingSchema.Block.ImpliedType()),
		},
		{
			Addr: mustAddr(t, "test_thing.gone"), Provider: nullProvider, Action: plan.Delete,
			Reason: plan.ReasonDeleteNoResourceConfig,
			Before: thing(map[string]cty.Value{"id": cty.StringVal("g-1"), "password": cty.StringVal(secret),
				"rule": cty.ListVal([]cty.Value{rule(22, "tcp")})}),
			BeforeSensitive: []cty.Path{cty.GetAttrPath("password")},
			After:           cty.NullVal(thingSchema.Block.ImpliedType()),
		},
		{
			Addr: mustAddr(t, "data.test_data.read"), Provider: nullProvider, Action: plan.Read,
			Reason: plan.ReasonReadBecauseConfigUnknown,
			Before: cty.NullVal(dataSchema.Block.ImpliedType()),
			After: cty.ObjectVal(map[string]cty.Value{
				"id": cty.UnknownVal(cty.String), "input": cty.UnknownVal(cty.String), "result": cty.UnknownVal(cty.String),
			}),
		},
		{
			Addr: mustAddr(t, "test_thing.renamed"), PrevRunAddr: mustAddr(t, "test_thing.original"),
			Provider: nullProvider, Action: plan.Update,
			Before: thing(map[string]cty.Value{"id": cty.StringVal("m-1"), "size": cty.NumberIntVal(1)}),
			After:  thing(map[string]cty.Value{"id": cty.StringVal("m-1"), "size": cty.NumberIntVal(5)}),
		},
		{
			Addr: mustAddr(t, "test_thing.moved_only"), PrevRunAddr: mustAddr(t, "test_thing.was"),
			Provider: nullProvider, Action: plan.NoOp,
			Before: thing(map[string]cty.Value{"id": cty.StringVal("mo-1"), "size": cty.NumberIntVal(1)}),
			After:  thing(map[string]cty.Value{"id": cty.StringVal("mo-1"), "size": cty.NumberIntVal(1)}),
		},
		{
			Addr: mustAddr(t, "test_thing.imported"), Provider: nullProvider, Action: plan.NoOp, ImportID: "abc-123",
			Before: thing(map[string]cty.Value{"id": cty.StringVal("abc-123"), "size": cty.NumberIntVal(3)}),
			After:  thing(map[string]cty.Value{"id": cty.StringVal("abc-123"), "size": cty.NumberIntVal(3)}),
		},
		{
			Addr: mustAddr(t, "test_thing.unchanged"), Provider: nullProvider, Action: plan.NoOp,
			Before: thing(map[string]cty.Value{"id": cty.StringVal("n-1")}),
			After:  thing(map[string]cty.Value{"id": cty.StringVal("n-1")}),
		},
		{
			Addr: mustAddr(t, "test_thing.secrets"), Provider: nullProvider, Action: plan.Update,
			Before: thing(map[string]cty.Value{
				"id":       cty.StringVal("s-1"),
				"password": cty.StringVal(secret + "-old"),
				"tags":     cty.MapVal(map[string]cty.Value{"public": cty.StringVal("p"), "private": cty.StringVal(secret)}),
				"list":     strs("visible", secret),
				"script":   cty.StringVal(secret + "\nsecond line\n"),
				"credential": cty.SetVal([]cty.Value{
					cred("admin", secret),
				}),
			}),
			After: thing(map[string]cty.Value{
				"id":       cty.StringVal("s-1"),
				"password": cty.StringVal(secret),
				"tags":     cty.MapVal(map[string]cty.Value{"public": cty.StringVal("p2"), "private": cty.StringVal(secret + "x")}),
				"list":     strs("visible", secret+"y", "new"),
				"script":   cty.StringVal(secret + "\nsecond line changed\n"),
				"credential": cty.SetVal([]cty.Value{
					cred("admin", secret+"z"),
				}),
			}),
			BeforeSensitive: []cty.Path{
				cty.GetAttrPath("password"),
				cty.GetAttrPath("tags").Index(cty.StringVal("private")),
				cty.GetAttrPath("list").Index(cty.NumberIntVal(1)),
				cty.GetAttrPath("script"),
			},
			AfterSensitive: []cty.Path{
				cty.GetAttrPath("password"),
				cty.GetAttrPath("tags").Index(cty.StringVal("private")),
				cty.GetAttrPath("list").Index(cty.NumberIntVal(1)),
				cty.GetAttrPath("script"),
			},
		},
		{
			Addr: mustAddr(t, "module.child.test_thing.in_module"), Provider: nullProvider, Action: plan.Create,
			Before: cty.NullVal(thingSchema.Block.ImpliedType()),
			After:  thing(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "list": cty.UnknownVal(cty.List(cty.String))}),
		},
		{
			// No schema: the nested object and list of objects are drawn as
			// blocks, and a marked value is hidden.
			Addr: mustAddr(t, "unknown_type.shapeless"), Provider: nullProvider, Action: plan.Update,
			Before: cty.ObjectVal(map[string]cty.Value{
				"id":    cty.StringVal("sh-1"),
				"attrs": cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1")}),
				"nested": cty.ObjectVal(map[string]cty.Value{
					"inner": cty.StringVal("old"),
				}),
				"items": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1)})}),
				"token": cty.StringVal(secret),
			}),
			After: cty.ObjectVal(map[string]cty.Value{
				"id":    cty.StringVal("sh-1"),
				"attrs": cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("2")}),
				"nested": cty.ObjectVal(map[string]cty.Value{
					"inner": cty.StringVal("new"),
				}),
				"items": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(2)})}),
				"token": cty.StringVal(secret + "2").Mark("sensitive"),
			}),
			BeforeSensitive: []cty.Path{cty.GetAttrPath("token")},
		},
	}
	return &plan.Plan{
		Changes: changes,
		Outputs: []*plan.OutputChange{
			{Name: "new_out", Action: plan.Create, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.StringVal("hello")},
			{Name: "changed", Action: plan.Update, Before: cty.NumberIntVal(1), After: cty.NumberIntVal(2)},
			{Name: "later", Action: plan.Create, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.UnknownVal(cty.String)},
			{Name: "list_out", Action: plan.Update, Before: cty.TupleVal([]cty.Value{cty.StringVal("a")}),
				After: cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
			{Name: "obj", Action: plan.Create, Before: cty.NullVal(cty.DynamicPseudoType),
				After: cty.ObjectVal(map[string]cty.Value{"k": cty.StringVal("v"), "n": cty.NullVal(cty.String)})},
			{Name: "secret_out", Action: plan.Update, Before: cty.StringVal(secret), After: cty.StringVal(secret + "!"), Sensitive: true},
			{Name: "same", Action: plan.NoOp, Before: cty.StringVal("s"), After: cty.StringVal("s")},
			{Name: "removed", Action: plan.Delete, Before: cty.StringVal("bye"), After: cty.NullVal(cty.DynamicPseudoType)},
		},
	}
}

func render(t *testing.T, p *plan.Plan, color bool) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, RenderPlan(&buf, p, schemas, Options{Color: color}))
	return buf.String()
}

func TestRenderPlan(t *testing.T) {
	p := richPlan(t)
	plain := render(t, p, false)
	colored := render(t, p, true)
	golden(t, "plan.golden", plain)
	golden(t, "plan_color.golden", colored)
	for _, out := range []string{plain, colored} {
		require.NotContains(t, out, secret)
		require.NotContains(t, out, "hunter2")
		require.NotContains(t, out, "s3cr3t")
	}
	require.NotContains(t, plain, "\x1b[")
	require.Contains(t, colored, "\x1b[")
	// Stripping the colors gives the plain text back.
	require.Equal(t, plain, stripANSI(colored))
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestRenderPlanNoChanges(t *testing.T) {
	p := &plan.Plan{Changes: []*plan.ResourceChange{{
		Addr: mustAddr(t, "test_thing.unchanged"), Action: plan.NoOp,
		Before: thing(map[string]cty.Value{"id": cty.StringVal("n-1")}),
		After:  thing(map[string]cty.Value{"id": cty.StringVal("n-1")}),
	}}}
	var out strings.Builder
	out.WriteString(render(t, p, false))
	p.Mode = plan.DestroyMode
	out.WriteString("---\n" + render(t, p, false))
	p.Mode = plan.RefreshOnlyMode
	out.WriteString("---\n" + render(t, p, false))
	p.Mode = plan.NormalMode
	p.Errored = true
	out.WriteString("---\n" + render(t, p, false))
	golden(t, "plan_no_changes.golden", out.String())
	require.Contains(t, out.String(), "No changes. Your infrastructure matches the configuration.")
}

func TestRenderPlanOutputsOnly(t *testing.T) {
	p := &plan.Plan{Outputs: []*plan.OutputChange{
		{Name: "a", Action: plan.Create, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.StringVal("x")},
		{Name: "pw", Action: plan.Create, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.StringVal(secret), Sensitive: true},
	}}
	out := render(t, p, false)
	golden(t, "plan_outputs_only.golden", out)
	require.NotContains(t, out, secret)
}

func TestRenderPlanImportCount(t *testing.T) {
	p := &plan.Plan{Changes: []*plan.ResourceChange{{
		Addr: mustAddr(t, "test_thing.imp"), Action: plan.Update, ImportID: "i-9",
		Before: thing(map[string]cty.Value{"id": cty.StringVal("i-9"), "size": cty.NumberIntVal(1)}),
		After:  thing(map[string]cty.Value{"id": cty.StringVal("i-9"), "size": cty.NumberIntVal(2)}),
	}}}
	out := render(t, p, false)
	require.Contains(t, out, "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.")
	require.Contains(t, out, `# (imported from "i-9")`)
}

// A value whose sensitivity is only known from the schema, or whose type
// does not match the schema, is still never shown.
func TestRenderPlanSensitiveBySchemaAndShape(t *testing.T) {
	ty := thingSchema.Block.ImpliedType()
	atys := ty.AttributeTypes()
	vals := map[string]cty.Value{}
	for name, aty := range atys {
		vals[name] = cty.NullVal(aty)
	}
	vals["password"] = cty.StringVal(secret)
	after := cty.ObjectVal(vals)
	p := &plan.Plan{Changes: []*plan.ResourceChange{{
		Addr: mustAddr(t, "test_thing.a"), Action: plan.Create, Before: cty.NullVal(ty), After: after,
	}, {
		// The whole object marked.
		Addr: mustAddr(t, "other_type.b"), Action: plan.Create, Before: cty.NullVal(cty.DynamicPseudoType),
		After: cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal(secret)}).Mark("sensitive"),
	}, {
		// A sensitive path into a list of blocks covers every element.
		Addr: mustAddr(t, "test_thing.c"), Action: plan.Update,
		Before:          thing(map[string]cty.Value{"rule": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(1), "proto": cty.StringVal(secret)})})}),
		After:           thing(map[string]cty.Value{"rule": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(2), "proto": cty.StringVal(secret)})})}),
		BeforeSensitive: []cty.Path{cty.GetAttrPath("rule")},
		AfterSensitive:  []cty.Path{cty.GetAttrPath("rule")},
	}}}
	for _, color := range []bool{false, true} {
		out := render(t, p, color)
		require.NotContains(t, out, secret)
		require.Contains(t, out, "(sensitive value)")
	}
	require.Contains(t, render(t, p, false), "At least one attribute in this block is (or was) sensitive")
}
