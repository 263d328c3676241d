package configs

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// MaxRequiredSignatures bounds required_signatures: more approvers than
// this is a typing error rather than a policy.
const MaxRequiredSignatures = 16

// PlanSigning is what the terraform block asks of a saved plan before apply
// may run it: required_signatures valid signatures from distinct signers
// whose public keys are in trusted_keys_dir. The saved plan's configuration
// snapshot holds these settings too, so a plan cannot be applied under a
// weaker requirement than the one it was made with.
type PlanSigning struct {
	// RequiredSignatures is 0 when not set.
	RequiredSignatures int
	RequiredRange      *hcl.Range
	// TrustedKeysDir is "" when not set; a relative path is relative to
	// the root module directory.
	TrustedKeysDir      string
	TrustedKeysDirRange *hcl.Range
}

// signingAttr is one plan-signing attribute of one terraform block.
type signingAttr struct {
	name  string
	num   int
	str   string
	rng   hcl.Range
	names hcl.Range
}

const (
	attrRequiredSignatures = "required_signatures"
	attrTrustedKeysDir     = "trusted_keys_dir"
)

var planSigningAttrs = []hcl.AttributeSchema{
	{Name: attrRequiredSignatures},
	{Name: attrTrustedKeysDir},
}

// decodePlanSigning reads the plan-signing attributes of a terraform block.
// Both must be constants: they decide whether apply may run at all, before
// anything is evaluated.
func decodePlanSigning(attrs hcl.Attributes) ([]signingAttr, hcl.Diagnostics) {
	var out []signingAttr
	var diags hcl.Diagnostics
	if attr, ok := attrs[attrRequiredSignatures]; ok {
		n, d := staticCount(attr.Expr)
		diags = append(diags, d...)
		if !d.HasErrors() {
			out = append(out, signingAttr{name: attr.Name, num: n, rng: attr.Expr.Range(), names: attr.NameRange})
		}
	}
	if attr, ok := attrs[attrTrustedKeysDir]; ok {
		s, d := staticString(attr.Expr, "trusted_keys_dir")
		diags = append(diags, d...)
		if !d.HasErrors() && s == "" {
			d = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid trusted_keys_dir",
				Detail: "trusted_keys_dir must name the directory that holds the trusted public keys (*.pub).", Subject: attr.Expr.Range().Ptr()}}
			diags = append(diags, d...)
		}
		if !d.HasErrors() {
			out = append(out, signingAttr{name: attr.Name, str: s, rng: attr.Expr.Range(), names: attr.NameRange})
		}
	}
	return out, diags
}

func staticCount(expr hcl.Expression) (int, hcl.Diagnostics) {
	bad := func() (int, hcl.Diagnostics) {
		return 0, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid required_signatures",
			Detail:  fmt.Sprintf("required_signatures must be a whole number from 0 to %d.", MaxRequiredSignatures),
			Subject: expr.Range().Ptr()}}
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return 0, diags
	}
	conv, err := convert.Convert(val, cty.Number)
	if err != nil || conv.IsNull() || !conv.IsKnown() {
		return bad()
	}
	bf := conv.AsBigFloat()
	if !bf.IsInt() || bf.Sign() < 0 || bf.Cmp(big.NewFloat(MaxRequiredSignatures)) > 0 {
		return bad()
	}
	n, _ := bf.Int64()
	return int(n), diags
}

// addPlanSigning sets the module's plan-signing settings from a file;
// override says whether the file is an override file, whose settings replace
// earlier ones instead of clashing with them.
func (m *Module) addPlanSigning(attrs []signingAttr, override bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, a := range attrs {
		if m.PlanSigning == nil {
			m.PlanSigning = &PlanSigning{}
		}
		ps := m.PlanSigning
		prev := ps.RequiredRange
		if a.name == attrTrustedKeysDir {
			prev = ps.TrustedKeysDirRange
		}
		if prev != nil && !override {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate " + a.name,
				Detail:   fmt.Sprintf("A module may set %s only once. It was previously set at %s.", a.name, prev),
				Subject:  a.names.Ptr(),
			})
			continue
		}
		rng := a.rng
		if a.name == attrTrustedKeysDir {
			ps.TrustedKeysDir, ps.TrustedKeysDirRange = a.str, &rng
		} else {
			ps.RequiredSignatures, ps.RequiredRange = a.num, &rng
		}
	}
	return diags
}
