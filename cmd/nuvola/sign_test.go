package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const signedConfig = `
resource "terraform_data" "db" {
  input = "protocollo"
}
resource "null_resource" "app" {
  triggers = { db = terraform_data.db.id }
}
`

// signers makes key pairs in dir and trusts the given ones in dir/trusted.
func signers(t *testing.T, dir string, names []string, trusted ...string) {
	t.Helper()
	for _, n := range names {
		r := nuvola(t, dir, "keygen", "-identity="+n+"@regione.example", n)
		require.Equal(t, 0, r.code, r.stderr)
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "trusted"), 0o755))
	for _, n := range trusted {
		data, err := os.ReadFile(filepath.Join(dir, n+".pub"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "trusted", n+".pub"), data, 0o644))
	}
}

// oneLine undoes the wrapping of rendered diagnostics.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "│", " ")), " ")
}

// planDoc is a plan file's envelope with its body opened up.
type planDoc struct {
	digest string
	body   map[string]any
	sigs   json.RawMessage
}

func readPlanDoc(t *testing.T, path string) planDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	_, rest, ok := bytes.Cut(data, []byte("\n"))
	require.True(t, ok)
	var env struct {
		Digest     string          `json:"digest"`
		Body       map[string]any  `json:"body"`
		Signatures json.RawMessage `json:"signatures"`
	}
	require.NoError(t, json.Unmarshal(rest, &env))
	return planDoc{env.Digest, env.Body, env.Signatures}
}

// write stores the document, with its digest recomputed over the new body
// when recompute is set, as an attacker who knows the format would.
func (d planDoc) write(t *testing.T, path string, recompute bool) {
	t.Helper()
	body, err := json.Marshal(d.body)
	require.NoError(t, err)
	digest := d.digest
	if recompute {
		sum := sha256.Sum256(body)
		digest = "sha256:" + hex.EncodeToString(sum[:])
	}
	var buf bytes.Buffer
	buf.WriteString("nuvola-plan 1\n{\"digest\":\"" + digest + "\",\"body\":")
	buf.Write(body)
	if len(d.sigs) > 0 {
		buf.WriteString(",\"signatures\":")
		buf.Write(d.sigs)
	}
	buf.WriteString("}\n")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
}

func TestCLIKeygen(t *testing.T) {
	dir := t.TempDir()
	r := nuvola(t, dir, "keygen", "-identity=Maria Rossi <m.rossi@comune.example.it>", "maria")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "fingerprint: SHA256:")
	pub, err := os.ReadFile(filepath.Join(dir, "maria.pub"))
	require.NoError(t, err)
	assert.Regexp(t, `^nuvola-ed25519 [A-Za-z0-9+/=]{44} Maria Rossi <m.rossi@comune.example.it>\n$`, string(pub))
	priv, err := os.ReadFile(filepath.Join(dir, "maria"))
	require.NoError(t, err)
	assert.NotContains(t, r.stdout+r.stderr, string(bytes.Fields(priv)[1]), "the private key is never printed")
	if runtime.GOOS != "windows" {
		info, err := os.Stat(filepath.Join(dir, "maria"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}

	r = nuvola(t, dir, "keygen", "maria")
	require.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "already exists")
	after, err := os.ReadFile(filepath.Join(dir, "maria"))
	require.NoError(t, err)
	assert.Equal(t, priv, after, "keygen never overwrites a key")

	// The default identity is user@host.
	r = nuvola(t, dir, "keygen", "anon")
	require.Equal(t, 0, r.code, r.stderr)
	u, h := localIdentity()
	assert.Contains(t, r.stdout, "identity:    "+u+"@"+h)
}

func TestCLISignedPlanFourEyes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": signedConfig})
	signers(t, dir, []string{"alice", "bob", "carol"}, "alice", "bob")

	r := nuvola(t, dir, "plan", "-out=tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	unsigned, err := os.ReadFile(filepath.Join(dir, "tfplan"))
	require.NoError(t, err)

	r = nuvola(t, dir, "plan", "verify", "-trust=trusted", "tfplan")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "carries no signatures")
	assert.Contains(t, r.stderr, "No trusted signature")

	r = nuvola(t, dir, "apply", "-require-signatures=1", "-trust=trusted", "tfplan")
	require.Equal(t, 1, r.code, r.stdout)
	assert.Contains(t, r.stderr, "Plan not approved")
	assert.NoFileExists(t, filepath.Join(dir, "nuvola.tfstate"))

	r = nuvola(t, dir, "plan", "sign", "-key=alice", "tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Signed tfplan as alice@regione.example")
	signed, err := os.ReadFile(filepath.Join(dir, "tfplan"))
	require.NoError(t, err)
	cut := len(unsigned) - len("}\n")
	assert.Equal(t, string(unsigned[:cut]), string(signed[:cut]), "signing leaves body and digest as they were")

	r = nuvola(t, dir, "plan", "sign", "-key=alice", "tfplan")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "already signed with this key")

	if runtime.GOOS != "windows" {
		require.NoError(t, os.Chmod(filepath.Join(dir, "carol"), 0o644))
		r = nuvola(t, dir, "plan", "sign", "-key=carol", "tfplan")
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, "too open")
		require.NoError(t, os.Chmod(filepath.Join(dir, "carol"), 0o600))
	}
	r = nuvola(t, dir, "plan", "sign", "-key=carol", "tfplan")
	require.Equal(t, 0, r.code, r.stderr)

	r = nuvola(t, dir, "plan", "verify", "-trust=trusted", "tfplan")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `1\. valid +alice@regione.example`, r.stdout)
	assert.Regexp(t, `2\. untrusted +carol@regione.example`, r.stdout)
	assert.Contains(t, r.stdout, "Approved by 1 trusted signer(s): alice@regione.example.")

	// An untrusted second signature is not a second approval.
	r = nuvola(t, dir, "apply", "-require-signatures=2", "-trust=trusted", "tfplan")
	require.Equal(t, 1, r.code, r.stdout)
	assert.Contains(t, oneLine(r.stderr), "from 1 of the 2 distinct trusted signers required (alice@regione.example)")

	// Nor is the same key twice.
	env, _, err := readPlanEnvelope(filepath.Join(dir, "tfplan"))
	require.NoError(t, err)
	env.Signatures = []plan.Signature{env.Signatures[0], env.Signatures[0]}
	require.NoError(t, writePlanEnvelope(filepath.Join(dir, "twice"), env))
	r = nuvola(t, dir, "plan", "verify", "-trust=trusted", "twice")
	require.Equal(t, 0, r.code, "both copies are valid signatures: %s", r.stdout+r.stderr)
	r = nuvola(t, dir, "apply", "-require-signatures=2", "-trust=trusted", "twice")
	require.Equal(t, 1, r.code, r.stdout)
	assert.Contains(t, oneLine(r.stderr), "from 1 of the 2 distinct trusted signers required (alice@regione.example)")

	r = nuvola(t, dir, "plan", "sign", "-key=bob", "tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvola(t, dir, "apply", "-require-signatures=2", "-trust=trusted", "tfplan")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "approved by alice@regione.example, bob@regione.example")
	assert.Contains(t, r.stdout, "Apply complete! Resources: 2 added")
}

func TestCLITamperedSignedPlanRefused(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": signedConfig})
	signers(t, dir, []string{"alice"}, "alice")
	r := nuvola(t, dir, "plan", "-out=tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvola(t, dir, "plan", "sign", "-key=alice", "tfplan")
	require.Equal(t, 0, r.code, r.stderr)

	mutations := map[string]func(b map[string]any){
		"a change dropped": func(b map[string]any) {
			rc := b["resource_changes"].([]any)
			b["resource_changes"] = rc[:1]
		},
		"a change's provider": func(b map[string]any) {
			b["resource_changes"].([]any)[0].(map[string]any)["provider"] = `provider["registry.opentofu.org/evil/null"]`
		},
		"prior state lineage": func(b map[string]any) {
			b["prior_state"].(map[string]any)["lineage"] = "00000000-0000-0000-0000-000000000000"
			b["state_lineage"] = "00000000-0000-0000-0000-000000000000"
		},
		"configuration snapshot": func(b map[string]any) {
			b["config"].(map[string]any)["main.tf"] = base64.StdEncoding.EncodeToString([]byte(signedConfig + "\n# approved\n"))
		},
		"body re-encoded, content unchanged": func(map[string]any) {},
	}
	for name, mutate := range mutations {
		for _, recompute := range []bool{false, true} {
			label := name + map[bool]string{false: " (digest kept)", true: " (digest recomputed)"}[recompute]
			t.Run(label, func(t *testing.T) {
				doc := readPlanDoc(t, filepath.Join(dir, "tfplan"))
				mutate(doc.body)
				doc.write(t, filepath.Join(dir, "tampered"), recompute)

				r := nuvola(t, dir, "plan", "verify", "-trust=trusted", "tampered")
				assert.Equal(t, 1, r.code, r.stdout)
				if recompute {
					assert.Regexp(t, `1\. INVALID +alice@regione.example`, r.stdout)
					assert.Contains(t, r.stderr, "Invalid plan signature")
				} else {
					assert.Contains(t, r.stderr, "modified since it was written")
				}
				r = nuvola(t, dir, "apply", "-require-signatures=1", "-trust=trusted", "tampered")
				assert.Equal(t, 1, r.code, r.stdout)
				assert.NoFileExists(t, filepath.Join(dir, "nuvola.tfstate"), "nothing was applied")
				assert.NotContains(t, r.stderr, "panic")
			})
		}
	}
}

func TestCLIConfigRequiresSignedPlans(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": "terraform {\n  required_signatures = 1\n  trusted_keys_dir    = \"trusted\"\n}\n" + signedConfig})
	signers(t, dir, []string{"alice", "eve"}, "alice")

	for _, args := range [][]string{{"apply", "-auto-approve"}, {"destroy", "-auto-approve"}, {"apply", "-refresh-only", "-auto-approve"}} {
		r := nuvola(t, dir, args...)
		assert.Equal(t, 1, r.code, "%v: %s", args, r.stdout)
		assert.Contains(t, r.stderr, "Signed plan required", "%v", args)
	}
	r := nuvola(t, dir, "plan", "-out=tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvola(t, dir, "apply", "tfplan")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Plan not approved")

	// A -trust of one's own cannot replace the configuration's.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "mine"), 0o755))
	data, err := os.ReadFile(filepath.Join(dir, "eve.pub"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mine", "eve.pub"), data, 0o644))
	r = nuvola(t, dir, "plan", "sign", "-key=eve", "tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvola(t, dir, "apply", "-trust=mine", "tfplan")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Conflicting trusted keys directory")
	// Verifying against keys of one's own choosing is fine: it binds
	// nothing.
	r = nuvola(t, dir, "plan", "verify", "-trust=mine", "tfplan")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Approved by 1 trusted signer(s): eve@regione.example.")
	// Nor can -require-signatures lower it.
	r = nuvola(t, dir, "apply", "-require-signatures=0", "tfplan")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Plan not approved")

	r = nuvola(t, dir, "plan", "sign", "-key=alice", "tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	// plan verify finds the trusted keys in the configuration.
	r = nuvola(t, dir, "plan", "verify", "tfplan")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	r = nuvola(t, dir, "apply", "tfplan")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "Apply complete!")
}

func TestCLIPlanSubcommandsKeepPlanFlags(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": signedConfig})
	r := nuvola(t, dir, "plan", "-out=sign")
	require.Equal(t, 0, r.code, r.stderr)
	env, _, err := readPlanEnvelope(filepath.Join(dir, "sign"))
	require.NoError(t, err)
	assert.Empty(t, env.Signatures)
	r = nuvola(t, dir, "plan", "sign", "sign")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Usage: nuvola plan sign -key=KEYFILE PLANFILE")
	r = nuvola(t, dir, "plan", "verify", "-trust=nowhere", "sign")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "trusted keys directory")
}
