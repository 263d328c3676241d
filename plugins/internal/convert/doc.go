// Package convert translates the cty parts of the provider protocol between
// Go and plugins/internal/proto: values, types and attribute paths, and the
// choice of the type each value is encoded against (Schemas).
//
// Values are encoded as cty msgpack against a type chosen by Schemas; both
// peers choose it the same way from the same GetSchema answer, so the bytes
// need not carry their type. Nothing here panics on malformed input from the
// other peer.
//
// It imports only plugins/internal/proto and go-cty. Package plugins, which
// holds the Go contract, imports it and converts its own schemas,
// diagnostics, requests and responses with these pieces: were this package
// to import plugins, the two would form an import cycle. Only package
// plugins imports it.
package convert
