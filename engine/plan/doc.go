// Package plan holds the plan model (actions, reasons, resource and output
// changes), the saved plan file codec with its digest, and the OpenTofu-shaped
// plan JSON that policy tools read.
//
// It may import engine/addrs, engine/state, hcl/configs, plugins and
// third-party modules; never the engine's evaluation code or providers.
package plan
