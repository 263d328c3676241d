package engine

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/zclconf/go-cty/cty"
)

func rule(port int, remote cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(int64(port)), "remote": remote})
}

func TestConformsToPlanSets(t *testing.T) {
	obj := func(rules ...cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("g"), "rule": cty.SetVal(rules)})
	}
	// An element that held an unknown matches whatever it became.
	planned := obj(rule(22, cty.UnknownVal(cty.String)), rule(80, cty.StringVal("0.0.0.0/0")))
	actual := obj(rule(22, cty.StringVal("sg-web")), rule(80, cty.StringVal("0.0.0.0/0")))
	assert.Empty(t, conformsToPlan(planned, actual))
	// A set that gained elements, or a known set that changed, does not.
	assert.NotEmpty(t, conformsToPlan(planned, obj(rule(22, cty.StringVal("a")), rule(80, cty.StringVal("0.0.0.0/0")), rule(443, cty.StringVal("b")))))
	known := obj(rule(80, cty.StringVal("0.0.0.0/0")))
	assert.NotEmpty(t, conformsToPlan(known, obj(rule(81, cty.StringVal("0.0.0.0/0")))))
	assert.Empty(t, conformsToPlan(known, known))
}

// A set of hundreds of nested objects is compared as a whole, not element
// by element against the whole set.
func BenchmarkConformsToPlanLargeSet(b *testing.B) {
	rules := make([]cty.Value, 350)
	for i := range rules {
		rules[i] = rule(10000+i, cty.StringVal(fmt.Sprintf("10.%d.0.0/16", i%250)))
	}
	v := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("g"), "rule": cty.SetVal(rules)})
	for b.Loop() {
		if bad := conformsToPlan(v, v); len(bad) > 0 {
			b.Fatal(bad)
		}
	}
}
