// Package configs loads nuvola configuration: the *.tf and *.tf.json files of
// a root module and of the local child modules it calls, plus the values of
// the root module's input variables (defaults, TF_VAR_ environment variables,
// tfvars files and -var / -var-file options).
//
// Decoding happens in a single pass over the top-level blocks of each file
// and stops at the boundary where a provider schema would be needed: resource,
// data, provider and backend bodies, module call arguments, locals, outputs and
// conditions stay as raw hcl.Body and hcl.Expression values for the engine to
// evaluate later. Only constructs whose meaning is fixed by the language
// itself (meta-arguments, lifecycle settings, variable types and defaults,
// references in depends_on, moved, import and removed) are interpreted here.
//
// The package follows OpenTofu's configuration language closely, including
// the summaries of its diagnostics, so that existing configurations and the
// habits of their authors carry over. Features nuvola does not implement
// (provisioners, the cloud block, remote module sources) are rejected with
// error diagnostics rather than silently ignored.
//
// Imports are limited to the standard library and third-party modules (HCL,
// cty, go-version); this package must not import other nuvola packages so
// that everything else can depend on it without cycles.
package configs
