package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleSignature(id string) Signature {
	return Signature{Identity: id, KeyFingerprint: "SHA256:abcDEF+/0123", Algorithm: "ed25519",
		Time: time.Date(2025, 3, 1, 9, 30, 0, 123, time.UTC), Value: bytes.Repeat([]byte{7}, 64)}
}

func TestEnvelopeSignaturesLeaveBodyAndDigestAlone(t *testing.T) {
	unsigned := writePlan(t, samplePlan(t))
	env, err := ReadEnvelope(bytes.NewReader(unsigned))
	require.NoError(t, err)
	assert.Empty(t, env.Signatures, "a plan file without signatures still reads")

	env.Signatures = append(env.Signatures, sampleSignature("alice@pa.example"), sampleSignature("bob@pa.example"))
	var signed bytes.Buffer
	require.NoError(t, env.Write(&signed))

	// The signed file is the unsigned one with the signatures inserted
	// before the envelope's closing brace: body and digest are untouched.
	cut := len(unsigned) - len("}\n")
	assert.Equal(t, string(unsigned[:cut]), signed.String()[:cut])
	assert.True(t, strings.HasPrefix(signed.String()[cut:], `,"signatures":[{"identity":"alice@pa.example"`))

	back, err := ReadEnvelope(bytes.NewReader(signed.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, env.Digest, back.Digest)
	require.Len(t, back.Signatures, 2)
	assert.Equal(t, sampleSignature("alice@pa.example"), back.Signatures[0])
	p, err := back.Plan()
	require.NoError(t, err)
	assertSamePlan(t, samplePlan(t), p)
	d, err := p.Digest()
	require.NoError(t, err)
	assert.Equal(t, env.Digest, d)

	// ReadFile reads signed files as well.
	p, err = ReadFile(bytes.NewReader(signed.Bytes()))
	require.NoError(t, err)
	assertSamePlan(t, samplePlan(t), p)
}

func TestNewEnvelopeMatchesWrite(t *testing.T) {
	env, err := NewEnvelope(samplePlan(t))
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, env.Write(&buf))
	assert.Equal(t, string(writePlan(t, samplePlan(t))), buf.String())
}

func TestEnvelopeWriteRefusesMismatch(t *testing.T) {
	env, err := NewEnvelope(samplePlan(t))
	require.NoError(t, err)
	env.Digest = "sha256:" + strings.Repeat("0", 64)
	assert.ErrorContains(t, env.Write(&bytes.Buffer{}), "does not match")
	assert.Error(t, (&Envelope{}).Write(&bytes.Buffer{}))

	env, err = NewEnvelope(samplePlan(t))
	require.NoError(t, err)
	bad := sampleSignature("alice\nmallory")
	env.Signatures = []Signature{bad}
	assert.ErrorContains(t, env.Write(&bytes.Buffer{}), "invalid signer identity")
}

// signedWith returns a valid signed plan file with the first signature's
// JSON object changed by mutate.
func signedWith(t *testing.T, mutate func(sig map[string]any)) []byte {
	env, err := NewEnvelope(samplePlan(t))
	require.NoError(t, err)
	env.Signatures = []Signature{sampleSignature("alice@pa.example")}
	var buf bytes.Buffer
	require.NoError(t, env.Write(&buf))
	raw := buf.Bytes()[len("nuvola-plan 1\n"):]
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &doc))
	var sigs []map[string]any
	require.NoError(t, json.Unmarshal(doc["signatures"], &sigs))
	mutate(sigs[0])
	enc, err := json.Marshal(sigs)
	require.NoError(t, err)
	doc["signatures"] = enc
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return append([]byte("nuvola-plan 1\n"), out...)
}

func TestReadCorruptSignatures(t *testing.T) {
	tests := map[string]struct {
		mutate func(sig map[string]any)
		want   string
	}{
		"missing identity":      {func(s map[string]any) { delete(s, "identity") }, "signature 1: missing field"},
		"missing value":         {func(s map[string]any) { delete(s, "signature") }, "signature 1: missing field"},
		"unknown field":         {func(s map[string]any) { s["trusted"] = true }, `unknown field "trusted"`},
		"local time":            {func(s map[string]any) { s["time"] = "2025-03-01T10:30:00+01:00" }, "invalid time"},
		"not a time":            {func(s map[string]any) { s["time"] = "yesterday" }, "invalid time"},
		"control in identity":   {func(s map[string]any) { s["identity"] = "alice\u0007" }, "invalid signer identity"},
		"space in fingerprint":  {func(s map[string]any) { s["key_fingerprint"] = "SHA256:a b" }, "invalid key fingerprint"},
		"value not base64":      {func(s map[string]any) { s["signature"] = "!!" }, "invalid plan document"},
		"identity wrong type":   {func(s map[string]any) { s["identity"] = 42 }, "invalid plan document"},
		"algorithm with spaces": {func(s map[string]any) { s["algorithm"] = "ed 25519" }, "invalid signature algorithm"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ReadEnvelope(bytes.NewReader(signedWith(t, tc.mutate)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "corrupt plan file")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("unchanged is valid", func(t *testing.T) {
		_, err := ReadEnvelope(bytes.NewReader(signedWith(t, func(map[string]any) {})))
		require.NoError(t, err)
	})
	t.Run("too many", func(t *testing.T) {
		env, err := NewEnvelope(samplePlan(t))
		require.NoError(t, err)
		for i := 0; i <= MaxSignatures; i++ {
			env.Signatures = append(env.Signatures, sampleSignature("a"))
		}
		assert.ErrorContains(t, env.Write(&bytes.Buffer{}), "at most")
	})
}
