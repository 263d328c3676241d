package jsonscan

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNumberEndMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"0", "-0", "12", "-3.25", "1e9", "1E+2", "2.5e-3", "01", "-", "1.", ".5", "1e", "+1", "1e+", "--1"} {
		end, ok := NumberEnd([]byte(s), 0)
		whole := ok && end == len(s)
		assert.Equal(t, json.Valid([]byte(s)), whole, s)
	}
}

func TestSkipSpace(t *testing.T) {
	assert.Equal(t, 4, SkipSpace([]byte(" \t\r\nx"), 0))
	assert.Equal(t, 2, SkipSpace([]byte("  "), 0))
}
