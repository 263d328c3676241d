package plan

import (
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxSignatures bounds the signatures one plan file may carry.
const MaxSignatures = 64

// Signature is one approval of a plan file: who signed its digest, with
// which key and when. This package only stores signatures; engine/plansign
// makes and checks them.
type Signature struct {
	// Identity names the signer, as the signing key's owner set it.
	Identity string
	// KeyFingerprint identifies the public key that checks Value.
	KeyFingerprint string
	// Algorithm is the signature scheme, e.g. "ed25519".
	Algorithm string
	// Time is when the plan was signed, by the signer's clock.
	Time time.Time
	// Value is the signature itself.
	Value []byte
}

type signatureJSON struct {
	Identity       *string `json:"identity"`
	KeyFingerprint *string `json:"key_fingerprint"`
	Algorithm      *string `json:"algorithm"`
	Time           *string `json:"time"`
	Value          []byte  `json:"signature"`
}

// CanonicalTime is the one spelling of a signature time that a plan file
// holds, and so the one a signature covers.
func CanonicalTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// CheckSignatureFields reports what is malformed in s, independently of
// whether it verifies.
func CheckSignatureFields(s Signature) error {
	switch {
	case s.Identity == "" || len(s.Identity) > 256 || !utf8.ValidString(s.Identity) || hasControl(s.Identity):
		return fmt.Errorf("invalid signer identity %q: it must be 1 to 256 printable characters", s.Identity)
	case s.KeyFingerprint == "" || len(s.KeyFingerprint) > 128 || !isToken(s.KeyFingerprint, ":+/=-_."):
		return fmt.Errorf("invalid key fingerprint %q", s.KeyFingerprint)
	case s.Algorithm == "" || len(s.Algorithm) > 32 || !isToken(s.Algorithm, "-"):
		return fmt.Errorf("invalid signature algorithm %q", s.Algorithm)
	case s.Time.IsZero():
		return errors.New("signature without a time")
	case len(s.Value) == 0 || len(s.Value) > 1024:
		return errors.New("signature value missing or too long")
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// isToken reports whether s is ASCII letters and digits plus the given
// punctuation.
func isToken(s, punct string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		for j := 0; !ok && j < len(punct); j++ {
			ok = c == punct[j]
		}
		if !ok {
			return false
		}
	}
	return true
}

func encodeSignatures(sigs []Signature) ([]signatureJSON, error) {
	if len(sigs) > MaxSignatures {
		return nil, fmt.Errorf("a plan file holds at most %d signatures", MaxSignatures)
	}
	out := make([]signatureJSON, 0, len(sigs))
	for i, s := range sigs {
		if err := CheckSignatureFields(s); err != nil {
			return nil, fmt.Errorf("signature %d: %w", i+1, err)
		}
		t := CanonicalTime(s.Time)
		out = append(out, signatureJSON{Identity: &s.Identity, KeyFingerprint: &s.KeyFingerprint, Algorithm: &s.Algorithm, Time: &t, Value: s.Value})
	}
	return out, nil
}

func decodeSignatures(raw []signatureJSON) ([]Signature, error) {
	if len(raw) > MaxSignatures {
		return nil, fmt.Errorf("more than %d signatures", MaxSignatures)
	}
	var out []Signature
	for i, r := range raw {
		if r.Identity == nil || r.KeyFingerprint == nil || r.Algorithm == nil || r.Time == nil || r.Value == nil {
			return nil, fmt.Errorf("signature %d: missing field (identity, key_fingerprint, algorithm, time and signature are required)", i+1)
		}
		t, err := time.Parse(time.RFC3339Nano, *r.Time)
		if err != nil || CanonicalTime(t) != *r.Time {
			return nil, fmt.Errorf("signature %d: invalid time %q (want RFC 3339 in UTC)", i+1, *r.Time)
		}
		s := Signature{Identity: *r.Identity, KeyFingerprint: *r.KeyFingerprint, Algorithm: *r.Algorithm, Time: t, Value: r.Value}
		if err := CheckSignatureFields(s); err != nil {
			return nil, fmt.Errorf("signature %d: %w", i+1, err)
		}
		out = append(out, s)
	}
	return out, nil
}
