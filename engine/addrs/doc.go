// Package addrs holds the addresses of things in a configuration and in
// state: module instances, resources, resource instances and the references
// an expression makes. Addresses are small immutable values with String,
// Equal and Less; String is also their unique key.
//
// It may import the standard library, hcl/v2 and go-cty only.
package addrs
