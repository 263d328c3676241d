package plugins

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// Provider is the contract between the engine and a provider. Every method
// takes a context first and reports problems as diagnostics in its response;
// a method never panics on behalf of bad input.
//
// Values cross this interface as cty values of the schema's implied type.
// Unknown values (not known until apply) and null values follow OpenTofu's
// rules: a planned value may hold unknowns, an applied value may not.
type Provider interface {
	GetSchema(ctx context.Context, req GetSchemaRequest) GetSchemaResponse
	ValidateProviderConfig(ctx context.Context, req ValidateProviderConfigRequest) ValidateProviderConfigResponse
	ValidateResourceConfig(ctx context.Context, req ValidateResourceConfigRequest) ValidateResourceConfigResponse
	ValidateDataSourceConfig(ctx context.Context, req ValidateDataSourceConfigRequest) ValidateDataSourceConfigResponse
	ConfigureProvider(ctx context.Context, req ConfigureProviderRequest) ConfigureProviderResponse
	UpgradeResourceState(ctx context.Context, req UpgradeResourceStateRequest) UpgradeResourceStateResponse
	ReadResource(ctx context.Context, req ReadResourceRequest) ReadResourceResponse
	// ReadResources refreshes many objects of one type in one call, so a
	// provider can answer with one list request instead of one read per
	// object. Results come back in request order.
	ReadResources(ctx context.Context, req ReadResourcesRequest) ReadResourcesResponse
	PlanResourceChange(ctx context.Context, req PlanResourceChangeRequest) PlanResourceChangeResponse
	ApplyResourceChange(ctx context.Context, req ApplyResourceChangeRequest) ApplyResourceChangeResponse
	ImportResourceState(ctx context.Context, req ImportResourceStateRequest) ImportResourceStateResponse
	ReadDataSource(ctx context.Context, req ReadDataSourceRequest) ReadDataSourceResponse
	// Stop asks the provider to cancel work in flight; the host then waits
	// for the running calls to return.
	Stop(ctx context.Context) error
	// Close releases the provider (for a plugin: ends its process).
	Close() error
}

// GetSchemaRequest asks for every schema the provider has.
type GetSchemaRequest struct{}

// GetSchemaResponse carries the provider's schemas.
type GetSchemaResponse struct {
	Provider      Schema
	ResourceTypes map[string]Schema
	DataSources   map[string]Schema
	Diagnostics   Diagnostics
}

// ValidateProviderConfigRequest carries a provider block's value.
type ValidateProviderConfigRequest struct {
	Config cty.Value
}

// ValidateProviderConfigResponse reports problems with it.
type ValidateProviderConfigResponse struct {
	Diagnostics Diagnostics
}

// ValidateResourceConfigRequest carries a resource block's value, which may
// hold unknowns.
type ValidateResourceConfigRequest struct {
	TypeName string
	Config   cty.Value
}

// ValidateResourceConfigResponse reports problems with it.
type ValidateResourceConfigResponse struct {
	Diagnostics Diagnostics
}

// ValidateDataSourceConfigRequest carries a data block's value.
type ValidateDataSourceConfigRequest struct {
	TypeName string
	Config   cty.Value
}

// ValidateDataSourceConfigResponse reports problems with it.
type ValidateDataSourceConfigResponse struct {
	Diagnostics Diagnostics
}

// ConfigureProviderRequest carries the provider configuration.
type ConfigureProviderRequest struct {
	Config           cty.Value
	TerraformVersion string
}

// ConfigureProviderResponse reports whether configuration succeeded.
type ConfigureProviderResponse struct {
	Diagnostics Diagnostics
}

// UpgradeResourceStateRequest asks to bring a stored object to the current
// schema version. RawJSON is the object as stored.
type UpgradeResourceStateRequest struct {
	TypeName string
	Version  int64
	RawJSON  []byte
}

// UpgradeResourceStateResponse carries the object in the current schema.
type UpgradeResourceStateResponse struct {
	UpgradedState cty.Value
	Diagnostics   Diagnostics
}

// ReadResourceRequest refreshes one object.
type ReadResourceRequest struct {
	TypeName     string
	PriorState   cty.Value
	Private      []byte
	ProviderMeta cty.Value
}

// ReadResourceResponse carries the current object; a null NewState means the
// object is gone.
type ReadResourceResponse struct {
	NewState    cty.Value
	Private     []byte
	Diagnostics Diagnostics
	// Unchanged, when set, says NewState is the request's PriorState as
	// it was: the plugin client sets it when the provider answered so,
	// and the host then need not compare the two.
	Unchanged bool
}

// ReadResourcesRequest refreshes many objects of one type.
type ReadResourcesRequest struct {
	TypeName string
	Objects  []ReadResourceRequest
}

// ReadResourcesResponse carries one result per requested object, in order.
type ReadResourcesResponse struct {
	Results     []ReadResourceResponse
	Diagnostics Diagnostics
}

// PlanResourceChangeRequest asks how an object will change. ProposedNewState
// merges the configuration with the prior state's computed values; a null
// ProposedNewState plans a deletion, a null PriorState a creation.
type PlanResourceChangeRequest struct {
	TypeName         string
	PriorState       cty.Value
	ProposedNewState cty.Value
	Config           cty.Value
	PriorPrivate     []byte
}

// PlanResourceChangeResponse carries the planned object and the attribute
// paths whose change forces a replacement.
type PlanResourceChangeResponse struct {
	PlannedState    cty.Value
	RequiresReplace []cty.Path
	PlannedPrivate  []byte
	Diagnostics     Diagnostics
}

// ApplyResourceChangeRequest makes a planned change real. A null
// PlannedState deletes the object.
type ApplyResourceChangeRequest struct {
	TypeName       string
	PriorState     cty.Value
	PlannedState   cty.Value
	Config         cty.Value
	PlannedPrivate []byte
	// Owner is set for a create: the provider writes it on the new object,
	// in the create request itself, as its ownership mark.
	Owner *Owner
}

// ApplyResourceChangeResponse carries the object as it now exists. On error
// NewState is what exists after the partial failure (null if nothing).
type ApplyResourceChangeResponse struct {
	NewState    cty.Value
	Private     []byte
	Diagnostics Diagnostics
}

// ImportResourceStateRequest adopts an existing object by its ID.
type ImportResourceStateRequest struct {
	TypeName string
	ID       string
}

// ImportedResource is one object found by an import.
type ImportedResource struct {
	TypeName string
	State    cty.Value
	Private  []byte
}

// ImportResourceStateResponse carries the imported objects; the engine reads
// each one before storing it.
type ImportResourceStateResponse struct {
	Imported    []ImportedResource
	Diagnostics Diagnostics
}

// ReadDataSourceRequest reads a data source.
type ReadDataSourceRequest struct {
	TypeName string
	Config   cty.Value
}

// ReadDataSourceResponse carries the data source's value.
type ReadDataSourceResponse struct {
	State       cty.Value
	Diagnostics Diagnostics
}

// ResourceValidatePlanner is a Provider that validates a resource's
// configuration and plans its change in one call. A plugin answers both in
// one round trip, which halves the calls of a plan; the engine uses it
// through ValidateAndPlan.
type ResourceValidatePlanner interface {
	// ValidateAndPlanResourceChange validates req.Config as
	// ValidateResourceConfig would, then plans req as PlanResourceChange
	// would, unless the validation found errors: the plan's response is
	// then empty.
	ValidateAndPlanResourceChange(ctx context.Context, req PlanResourceChangeRequest) (ValidateResourceConfigResponse, PlanResourceChangeResponse)
}

// ValidateAndPlan validates a resource's configuration and, when that found
// no errors, plans its change: in one call when p is a
// ResourceValidatePlanner, in two otherwise.
func ValidateAndPlan(ctx context.Context, p Provider, req PlanResourceChangeRequest) (ValidateResourceConfigResponse, PlanResourceChangeResponse) {
	if vp, ok := p.(ResourceValidatePlanner); ok {
		return vp.ValidateAndPlanResourceChange(ctx, req)
	}
	return validateThenPlan(ctx, p, req)
}

func validateThenPlan(ctx context.Context, p Provider, req PlanResourceChangeRequest) (ValidateResourceConfigResponse, PlanResourceChangeResponse) {
	v := p.ValidateResourceConfig(ctx, ValidateResourceConfigRequest{TypeName: req.TypeName, Config: req.Config})
	if v.Diagnostics.HasErrors() {
		return v, PlanResourceChangeResponse{}
	}
	return v, p.PlanResourceChange(ctx, req)
}

// MetricsReporter is a Provider that keeps counters, such as the API
// requests it made by service, for the host to report when an operation
// ends.
type MetricsReporter interface {
	Metrics(ctx context.Context) map[string]int64
}
