// Package plansign signs saved plans and checks their signatures: the
// ed25519 key files (keygen's pair, the trusted keys directory), the signed
// message, and the verdict on each signature of a plan file.
//
// A signature covers the plan file's digest, which covers everything apply
// acts on (changes, prior state, configuration snapshot, policy results),
// together with the signer's identity, key fingerprint and time, under a
// domain separator so that it can never be taken for a signature over
// anything else. Signatures are stored in the plan file by engine/plan.
//
// Key files are one line each:
//
//	NAME.pub  nuvola-ed25519 <base64 public key> <identity>
//	NAME      nuvola-ed25519-private <base64 seed> <identity>
//
// It may import engine/plan, the standard library and third-party modules.
package plansign
