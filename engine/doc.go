// Package engine plans and applies configurations: Plan(ctx, opts) compares
// the configuration with the prior state and records the changes; Apply(ctx,
// plan, opts) carries out exactly those changes in dependency order and makes
// each finished resource durable through a StateSink.
//
// It may import hcl/... (configuration, functions), plugins (the provider
// contract), its own sub-packages and third-party modules; never a provider
// implementation, gophercloud or gRPC.
package engine
