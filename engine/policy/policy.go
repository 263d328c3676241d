package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/hcl/funcs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Resource is one resource instance as the policy step sees it: what goes
// to the policy providers, and its configuration block (nil for an
// instance no longer configured) to locate findings.
type Resource struct {
	plugins.PolicyResource
	Config *configs.Resource
}

// InScope reports whether the instance address falls under one of the
// scope addresses (a module call covers everything inside it, a resource
// every instance of it); an empty scope covers everything.
func InScope(addr string, scope []hcl.Traversal) bool {
	if len(scope) == 0 {
		return true
	}
	for _, tr := range scope {
		if covers(configs.TraversalString(tr), addr) {
			return true
		}
	}
	return false
}

// covers reports whether prefix is addr or an address containing it.
func covers(prefix, addr string) bool {
	if !strings.HasPrefix(addr, prefix) {
		return false
	}
	rest := addr[len(prefix):]
	return rest == "" || rest[0] == '[' || rest[0] == '.'
}

// Result turns a provider's finding into a plan result located in the
// configuration. res may be nil when the finding names no known instance.
// Ranges keeps the source range of each result, for diagnostics that
// quote the line; results read from a plan file have only their line.
type Ranges map[*plan.PolicyResult]hcl.Range

// Set records r's source range in the result and in the map.
func (rs Ranges) Set(r *plan.PolicyResult, rng hcl.Range) {
	r.Filename, r.Line, r.Column = rng.Filename, rng.Start.Line, rng.Start.Column
	if rs != nil {
		rs[r] = rng
	}
}

func Result(baseline string, f plugins.PolicyFinding, res *Resource, ranges Ranges) *plan.PolicyResult {
	sev := f.Severity
	if sev != plan.SeverityWarning {
		// Anything a provider does not rate as a warning blocks: an
		// unknown severity must not let a violation through.
		sev = plan.SeverityError
	}
	r := &plan.PolicyResult{
		Baseline: baseline, RuleID: f.RuleID, Severity: sev, Address: f.Address,
		Path: f.Path, Message: f.Message, Control: f.Control,
	}
	if r.RuleID == "" {
		r.RuleID = "UNKNOWN"
	}
	locate(r, res, ranges)
	return r
}

func locate(r *plan.PolicyResult, res *Resource, ranges Ranges) {
	if res == nil || res.Config == nil {
		return
	}
	rng := res.Config.DeclRange
	if len(r.Path) > 0 && res.Config.Config != nil {
		if got, ok := RangeForPath(res.Config.Config, r.Path); ok {
			rng = got
		}
	}
	ranges.Set(r, rng)
}

// ApplyWaivers marks the results that a waiver covers. An expired waiver
// covers nothing and is an error; a waiver that covers no finding is
// reported as a warning, so stale waivers get noticed.
func ApplyWaivers(results []*plan.PolicyResult, waivers []*configs.Waiver, now time.Time) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, w := range waivers {
		if w.Resource == nil || w.Expires.IsZero() {
			continue // already reported when the configuration was read
		}
		target := configs.TraversalString(w.Resource)
		if w.Expired(now) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("Waiver for %s on %s has expired", w.RuleID, target),
				Detail:  fmt.Sprintf("The waiver approved by %s expired on %s, so it no longer covers its finding. Renew it with a new approval and expiry date, or remove it.", w.ApprovedBy, w.ExpiresString),
				Subject: w.ExpiresRange.Ptr()})
			continue
		}
		used := false
		for _, r := range results {
			if r.RuleID == w.RuleID && r.Address != "" && covers(target, r.Address) {
				r.Waiver = &plan.PolicyWaiver{RuleID: w.RuleID, Resource: target, Reason: w.Reason, ApprovedBy: w.ApprovedBy, Expires: w.ExpiresString}
				used = true
			}
		}
		if !used {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: fmt.Sprintf("Waiver for %s on %s covers no finding", w.RuleID, target),
				Detail: "No finding of this rule concerns this resource in the plan; the waiver can be removed.", Subject: w.DeclRange.Ptr()})
		}
	}
	return diags
}

// Sort orders results by file position, then address and rule, so output
// is stable.
func Sort(results []*plan.PolicyResult) {
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Message < b.Message
	})
}

// Diagnostics renders results: an error for each blocking finding, a
// warning for each waived one (naming the waiver, its approver and expiry)
// and for each finding rated a warning.
func Diagnostics(results []*plan.PolicyResult, ranges Ranges) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, r := range results {
		d := &hcl.Diagnostic{Detail: r.Message}
		where := ""
		if r.Address != "" {
			where = " on " + r.Address
		}
		if r.Control != "" {
			d.Detail += "\n\nControl: " + r.Control
		}
		switch {
		case r.Waiver != nil:
			d.Severity = hcl.DiagWarning
			d.Summary = fmt.Sprintf("Waived baseline finding %s%s", r.RuleID, where)
			d.Detail += fmt.Sprintf("\n\nWaived by the waiver approved by %s, expiring %s: %s", r.Waiver.ApprovedBy, r.Waiver.Expires, r.Waiver.Reason)
		case r.Severity == plan.SeverityWarning:
			d.Severity = hcl.DiagWarning
			d.Summary = fmt.Sprintf("Baseline warning %s%s", r.RuleID, where)
		default:
			d.Severity = hcl.DiagError
			d.Summary = fmt.Sprintf("Baseline violation %s%s", r.RuleID, where)
			if r.Address != "" {
				d.Detail += fmt.Sprintf("\n\nFix the configuration, or record an approved exception:\n  waiver %q {\n    resource    = %s\n    reason      = \"...\"\n    approved_by = \"...\"\n    expires     = \"YYYY-MM-DD\"\n  }", r.RuleID, waiverTarget(r.Address))
			}
		}
		if r.Baseline != "" {
			d.Detail += fmt.Sprintf("\n\n(baseline %q)", r.Baseline)
		}
		if rng, ok := ranges[r]; ok {
			d.Subject = rng.Ptr()
		} else if r.Filename != "" {
			d.Subject = &hcl.Range{Filename: r.Filename, Start: hcl.Pos{Line: r.Line, Column: r.Column, Byte: -1}, End: hcl.Pos{Line: r.Line, Column: r.Column, Byte: -1}}
		}
		diags = append(diags, d)
	}
	return diags
}

// waiverTarget is the address a waiver would name: the instance address,
// which waiver blocks accept as written.
func waiverTarget(addr string) string { return addr }

// EachValue is the "each" object a custom rule's condition and message see.
func EachValue(res *Resource) cty.Value {
	after, before := res.After, res.Before
	if after == cty.NilVal {
		after = cty.NullVal(cty.DynamicPseudoType)
	} else if len(res.AfterSensitive) > 0 {
		pvm := make([]cty.PathValueMarks, len(res.AfterSensitive))
		for i, p := range res.AfterSensitive {
			pvm[i] = cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(funcs.SensitiveMark)}
		}
		after = after.MarkWithPaths(pvm)
	}
	if before == cty.NilVal {
		before = cty.NullVal(cty.DynamicPseudoType)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"address": cty.StringVal(res.Address),
		"type":    cty.StringVal(res.Type),
		"action":  cty.StringVal(res.Action),
		"after":   after,
		"before":  before,
	})
}

// CheckRule evaluates a custom rule for one resource in ctx (which must
// hold the rule's other references and the functions; "each" is set here).
// An unknown condition is not a finding: the rule is checked again at the
// next plan, when the value is known.
func CheckRule(rule *configs.PolicyRule, res *Resource, base *hcl.EvalContext, ranges Ranges) (*plan.PolicyResult, hcl.Diagnostics) {
	ctx := base.NewChild()
	ctx.Variables = map[string]cty.Value{"each": EachValue(res)}
	v, diags := rule.Condition.Value(ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	if v.IsNull() {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid rule condition",
			Detail: fmt.Sprintf("The condition of rule %s is null for %s; it must be true or false.", rule.ID, res.Address), Subject: rule.Condition.Range().Ptr()}}
	}
	v, err := convert.Convert(v, cty.Bool)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid rule condition",
			Detail: fmt.Sprintf("The condition of rule %s must be a bool: %s.", rule.ID, err), Subject: rule.Condition.Range().Ptr()}}
	}
	v, _ = v.Unmark()
	if !v.IsKnown() || v.True() {
		return nil, nil
	}
	msg := fmt.Sprintf("%s does not satisfy rule %s", res.Address, rule.ID)
	if mv, md := rule.Message.Value(ctx); !md.HasErrors() {
		if mv, err := convert.Convert(mv, cty.String); err == nil && mv.IsWhollyKnown() && !mv.IsNull() {
			if mv.IsMarked() {
				msg = "(the message is sensitive)"
			} else {
				msg = mv.AsString()
			}
		}
	} else {
		diags = append(diags, md...)
	}
	r := &plan.PolicyResult{RuleID: rule.ID, Severity: rule.Severity, Address: res.Address, Message: msg, Control: rule.Control,
		Path: conditionPath(rule.Condition)}
	locate(r, res, ranges)
	return r, diags
}

// conditionPath is the attribute a condition tests first
// (each.after.X...), so a finding points at the line that sets it.
func conditionPath(expr hcl.Expression) cty.Path {
	for _, tr := range expr.Variables() {
		if tr.RootName() != "each" || len(tr) < 3 {
			continue
		}
		if a, ok := tr[1].(hcl.TraverseAttr); !ok || a.Name != "after" {
			continue
		}
		var path cty.Path
		for _, step := range tr[2:] {
			switch s := step.(type) {
			case hcl.TraverseAttr:
				path = path.GetAttr(s.Name)
			case hcl.TraverseIndex:
				path = path.Index(s.Key)
			default:
				return path
			}
		}
		return path
	}
	return nil
}
