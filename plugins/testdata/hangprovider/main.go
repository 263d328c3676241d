// Command hangprovider is a provider whose ApplyResourceChange never
// returns and ignores its context, as a provider stuck in a call without a
// timeout does. For an object named "polite" it waits for its context
// instead, so a stop request ends the call. With HANG_STARTED set, it
// creates that file once a call hangs. Launch's tests use it.
package main

import (
	"context"
	"os"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/plugins/sdk"
)

type provider struct {
	plugins.Base
}

var schema = plugins.Schema{Block: sdk.Block(sdk.Attrs{
	"name": sdk.Required(cty.String),
	"id":   sdk.Computed(cty.String),
}, nil)}

func (p *provider) GetSchema(context.Context, plugins.GetSchemaRequest) plugins.GetSchemaResponse {
	return plugins.GetSchemaResponse{
		Provider:      plugins.Schema{Block: sdk.Block(nil, nil)},
		ResourceTypes: map[string]plugins.Schema{"hang_thing": schema},
	}
}

func (p *provider) PlanResourceChange(_ context.Context, req plugins.PlanResourceChangeRequest) plugins.PlanResourceChangeResponse {
	return plugins.PlanResourceChangeResponse{PlannedState: sdk.SetComputedUnknown(schema.Block, req.ProposedNewState)}
}

func (p *provider) ApplyResourceChange(ctx context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	if f := os.Getenv("HANG_STARTED"); f != "" {
		_ = os.WriteFile(f, nil, 0o644)
	}
	if name, _ := sdk.StringAttr(req.PlannedState, "name"); name == "polite" {
		<-ctx.Done()
		return plugins.ApplyResourceChangeResponse{
			NewState:    req.PriorState,
			Diagnostics: plugins.Diagnostics{sdk.Error("Apply interrupted", context.Cause(ctx).Error())},
		}
	}
	for {
		time.Sleep(time.Hour)
	}
}

func main() {
	sdk.Serve(func() plugins.Provider {
		p := &provider{}
		p.Base.Self = p
		return p
	})
}
