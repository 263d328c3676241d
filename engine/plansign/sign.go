package plansign

import (
	"crypto/ed25519"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nuvola-pa/nuvola/engine/plan"
)

// domain starts every signed message, so that a nuvola plan signature is
// never valid for anything else and a later message format cannot be taken
// for this one.
const domain = "nuvola-plan-signature-v1\n"

// Message is what a signature signs: the domain, the plan digest and the
// signer's claims, one per line. None of the parts can hold a newline, so
// the message reads back unambiguously.
func Message(digest, identity, fingerprint string, t time.Time) []byte {
	var b strings.Builder
	b.WriteString(domain)
	b.WriteString("digest " + digest + "\n")
	b.WriteString("identity " + identity + "\n")
	b.WriteString("key " + fingerprint + "\n")
	b.WriteString("time " + plan.CanonicalTime(t) + "\n")
	return []byte(b.String())
}

// Sign signs the envelope's digest as k at time now. The caller adds the
// signature to the envelope.
func Sign(env *plan.Envelope, k *PrivateKey, now time.Time) plan.Signature {
	fp := k.Public().Fingerprint()
	// The time is stored to the precision the file keeps, so the message
	// rebuilt from the file is the one signed.
	now = now.UTC().Round(0)
	return plan.Signature{
		Identity:       k.Identity,
		KeyFingerprint: fp,
		Algorithm:      Algorithm,
		Time:           now,
		Value:          ed25519.Sign(k.Key, Message(env.Digest, k.Identity, fp, now)),
	}
}

// Status is the verdict on one signature.
type Status int

const (
	// Valid: made by a trusted key over this plan's digest.
	Valid Status = iota
	// Untrusted: made by a key that is not in the keyring, so it proves
	// nothing; it is not checked further.
	Untrusted
	// Invalid: claims a trusted key but does not verify, or claims another
	// identity than the trusted key's. The plan or the signature was
	// changed after signing.
	Invalid
)

func (s Status) String() string {
	switch s {
	case Valid:
		return "valid"
	case Untrusted:
		return "untrusted"
	}
	return "INVALID"
}

// Check is the verdict on one signature of a plan file.
type Check struct {
	Signature plan.Signature
	Status    Status
	// Key is the trusted key the signature names, unless Untrusted.
	Key PublicKey
	// Problem says why the signature is not Valid.
	Problem string
}

// Verify checks every signature of env against the keyring.
func Verify(env *plan.Envelope, ring *Keyring) []Check {
	out := make([]Check, 0, len(env.Signatures))
	for _, s := range env.Signatures {
		out = append(out, verifyOne(env.Digest, s, ring))
	}
	return out
}

func verifyOne(digest string, s plan.Signature, ring *Keyring) Check {
	c := Check{Signature: s}
	k, ok := ring.Lookup(s.KeyFingerprint)
	if !ok {
		c.Status, c.Problem = Untrusted, fmt.Sprintf("no trusted key has the fingerprint %s", s.KeyFingerprint)
		return c
	}
	c.Key = k
	switch {
	case s.Algorithm != Algorithm:
		c.Status, c.Problem = Invalid, fmt.Sprintf("algorithm %q, but the trusted key is %s", s.Algorithm, Algorithm)
	case s.Identity != k.Identity:
		c.Status, c.Problem = Invalid, fmt.Sprintf("signed as %q, but the trusted key belongs to %q", s.Identity, k.Identity)
	case !ed25519.Verify(k.Key, Message(digest, s.Identity, s.KeyFingerprint, s.Time), s.Value):
		c.Status, c.Problem = Invalid, "the signature does not match this plan: the plan or the signature was changed after signing"
	default:
		c.Status = Valid
	}
	return c
}

// Approvers are the distinct identities with at least one valid signature,
// sorted. Counting identities rather than signatures means the same
// person signing twice, with one key or with two, is still one approval.
func Approvers(checks []Check) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range checks {
		if c.Status == Valid && !seen[c.Key.Identity] {
			seen[c.Key.Identity] = true
			out = append(out, c.Key.Identity)
		}
	}
	sort.Strings(out)
	return out
}

// Require says why checks do not amount to n approvals: an invalid
// signature refuses the plan whatever else it carries, since it means
// something was changed after someone approved it.
func Require(checks []Check, n int) error {
	for i, c := range checks {
		if c.Status == Invalid {
			return fmt.Errorf("signature %d (%s, key %s) is invalid: %s", i+1, c.Signature.Identity, c.Signature.KeyFingerprint, c.Problem)
		}
	}
	if got := Approvers(checks); len(got) < n {
		who := "none"
		if len(got) > 0 {
			who = strings.Join(got, ", ")
		}
		return fmt.Errorf("it has valid signatures from %d of the %d distinct trusted signers required (%s)", len(got), n, who)
	}
	return nil
}
