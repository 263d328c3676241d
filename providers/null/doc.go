// Package null is the null provider: null_resource, a resource that does
// nothing but exist and be replaced when its triggers change. It serves
// engine tests, examples and benchmarks.
//
// It may import plugins and third-party modules only.
package null
