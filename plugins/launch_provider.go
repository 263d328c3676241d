package plugins

import (
	"context"
	"errors"
)

// guarded runs one method of the plugin through guard. diags points into a
// response at its Diagnostics, which is all guard changes.
func guarded[R any](p *launchedProvider, ctx context.Context, rpc, typeName string, call func(context.Context) R, diags func(*R) *Diagnostics) R {
	var resp R
	replace, extra := p.guard(ctx, rpc, typeName, func(ctx context.Context) { resp = call(ctx) })
	if replace {
		var zero R
		*diags(&zero) = extra
		return zero
	}
	if len(extra) > 0 {
		d := diags(&resp)
		*d = append(*d, extra...)
	}
	return resp
}

func (p *launchedProvider) GetSchema(ctx context.Context, req GetSchemaRequest) GetSchemaResponse {
	return guarded(p, ctx, "GetSchema", "",
		func(ctx context.Context) GetSchemaResponse { return p.inner.GetSchema(ctx, req) },
		func(r *GetSchemaResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) ValidateProviderConfig(ctx context.Context, req ValidateProviderConfigRequest) ValidateProviderConfigResponse {
	return guarded(p, ctx, "ValidateProviderConfig", "",
		func(ctx context.Context) ValidateProviderConfigResponse {
			return p.inner.ValidateProviderConfig(ctx, req)
		},
		func(r *ValidateProviderConfigResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) ValidateResourceConfig(ctx context.Context, req ValidateResourceConfigRequest) ValidateResourceConfigResponse {
	return guarded(p, ctx, "ValidateResourceConfig", req.TypeName,
		func(ctx context.Context) ValidateResourceConfigResponse {
			return p.inner.ValidateResourceConfig(ctx, req)
		},
		func(r *ValidateResourceConfigResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) ValidateDataSourceConfig(ctx context.Context, req ValidateDataSourceConfigRequest) ValidateDataSourceConfigResponse {
	return guarded(p, ctx, "ValidateDataSourceConfig", req.TypeName,
		func(ctx context.Context) ValidateDataSourceConfigResponse {
			return p.inner.ValidateDataSourceConfig(ctx, req)
		},
		func(r *ValidateDataSourceConfigResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) ConfigureProvider(ctx context.Context, req ConfigureProviderRequest) ConfigureProviderResponse {
	return guarded(p, ctx, "ConfigureProvider", "",
		func(ctx context.Context) ConfigureProviderResponse { return p.inner.ConfigureProvider(ctx, req) },
		func(r *ConfigureProviderResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) UpgradeResourceState(ctx context.Context, req UpgradeResourceStateRequest) UpgradeResourceStateResponse {
	return guarded(p, ctx, "UpgradeResourceState", req.TypeName,
		func(ctx context.Context) UpgradeResourceStateResponse { return p.inner.UpgradeResourceState(ctx, req) },
		func(r *UpgradeResourceStateResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) ReadResource(ctx context.Context, req ReadResourceRequest) ReadResourceResponse {
	return guarded(p, ctx, "ReadResource", req.TypeName,
		func(ctx context.Context) ReadResourceResponse { return p.inner.ReadResource(ctx, req) },
		func(r *ReadResourceResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) ReadResources(ctx context.Context, req ReadResourcesRequest) ReadResourcesResponse {
	return guarded(p, ctx, "ReadResources", req.TypeName,
		func(ctx context.Context) ReadResourcesResponse { return p.inner.ReadResources(ctx, req) },
		func(r *ReadResourcesResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) PlanResourceChange(ctx context.Context, req PlanResourceChangeRequest) PlanResourceChangeResponse {
	return guarded(p, ctx, "PlanResourceChange", req.TypeName,
		func(ctx context.Context) PlanResourceChangeResponse { return p.inner.PlanResourceChange(ctx, req) },
		func(r *PlanResourceChangeResponse) *Diagnostics { return &r.Diagnostics })
}

// validatedPlan is the pair of answers of ValidateAndPlanResourceChange.
type validatedPlan struct {
	validate ValidateResourceConfigResponse
	plan     PlanResourceChangeResponse
}

func (p *launchedProvider) ValidateAndPlanResourceChange(ctx context.Context, req PlanResourceChangeRequest) (ValidateResourceConfigResponse, PlanResourceChangeResponse) {
	r := guarded(p, ctx, "PlanResourceChange", req.TypeName,
		func(ctx context.Context) validatedPlan {
			v, pr := p.inner.ValidateAndPlanResourceChange(ctx, req)
			return validatedPlan{v, pr}
		},
		// Whatever went wrong with the call, the validation did not
		// pass: nothing is planned.
		func(r *validatedPlan) *Diagnostics { return &r.validate.Diagnostics })
	return r.validate, r.plan
}

func (p *launchedProvider) ApplyResourceChange(ctx context.Context, req ApplyResourceChangeRequest) ApplyResourceChangeResponse {
	return guarded(p, ctx, "ApplyResourceChange", req.TypeName,
		func(ctx context.Context) ApplyResourceChangeResponse { return p.inner.ApplyResourceChange(ctx, req) },
		func(r *ApplyResourceChangeResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) ImportResourceState(ctx context.Context, req ImportResourceStateRequest) ImportResourceStateResponse {
	return guarded(p, ctx, "ImportResourceState", req.TypeName,
		func(ctx context.Context) ImportResourceStateResponse { return p.inner.ImportResourceState(ctx, req) },
		func(r *ImportResourceStateResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) ReadDataSource(ctx context.Context, req ReadDataSourceRequest) ReadDataSourceResponse {
	return guarded(p, ctx, "ReadDataSource", req.TypeName,
		func(ctx context.Context) ReadDataSourceResponse { return p.inner.ReadDataSource(ctx, req) },
		func(r *ReadDataSourceResponse) *Diagnostics { return &r.Diagnostics })
}

// Stop is passed on without a watchdog: it is what a watchdog would send.
// Once the process is gone there is nothing to stop.
func (p *launchedProvider) Stop(ctx context.Context) error {
	if d, ok := p.failure(); ok {
		return errors.New(d.Summary)
	}
	return p.inner.Stop(ctx)
}

// Close kills the plugin process and waits for it to end. Calls made after
// Close fail with a diagnostic instead of a transport error.
func (p *launchedProvider) Close() error {
	var err error
	p.closeOnce.Do(func() {
		p.fail(Diagnostic{
			Severity: Error,
			Summary:  "The provider " + p.name + " was already shut down",
			Detail:   "nuvola called the provider after closing it. This is a bug in nuvola.",
		})
		err = p.inner.Close()
		p.calls.stop()
	})
	return err
}

// launchedPolicyProvider is a launched provider that checks plans.
type launchedPolicyProvider struct {
	*launchedProvider
}

var _ PolicyChecker = (*launchedPolicyProvider)(nil)

func (p *launchedPolicyProvider) GetPolicyRules(ctx context.Context) GetPolicyRulesResponse {
	return guarded(p.launchedProvider, ctx, "GetPolicyRules", "",
		func(ctx context.Context) GetPolicyRulesResponse { return p.inner.getPolicyRules(ctx) },
		func(r *GetPolicyRulesResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedPolicyProvider) CheckPlan(ctx context.Context, req CheckPlanRequest) CheckPlanResponse {
	return guarded(p.launchedProvider, ctx, "CheckPlan", "",
		func(ctx context.Context) CheckPlanResponse { return p.inner.checkPlan(ctx, req) },
		func(r *CheckPlanResponse) *Diagnostics { return &r.Diagnostics })
}

// launchedOwnedProvider is a launched provider that marks the objects it
// creates.
type launchedOwnedProvider struct {
	*launchedProvider
}

// launchedPolicyOwnedProvider is both.
type launchedPolicyOwnedProvider struct {
	launchedPolicyProvider
}

var (
	_ OwnedResourceFinder = (*launchedOwnedProvider)(nil)
	_ OwnedResourceFinder = (*launchedPolicyOwnedProvider)(nil)
	_ PolicyChecker       = (*launchedPolicyOwnedProvider)(nil)
)

func (p *launchedOwnedProvider) FindOwnedResource(ctx context.Context, req FindOwnedResourceRequest) FindOwnedResourceResponse {
	return p.launchedProvider.findOwnedResource(ctx, req)
}

func (p *launchedOwnedProvider) ListOwnedResources(ctx context.Context, req ListOwnedResourcesRequest) ListOwnedResourcesResponse {
	return p.launchedProvider.listOwnedResources(ctx, req)
}

func (p *launchedPolicyOwnedProvider) FindOwnedResource(ctx context.Context, req FindOwnedResourceRequest) FindOwnedResourceResponse {
	return p.launchedProvider.findOwnedResource(ctx, req)
}

func (p *launchedPolicyOwnedProvider) ListOwnedResources(ctx context.Context, req ListOwnedResourcesRequest) ListOwnedResourcesResponse {
	return p.launchedProvider.listOwnedResources(ctx, req)
}

func (p *launchedProvider) findOwnedResource(ctx context.Context, req FindOwnedResourceRequest) FindOwnedResourceResponse {
	return guarded(p, ctx, "FindOwnedResource", req.TypeName,
		func(ctx context.Context) FindOwnedResourceResponse { return p.inner.findOwnedResource(ctx, req) },
		func(r *FindOwnedResourceResponse) *Diagnostics { return &r.Diagnostics })
}

func (p *launchedProvider) listOwnedResources(ctx context.Context, req ListOwnedResourcesRequest) ListOwnedResourcesResponse {
	return guarded(p, ctx, "ListOwnedResources", "",
		func(ctx context.Context) ListOwnedResourcesResponse { return p.inner.listOwnedResources(ctx, req) },
		func(r *ListOwnedResourcesResponse) *Diagnostics { return &r.Diagnostics })
}
