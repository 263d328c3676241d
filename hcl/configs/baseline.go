package configs

import (
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// BaselineProviderSource is the built-in policy provider that checks plans
// against the baseline rule packs; a baseline block implies it.
const BaselineProviderSource = "nuvola.local/builtin/baseline"

// Baseline is a top-level "baseline" block: a rule pack profile checked
// against every plan of the resources in its scope.
type Baseline struct {
	Name string
	// Settings are the block's arguments other than scope, by name, left
	// for the engine to evaluate: profile, target_cloud,
	// encrypted_volume_types, admin_cidrs.
	Settings map[string]*hcl.Attribute
	// Scope lists the module calls and resources the baseline covers; empty
	// means the whole configuration.
	Scope      []hcl.Traversal
	ScopeRange hcl.Range
	DeclRange  hcl.Range
}

// Waiver is a top-level "waiver" block: an approved, expiring exception to
// one rule for one resource.
type Waiver struct {
	RuleID string
	// Resource is the address of the resource, resource instance or module
	// the waiver covers.
	Resource      hcl.Traversal
	Reason        string
	ApprovedBy    string
	Expires       time.Time
	ExpiresString string
	DeclRange     hcl.Range
	ExpiresRange  hcl.Range
}

// PolicyRule is a top-level "rule" block: a custom check, evaluated for
// every planned resource of the listed types with each.after, each.before,
// each.address and each.action in scope. The condition must hold.
type PolicyRule struct {
	ID            string
	ResourceTypes []string
	Condition     hcl.Expression
	Message       hcl.Expression
	// Severity is "error" (the default) or "warning".
	Severity  string
	Control   string
	DeclRange hcl.Range
}

// BaselineSettingNames are the arguments a baseline block takes besides
// scope.
var BaselineSettingNames = []string{"profile", "target_cloud", "encrypted_volume_types", "admin_cidrs"}

var baselineSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "profile", Required: true},
		{Name: "target_cloud"},
		{Name: "scope"},
		{Name: "encrypted_volume_types"},
		{Name: "admin_cidrs"},
	},
}

func decodeBaselineBlock(block *hcl.Block) (*Baseline, hcl.Diagnostics) {
	b := &Baseline{Name: block.Labels[0], DeclRange: block.DefRange, Settings: map[string]*hcl.Attribute{}}
	content, diags := block.Body.Content(baselineSchema)
	if !validIdentifier(b.Name) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid baseline name",
			Detail: badIdentifierDetail, Subject: block.LabelRanges[0].Ptr()})
	}
	for name, attr := range content.Attributes {
		if name != "scope" {
			b.Settings[name] = attr
			continue
		}
		b.ScopeRange = attr.Expr.Range()
		exprs := []hcl.Expression{attr.Expr}
		if list, d := hcl.ExprList(attr.Expr); !d.HasErrors() {
			exprs = list
		}
		for _, e := range exprs {
			tr, d := hcl.AbsTraversalForExpr(e)
			if d.HasErrors() || !scopeTraversal(tr) {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid baseline scope",
					Detail:  "The scope must be a module call (module.NAME), a resource (TYPE.NAME) or a list of them.",
					Subject: e.Range().Ptr()})
				continue
			}
			b.Scope = append(b.Scope, tr)
		}
	}
	return b, diags
}

// scopeTraversal accepts module.NAME[...]..., TYPE.NAME[...] and
// data.TYPE.NAME[...], possibly under module calls.
func scopeTraversal(tr hcl.Traversal) bool {
	names := 0
	for _, s := range tr {
		switch s.(type) {
		case hcl.TraverseRoot, hcl.TraverseAttr:
			names++
		case hcl.TraverseIndex:
		default:
			return false
		}
	}
	return names >= 2
}

var waiverRuleID = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

var waiverSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "resource", Required: true},
		{Name: "reason", Required: true},
		{Name: "approved_by", Required: true},
		{Name: "expires", Required: true},
	},
}

// constString evaluates an attribute that must be a constant, non-empty
// string.
func constString(attr *hcl.Attribute, what string) (string, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid " + what,
			Detail: "The " + what + " must be a literal string: it is part of the record an auditor reviews.", Subject: attr.Expr.Range().Ptr()}}
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String || v.AsString() == "" {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid " + what,
			Detail: "The " + what + " must be a non-empty string.", Subject: attr.Expr.Range().Ptr()}}
	}
	return v.AsString(), nil
}

func decodeWaiverBlock(block *hcl.Block) (*Waiver, hcl.Diagnostics) {
	w := &Waiver{RuleID: block.Labels[0], DeclRange: block.DefRange}
	content, diags := block.Body.Content(waiverSchema)
	if !waiverRuleID.MatchString(w.RuleID) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid waiver rule ID",
			Detail:  fmt.Sprintf("%q is not a rule ID: a waiver is labelled with the ID of the rule it waives, such as \"NV-NET-001\".", w.RuleID),
			Subject: block.LabelRanges[0].Ptr()})
	}
	if attr, ok := content.Attributes["resource"]; ok {
		tr, d := hcl.AbsTraversalForExpr(attr.Expr)
		if d.HasErrors() || !scopeTraversal(tr) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid waiver resource",
				Detail:  "The resource must be the address of a resource, a resource instance or a module call, such as openstack_networking_secgroup_rule_v2.ssh_vendor.",
				Subject: attr.Expr.Range().Ptr()})
		} else {
			w.Resource = tr
		}
	}
	if attr, ok := content.Attributes["reason"]; ok {
		s, d := constString(attr, "waiver reason")
		diags = append(diags, d...)
		w.Reason = s
	}
	if attr, ok := content.Attributes["approved_by"]; ok {
		s, d := constString(attr, "waiver approver")
		diags = append(diags, d...)
		w.ApprovedBy = s
	}
	if attr, ok := content.Attributes["expires"]; ok {
		w.ExpiresRange = attr.Expr.Range()
		s, d := constString(attr, "waiver expiry")
		diags = append(diags, d...)
		if !d.HasErrors() {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid waiver expiry",
					Detail: fmt.Sprintf("%q is not a date: write the expiry as YYYY-MM-DD.", s), Subject: attr.Expr.Range().Ptr()})
			} else {
				w.Expires, w.ExpiresString = t, s
			}
		}
	}
	return w, diags
}

// Expired reports whether the waiver no longer covers its finding at now:
// it covers through the whole day of its expiry date (UTC).
func (w *Waiver) Expired(now time.Time) bool {
	return !now.UTC().Before(w.Expires.AddDate(0, 0, 1))
}

var policyRuleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "resource_types", Required: true},
		{Name: "condition", Required: true},
		{Name: "message", Required: true},
		{Name: "severity"},
		{Name: "control"},
	},
}

func decodePolicyRuleBlock(block *hcl.Block) (*PolicyRule, hcl.Diagnostics) {
	r := &PolicyRule{ID: block.Labels[0], DeclRange: block.DefRange, Severity: "error"}
	content, diags := block.Body.Content(policyRuleSchema)
	if !waiverRuleID.MatchString(r.ID) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid rule ID",
			Detail:  fmt.Sprintf("%q is not a rule ID: use capitals, digits and dashes, such as \"NV-CUSTOM-001\".", r.ID),
			Subject: block.LabelRanges[0].Ptr()})
	}
	if attr, ok := content.Attributes["resource_types"]; ok {
		v, d := attr.Expr.Value(nil)
		ok := !d.HasErrors() && v.IsKnown() && !v.IsNull() && (v.Type().IsTupleType() || v.Type().IsListType() || v.Type().IsSetType()) && v.LengthInt() > 0
		if ok {
			for it := v.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				if ev.IsNull() || ev.Type() != cty.String || ev.AsString() == "" {
					ok = false
					break
				}
				r.ResourceTypes = append(r.ResourceTypes, ev.AsString())
			}
		}
		if !ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid rule resource_types",
				Detail: "resource_types must be a non-empty list of resource type names.", Subject: attr.Expr.Range().Ptr()})
		}
	}
	if attr, ok := content.Attributes["condition"]; ok {
		r.Condition = attr.Expr
	}
	if attr, ok := content.Attributes["message"]; ok {
		r.Message = attr.Expr
	}
	if attr, ok := content.Attributes["severity"]; ok {
		s, d := constString(attr, "rule severity")
		diags = append(diags, d...)
		if !d.HasErrors() {
			if s != "error" && s != "warning" {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid rule severity",
					Detail: fmt.Sprintf("%q is not a severity: use \"error\" or \"warning\".", s), Subject: attr.Expr.Range().Ptr()})
			} else {
				r.Severity = s
			}
		}
	}
	if attr, ok := content.Attributes["control"]; ok {
		s, d := constString(attr, "rule control")
		diags = append(diags, d...)
		r.Control = s
	}
	return r, diags
}
