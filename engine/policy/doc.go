// Package policy owns what the engine does with baseline checks once the
// policy providers have answered: custom rules written in HCL, waivers,
// locating each finding at the attribute's source line, and turning
// findings into plan results and diagnostics.
//
// It may import hcl/configs, plugins, engine/plan, engine/addrs and
// third-party modules (hcl, cty); never the engine itself or a provider.
package policy
