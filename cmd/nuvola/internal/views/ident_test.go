package views

import (
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestPlainIdentifier checks that the fast identifier test never accepts
// what HCL's scanner refuses, over every ASCII string of up to two bytes
// and some longer names.
func TestPlainIdentifier(t *testing.T) {
	var names []string
	for a := 0; a < 128; a++ {
		names = append(names, string(rune(a)))
		for b := 0; b < 128; b++ {
			names = append(names, string([]byte{byte(a), byte(b)}))
		}
	}
	names = append(names, "", "id", "triggers_replace", "a-b", "_x", "x9", "9x", "-x", "a.b", "a b", "é", "aé", "true", "null")
	for _, n := range names {
		if plainIdentifier(n) && !hclsyntax.ValidIdentifier(n) {
			t.Errorf("plainIdentifier(%q) but HCL disagrees", n)
		}
	}
	for _, n := range []string{"id", "triggers_replace", "a-b", "_x", "x9"} {
		if !plainIdentifier(n) {
			t.Errorf("plainIdentifier(%q) = false", n)
		}
	}
}
