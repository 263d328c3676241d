// Package sdk is what a provider author needs besides the contract in
// package plugins: Serve for the provider binary's main function, short
// constructors for schemas, diagnostics that point at an attribute, and the
// value helpers that every PlanResourceChange needs (defaults, unknown
// computed attributes).
//
// A provider imports only plugins and plugins/sdk: the contract types
// (plugins.Provider, plugins.Schema, plugins.Base, the request and response
// types) come from plugins, the conveniences from here. Neither exposes
// gRPC or go-plugin; the wire protocol stays inside plugins.
//
// The sdk holds no state and changes no value in place: each helper returns
// a new schema element, diagnostic or value.
package sdk
