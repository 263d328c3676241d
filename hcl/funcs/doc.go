// Package funcs owns the expression function library available to
// configuration expressions: the same function names, argument types,
// results and (in spirit) error messages as OpenTofu, so that existing
// configurations evaluate identically.
//
// It also owns the cty mark used to flag sensitive values, so that every
// package which produces, propagates or redacts sensitive data agrees on a
// single mark value.
//
// The package sits at the bottom of the dependency graph: it may import the
// standard library and third-party modules (hcl, go-cty, go-cty-yaml,
// go-cidr, uuid, doublestar) but never another package of this project,
// which keeps it usable from both configuration loading and evaluation
// without import cycles.
package funcs
