package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/graph"
	"github.com/nuvola-pa/nuvola/hcl/configs"
)

type nodeKind int

const (
	kVar nodeKind = iota
	kLocal
	kOutput
	kModule
	kResource
	kProvider
	kCheck
	kDestroy
)

// node is one vertex of the walk: a configuration object in a static module
// path, processed for every instance of that module at once.
type node struct {
	kind nodeKind
	cfg  *configs.Config
	name string
	res  *configs.Resource
	prov providerAddr
	pcfg *configs.Provider
	// destroy nodes: the resource whose objects are deleted.
	destroy addrs.AbsResource
	rng     hcl.Range
}

func pathKey(c *configs.Config) string { return strings.Join(c.Path, ".") }

func varKey(c *configs.Config, name string) string    { return "var:" + pathKey(c) + ":" + name }
func localKey(c *configs.Config, name string) string  { return "local:" + pathKey(c) + ":" + name }
func outputKey(c *configs.Config, name string) string { return "output:" + pathKey(c) + ":" + name }
func moduleKey(c *configs.Config) string              { return "module:" + pathKey(c) }
func resourceKey(c *configs.Config, key string) string {
	return "res:" + pathKey(c) + ":" + key
}

// absResourceKey is the node key of a resource given by its address.
func absResourceKey(a addrs.AbsResource) string {
	return "res:" + strings.Join(a.Module.Module(), ".") + ":" + a.Resource.String()
}
func checkKey(c *configs.Config, name string) string { return "check:" + pathKey(c) + ":" + name }
func providerKey(p providerAddr) string              { return "provider:" + p.String() }
func destroyKey(a addrs.AbsResource) string          { return "destroy:" + a.String() }

func (n *node) String() string {
	prefix := ""
	if len(n.cfg.Path) > 0 {
		prefix = addrs.Module(n.cfg.Path).String() + "."
	}
	switch n.kind {
	case kVar:
		return prefix + "var." + n.name
	case kLocal:
		return prefix + "local." + n.name
	case kOutput:
		return prefix + "output." + n.name
	case kModule:
		return addrs.Module(n.cfg.Path).String()
	case kResource:
		return prefix + n.res.Key()
	case kProvider:
		return n.prov.String()
	case kCheck:
		return prefix + "check." + n.name
	case kDestroy:
		return n.destroy.String() + " (destroy)"
	}
	return "?"
}

// depGraph is the dependency graph of one walk.
type depGraph struct {
	g     *graph.Graph[string]
	nodes map[string]*node
	// resourceProviders maps a resource node key to its provider address.
	resourceProviders map[string]providerAddr
	// dependsOn maps a node key to the nodes its depends_on names.
	dependsOn map[string][]string
}

func (dg *depGraph) add(key string, n *node) {
	if _, ok := dg.nodes[key]; ok {
		return
	}
	dg.nodes[key] = n
	dg.g.Add(key)
}

// buildGraph makes one vertex per variable, local, output, module call,
// resource, provider configuration and check, with edges from references and
// depends_on. Building is linear in the configuration's size.
func buildGraph(ctx context.Context, root *configs.Config, provs *providers) (*depGraph, hcl.Diagnostics) {
	dg := &depGraph{g: graph.New[string](), nodes: map[string]*node{}, resourceProviders: map[string]providerAddr{}}
	var diags hcl.Diagnostics
	var all []*configs.Config
	root.DeepEach(func(c *configs.Config) { all = append(all, c) })

	// Vertices first, so references find them.
	for _, c := range all {
		m := c.Module
		if c.Parent != nil {
			dg.add(moduleKey(c), &node{kind: kModule, cfg: c, name: c.Path[len(c.Path)-1], rng: c.CallRange})
		}
		for _, name := range sortedKeys(m.Variables) {
			dg.add(varKey(c, name), &node{kind: kVar, cfg: c, name: name, rng: m.Variables[name].DeclRange})
		}
		for _, name := range sortedKeys(m.Locals) {
			dg.add(localKey(c, name), &node{kind: kLocal, cfg: c, name: name, rng: m.Locals[name].DeclRange})
		}
		for _, name := range sortedKeys(m.Outputs) {
			dg.add(outputKey(c, name), &node{kind: kOutput, cfg: c, name: name, rng: m.Outputs[name].DeclRange})
		}
		for _, k := range sortedKeys(m.ProviderConfigs) {
			pc := m.ProviderConfigs[k]
			pa := providerAddr{Module: addrs.Module(c.Path), Source: providerSource(m, pc.Name), Alias: pc.Alias}
			dg.add(providerKey(pa), &node{kind: kProvider, cfg: c, prov: pa, pcfg: pc, rng: pc.DeclRange})
		}
		for _, set := range []map[string]*configs.Resource{m.ManagedResources, m.DataResources} {
			for _, k := range sortedKeys(set) {
				r := set[k]
				dg.add(resourceKey(c, k), &node{kind: kResource, cfg: c, res: r, rng: r.DeclRange})
			}
		}
		for _, name := range sortedKeys(m.Checks) {
			ch := m.Checks[name]
			dg.add(checkKey(c, name), &node{kind: kCheck, cfg: c, name: name, rng: ch.DeclRange})
			if ch.DataResource != nil {
				dg.add(resourceKey(c, ch.DataResource.Key()), &node{kind: kResource, cfg: c, res: ch.DataResource, rng: ch.DataResource.DeclRange})
			}
		}
	}

	// Edges.
	for _, key := range dg.g.Vertices() {
		n := dg.nodes[key]
		c := n.cfg
		m := c.Module
		var travs []hcl.Traversal
		var dependsOn []hcl.Traversal
		switch n.kind {
		case kVar:
			if c.Parent != nil {
				call := c.Parent.Module.ModuleCalls[c.Path[len(c.Path)-1]]
				if attrs, _ := call.Config.JustAttributes(); attrs != nil {
					if a, ok := attrs[n.name]; ok {
						dg.connectRefs(key, c.Parent, a.Expr.Variables(), &diags)
					}
				}
			}
			// Validations may refer to other variables and objects, as
			// OpenTofu allows since 1.8.
			for _, r := range m.Variables[n.name].Validations {
				travs = append(travs, r.Condition.Variables()...)
				if r.ErrorMessage != nil {
					travs = append(travs, r.ErrorMessage.Variables()...)
				}
			}
		case kLocal:
			travs = m.Locals[n.name].Expr.Variables()
		case kOutput:
			o := m.Outputs[n.name]
			travs = o.Expr.Variables()
			for _, p := range o.Preconditions {
				travs = append(travs, p.Condition.Variables()...)
				travs = append(travs, p.ErrorMessage.Variables()...)
			}
			dependsOn = o.DependsOn
		case kModule:
			call := c.Parent.Module.ModuleCalls[c.Path[len(c.Path)-1]]
			// The call's arguments are the child's variables: anything else
			// is an error, and so is a missing required one.
			schema := &hcl.BodySchema{}
			for _, name := range sortedKeys(m.Variables) {
				schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: name, Required: m.Variables[name].Required()})
			}
			_, d := call.Config.Content(schema)
			diags = append(diags, d...)
			var ptravs []hcl.Traversal
			if call.Count != nil {
				ptravs = append(ptravs, call.Count.Variables()...)
			}
			if call.ForEach != nil {
				ptravs = append(ptravs, call.ForEach.Variables()...)
			}
			dg.connectRefs(key, c.Parent, ptravs, &diags)
			dg.connectDependsOn(key, c.Parent, call.DependsOn, &diags)
		case kProvider:
			s, err := provs.schema(ctx, n.prov.Source)
			if err != nil {
				diags = append(diags, schemaDiag(err, "Failed to load provider schema", n.rng.Ptr()))
				continue
			}
			pb := s.Provider.Block
			if pb == nil {
				continue
			}
			travs = provs.bodyTraversals(n.pcfg.Config, pb)
		case kResource:
			r := n.res
			pa, d := resolveProvider(c, r)
			diags = append(diags, d...)
			if d.HasErrors() {
				continue
			}
			dg.resourceProviders[key] = pa
			if pk := providerKey(pa); dg.g.Has(pk) {
				dg.g.Connect(key, pk)
			}
			mode := addrs.ManagedResourceMode
			if r.Mode == configs.DataResourceMode {
				mode = addrs.DataResourceMode
			}
			schema, err := provs.resourceSchema(ctx, pa.Source, mode, r.Type)
			if err != nil {
				diags = append(diags, schemaDiag(err, "Invalid resource type", r.TypeRange.Ptr()))
				continue
			}
			travs = provs.bodyTraversals(r.Config, schema.Block)
			if r.Count != nil {
				travs = append(travs, r.Count.Variables()...)
			}
			if r.ForEach != nil {
				travs = append(travs, r.ForEach.Variables()...)
			}
			for _, cr := range append(append([]*configs.CheckRule(nil), r.Preconditions...), r.Postconditions...) {
				travs = append(travs, cr.Condition.Variables()...)
				travs = append(travs, cr.ErrorMessage.Variables()...)
			}
			if r.Managed != nil {
				for _, e := range r.Managed.ReplaceTriggeredBy {
					travs = append(travs, e.Variables()...)
				}
			}
			travs = append(travs, importTravs(m, r)...)
			dependsOn = r.DependsOn
		case kCheck:
			ch := m.Checks[n.name]
			for _, a := range ch.Asserts {
				travs = append(travs, a.Condition.Variables()...)
				travs = append(travs, a.ErrorMessage.Variables()...)
			}
		}
		dg.connectRefs(key, c, travs, &diags)
		dg.connectDependsOn(key, c, dependsOn, &diags)
		if c.Parent != nil && n.kind != kModule {
			dg.g.Connect(key, moduleKey(c))
		}
		if n.kind == kModule && c.Parent.Parent != nil {
			dg.g.Connect(key, moduleKey(c.Parent))
		}
	}
	if cycles := dg.g.Cycles(); len(cycles) > 0 {
		for _, cyc := range cycles {
			names := make([]string, len(cyc))
			for i, k := range cyc {
				n := dg.nodes[k]
				names[i] = fmt.Sprintf("%s (%s)", n.String(), n.rng.String())
			}
			first := dg.nodes[cyc[0]]
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cycle: " + cycleSummary(dg, cyc),
				Detail:  "These objects refer to each other, so none of them can be evaluated first:\n  " + strings.Join(names, "\n  "),
				Subject: first.rng.Ptr()})
		}
	}
	// Every resource of a provider that cannot be loaded has the
	// provider's one diagnostic: it is reported once.
	return dg, dedupe(diags)
}

func cycleSummary(dg *depGraph, cyc []string) string {
	names := make([]string, len(cyc))
	for i, k := range cyc {
		names[i] = dg.nodes[k].String()
	}
	return strings.Join(names, ", ")
}

// connectRefs adds an edge from key to every node the traversals refer to in
// module c. Unknown names are left for evaluation to report.
func (dg *depGraph) connectRefs(key string, c *configs.Config, travs []hcl.Traversal, diags *hcl.Diagnostics) {
	for _, t := range travs {
		ref, _ := addrs.ParseRef(t)
		if ref == nil {
			continue
		}
		for _, dep := range dg.refTargets(c, ref.Subject) {
			if dep != key {
				dg.g.Connect(key, dep)
			} else if ref.Subject != nil {
				// A self-reference outside self is a cycle OpenTofu reports.
				if _, isRes := ref.Subject.(addrs.Resource); isRes || isInstance(ref.Subject) {
					n := dg.nodes[key]
					if n.kind == kResource {
						*diags = append(*diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Self-referential block",
							Detail:  fmt.Sprintf("Configuration for %s may not refer to itself.", n.String()),
							Subject: ref.SourceRange.Ptr()})
					}
				} else if n := dg.nodes[key]; n.kind == kLocal || n.kind == kOutput {
					*diags = append(*diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Self-referential block",
						Detail:  fmt.Sprintf("Configuration for %s may not refer to itself.", n.String()),
						Subject: ref.SourceRange.Ptr()})
				}
			}
		}
	}
}

func isInstance(r addrs.Referenceable) bool {
	_, ok := r.(addrs.ResourceInstance)
	return ok
}

func (dg *depGraph) connectDependsOn(key string, c *configs.Config, travs []hcl.Traversal, diags *hcl.Diagnostics) {
	for _, t := range travs {
		ref, d := addrs.ParseRef(t)
		*diags = append(*diags, d...)
		if ref == nil {
			continue
		}
		targets := dg.refTargets(c, ref.Subject)
		if mo, ok := ref.Subject.(addrs.ModuleCallOutput); ok && mo.Output == "" {
			// depends_on = [module.x]: everything in the module.
			if child := c.Children[mo.Call]; child != nil {
				child.DeepEach(func(cc *configs.Config) {
					for k := range cc.Module.ManagedResources {
						targets = append(targets, resourceKey(cc, k))
					}
					for k := range cc.Module.DataResources {
						targets = append(targets, resourceKey(cc, k))
					}
				})
			}
		}
		if len(targets) == 0 {
			*diags = append(*diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid depends_on reference",
				Detail: fmt.Sprintf("%s is not declared in this module.", ref.Subject.String()), Subject: ref.SourceRange.Ptr()})
		}
		for _, dep := range targets {
			if dep != key && dg.g.Has(dep) {
				dg.g.Connect(key, dep)
				if dg.dependsOn == nil {
					dg.dependsOn = map[string][]string{}
				}
				dg.dependsOn[key] = append(dg.dependsOn[key], dep)
			}
		}
	}
}

// refTargets maps a reference to the node keys it depends on.
func (dg *depGraph) refTargets(c *configs.Config, s addrs.Referenceable) []string {
	var out []string
	add := func(k string) {
		if _, ok := dg.nodes[k]; ok {
			out = append(out, k)
		}
	}
	switch s := s.(type) {
	case addrs.InputVariable:
		add(varKey(c, s.Name))
	case addrs.LocalValue:
		add(localKey(c, s.Name))
	case addrs.ModuleCallOutput:
		child := c.Children[s.Call]
		if child == nil {
			return nil
		}
		add(moduleKey(child))
		for name := range child.Module.Outputs {
			add(outputKey(child, name))
		}
	case addrs.Resource:
		add(resourceKey(c, s.String()))
	case addrs.ResourceInstance:
		add(resourceKey(c, s.Resource.String()))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// importTravs lists what the import blocks of a module that target r refer
// to, so that r is planned after their id and for_each can be evaluated.
func importTravs(m *configs.Module, r *configs.Resource) []hcl.Traversal {
	if r.Mode != configs.ManagedResourceMode {
		return nil
	}
	var out []hcl.Traversal
	for _, imp := range m.Imports {
		if !importNames(imp, r) {
			continue
		}
		if imp.ID != nil {
			out = append(out, imp.ID.Variables()...)
		}
		if imp.ForEach != nil {
			out = append(out, imp.ForEach.Variables()...)
		}
	}
	return out
}

// importNames reports whether an import block targets r in the block's own
// module.
func importNames(imp *configs.Import, r *configs.Resource) bool {
	var trav hcl.Traversal
	switch {
	case imp.To != nil:
		trav = imp.To
	case imp.ToExpr != nil:
		// With dynamic keys the resource is the first thing the target
		// expression refers to.
		if vs := imp.ToExpr.Variables(); len(vs) > 0 {
			trav = vs[0]
		}
	}
	ref, _ := addrs.ParseRef(trav)
	if ref == nil {
		return false
	}
	var res addrs.Resource
	switch s := ref.Subject.(type) {
	case addrs.Resource:
		res = s
	case addrs.ResourceInstance:
		res = s.Resource
	default:
		return false
	}
	return res.Mode == addrs.ManagedResourceMode && res.Type == r.Type && res.Name == r.Name
}
