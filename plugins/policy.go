package plugins

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// PolicyChecker is implemented by policy providers (the baseline provider):
// they check a whole plan against their rules. The host calls CheckPlan once
// per baseline block after every resource has been planned.
type PolicyChecker interface {
	// GetPolicyRules describes every rule the provider checks.
	GetPolicyRules(ctx context.Context) GetPolicyRulesResponse
	// CheckPlan checks the planned resources against the rules, as the
	// baseline's settings configure them.
	CheckPlan(ctx context.Context, req CheckPlanRequest) CheckPlanResponse
}

// Policy profiles, the data classifications of Strategia Cloud Italia.
const (
	ProfileOrdinario  = "ordinario"
	ProfileCritico    = "critico"
	ProfileStrategico = "strategico"
)

// Policy severities: an error blocks apply unless a waiver covers it; off
// means the rule is not checked under that profile.
const (
	PolicySeverityError   = "error"
	PolicySeverityWarning = "warning"
	PolicySeverityOff     = "off"
)

// PolicyRule describes one rule.
type PolicyRule struct {
	// ID is stable, e.g. "NV-NET-001".
	ID string
	// Pack groups rules: network, data, identity, classification,
	// destruction.
	Pack string
	// Title is a short name, Rationale one line on why the rule exists.
	Title     string
	Rationale string
	// Control is the requirement enforced: an ACN classification
	// requirement or an AgID ABSC measure.
	Control string
	// Severity per profile (ProfileOrdinario, ...): PolicySeverityError,
	// PolicySeverityWarning or PolicySeverityOff.
	Severity map[string]string
}

// GetPolicyRulesResponse lists the provider's rules.
type GetPolicyRulesResponse struct {
	Rules       []PolicyRule
	Diagnostics Diagnostics
}

// CheckPlanRequest is one baseline block's check of a plan.
type CheckPlanRequest struct {
	// Baseline is the baseline block's name.
	Baseline string
	// Settings are the block's evaluated arguments other than scope, as an
	// object: profile (string), target_cloud (object with qualification
	// and regions), encrypted_volume_types and admin_cidrs (lists of
	// strings); absent arguments are null.
	Settings cty.Value
	// Resources are the resource instances in the baseline's scope: every
	// planned change of a managed resource (deletions included) and every
	// data source instance read, with its values.
	Resources []PolicyResource
}

// Actions of a PolicyResource, as OpenTofu's JSON spells a change's
// actions joined by "-": "create", "update", "delete", "delete-create",
// "create-delete", "read", "no-op".
const (
	PolicyActionCreate       = "create"
	PolicyActionUpdate       = "update"
	PolicyActionDelete       = "delete"
	PolicyActionDeleteCreate = "delete-create"
	PolicyActionCreateDelete = "create-delete"
	PolicyActionRead         = "read"
	PolicyActionNoOp         = "no-op"
)

// PolicyResource is one resource instance as the plan leaves it.
type PolicyResource struct {
	// Address is the instance's absolute address, e.g.
	// `module.comune["prato"].openstack_networking_secgroup_rule_v2.ssh`.
	Address string
	// Mode is "managed" or "data".
	Mode string
	// Type is the resource type, ProviderName the provider's local name
	// ("openstack").
	Type         string
	ProviderName string
	Action       string
	// Before is the prior object (null for a create), After the planned
	// object (null for a delete; may hold unknowns). Both are unmarked.
	Before, After cty.Value
	// AfterSensitive lists the paths of After that are sensitive, whether
	// the schema or the configuration makes them so.
	AfterSensitive []cty.Path
	// ConfigSensitive lists the paths the configuration itself marks
	// sensitive: values from sensitive variables or sensitive(). An
	// attribute the schema calls sensitive but the configuration sets from
	// a plain literal is not among them.
	ConfigSensitive []cty.Path
	// ProviderConfig is the configuration of the instance's provider, with
	// sensitive values nulled.
	ProviderConfig cty.Value
	// Config is the instance's configuration as the plan evaluated it:
	// every argument of the resource's schema, null where the
	// configuration leaves it unset, unknown where it refers to a value
	// not known until apply; null for a deletion. Unlike After it tells
	// an argument left unset, which a provider plans as unknown when it
	// is computed (a volume's volume_type, a rule's remote_ip_prefix),
	// from one set to a value not yet known. cty.NilVal when the host
	// does not send it; checks then take every unknown in After as
	// unknown.
	Config cty.Value
	// Dependencies are the resources and data sources that the expressions
	// of the instance's configuration refer to (depends_on, which orders
	// rather than links, left out), sorted, as absolute resource
	// addresses without the resource's instance key, module instance keys
	// kept: `module.comune["prato"].openstack_blockstorage_volume_v3.data`
	// for a reference to openstack_blockstorage_volume_v3.data.id or
	// .data[0].id inside that module instance. References through locals,
	// variables and module outputs are followed to the resources they
	// reach; references through other resources are not (not transitive).
	// At plan time the ID of an object still to be created is unknown, so
	// an attribute that refers to it (a backup's volume_id) is linked to
	// the object only by such a reference.
	Dependencies []string
}

// PolicyFinding is one rule violation.
type PolicyFinding struct {
	RuleID string
	// Severity as the baseline's profile rates the rule (error or warning).
	Severity string
	// Address is the resource instance; Path the offending attribute in it
	// (in After, or in Before for a deletion), as precise as possible so
	// the host can point at the line that sets it: an empty path means the
	// resource as a whole (its block header), and an element of a set
	// (a set-nested block) is an IndexStep keyed by the element's planned
	// value, as cty keys sets. An empty Address means the baseline itself;
	// Path is then in its Settings (target_cloud.qualification, say).
	Address string
	Path    cty.Path
	Message string
	Control string
}

// CheckPlanResponse holds the findings; Diagnostics are for the check
// itself (bad settings, say), not for violations.
type CheckPlanResponse struct {
	Findings    []PolicyFinding
	Diagnostics Diagnostics
}
