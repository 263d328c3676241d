// Command crashprovider is a provider whose process dies in
// ApplyResourceChange: with a panic in a goroutine of its own (which the
// plugin server cannot recover, unlike a panic in the handler), or, for an
// object named "exit", with os.Exit. Launch's tests use it.
package main

import (
	"context"
	"log"
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
		ResourceTypes: map[string]plugins.Schema{"crash_thing": schema},
	}
}

func (p *provider) PlanResourceChange(_ context.Context, req plugins.PlanResourceChangeRequest) plugins.PlanResourceChangeResponse {
	return plugins.PlanResourceChangeResponse{PlannedState: sdk.SetComputedUnknown(schema.Block, req.ProposedNewState)}
}

func (p *provider) ApplyResourceChange(_ context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	log.Printf("[INFO] crashprovider: applying %s", req.TypeName)
	if name, _ := sdk.StringAttr(req.PlannedState, "name"); name == "exit" {
		log.Printf("[ERROR] crashprovider: giving up")
		os.Exit(3)
	}
	go func() { panic("crashprovider: boom in ApplyResourceChange") }()
	time.Sleep(time.Minute)
	return plugins.ApplyResourceChangeResponse{}
}

func main() {
	sdk.Serve(func() plugins.Provider {
		p := &provider{}
		p.Base.Self = p
		return p
	})
}
