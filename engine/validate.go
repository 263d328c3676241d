package engine

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/zclconf/go-cty/cty"
)

// Validate checks a configuration without variables or state: references
// resolve, there is no cycle, every resource type exists and every body
// matches its schema, with unknown values standing in for everything that
// is only known when planning.
func Validate(ctx context.Context, cfg *configs.Config, f ProviderFactories) hcl.Diagnostics {
	provs := newProviders(f)
	defer provs.close()
	dg, diags := buildGraph(ctx, cfg, provs)
	if diags.HasErrors() {
		return diags
	}
	ev := newEvaluator(cfg, true, provs)
	for _, key := range dg.g.Vertices() {
		n := dg.nodes[key]
		if n.kind != kResource {
			continue
		}
		pa, ok := dg.resourceProviders[key]
		if !ok {
			continue
		}
		schema, err := provs.resourceSchema(ctx, pa.Source, resourceMode(n.res), n.res.Type)
		if err != nil {
			continue
		}
		sc := scope{cfg: n.cfg, mi: unknownModuleInstance(n.cfg)}
		if n.res.Count != nil {
			sc.rep.CountIndex = cty.UnknownVal(cty.Number)
		}
		if n.res.ForEach != nil {
			sc.rep.EachKey, sc.rep.EachValue = cty.UnknownVal(cty.String), cty.DynamicVal
		}
		spec := provs.block(schema.Block).spec
		ectx, d := ev.evalContext(sc, provs.bodyTraversals(n.res.Config, schema.Block))
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		_, d = hcldec.Decode(dynblock.Expand(n.res.Config, ectx), spec, ectx)
		diags = append(diags, d...)
	}
	for _, key := range dg.g.Vertices() {
		n := dg.nodes[key]
		var exprs []hcl.Expression
		switch n.kind {
		case kLocal:
			exprs = append(exprs, n.cfg.Module.Locals[n.name].Expr)
		case kOutput:
			exprs = append(exprs, n.cfg.Module.Outputs[n.name].Expr)
		default:
			continue
		}
		for _, e := range exprs {
			_, d := ev.evalContext(scope{cfg: n.cfg, mi: unknownModuleInstance(n.cfg)}, e.Variables())
			diags = append(diags, d...)
		}
	}
	return dedupe(diags)
}

// unknownModuleInstance stands for every instance of a module path.
func unknownModuleInstance(c *configs.Config) addrs.ModuleInstance {
	mi := addrs.RootModuleInstance
	for _, name := range c.Path {
		mi = mi.Child(name, addrs.NoKey)
	}
	return mi
}

// dedupe drops the diagnostics that repeat an earlier one: the same
// provider failure reported by every resource of that provider, say.
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	var out hcl.Diagnostics
	for _, d := range diags {
		k := fmt.Sprintf("%d|%s|%s|%v", d.Severity, d.Summary, d.Detail, d.Subject)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// GraphDOT renders the configuration's dependency graph in DOT.
func GraphDOT(ctx context.Context, cfg *configs.Config, f ProviderFactories) (string, hcl.Diagnostics) {
	provs := newProviders(f)
	defer provs.close()
	dg, diags := buildGraph(ctx, cfg, provs)
	if diags.HasErrors() {
		return "", diags
	}
	g := dg.g.Subgraph(func(string) bool { return true })
	g.TransitiveReduction()
	return g.Dot(func(k string) string { return dg.nodes[k].String() }), diags
}
