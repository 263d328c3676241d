// Command nuvola is the command-line interface: it parses flags, loads the
// configuration, variables and state, calls the engine, and renders the
// results. It owns provider lifetimes and the state lock, checks plan
// signatures before apply, and records every command that changes the state
// in the audit log while it holds the lock.
//
// It may import engine, hcl, plugins and providers packages.
package main
