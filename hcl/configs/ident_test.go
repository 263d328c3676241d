package configs

import (
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestValidIdentifier checks the fast path against HCL's scanner over every
// ASCII string of up to two bytes and some longer names.
func TestValidIdentifier(t *testing.T) {
	var names []string
	for a := 0; a < 128; a++ {
		names = append(names, string(rune(a)))
		for b := 0; b < 128; b++ {
			names = append(names, string([]byte{byte(a), byte(b)}))
		}
	}
	names = append(names, "", "terraform_data", "r0", "a-b", "_x", "9x", "-x", "a.b", "a b", "é", "aé", "ünïcode", "true", "null", "\xff")
	for _, n := range names {
		if got, want := validIdentifier(n), hclsyntax.ValidIdentifier(n); got != want {
			t.Errorf("validIdentifier(%q) = %v, want %v", n, got, want)
		}
	}
}
