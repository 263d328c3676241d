package plan

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// Policy severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// PolicyResult is one finding of a baseline rule (or a custom rule) over the
// plan. A finding of severity error blocks apply unless Waiver covers it.
type PolicyResult struct {
	// Baseline is the name of the baseline block whose check found it.
	Baseline string
	RuleID   string
	// Severity is SeverityError or SeverityWarning, as the baseline's
	// profile rates the rule.
	Severity string
	// Address is the resource instance the finding is about ("" for one
	// about the configuration as a whole); Path the attribute within it.
	Address string
	Path    cty.Path
	Message string
	// Control is the requirement the rule enforces, e.g. "AgID ABSC 5.1.1".
	Control string
	// Filename, Line and Column locate the offending attribute (or the
	// resource block) in the configuration; Filename is empty when unknown.
	Filename     string
	Line, Column int
	// Waiver is set when a valid waiver covers the finding.
	Waiver *PolicyWaiver
}

// PolicyWaiver is an approved, expiring exception to a rule for one
// resource (or every instance of it).
type PolicyWaiver struct {
	RuleID     string
	Resource   string
	Reason     string
	ApprovedBy string
	// Expires is the date (YYYY-MM-DD) after which the waiver no longer
	// covers its finding.
	Expires string
}

// Blocking reports whether the result stops apply: an error no waiver
// covers.
func (r *PolicyResult) Blocking() bool {
	return r.Severity == SeverityError && r.Waiver == nil
}

// PolicyBlocked reports whether any policy result stops the plan from being
// applied.
func (p *Plan) PolicyBlocked() bool {
	for _, r := range p.PolicyResults {
		if r.Blocking() {
			return true
		}
	}
	return false
}

type policyResultJSON struct {
	Baseline string            `json:"baseline,omitempty"`
	RuleID   string            `json:"rule_id"`
	Severity string            `json:"severity"`
	Address  string            `json:"address,omitempty"`
	Path     pathJSON          `json:"path,omitempty"`
	Message  string            `json:"message"`
	Control  string            `json:"control,omitempty"`
	Filename string            `json:"filename,omitempty"`
	Line     int               `json:"line,omitempty"`
	Column   int               `json:"column,omitempty"`
	Waiver   *policyWaiverJSON `json:"waiver,omitempty"`
}

type policyWaiverJSON struct {
	RuleID     string `json:"rule_id"`
	Resource   string `json:"resource"`
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approved_by"`
	Expires    string `json:"expires"`
}

func encodePolicyResults(rs []*PolicyResult) ([]policyResultJSON, error) {
	out := make([]policyResultJSON, 0, len(rs))
	for i, r := range rs {
		if r == nil {
			return nil, fmt.Errorf("policy result %d is nil", i)
		}
		if err := checkPolicyResult(r); err != nil {
			return nil, fmt.Errorf("policy result %d: %w", i, err)
		}
		j := policyResultJSON{
			Baseline: r.Baseline, RuleID: r.RuleID, Severity: r.Severity, Address: r.Address,
			Message: r.Message, Control: r.Control, Filename: r.Filename, Line: r.Line, Column: r.Column,
		}
		if len(r.Path) > 0 {
			p, err := encodePath(r.Path)
			if err != nil {
				return nil, fmt.Errorf("policy result %d: %w", i, err)
			}
			j.Path = p
		}
		if w := r.Waiver; w != nil {
			j.Waiver = &policyWaiverJSON{RuleID: w.RuleID, Resource: w.Resource, Reason: w.Reason, ApprovedBy: w.ApprovedBy, Expires: w.Expires}
		}
		out = append(out, j)
	}
	return out, nil
}

func decodePolicyResults(js []policyResultJSON) ([]*PolicyResult, error) {
	if len(js) == 0 {
		return nil, nil
	}
	out := make([]*PolicyResult, 0, len(js))
	for i, j := range js {
		r := &PolicyResult{
			Baseline: j.Baseline, RuleID: j.RuleID, Severity: j.Severity, Address: j.Address,
			Message: j.Message, Control: j.Control, Filename: j.Filename, Line: j.Line, Column: j.Column,
		}
		if len(j.Path) > 0 {
			p, err := decodePath(j.Path)
			if err != nil {
				return nil, fmt.Errorf("policy result %d: %w", i, err)
			}
			r.Path = p
		}
		if w := j.Waiver; w != nil {
			r.Waiver = &PolicyWaiver{RuleID: w.RuleID, Resource: w.Resource, Reason: w.Reason, ApprovedBy: w.ApprovedBy, Expires: w.Expires}
		}
		if err := checkPolicyResult(r); err != nil {
			return nil, fmt.Errorf("policy result %d: %w", i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func checkPolicyResult(r *PolicyResult) error {
	if r.RuleID == "" {
		return fmt.Errorf("missing rule ID")
	}
	if r.Severity != SeverityError && r.Severity != SeverityWarning {
		return fmt.Errorf("rule %s: invalid severity %q", r.RuleID, r.Severity)
	}
	if r.Line < 0 || r.Column < 0 {
		return fmt.Errorf("rule %s: invalid source position", r.RuleID)
	}
	if w := r.Waiver; w != nil {
		if _, err := time.Parse(time.DateOnly, w.Expires); err != nil {
			return fmt.Errorf("rule %s: waiver expiry %q is not a date", r.RuleID, w.Expires)
		}
	}
	return nil
}

// jsonPolicyResult is a policy result in `show -json` output, under the
// top-level "policy_results" key.
type jsonPolicyResult struct {
	Baseline string            `json:"baseline,omitempty"`
	RuleID   string            `json:"rule_id"`
	Severity string            `json:"severity"`
	Address  string            `json:"address,omitempty"`
	Path     []any             `json:"path,omitempty"`
	Message  string            `json:"message"`
	Control  string            `json:"control,omitempty"`
	Range    *jsonPolicyRange  `json:"range,omitempty"`
	Blocking bool              `json:"blocking"`
	Waiver   *policyWaiverJSON `json:"waiver,omitempty"`
}

type jsonPolicyRange struct {
	Filename string `json:"filename"`
	Line     int    `json:"line"`
	Column   int    `json:"column,omitempty"`
}

func policyResultsJSON(rs []*PolicyResult) []jsonPolicyResult {
	out := make([]jsonPolicyResult, 0, len(rs))
	for _, r := range rs {
		j := jsonPolicyResult{
			Baseline: r.Baseline, RuleID: r.RuleID, Severity: r.Severity, Address: r.Address,
			Message: r.Message, Control: r.Control, Blocking: r.Blocking(),
		}
		for _, step := range r.Path {
			switch s := step.(type) {
			case cty.GetAttrStep:
				j.Path = append(j.Path, s.Name)
			case cty.IndexStep:
				if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
					j.Path = append(j.Path, s.Key.AsString())
				} else if s.Key.Type() == cty.Number && s.Key.IsKnown() && !s.Key.IsNull() {
					n, _ := s.Key.AsBigFloat().Int64()
					j.Path = append(j.Path, n)
				}
			}
		}
		if r.Filename != "" {
			j.Range = &jsonPolicyRange{Filename: r.Filename, Line: r.Line, Column: r.Column}
		}
		if w := r.Waiver; w != nil {
			j.Waiver = &policyWaiverJSON{RuleID: w.RuleID, Resource: w.Resource, Reason: w.Reason, ApprovedBy: w.ApprovedBy, Expires: w.Expires}
		}
		out = append(out, j)
	}
	return out
}

// PolicyInputs are the evaluated baseline settings (by baseline name) and
// the provider configurations (by provider configuration address,
// sensitive values nulled) the check used.
type PolicyInputs struct {
	Settings        map[string]cty.Value
	ProviderConfigs map[string]cty.Value
}

type policyInputsJSON struct {
	Settings        map[string]string `json:"settings"`
	ProviderConfigs map[string]string `json:"provider_configs"`
}

func encodePolicyInputs(pi *PolicyInputs) (*policyInputsJSON, error) {
	out := &policyInputsJSON{Settings: map[string]string{}, ProviderConfigs: map[string]string{}}
	for what, m := range map[string]map[string]cty.Value{"baseline settings": pi.Settings, "provider configuration": pi.ProviderConfigs} {
		dst := out.Settings
		if what == "provider configuration" {
			dst = out.ProviderConfigs
		}
		for k, v := range m {
			if k == "" || v == cty.NilVal {
				return nil, fmt.Errorf("%s %q has no name or no value", what, k)
			}
			enc, err := encodeValue(v)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", what, k, err)
			}
			dst[k] = enc
		}
	}
	return out, nil
}

func decodePolicyInputs(j *policyInputsJSON) (*PolicyInputs, error) {
	out := &PolicyInputs{Settings: map[string]cty.Value{}, ProviderConfigs: map[string]cty.Value{}}
	for k, s := range j.Settings {
		v, err := decodeValue(s)
		if err != nil {
			return nil, fmt.Errorf("baseline settings %q: %w", k, err)
		}
		out.Settings[k] = v
	}
	for k, s := range j.ProviderConfigs {
		v, err := decodeValue(s)
		if err != nil {
			return nil, fmt.Errorf("provider configuration %q: %w", k, err)
		}
		out.ProviderConfigs[k] = v
	}
	return out, nil
}

// MarshalPolicyResultsJSON renders the plan's policy results as the
// "policy_results" array of `show -json`.
func MarshalPolicyResultsJSON(p *Plan) ([]byte, error) {
	return json.Marshal(policyResultsJSON(p.PolicyResults))
}
