// Package plugins defines the provider contract: the Provider interface that
// the engine calls (Method(ctx, Request) Response, diagnostics in the
// response), the schema types providers describe their resources with, and
// the diagnostics that carry attribute paths back to the host.
//
// It imports only the standard library and third-party modules (go-cty,
// hcl/v2); never the engine, the configuration loader or any provider. The
// wire protocol that carries this contract between processes lives in
// plugins/internal and is an implementation detail of this package.
package plugins
