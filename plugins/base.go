package plugins

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Base gives a provider the methods it does not need to specialise: no-op
// validation and configuration, JSON state upgrades without schema changes,
// ReadResources as one ReadResource per object, and errors for import and
// data sources. Embed it and override what the provider supports.
type Base struct {
	// Self is the embedding provider, so the defaults can call its methods.
	Self Provider
}

// ValidateProviderConfig accepts any configuration.
func (Base) ValidateProviderConfig(context.Context, ValidateProviderConfigRequest) ValidateProviderConfigResponse {
	return ValidateProviderConfigResponse{}
}

// ValidateResourceConfig accepts any configuration.
func (Base) ValidateResourceConfig(context.Context, ValidateResourceConfigRequest) ValidateResourceConfigResponse {
	return ValidateResourceConfigResponse{}
}

// ValidateDataSourceConfig accepts any configuration.
func (Base) ValidateDataSourceConfig(context.Context, ValidateDataSourceConfigRequest) ValidateDataSourceConfigResponse {
	return ValidateDataSourceConfigResponse{}
}

// ConfigureProvider does nothing.
func (Base) ConfigureProvider(context.Context, ConfigureProviderRequest) ConfigureProviderResponse {
	return ConfigureProviderResponse{}
}

// UpgradeResourceState decodes the stored JSON with the current schema.
func (b Base) UpgradeResourceState(ctx context.Context, req UpgradeResourceStateRequest) UpgradeResourceStateResponse {
	var resp UpgradeResourceStateResponse
	schemas := b.Self.GetSchema(ctx, GetSchemaRequest{})
	s, ok := schemas.ResourceTypes[req.TypeName]
	if !ok {
		resp.Diagnostics = resp.Diagnostics.Errorf(nil, "Unsupported resource type", "The provider has no resource type %q.", req.TypeName)
		return resp
	}
	if req.Version > s.Version {
		resp.Diagnostics = resp.Diagnostics.Errorf(nil, "Resource state from a newer provider",
			"The stored object of %s has schema version %d; this provider knows only up to %d.", req.TypeName, req.Version, s.Version)
		return resp
	}
	v, err := ctyjson.Unmarshal(req.RawJSON, s.Block.ImpliedType())
	if err != nil {
		resp.Diagnostics = resp.Diagnostics.Errorf(nil, "Invalid stored object", "The stored object of %s does not match its schema: %s.", req.TypeName, err)
		return resp
	}
	resp.UpgradedState = v
	return resp
}

// ReadResources reads each object in turn.
func (b Base) ReadResources(ctx context.Context, req ReadResourcesRequest) ReadResourcesResponse {
	resp := ReadResourcesResponse{Results: make([]ReadResourceResponse, len(req.Objects))}
	for i, o := range req.Objects {
		o.TypeName = req.TypeName
		resp.Results[i] = b.Self.ReadResource(ctx, o)
	}
	return resp
}

// ReadResource returns the prior state unchanged.
func (Base) ReadResource(_ context.Context, req ReadResourceRequest) ReadResourceResponse {
	return ReadResourceResponse{NewState: req.PriorState, Private: req.Private}
}

// ImportResourceState is not supported by default.
func (Base) ImportResourceState(_ context.Context, req ImportResourceStateRequest) ImportResourceStateResponse {
	var resp ImportResourceStateResponse
	resp.Diagnostics = resp.Diagnostics.Errorf(nil, "Resource import not supported", "The resource type %q cannot be imported.", req.TypeName)
	return resp
}

// ReadDataSource reports that the provider has no data sources.
func (Base) ReadDataSource(_ context.Context, req ReadDataSourceRequest) ReadDataSourceResponse {
	var resp ReadDataSourceResponse
	resp.Diagnostics = resp.Diagnostics.Errorf(nil, "Unsupported data source", "The provider has no data source %q.", req.TypeName)
	return resp
}

// Stop does nothing.
func (Base) Stop(context.Context) error { return nil }

// Close does nothing.
func (Base) Close() error { return nil }

// SetAttrs returns obj with some attributes replaced.
func SetAttrs(obj cty.Value, attrs map[string]cty.Value) cty.Value {
	if obj.IsNull() || !obj.IsKnown() {
		return obj
	}
	m := obj.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	for k, v := range attrs {
		m[k] = v
	}
	return cty.ObjectVal(m)
}

// UnsupportedType is the diagnostic for a type the provider lacks.
func UnsupportedType(kind, name string) Diagnostics {
	return Diagnostics{{Severity: Error, Summary: fmt.Sprintf("Unsupported %s type", kind), Detail: fmt.Sprintf("The provider has no %s type %q.", kind, name)}}
}
