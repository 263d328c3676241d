package plan

import (
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// Action is what a change does to a remote object.
type Action int

const (
	NoOp             Action = iota // no-op
	Create                         // create
	Read                           // read
	Update                         // update
	DeleteThenCreate               // delete-then-create
	CreateThenDelete               // create-then-delete
	Delete                         // delete
	Forget                         // forget
)

// IsReplace reports whether the action replaces the object.
func (a Action) IsReplace() bool { return a == DeleteThenCreate || a == CreateThenDelete }

// Actions is the OpenTofu JSON spelling: ["create"], ["delete","create"], ...
func (a Action) Actions() []string {
	switch a {
	case NoOp:
		return []string{"no-op"}
	case Create:
		return []string{"create"}
	case Read:
		return []string{"read"}
	case Update:
		return []string{"update"}
	case DeleteThenCreate:
		return []string{"delete", "create"}
	case CreateThenDelete:
		return []string{"create", "delete"}
	case Delete:
		return []string{"delete"}
	case Forget:
		return []string{"forget"}
	}
	return nil
}

// Reason says why an action was chosen, in OpenTofu's JSON spelling.
type Reason string

// The reasons OpenTofu reports, plus none.
const (
	ReasonNone                        Reason = ""
	ReasonReplaceBecauseTainted       Reason = "replace_because_tainted"
	ReasonReplaceByRequest            Reason = "replace_by_request"
	ReasonReplaceBecauseCannotUpdate  Reason = "replace_because_cannot_update"
	ReasonReplaceByTriggers           Reason = "replace_by_triggers"
	ReasonDeleteNoResourceConfig      Reason = "delete_because_no_resource_config"
	ReasonDeleteWrongRepetition       Reason = "delete_because_wrong_repetition"
	ReasonDeleteCountIndex            Reason = "delete_because_count_index"
	ReasonDeleteEachKey               Reason = "delete_because_each_key"
	ReasonDeleteNoModule              Reason = "delete_because_no_module"
	ReasonDeleteNoMoveTarget          Reason = "delete_because_no_move_target"
	ReasonReadBecauseConfigUnknown    Reason = "read_because_config_unknown"
	ReasonReadBecauseDependencyChange Reason = "read_because_dependency_pending"
)

// Mode is the kind of plan.
type Mode int

const (
	// NormalMode converges the remote objects on the configuration.
	NormalMode Mode = iota
	// DestroyMode deletes everything in state.
	DestroyMode
	// RefreshOnlyMode only updates state to match the remote objects.
	RefreshOnlyMode
)

// ResourceChange is the planned change of one resource instance object.
type ResourceChange struct {
	Addr addrs.AbsResourceInstance
	// PrevRunAddr differs from Addr when a moved block renamed it.
	PrevRunAddr addrs.AbsResourceInstance
	// DeposedKey is set for a change to a deposed object.
	DeposedKey string
	// Provider is the provider configuration address.
	Provider string
	Action   Action
	Reason   Reason
	// Before and After are unmarked values; After may hold unknowns.
	// Before is null for a create, After null for a delete.
	Before, After                   cty.Value
	BeforeSensitive, AfterSensitive []cty.Path
	// RequiredReplace lists the attributes whose change forces the
	// replacement.
	RequiredReplace []cty.Path
	// ConfigSensitive lists the paths of After that the configuration
	// itself marks sensitive (sensitive variables, sensitive()), recorded
	// for the baseline check.
	ConfigSensitive []cty.Path
	// Config is the instance's configuration as evaluated when planning,
	// unmarked; recorded only for plans checked against a baseline
	// (cty.NilVal otherwise).
	Config        cty.Value
	Private       []byte
	SchemaVersion int64
	// Dependencies are the resources the configuration refers to directly.
	Dependencies        []addrs.AbsResource
	CreateBeforeDestroy bool
	// ImportID is set when the change adopts an existing object.
	ImportID string
}

// OutputChange is the planned change of a root module output.
type OutputChange struct {
	Name          string
	Action        Action
	Before, After cty.Value
	Sensitive     bool
}

// Plan is everything apply needs to carry out exactly the changes reviewed:
// the changes, the state they were planned against, and the configuration
// and variable values they were planned from.
type Plan struct {
	Mode    Mode
	Changes []*ResourceChange
	Outputs []*OutputChange
	// PriorState is the refreshed state the changes apply to.
	PriorState *state.State
	// StateLineage and StateSerial identify the stored state the plan was
	// made from; apply refuses the plan when the stored state has moved on.
	StateLineage string
	StateSerial  uint64
	// Variables are the root module variable values used.
	Variables map[string]cty.Value
	// SensitiveVariables names the variables declared sensitive.
	SensitiveVariables []string
	Targets            []string
	ForceReplace       []string
	// Config is the configuration snapshot: file path (slash-separated,
	// relative to the root module directory) to content.
	Config map[string][]byte
	// Errored is set for a plan that stopped on an error: it shows what
	// was planned so far but cannot be applied.
	Errored bool
	// PolicyResults are the baseline findings over the plan.
	PolicyResults []*PolicyResult
	// PolicyInputs is what the baseline check saw besides the changes, so
	// a saved plan can be checked again; nil when no baseline applies.
	PolicyInputs *PolicyInputs
	Timestamp    time.Time
	// NuvolaVersion wrote the plan.
	NuvolaVersion string
}

// HasChanges reports whether applying would change anything: a resource
// action other than no-op, an output change, or (refresh-only) a state
// update.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != NoOp {
			return true
		}
	}
	for _, o := range p.Outputs {
		if o.Action != NoOp {
			return true
		}
	}
	return false
}
