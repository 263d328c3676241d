package main

import (
	"bufio"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/plansign"
	"github.com/nuvola-pa/nuvola/hcl/configs"
)

// localIdentity is "user@host" for the operating system user running
// nuvola: the default signer identity and the "who" of audit records.
func localIdentity() (osUser, host string) {
	osUser = "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		osUser = u.Username
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return osUser, host
}

func cmdKeygen(m *meta, args []string) int {
	fs := m.flags("keygen")
	identity := fs.String("identity", "", "")
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 {
		m.errorf("Wrong number of arguments", "Usage: nuvola keygen [-identity=NAME] NAME\n\nWrites the private key NAME and the public key NAME.pub.")
		return exitError
	}
	name := fs.Arg(0)
	id := *identity
	if id == "" {
		u, h := localIdentity()
		id = u + "@" + h
	}
	k, err := plansign.GenerateKey(id, nil)
	if err != nil {
		m.errorf("Invalid identity", "%s.", err)
		return exitError
	}
	if err := plansign.WriteKeyPair(name, k); err != nil {
		m.errorf("Failed to write the key pair", "%s", err)
		return exitError
	}
	fmt.Fprintf(m.stdout, "Wrote the private key %s (readable by you only; keep it secret) and the public key %s.pub.\n\n  identity:    %s\n  fingerprint: %s\n\nPut %s.pub in the trusted keys directory of those who apply plans you sign.\n",
		name, name, id, k.Public().Fingerprint(), name)
	return exitOK
}

// readPlanEnvelope reads a saved plan file and decodes its body, so that a
// file whose body is damaged is refused before anything relies on it.
func readPlanEnvelope(path string) (*plan.Envelope, *plan.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	env, err := plan.ReadEnvelope(bufio.NewReader(f))
	if err != nil {
		return nil, nil, err
	}
	p, err := env.Plan()
	if err != nil {
		return nil, nil, err
	}
	return env, p, nil
}

func writePlanEnvelope(path string, env *plan.Envelope) error {
	tmp := &lazyFile{path: path + ".tmp"}
	err := env.Write(tmp)
	if cerr := tmp.close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncFile(tmp.path)
	}
	if err != nil {
		_ = os.Remove(tmp.path)
		return err
	}
	return os.Rename(tmp.path, path)
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func planSign(m *meta, args []string) int {
	fs := m.flags("plan sign")
	keyFile := fs.String("key", "", "")
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 || *keyFile == "" {
		m.errorf("Wrong arguments", "Usage: nuvola plan sign -key=KEYFILE PLANFILE")
		return exitError
	}
	path := fs.Arg(0)
	env, _, err := readPlanEnvelope(path)
	if err != nil {
		m.errorf("Failed to load the saved plan", "%s: %s", path, err)
		return exitError
	}
	key, err := plansign.ReadPrivateKeyFile(*keyFile)
	if err != nil {
		m.errorf("Failed to read the signing key", "%s", err)
		return exitError
	}
	fp := key.Public().Fingerprint()
	for _, s := range env.Signatures {
		if s.KeyFingerprint == fp {
			m.errorf("Plan already signed with this key", "%s already carries a signature by %s (key %s), made %s.", path, s.Identity, fp, s.Time.Format(time.RFC3339))
			return exitError
		}
	}
	if len(env.Signatures) >= plan.MaxSignatures {
		m.errorf("Too many signatures", "%s already carries %d signatures.", path, len(env.Signatures))
		return exitError
	}
	env.Signatures = append(env.Signatures, plansign.Sign(env, key, time.Now()))
	if err := writePlanEnvelope(path, env); err != nil {
		m.errorf("Failed to write the signed plan", "%s", err)
		return exitError
	}
	fmt.Fprintf(m.stdout, "Signed %s as %s (key %s).\nThe plan digest is %s; it now carries %d signature(s).\n", path, key.Identity, fp, env.Digest, len(env.Signatures))
	return exitOK
}

// trustedKeysDir picks the trusted keys directory: the configuration's
// trusted_keys_dir, which the saved plan's snapshot holds too, or the -trust
// flag. When both are given they must agree, so that whoever runs apply
// cannot point it at keys of their own choosing.
func trustedKeysDir(flag string, cfg *configs.Config) (string, hcl.Diagnostics) {
	var ps *configs.PlanSigning
	if cfg != nil {
		ps = cfg.Module.PlanSigning
	}
	if ps == nil || ps.TrustedKeysDir == "" {
		if flag == "" {
			return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No trusted keys directory",
				Detail: "Name the directory that holds the trusted public keys (*.pub) with -trust=DIR or trusted_keys_dir in the terraform block."}}
		}
		return flag, nil
	}
	if flag != "" && !samePath(flag, ps.TrustedKeysDir) {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Conflicting trusted keys directory",
			Detail:  fmt.Sprintf("The configuration trusts the keys in %q; -trust=%s names another directory. Remove -trust or change trusted_keys_dir.", ps.TrustedKeysDir, flag),
			Subject: ps.TrustedKeysDirRange}}
	}
	return ps.TrustedKeysDir, nil
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// requiredSignatures is the larger of the flag's and the configuration's
// requirement: a flag can raise the bar, never lower it.
func requiredSignatures(flag int, cfg *configs.Config) int {
	n := flag
	if cfg != nil && cfg.Module.PlanSigning != nil {
		n = max(n, cfg.Module.PlanSigning.RequiredSignatures)
	}
	return n
}

func planVerify(m *meta, args []string) int {
	fs := m.flags("plan verify")
	trust := fs.String("trust", "", "")
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 {
		m.errorf("Wrong arguments", "Usage: nuvola plan verify [-trust=DIR] PLANFILE")
		return exitError
	}
	path := fs.Arg(0)
	env, _, err := readPlanEnvelope(path)
	if err != nil {
		m.errorf("Failed to load the saved plan", "%s: %s", path, err)
		return exitError
	}
	// Whoever verifies may check against keys of their own choosing: only
	// apply is bound to the configuration's trusted keys.
	dir := *trust
	if dir == "" {
		var diags hcl.Diagnostics
		if dir, diags = trustedKeysDir("", loadConfigQuiet()); diags.HasErrors() {
			m.showDiags(diags)
			return exitError
		}
	}
	ring, err := plansign.LoadKeyring(dir)
	if err != nil {
		m.errorf("Failed to load the trusted keys", "%s", err)
		return exitError
	}
	checks := plansign.Verify(env, ring)
	fmt.Fprintf(m.stdout, "Plan %s\n  digest: %s (matches the plan's content)\n  trusted keys: %d in %s\n\n", path, env.Digest, ring.Len(), dir)
	renderChecks(m, checks)
	invalid := 0
	for _, c := range checks {
		if c.Status == plansign.Invalid {
			invalid++
		}
	}
	approvers := plansign.Approvers(checks)
	switch {
	case invalid > 0:
		m.errorf("Invalid plan signature", "%d signature(s) do not match this plan: it or they were changed after signing. Do not apply it.", invalid)
		return exitError
	case len(approvers) == 0:
		m.errorf("No trusted signature", "None of the plan's %d signature(s) is from a key trusted in %s.", len(checks), dir)
		return exitError
	}
	fmt.Fprintf(m.stdout, "\nApproved by %d trusted signer(s): %s.\n", len(approvers), strings.Join(approvers, ", "))
	return exitOK
}

func renderChecks(m *meta, checks []plansign.Check) {
	if len(checks) == 0 {
		fmt.Fprintln(m.stdout, "The plan carries no signatures.")
		return
	}
	fmt.Fprintln(m.stdout, "Signatures:")
	for i, c := range checks {
		s := c.Signature
		fmt.Fprintf(m.stdout, "  %d. %-9s %s  key %s  signed %s\n", i+1, c.Status, s.Identity, s.KeyFingerprint, s.Time.Format(time.RFC3339))
		if c.Problem != "" {
			fmt.Fprintf(m.stdout, "     %s\n", c.Problem)
		} else if c.Key.File != "" {
			fmt.Fprintf(m.stdout, "     trusted key %s\n", c.Key.File)
		}
	}
}

// checkPlanSignatures enforces the signature requirement on a saved plan
// before apply: it returns the verdicts, for the audit record, and whether
// apply may go on.
func (m *meta) checkPlanSignatures(env *plan.Envelope, cfg *configs.Config, o *opFlags) ([]plansign.Check, bool) {
	need := requiredSignatures(o.requireSignatures, cfg)
	if need == 0 {
		return nil, true
	}
	dir, diags := trustedKeysDir(o.trust, cfg)
	if diags.HasErrors() {
		m.showDiags(diags)
		return nil, false
	}
	ring, err := plansign.LoadKeyring(dir)
	if err != nil {
		m.errorf("Failed to load the trusted keys", "%s", err)
		return nil, false
	}
	checks := plansign.Verify(env, ring)
	if err := plansign.Require(checks, need); err != nil {
		m.errorf("Plan not approved", "The plan must be signed by %d distinct signer(s) whose keys are in %s, and %s. See \"nuvola plan verify -trust=%s PLANFILE\".", need, dir, err, dir)
		return checks, false
	}
	if m.jsonView == nil {
		fmt.Fprintf(m.stdout, "Plan %s approved by %s.\n", env.Digest, strings.Join(plansign.Approvers(checks), ", "))
	}
	return checks, true
}
