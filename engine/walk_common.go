package engine

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// visitCommon handles the nodes that plan and apply evaluate the same way.
// It reports whether it handled the node.
func (w *walker) visitCommon(n *node, rootVars map[string]cty.Value) (bool, hcl.Diagnostics) {
	switch n.kind {
	case kVar:
		return true, w.visitVariable(n, rootVars)
	case kLocal:
		var diags hcl.Diagnostics
		l := n.cfg.Module.Locals[n.name]
		for _, mi := range w.ev.moduleInstances(addrs.Module(n.cfg.Path)) {
			v, d := w.ev.evalExpr(scope{cfg: n.cfg, mi: mi.Addr}, l.Expr, cty.DynamicPseudoType)
			diags = append(diags, d...)
			w.ev.setLocal(mi.Addr, n.name, v)
		}
		return true, diags
	case kModule:
		return true, w.visitModuleExpand(n)
	case kProvider:
		return true, w.visitProvider(n)
	}
	return false, nil
}

func (w *walker) visitVariable(n *node, rootVars map[string]cty.Value) hcl.Diagnostics {
	var diags hcl.Diagnostics
	decl := n.cfg.Module.Variables[n.name]
	for _, mi := range w.ev.moduleInstances(addrs.Module(n.cfg.Path)) {
		var v cty.Value
		if n.cfg.Parent == nil {
			var ok bool
			v, ok = rootVars[n.name]
			if !ok {
				v = decl.Default
				if v == cty.NilVal {
					v = cty.NullVal(decl.Type)
				}
			}
		} else {
			call := n.cfg.Parent.Module.ModuleCalls[n.cfg.Path[len(n.cfg.Path)-1]]
			attrs, _ := call.Config.JustAttributes()
			parentMI := mi.Addr.Parent()
			rep := mi.Rep // the call's count.index / each.* for this instance
			if a, ok := attrs[n.name]; ok {
				var d hcl.Diagnostics
				v, d = w.ev.evalExpr(scope{cfg: n.cfg.Parent, mi: parentMI, rep: rep}, a.Expr, cty.DynamicPseudoType)
				diags = append(diags, d...)
				if d.HasErrors() {
					w.ev.setVar(mi.Addr, n.name, cty.DynamicVal)
					continue
				}
			} else if decl.Default != cty.NilVal {
				v = decl.Default
			} else {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing required argument",
					Detail: fmt.Sprintf("The argument %q is required, but no definition was found.", n.name), Subject: call.DeclRange.Ptr()})
				w.ev.setVar(mi.Addr, n.name, cty.DynamicVal)
				continue
			}
			if v.IsNull() && decl.Default != cty.NilVal && !decl.Nullable {
				v = decl.Default
			}
			if decl.TypeDefaults != nil {
				v = decl.TypeDefaults.Apply(v)
			}
			cv, err := convert.Convert(v, decl.ConstraintType)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for input variable",
					Detail: fmt.Sprintf("The given value is not suitable for %s declared at %s: %s.", mi.Addr.String()+".var."+n.name, decl.DeclRange, err), Subject: call.DeclRange.Ptr()})
				w.ev.setVar(mi.Addr, n.name, cty.DynamicVal)
				continue
			}
			v = cv
			if v.IsNull() && !decl.Nullable {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for input variable",
					Detail: fmt.Sprintf("The variable %q is not nullable, so it cannot be set to null.", n.name), Subject: call.DeclRange.Ptr()})
			}
		}
		if decl.Sensitive {
			v = v.Mark(sensitiveMark())
		}
		w.ev.setVar(mi.Addr, n.name, v)
		// As in OpenTofu, a failed validation points at where the value
		// was given: the module argument, else the declaration.
		subject := decl.DeclRange
		if n.cfg.Parent != nil {
			call := n.cfg.Parent.Module.ModuleCalls[n.cfg.Path[len(n.cfg.Path)-1]]
			if attrs, _ := call.Config.JustAttributes(); attrs[n.name] != nil {
				subject = attrs[n.name].Expr.Range()
			}
		}
		for _, rule := range decl.Validations {
			diags = append(diags, w.checkRuleAt(scope{cfg: n.cfg, mi: mi.Addr}, rule, "Invalid value for variable",
				fmt.Sprintf("This was checked by the validation rule at %s.", rule.DeclRange), hcl.DiagError, subject.Ptr())...)
		}
	}
	return diags
}

// checkRule evaluates a condition; a false result is an error with the rule's
// message. Unknown results are deferred (no error).
func (w *walker) checkRule(sc scope, rule *configs.CheckRule, summary string) hcl.Diagnostics {
	return w.checkRuleAt(sc, rule, summary, "", hcl.DiagError, nil)
}

func (w *walker) checkRuleSeverity(sc scope, rule *configs.CheckRule, summary string, sev hcl.DiagnosticSeverity) hcl.Diagnostics {
	return w.checkRuleAt(sc, rule, summary, "", sev, nil)
}

// checkRuleAt is checkRule with a detail suffix and a subject other than
// the condition, for variable validations.
func (w *walker) checkRuleAt(sc scope, rule *configs.CheckRule, summary, detailSuffix string, sev hcl.DiagnosticSeverity, subject *hcl.Range) hcl.Diagnostics {
	cond, diags := w.ev.evalExpr(sc, rule.Condition, cty.Bool)
	if diags.HasErrors() {
		return diags
	}
	cond, _ = cond.Unmark()
	if !cond.IsKnown() {
		return diags
	}
	if cond.IsNull() {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid condition result",
			Detail: "Condition expression must return either true or false, not null.", Subject: rule.Condition.Range().Ptr()})
	}
	if cond.True() {
		return diags
	}
	msg := ""
	if rule.ErrorMessage != nil {
		mv, d := w.ev.evalExpr(sc, rule.ErrorMessage, cty.String)
		diags = append(diags, d...)
		if mv.IsKnown() && !mv.IsNull() {
			if mv.IsMarked() {
				msg = "The error message included a sensitive value, so it will not be displayed."
			} else {
				msg = strings.TrimSpace(mv.AsString())
			}
		}
	}
	if msg == "" {
		msg = "Failed to evaluate condition error message."
	}
	if detailSuffix != "" {
		msg += "\n\n" + detailSuffix
	}
	if subject == nil {
		subject = rule.Condition.Range().Ptr()
	}
	// The context lets the diagnostic show the values the condition saw.
	ctx, _ := w.ev.evalContext(sc, rule.Condition.Variables())
	return append(diags, &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: msg, Subject: subject,
		Expression: rule.Condition, EvalContext: ctx})
}

func (w *walker) visitModuleExpand(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	name := n.cfg.Path[len(n.cfg.Path)-1]
	call := n.cfg.Parent.Module.ModuleCalls[name]
	var insts []moduleInst
	for _, pmi := range w.ev.moduleInstances(addrs.Module(n.cfg.Parent.Path)) {
		keys, reps, d := w.expand(scope{cfg: n.cfg.Parent, mi: pmi.Addr}, call.Count, call.ForEach)
		diags = append(diags, d...)
		for i, k := range keys {
			insts = append(insts, moduleInst{Addr: pmi.Addr.Child(name, k), Rep: reps[i]})
		}
	}
	w.ev.setModuleInstances(addrs.Module(n.cfg.Path), insts)
	return diags
}

// referenced reports whether any other node refers to a resource node,
// and so may evaluate its values.
func (w *walker) referenced(n *node) bool {
	return len(w.dg.g.DependentsOf(resourceKey(n.cfg, n.res.Key()))) > 0
}

// expand evaluates count or for_each into instance keys, in key order.
func (w *walker) expand(sc scope, count, forEach hcl.Expression) ([]addrs.InstanceKey, []repetition, hcl.Diagnostics) {
	switch {
	case count != nil:
		v, diags := w.ev.evalExpr(sc, count, cty.Number)
		if diags.HasErrors() {
			return nil, nil, diags
		}
		v, _ = v.Unmark()
		if !v.IsKnown() {
			return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid count argument",
				Detail:  "The \"count\" value depends on resource attributes that cannot be determined until apply, so nuvola cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.",
				Subject: count.Range().Ptr()})
		}
		if v.IsNull() {
			return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid count argument",
				Detail: "The given \"count\" argument value is null. An integer is required.", Subject: count.Range().Ptr()})
		}
		bf := v.AsBigFloat()
		n, acc := bf.Int64()
		if acc != 0 || n < 0 || n > 1<<20 {
			return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid count argument",
				Detail: "The given \"count\" argument value is unsuitable: must be a whole number, zero or greater.", Subject: count.Range().Ptr()})
		}
		keys := make([]addrs.InstanceKey, n)
		reps := make([]repetition, n)
		for i := range keys {
			keys[i] = addrs.IntKey(i)
			reps[i] = repFor(keys[i], cty.NilVal)
		}
		return keys, reps, diags
	case forEach != nil:
		v, diags := w.ev.evalExpr(sc, forEach, cty.DynamicPseudoType)
		if diags.HasErrors() {
			return nil, nil, diags
		}
		if v.HasMark(sensitiveMark()) {
			return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument",
				Detail: "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.", Subject: forEach.Range().Ptr()})
		}
		v, _ = v.Unmark()
		if !v.IsKnown() {
			return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument",
				Detail:  "The \"for_each\" value depends on resource attributes that cannot be determined until apply, so nuvola cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the for_each depends on.",
				Subject: forEach.Range().Ptr()})
		}
		if v.IsNull() {
			return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument",
				Detail: "The given \"for_each\" argument value is null. A map, or set of strings is allowed.", Subject: forEach.Range().Ptr()})
		}
		ty := v.Type()
		var keys []addrs.InstanceKey
		var reps []repetition
		switch {
		case ty.IsMapType() || ty.IsObjectType():
			m := v.AsValueMap()
			names := make([]string, 0, len(m))
			for k := range m {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				keys = append(keys, addrs.StringKey(k))
				reps = append(reps, repFor(addrs.StringKey(k), m[k]))
			}
		case ty.IsSetType() && ty.ElementType() != cty.String && ty.ElementType() != cty.DynamicPseudoType:
			return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each set argument",
				Detail:  fmt.Sprintf("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type %s.", ty.ElementType().FriendlyName()),
				Subject: forEach.Range().Ptr()})
		case ty.IsSetType():
			if !v.IsWhollyKnown() {
				return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument",
					Detail: "The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply.", Subject: forEach.Range().Ptr()})
			}
			for it := v.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				if ev.IsNull() {
					return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each set argument",
						Detail: "The given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values.", Subject: forEach.Range().Ptr()})
				}
				sv, err := convert.Convert(ev, cty.String)
				if err != nil {
					return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each set argument",
						Detail: "The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings.", Subject: forEach.Range().Ptr()})
				}
				keys = append(keys, addrs.StringKey(sv.AsString()))
				reps = append(reps, repFor(addrs.StringKey(sv.AsString()), sv))
			}
		default:
			return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument",
				Detail:  fmt.Sprintf("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type %s.", ty.FriendlyName()),
				Subject: forEach.Range().Ptr()})
		}
		return keys, reps, diags
	}
	return []addrs.InstanceKey{addrs.NoKey}, []repetition{{}}, nil
}

func (w *walker) visitProvider(n *node) hcl.Diagnostics {
	s, err := w.provs.schema(w.ctx, n.prov.Source)
	if err != nil {
		return hcl.Diagnostics{schemaDiag(err, "Failed to load provider", n.rng.Ptr())}
	}
	insts := w.ev.moduleInstances(addrs.Module(n.cfg.Path))
	if len(insts) != 1 {
		if len(insts) == 0 {
			return nil
		}
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Module is incompatible with count, for_each, and depends_on",
			Detail: "A module that declares its own provider configurations cannot be called with count or for_each.", Subject: n.rng.Ptr()}}
	}
	block := s.Provider.Block
	if block == nil {
		block = &plugins.Block{}
	}
	v, diags := w.ev.evalBody(scope{cfg: n.cfg, mi: insts[0].Addr}, n.pcfg.Config, block)
	if diags.HasErrors() {
		return diags
	}
	v, _ = unmarkSensitive(v)
	p, pd := w.provs.configure(w.ctx, n.prov, v)
	if p != nil {
		w.startPrefetch(n.prov, p)
	}
	return append(diags, w.providerDiags(pd, n.pcfg.Config, n.rng)...)
}

// provider returns the configured instance for a resource's provider,
// configuring an implied empty configuration on first use.
func (w *walker) provider(pa providerAddr) (plugins.Provider, hcl.Diagnostics) {
	w.mu.Lock()
	ic := w.implied[pa.String()]
	w.mu.Unlock()
	if ic == nil {
		if p := w.provs.configured(pa); p != nil {
			w.startPrefetch(pa, p)
			return p, nil
		}
	}
	p, diags := w.configureImplied(pa)
	if p != nil {
		w.startPrefetch(pa, p)
	}
	return p, diags
}

// impliedConfig is the configuration of a provider that has no
// configuration block. It is made once, by the first node that needs it
// or ahead of the walk, and every node that needs the provider gets its
// diagnostics, which addDiags then reports once.
type impliedConfig struct {
	once  sync.Once
	prov  plugins.Provider
	diags hcl.Diagnostics
}

// configureImplied configures a provider that has no configuration block,
// once: a configuration that fails is neither tried again nor reported
// again by every resource of the provider.
func (w *walker) configureImplied(pa providerAddr) (plugins.Provider, hcl.Diagnostics) {
	w.mu.Lock()
	ic := w.implied[pa.String()]
	if ic == nil {
		if w.implied == nil {
			w.implied = map[string]*impliedConfig{}
		}
		ic = &impliedConfig{}
		w.implied[pa.String()] = ic
	}
	w.mu.Unlock()
	ic.once.Do(func() { ic.prov, ic.diags = w.configureEmpty(pa) })
	return ic.prov, ic.diags
}

// configureEmpty configures a provider with an empty configuration: every
// attribute null, every nested block absent.
func (w *walker) configureEmpty(pa providerAddr) (plugins.Provider, hcl.Diagnostics) {
	if p := w.provs.configured(pa); p != nil {
		return p, nil
	}
	s, err := w.provs.schema(w.ctx, pa.Source)
	if err != nil {
		return nil, hcl.Diagnostics{schemaDiag(err, "Failed to load provider", nil)}
	}
	cfg := cty.EmptyObjectVal
	if s.Provider.Block != nil {
		cfg = cty.NullVal(s.Provider.Block.ImpliedType())
		attrs := map[string]cty.Value{}
		for name, a := range s.Provider.Block.Attributes {
			attrs[name] = cty.NullVal(a.Type)
		}
		for name, nb := range s.Provider.Block.BlockTypes {
			ty := s.Provider.Block.ImpliedType().AttributeType(name)
			if nb.Nesting == plugins.NestingSingle {
				attrs[name] = cty.NullVal(ty)
			} else if ty.IsListType() {
				attrs[name] = cty.ListValEmpty(ty.ElementType())
			} else if ty.IsSetType() {
				attrs[name] = cty.SetValEmpty(ty.ElementType())
			} else if ty.IsMapType() {
				attrs[name] = cty.MapValEmpty(ty.ElementType())
			} else {
				attrs[name] = cty.NullVal(ty)
			}
		}
		cfg = cty.ObjectVal(attrs)
	}
	p, pd := w.provs.configure(w.ctx, pa, cfg)
	return p, w.providerDiags(pd, nil, hcl.Range{})
}

// providerDiags turns provider diagnostics into hcl diagnostics, pointing
// at the attribute the provider named when the body has it.
func (w *walker) providerDiags(pd plugins.Diagnostics, body hcl.Body, fallback hcl.Range) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range pd {
		sev := hcl.DiagError
		if d.Severity == plugins.Warning {
			sev = hcl.DiagWarning
		}
		subject := fallback
		if body != nil && len(d.Attribute) > 0 {
			subject = rangeForPath(body, d.Attribute, fallback)
		}
		diag := &hcl.Diagnostic{Severity: sev, Summary: d.Summary, Detail: d.Detail}
		if subject.Filename != "" {
			diag.Subject = subject.Ptr()
		}
		out = append(out, diag)
	}
	return out
}

// rangeForPath finds the source range of the attribute at the start of
// path in body, or returns fallback.
func rangeForPath(body hcl.Body, path cty.Path, fallback hcl.Range) hcl.Range {
	step, ok := path[0].(cty.GetAttrStep)
	if !ok {
		return fallback
	}
	content, _, _ := body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: step.Name}}})
	if content != nil {
		if a, ok := content.Attributes[step.Name]; ok {
			return a.Expr.Range()
		}
	}
	return fallback
}
