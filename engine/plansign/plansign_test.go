package plansign

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newKey(t *testing.T, id string) *PrivateKey {
	t.Helper()
	k, err := GenerateKey(id, rand.Reader)
	require.NoError(t, err)
	return k
}

func envelope(t *testing.T, cfg string) *plan.Envelope {
	t.Helper()
	env, err := plan.NewEnvelope(&plan.Plan{StateLineage: "l", StateSerial: 3, Config: map[string][]byte{"main.tf": []byte(cfg)}})
	require.NoError(t, err)
	return env
}

var signedAt = time.Date(2025, 3, 1, 9, 30, 0, 5, time.UTC)

func TestKeyFilesRoundTrip(t *testing.T) {
	k := newKey(t, "Maria Rossi <m.rossi@comune.example.it>")
	pub, err := ParsePublicKey(MarshalPublicKey(k.Public()))
	require.NoError(t, err)
	assert.Equal(t, k.Public().Key, pub.Key)
	assert.Equal(t, k.Identity, pub.Identity)
	priv, err := ParsePrivateKey(MarshalPrivateKey(k))
	require.NoError(t, err)
	assert.True(t, k.Key.Equal(priv.Key))
	assert.Equal(t, k.Identity, priv.Identity)
	assert.True(t, strings.HasPrefix(pub.Fingerprint(), "SHA256:"))
	assert.Len(t, pub.Fingerprint(), len("SHA256:")+43)
}

func TestParseKeyErrorsNeverQuoteTheKey(t *testing.T) {
	k := newKey(t, "alice@host")
	good := string(MarshalPrivateKey(k))
	seed := strings.Fields(good)[1]
	tests := map[string]struct {
		data, want string
	}{
		"public given as private": {string(MarshalPublicKey(k.Public())), "this is a nuvola-ed25519 key file"},
		"not a key":               {"-----BEGIN OPENSSH PRIVATE KEY-----\n", "not a nuvola key file"},
		"bad base64":              {PrivateKeyType + " " + seed + "!! alice@host\n", "not valid base64"},
		"short seed":              {PrivateKeyType + " " + seed[:20] + "== alice@host\n", "not valid base64"},
		"no identity":             {PrivateKeyType + " " + seed + "\n", "identity is empty"},
		"two lines":               {good + good, "one line"},
		"huge":                    {strings.Repeat("x", 10000), "too large"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePrivateKey([]byte(tc.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), seed[:12])
		})
	}
	_, err := ParsePublicKey([]byte(PublicKeyType + " AAAA alice\n"))
	assert.ErrorContains(t, err, "32 bytes")
}

func TestWriteKeyPair(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "alice")
	k := newKey(t, "alice@host")
	require.NoError(t, WriteKeyPair(name, k))
	if runtime.GOOS != "windows" {
		info, err := os.Stat(name)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		info, err = os.Stat(name + ".pub")
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
	}
	back, err := ReadPrivateKeyFile(name)
	require.NoError(t, err)
	assert.True(t, k.Key.Equal(back.Key))

	// Never overwritten, whichever half exists.
	before, _ := os.ReadFile(name)
	assert.ErrorContains(t, WriteKeyPair(name, newKey(t, "mallory")), "already exists")
	after, _ := os.ReadFile(name)
	assert.Equal(t, before, after)
	require.NoError(t, os.Remove(name))
	assert.ErrorContains(t, WriteKeyPair(name, newKey(t, "mallory")), "already exists")
	_, err = os.Stat(name)
	assert.True(t, os.IsNotExist(err), "a failed keygen leaves no half pair")
}

func TestReadPrivateKeyFileRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "k")
	require.NoError(t, WriteKeyPair(name, newKey(t, "alice")))
	for _, mode := range []os.FileMode{0o644, 0o640, 0o602} {
		require.NoError(t, os.Chmod(name, mode))
		_, err := ReadPrivateKeyFile(name)
		require.Error(t, err, "%04o", mode)
		assert.Contains(t, err.Error(), "too open")
	}
	require.NoError(t, os.Chmod(name, 0o400))
	_, err := ReadPrivateKeyFile(name)
	assert.NoError(t, err)
}

func TestSignAndVerify(t *testing.T) {
	alice, bob, carol := newKey(t, "alice@regione"), newKey(t, "bob@regione"), newKey(t, "carol@elsewhere")
	ring, err := NewKeyring(alice.Public(), bob.Public())
	require.NoError(t, err)

	env := envelope(t, "resource \"x\" \"y\" {}")
	env.Signatures = append(env.Signatures, Sign(env, alice, signedAt))
	checks := Verify(env, ring)
	require.Len(t, checks, 1)
	assert.Equal(t, Valid, checks[0].Status, checks[0].Problem)
	assert.Equal(t, []string{"alice@regione"}, Approvers(checks))
	assert.NoError(t, Require(checks, 1))
	assert.ErrorContains(t, Require(checks, 2), "from 1 of the 2 distinct trusted signers required (alice@regione)")

	t.Run("the same key twice is one approval", func(t *testing.T) {
		e := *env
		e.Signatures = append(append([]plan.Signature{}, env.Signatures...), Sign(env, alice, signedAt.Add(time.Minute)))
		checks := Verify(&e, ring)
		assert.Equal(t, Valid, checks[1].Status)
		assert.ErrorContains(t, Require(checks, 2), "from 1 of the 2")
	})
	t.Run("two trusted signers", func(t *testing.T) {
		e := *env
		e.Signatures = append(append([]plan.Signature{}, env.Signatures...), Sign(env, bob, signedAt))
		assert.NoError(t, Require(Verify(&e, ring), 2))
	})
	t.Run("an untrusted signer does not count", func(t *testing.T) {
		e := *env
		e.Signatures = append(append([]plan.Signature{}, env.Signatures...), Sign(env, carol, signedAt))
		checks := Verify(&e, ring)
		assert.Equal(t, Untrusted, checks[1].Status)
		assert.ErrorContains(t, Require(checks, 2), "from 1 of the 2")
		assert.NoError(t, Require(checks, 1), "an extra untrusted signature does not spoil a valid one")
	})
	t.Run("no signature", func(t *testing.T) {
		assert.ErrorContains(t, Require(Verify(envelope(t, "x"), ring), 1), "from 0 of the 1 distinct trusted signers required (none)")
	})
}

func TestVerifyDetectsTampering(t *testing.T) {
	alice := newKey(t, "alice@regione")
	ring, err := NewKeyring(alice.Public())
	require.NoError(t, err)
	orig := envelope(t, "resource \"x\" \"y\" {}")
	sig := Sign(orig, alice, signedAt)

	tests := map[string]func() *plan.Envelope{
		"plan changed and digest recomputed": func() *plan.Envelope {
			e := envelope(t, "resource \"x\" \"z\" {}")
			e.Signatures = []plan.Signature{sig}
			return e
		},
		"identity changed": func() *plan.Envelope {
			s := sig
			s.Identity = "bob@regione"
			e := *orig
			e.Signatures = []plan.Signature{s}
			return &e
		},
		"time changed": func() *plan.Envelope {
			s := sig
			s.Time = s.Time.Add(-24 * time.Hour)
			e := *orig
			e.Signatures = []plan.Signature{s}
			return &e
		},
		"signature bit flipped": func() *plan.Envelope {
			s := sig
			s.Value = bytes.Clone(s.Value)
			s.Value[10] ^= 1
			e := *orig
			e.Signatures = []plan.Signature{s}
			return &e
		},
		"algorithm changed": func() *plan.Envelope {
			s := sig
			s.Algorithm = "rsa"
			e := *orig
			e.Signatures = []plan.Signature{s}
			return &e
		},
	}
	for name, mk := range tests {
		t.Run(name, func(t *testing.T) {
			checks := Verify(mk(), ring)
			require.Len(t, checks, 1)
			assert.Equal(t, Invalid, checks[0].Status)
			err := Require(checks, 1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid")
		})
	}
	t.Run("an invalid signature refuses the plan even beside valid ones", func(t *testing.T) {
		bob := newKey(t, "bob@regione")
		ring, err := NewKeyring(alice.Public(), bob.Public())
		require.NoError(t, err)
		e := envelope(t, "resource \"x\" \"z\" {}")
		e.Signatures = []plan.Signature{Sign(e, bob, signedAt), sig}
		assert.ErrorContains(t, Require(Verify(e, ring), 1), "signature 2 (alice@regione")
	})
}

func TestSignatureSurvivesThePlanFile(t *testing.T) {
	alice := newKey(t, "alice@regione")
	ring, err := NewKeyring(alice.Public())
	require.NoError(t, err)
	env := envelope(t, "x")
	env.Signatures = append(env.Signatures, Sign(env, alice, time.Now()))
	var buf bytes.Buffer
	require.NoError(t, env.Write(&buf))
	back, err := plan.ReadEnvelope(&buf)
	require.NoError(t, err)
	assert.NoError(t, Require(Verify(back, ring), 1))
}

func TestLoadKeyring(t *testing.T) {
	dir := t.TempDir()
	alice, bob := newKey(t, "alice"), newKey(t, "bob")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alice.pub"), MarshalPublicKey(alice.Public()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bob.pub"), MarshalPublicKey(bob.Public()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), []byte("not a key"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alice-again.pub"), MarshalPublicKey(alice.Public()), 0o644))
	ring, err := LoadKeyring(dir)
	require.NoError(t, err)
	assert.Equal(t, 2, ring.Len())
	k, ok := ring.Lookup(alice.Public().Fingerprint())
	require.True(t, ok)
	assert.Equal(t, "alice", k.Identity)

	renamed := alice.Public()
	renamed.Identity = "mallory"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mallory.pub"), MarshalPublicKey(renamed), 0o644))
	_, err = LoadKeyring(dir)
	assert.ErrorContains(t, err, "trusted twice under different identities")
	require.NoError(t, os.Remove(filepath.Join(dir, "mallory.pub")))

	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.pub"), []byte("ssh-ed25519 AAAA x\n"), 0o644))
	_, err = LoadKeyring(dir)
	assert.ErrorContains(t, err, "broken.pub")

	_, err = LoadKeyring(filepath.Join(dir, "missing"))
	assert.ErrorContains(t, err, "trusted keys directory")
}

func TestMessageIsDomainSeparated(t *testing.T) {
	m := string(Message("sha256:ab", "alice", "SHA256:x", signedAt))
	assert.Equal(t, "nuvola-plan-signature-v1\ndigest sha256:ab\nidentity alice\nkey SHA256:x\ntime 2025-03-01T09:30:00.000000005Z\n", m)
}
