package configs

import (
	"testing"

	version "github.com/hashicorp/go-version"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVersionConstraintWildcards(t *testing.T) {
	for _, tc := range []struct {
		constraint string
		ok, no     []string
	}{
		{"~> 3.x", []string{"3.0.0", "3.4.1"}, []string{"2.9.9", "4.0.0"}},
		{"3.*", []string{"3.0.0", "3.9.0"}, []string{"4.0.0"}},
		{"~> 3.1.x", []string{"3.1.0", "3.1.7"}, []string{"3.2.0", "3.0.9"}},
		{">= 2.x, < 4", []string{"2.0.0", "3.5.0"}, []string{"1.9.0", "4.0.0"}},
		{"~> 1.53", []string{"1.53.0", "1.60.0"}, []string{"2.0.0", "1.52.0"}},
		{"*", []string{"0.1.0", "9.0.0"}, nil},
	} {
		c, err := ParseVersionConstraint(tc.constraint)
		require.NoError(t, err, tc.constraint)
		for _, v := range tc.ok {
			assert.True(t, c.Check(version.Must(version.NewVersion(v))), "%s should allow %s", tc.constraint, v)
		}
		for _, v := range tc.no {
			assert.False(t, c.Check(version.Must(version.NewVersion(v))), "%s should refuse %s", tc.constraint, v)
		}
	}
	_, err := ParseVersionConstraint("~> banana")
	assert.Error(t, err)
}
