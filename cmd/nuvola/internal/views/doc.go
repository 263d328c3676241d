// Package views owns everything the nuvola CLI shows to a person or to a
// machine reading its -json stream: the rendering of plans (the diff with
// its action symbols, reasons and summary), of state and outputs for
// `nuvola show` and `nuvola output`, of diagnostics with source snippets,
// the apply progress lines, and the JSON event stream.
//
// The text follows OpenTofu's layout and wording (with "nuvola" in place
// of "OpenTofu") so that people and tools used to one can read the other.
// Sensitive values are never written, in any output mode, in any form.
//
// The package may import engine/plan, engine/state, engine/addrs, plugins
// and third-party modules; it must not import the engine itself, so that
// commands can render a saved plan or state without building one.
package views
