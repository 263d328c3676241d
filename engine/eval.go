package engine

import (
	"fmt"
	"os"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/hcl/funcs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// repetition is what count.index and each.key/each.value mean where an
// expression is evaluated.
type repetition struct {
	CountIndex cty.Value // cty.NilVal outside count
	EachKey    cty.Value // cty.NilVal outside for_each
	EachValue  cty.Value
}

func repFor(key addrs.InstanceKey, eachValue cty.Value) repetition {
	switch k := key.(type) {
	case addrs.IntKey:
		return repetition{CountIndex: k.Value()}
	case addrs.StringKey:
		return repetition{EachKey: k.Value(), EachValue: eachValue}
	}
	return repetition{}
}

// moduleInst is one expanded module instance.
type moduleInst struct {
	Addr addrs.ModuleInstance
	Rep  repetition
}

// resourceValues holds the values of one resource's instances in one
// module instance. The aggregate value that references see is built once,
// after every instance is known, so referring to res[key] from N other
// instances costs O(1) each, not O(N).
type resourceValues struct {
	mu   sync.Mutex
	each eachMode
	// discard is set for a resource nothing refers to: only expressions
	// read these values, and an expression that names a resource makes
	// its node depend on the resource's in the graph. Not keeping them
	// saves a value per instance for the whole walk.
	discard bool
	// one is the value of the instance without a key, kept outside the
	// map because most resources have only that instance.
	one       cty.Value
	instances map[addrs.InstanceKey]cty.Value
	agg       cty.Value
}

type eachMode int

const (
	eachNone eachMode = iota
	eachCount
	eachMap
)

func (rv *resourceValues) set(k addrs.InstanceKey, v cty.Value) {
	if rv.discard {
		return
	}
	rv.mu.Lock()
	if k == addrs.NoKey {
		rv.one = v
	} else {
		if rv.instances == nil {
			rv.instances = map[addrs.InstanceKey]cty.Value{}
		}
		rv.instances[k] = v
	}
	rv.agg = cty.NilVal
	rv.mu.Unlock()
}

func (rv *resourceValues) aggregate() cty.Value {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.agg != cty.NilVal {
		return rv.agg
	}
	switch rv.each {
	case eachCount:
		n := len(rv.instances)
		if rv.one != cty.NilVal {
			n++ // as if the keyless value were one of the map's
		}
		vals := make([]cty.Value, n)
		for i := 0; i < n; i++ {
			v, ok := rv.instances[addrs.IntKey(i)]
			if !ok {
				v = cty.DynamicVal
			}
			vals[i] = v
		}
		if n == 0 {
			rv.agg = cty.EmptyTupleVal
		} else {
			rv.agg = cty.TupleVal(vals)
		}
	case eachMap:
		m := make(map[string]cty.Value, len(rv.instances))
		for k, v := range rv.instances {
			if sk, ok := k.(addrs.StringKey); ok {
				m[string(sk)] = v
			}
		}
		rv.agg = cty.ObjectVal(m)
	default:
		v := rv.one
		if v == cty.NilVal {
			v = cty.DynamicVal
		}
		rv.agg = v
	}
	return rv.agg
}

// evaluator holds every value computed so far in one plan or apply walk and
// builds evaluation contexts from it.
type evaluator struct {
	root     *configs.Config
	planning bool
	cwd      string
	provs    *providers // for the schemas' derived forms

	mu      sync.RWMutex
	vars    map[string]map[string]cty.Value // module instance -> name -> value
	locals  map[string]map[string]cty.Value
	outputs map[string]map[string]cty.Value
	modules map[string][]moduleInst // static module path -> instances
	// resources and fnCache have no lock of their own to wait on: every
	// resource node adds to resources and every evaluation reads both,
	// and behind mu hundreds of concurrent visits queued up on each other.
	resources sync.Map // AbsResource.String() -> *resourceValues
	callAgg   map[string]cty.Value
	fnCache   sync.Map // directory -> map[string]function.Function
}

func newEvaluator(root *configs.Config, planning bool, provs *providers) *evaluator {
	cwd, _ := os.Getwd()
	e := &evaluator{
		root: root, planning: planning, cwd: cwd, provs: provs,
		vars: map[string]map[string]cty.Value{}, locals: map[string]map[string]cty.Value{},
		outputs: map[string]map[string]cty.Value{}, modules: map[string][]moduleInst{},
		callAgg: map[string]cty.Value{},
	}
	e.modules[""] = []moduleInst{{Addr: addrs.RootModuleInstance}}
	return e
}

func (e *evaluator) moduleInstances(path addrs.Module) []moduleInst {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.modules[path.String()]
}

func (e *evaluator) setModuleInstances(path addrs.Module, insts []moduleInst) {
	e.mu.Lock()
	e.modules[path.String()] = append(e.modules[path.String()], insts...)
	e.mu.Unlock()
}

func (e *evaluator) setNamed(m map[string]map[string]cty.Value, mi addrs.ModuleInstance, name string, v cty.Value) {
	e.mu.Lock()
	k := mi.String()
	if m[k] == nil {
		m[k] = map[string]cty.Value{}
	}
	m[k][name] = v
	e.mu.Unlock()
}

func (e *evaluator) setVar(mi addrs.ModuleInstance, name string, v cty.Value) {
	e.setNamed(e.vars, mi, name, v)
}
func (e *evaluator) setLocal(mi addrs.ModuleInstance, name string, v cty.Value) {
	e.setNamed(e.locals, mi, name, v)
}
func (e *evaluator) setOutput(mi addrs.ModuleInstance, name string, v cty.Value) {
	e.setNamed(e.outputs, mi, name, v)
}

// resourceValues returns the values of a resource's instances in one module
// instance; referenced says whether anything refers to the resource.
func (e *evaluator) resourceValues(addr addrs.AbsResource, mode eachMode, referenced bool) *resourceValues {
	k := addr.String()
	v, ok := e.resources.Load(k)
	if !ok {
		v, _ = e.resources.LoadOrStore(k, &resourceValues{each: mode, discard: !referenced})
	}
	rv := v.(*resourceValues)
	rv.mu.Lock()
	rv.each = mode
	rv.mu.Unlock()
	return rv
}

func (e *evaluator) functions(dir string) map[string]function.Function {
	if f, ok := e.fnCache.Load(dir); ok {
		return f.(map[string]function.Function)
	}
	f, _ := e.fnCache.LoadOrStore(dir, funcs.Scope{BaseDir: dir, Planning: e.planning}.Functions())
	return f.(map[string]function.Function)
}

// moduleCallValue is what module.NAME evaluates to in a module instance: an
// object of outputs, or a tuple/object of them under count/for_each.
func (e *evaluator) moduleCallValue(mi addrs.ModuleInstance, call *configs.ModuleCall, child *configs.Config) cty.Value {
	key := mi.String() + "|" + call.Name
	e.mu.RLock()
	if v, ok := e.callAgg[key]; ok {
		e.mu.RUnlock()
		return v
	}
	e.mu.RUnlock()

	childPath := addrs.Module(append(append([]string(nil), mi.Module()...), call.Name))
	var keys []addrs.InstanceKey
	for _, inst := range e.moduleInstances(childPath) {
		if inst.Addr.Parent().Equal(mi) {
			keys = append(keys, inst.Addr[len(inst.Addr)-1].Key)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return addrs.KeyLess(keys[i], keys[j]) })
	objFor := func(k addrs.InstanceKey) cty.Value {
		cmi := mi.Child(call.Name, k)
		e.mu.RLock()
		outs := e.outputs[cmi.String()]
		attrs := make(map[string]cty.Value, len(child.Module.Outputs))
		for name := range child.Module.Outputs {
			v, ok := outs[name]
			if !ok {
				v = cty.DynamicVal
			}
			attrs[name] = v
		}
		e.mu.RUnlock()
		return cty.ObjectVal(attrs)
	}
	var v cty.Value
	switch {
	case call.Count != nil:
		vals := make([]cty.Value, 0, len(keys))
		for _, k := range keys {
			vals = append(vals, objFor(k))
		}
		v = cty.TupleVal(vals)
		if len(vals) == 0 {
			v = cty.EmptyTupleVal
		}
	case call.ForEach != nil:
		m := make(map[string]cty.Value, len(keys))
		for _, k := range keys {
			if sk, ok := k.(addrs.StringKey); ok {
				m[string(sk)] = objFor(k)
			}
		}
		v = cty.ObjectVal(m)
	default:
		v = objFor(addrs.NoKey)
	}
	e.mu.Lock()
	e.callAgg[key] = v
	e.mu.Unlock()
	return v
}

// scope is where an expression is evaluated.
type scope struct {
	cfg  *configs.Config // the module's configuration
	mi   addrs.ModuleInstance
	rep  repetition
	self cty.Value // cty.NilVal when self is not available
}

// evalContext builds an evaluation context holding exactly what the given
// traversals refer to.
func (e *evaluator) evalContext(sc scope, travs []hcl.Traversal) (*hcl.EvalContext, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	// Variables is never nil: HCL reports references against a nil map
	// as "Variables not allowed". The other maps are made when needed, as
	// most bodies refer to one or two kinds of object, often to none.
	vars := map[string]cty.Value{}
	var varObj, localObj, modObj, pathObj map[string]cty.Value
	var dataObj, resObj map[string]map[string]cty.Value
	mod := sc.cfg.Module
	miKey := ""
	if len(travs) > 0 {
		miKey = sc.mi.String()
	}

	for _, t := range travs {
		ref, d := addrs.ParseRef(t)
		diags = append(diags, d...)
		if ref == nil {
			continue
		}
		rng := ref.SourceRange.Ptr()
		switch s := ref.Subject.(type) {
		case addrs.InputVariable:
			if _, ok := mod.Variables[s.Name]; !ok {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared input variable",
					Detail: fmt.Sprintf("An input variable with the name %q has not been declared. This variable can be declared with a variable %q {} block.", s.Name, s.Name), Subject: rng})
				continue
			}
			e.mu.RLock()
			v, ok := e.vars[miKey][s.Name]
			e.mu.RUnlock()
			if !ok {
				v = cty.DynamicVal
			}
			if varObj == nil {
				varObj = map[string]cty.Value{}
			}
			varObj[s.Name] = v
		case addrs.LocalValue:
			if _, ok := mod.Locals[s.Name]; !ok {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared local value",
					Detail: fmt.Sprintf("A local value with the name %q has not been declared.", s.Name), Subject: rng})
				continue
			}
			e.mu.RLock()
			v, ok := e.locals[miKey][s.Name]
			e.mu.RUnlock()
			if !ok {
				v = cty.DynamicVal
			}
			if localObj == nil {
				localObj = map[string]cty.Value{}
			}
			localObj[s.Name] = v
		case addrs.ModuleCallOutput:
			call, ok := mod.ModuleCalls[s.Call]
			if !ok {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared module",
					Detail: fmt.Sprintf("No module call named %q is declared in this module.", s.Call), Subject: rng})
				continue
			}
			child := sc.cfg.Children[s.Call]
			if child == nil {
				continue
			}
			if s.Output != "" {
				if _, ok := child.Module.Outputs[s.Output]; !ok {
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported attribute",
						Detail: fmt.Sprintf("This object does not have an attribute named %q.", s.Output), Subject: rng})
					continue
				}
			}
			if modObj == nil {
				modObj = map[string]cty.Value{}
			}
			modObj[s.Call] = e.moduleCallValue(sc.mi, call, child)
		case addrs.Resource, addrs.ResourceInstance:
			var r addrs.Resource
			if ri, ok := s.(addrs.ResourceInstance); ok {
				r = ri.Resource
			} else {
				r = s.(addrs.Resource)
			}
			var rc *configs.Resource
			if r.Mode == addrs.DataResourceMode {
				rc = mod.DataResources[r.String()]
			} else {
				rc = mod.ManagedResources[r.String()]
			}
			if rc == nil {
				what := "managed resource"
				if r.Mode == addrs.DataResourceMode {
					what = "data resource"
				}
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared resource",
					Detail: fmt.Sprintf("A %s %q %q has not been declared in %s.", what, r.Type, r.Name, moduleDisplay(sc.mi)), Subject: rng})
				continue
			}
			v := cty.DynamicVal
			if rv, ok := e.resources.Load(r.Absolute(sc.mi).String()); ok {
				v = rv.(*resourceValues).aggregate()
			}
			target := &resObj
			if r.Mode == addrs.DataResourceMode {
				target = &dataObj
			}
			if *target == nil {
				*target = map[string]map[string]cty.Value{}
			}
			if (*target)[r.Type] == nil {
				(*target)[r.Type] = map[string]cty.Value{}
			}
			(*target)[r.Type][r.Name] = v
		case addrs.CountAttr:
			if sc.rep.CountIndex == cty.NilVal {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to \"count\" in non-counted context",
					Detail: "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.", Subject: rng})
				continue
			}
			vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": sc.rep.CountIndex})
		case addrs.ForEachAttr:
			if sc.rep.EachKey == cty.NilVal {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "each." + s.Name + " cannot be used in this context",
					Detail: "A reference to \"each." + s.Name + "\" has been used in a context in which it is unavailable, such as when the configuration no longer contains the value in its \"for_each\" expression.", Subject: rng})
				continue
			}
			vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": sc.rep.EachKey, "value": sc.rep.EachValue})
		case addrs.PathAttr:
			if pathObj == nil {
				pathObj = map[string]cty.Value{}
			}
			switch s.Name {
			case "module":
				pathObj["module"] = cty.StringVal(sc.cfg.SourceDir)
			case "root":
				pathObj["root"] = cty.StringVal(e.root.SourceDir)
			case "cwd":
				pathObj["cwd"] = cty.StringVal(e.cwd)
			}
		case addrs.TerraformAttr:
			vars[t.RootName()] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
		case addrs.Self:
			if sc.self == cty.NilVal {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid \"self\" reference",
					Detail: "The \"self\" object is not available in this context. It can be used only in postconditions and in provisioner-like contexts of a resource.", Subject: rng})
				continue
			}
			vars["self"] = sc.self
		}
	}
	if len(varObj) > 0 {
		vars["var"] = cty.ObjectVal(varObj)
	}
	if len(localObj) > 0 {
		vars["local"] = cty.ObjectVal(localObj)
	}
	if len(modObj) > 0 {
		vars["module"] = cty.ObjectVal(modObj)
	}
	if len(pathObj) > 0 {
		vars["path"] = cty.ObjectVal(pathObj)
	}
	if len(dataObj) > 0 {
		d := map[string]cty.Value{}
		for typ, m := range dataObj {
			d[typ] = cty.ObjectVal(m)
		}
		vars["data"] = cty.ObjectVal(d)
	}
	for typ, m := range resObj {
		if _, taken := vars[typ]; taken {
			continue
		}
		vars[typ] = cty.ObjectVal(m)
	}
	return &hcl.EvalContext{Variables: vars, Functions: e.functions(sc.cfg.SourceDir)}, diags
}

func moduleDisplay(mi addrs.ModuleInstance) string {
	if mi.IsRoot() {
		return "the root module"
	}
	return mi.String()
}

// evalExpr evaluates one expression, optionally converting to a type.
func (e *evaluator) evalExpr(sc scope, expr hcl.Expression, want cty.Type) (cty.Value, hcl.Diagnostics) {
	if expr == nil {
		return cty.NullVal(want), nil
	}
	ctx, diags := e.evalContext(sc, expr.Variables())
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	v, d := expr.Value(ctx)
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.DynamicVal, diags
	}
	if want != cty.DynamicPseudoType && want != cty.NilType {
		cv, err := convertValue(v, want)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Incorrect value type",
				Detail: fmt.Sprintf("Invalid expression value: %s.", err), Subject: expr.Range().Ptr(), Expression: expr, EvalContext: ctx})
			return cty.DynamicVal, diags
		}
		v = cv
	}
	return v, diags
}

// evalBody decodes a body against a schema, expanding dynamic blocks.
func (e *evaluator) evalBody(sc scope, body hcl.Body, block *plugins.Block) (cty.Value, hcl.Diagnostics) {
	bi := e.provs.block(block)
	info := e.provs.body(body, block)
	ctx, diags := e.evalContext(sc, info.travs)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	var v cty.Value
	var d hcl.Diagnostics
	if info.flat {
		v, d = decodeFlat(info.attrs, bi, ctx)
	} else {
		v, d = hcldec.Decode(dynblock.Expand(body, ctx), bi.spec, ctx)
	}
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.DynamicVal, diags
	}
	for _, p := range block.UnconfigurablePaths(v) {
		name := p[0].(cty.GetAttrStep).Name
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for unconfigurable attribute",
			Detail:  fmt.Sprintf("Can't configure a value for %q: its value will be decided automatically based on the result of applying this configuration.", name),
			Subject: rangeForPath(body, p, body.MissingItemRange()).Ptr()})
	}
	return v, diags
}

// decodeFlat is hcldec.Decode for a block of plain attributes whose content
// is already known, doing what hcldec's attribute spec does for each.
func decodeFlat(attrs []*hcl.Attribute, bi *blockInfo, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	vals := make(map[string]cty.Value, len(bi.attrs))
	for i, a := range bi.attrs {
		attr := attrs[i]
		if attr == nil {
			vals[a.name] = cty.NullVal(a.nullTy)
			continue
		}
		val, d := attr.Expr.Value(ctx)
		diags = append(diags, d...)
		cv, err := convert.Convert(val, a.ty)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity:    hcl.DiagError,
				Summary:     "Incorrect attribute value type",
				Detail:      fmt.Sprintf("Inappropriate value for attribute %q: %s.", a.name, err.Error()),
				Subject:     attr.Expr.Range().Ptr(),
				Context:     hcl.RangeBetween(attr.NameRange, attr.Expr.Range()).Ptr(),
				Expression:  attr.Expr,
				EvalContext: ctx,
			})
			cv = cty.UnknownVal(a.nullTy)
		}
		vals[a.name] = cv
	}
	return cty.ObjectVal(vals), diags
}
