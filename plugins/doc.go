// Package plugins defines the provider contract: the Provider interface that
// the engine calls (Method(ctx, Request) Response, diagnostics in the
// response), the schema types providers describe their resources with, and
// the diagnostics that carry attribute paths back to the host.
//
// It also carries that contract between processes over hashicorp/go-plugin
// and gRPC: Serve for a provider's main function, and on the host a Provider
// whose methods call the plugin (GRPCProviderPlugin, NewGRPCClientFromConn).
// Callers see only the Go contract; the wire protocol and the cty encoding
// live in plugins/internal and are implementation details of this package.
// A policy provider (PolicyChecker, such as the baseline provider) checks
// whole plans; the host's client implements PolicyChecker exactly when the
// plugin's provider does.
//
// It imports only the standard library, third-party modules (go-cty,
// hcl/v2, go-plugin, grpc) and its own plugins/internal packages; never the
// engine, the configuration loader or any provider.
package plugins
