// Package plan holds the plan model (actions, reasons, resource and output
// changes), the saved plan file codec with its digest, and the OpenTofu-shaped
// plan JSON that policy tools read.
//
// A plan file is the line "nuvola-plan 1" followed by one JSON document,
// {"digest":"sha256:<hex>","body":{...}}. The digest covers the body bytes
// exactly as written, and Plan.Digest recomputes it from a Plan, so a
// signature over the digest covers everything apply will act on. Values are
// stored as cty msgpack so that unknown values and exact types survive; the
// prior state is embedded in the state file encoding.
//
// A signed plan file carries "signatures" in the envelope, after the body:
// adding a signature leaves the body bytes and the digest unchanged, so
// several people can sign one plan in turn. This package stores them;
// engine/plansign makes and checks them.
//
// It may import engine/addrs, engine/state, hcl/configs, plugins and
// third-party modules; never the engine's evaluation code or providers.
package plan
