package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/audit"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/plansign"
	"github.com/nuvola-pa/nuvola/engine/state"
)

// The local backend is an audit log store; a remote backend will be one
// too, keeping the log next to its state.
var _ audit.Store = (*state.Local)(nil)

// maxAuditMessage bounds an error message kept in a record.
const maxAuditMessage = 512

// auditRun records one command that changes the state. It is started with
// the state lock held and the state loaded, before anything changes, and
// finished once the new state is persisted (or failed to be).
type auditRun struct {
	m   *meta
	b   *state.Local
	rec audit.Record
}

// startAudit refuses the command when the log cannot take another record:
// the change would then go unrecorded.
func (m *meta) startAudit(b *state.Local, command string) (*auditRun, bool) {
	if !m.auditWritable(b) {
		return nil, false
	}
	before, err := stateRef(b.Path)
	if err != nil {
		m.errorf("Failed to read the state for the audit log", "%s", err)
		return nil, false
	}
	a := &auditRun{m: m, b: b}
	a.rec.Command = command
	a.rec.Args = redactArgs(m.argsAfter(command))
	a.rec.StateBefore = before
	return a, true
}

func (m *meta) auditWritable(b *state.Local) bool {
	if _, err := audit.Head(m.ctx, b); err != nil {
		m.errorf("The audit log cannot be written",
			"%s: %s. Nothing was changed. Run \"nuvola audit verify\" to see what is wrong. To start a new log, move %s aside and keep it as evidence.",
			b.AuditPath(), err, b.AuditPath())
		return false
	}
	return true
}

// argsAfter returns the command line after the words of command.
func (m *meta) argsAfter(command string) []string {
	args := m.cmdline
	for _, w := range strings.Fields(command) {
		if len(args) > 0 && args[0] == w {
			args = args[1:]
		}
	}
	return args
}

// finish writes the record, with the state as it is now on disk. A record
// that cannot be written is an error of the command: the state changed and
// the log does not say so, which audit verify will point out.
func (a *auditRun) finish(diags hcl.Diagnostics) bool {
	m := a.m
	after, err := stateRef(a.b.Path)
	if err != nil {
		m.errorf("Failed to read the state for the audit log", "%s", err)
		return false
	}
	a.rec.StateAfter = after
	a.rec.Who = m.auditWho()
	if dir, err := os.Getwd(); err == nil {
		a.rec.Dir = dir
	}
	a.rec.Outcome = audit.OutcomeOK
	if diags.HasErrors() {
		a.rec.Outcome = audit.OutcomeError
		var sums []string
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				sums = append(sums, d.Summary)
			}
		}
		a.rec.Error = clip(strings.Join(sums, "; "))
	}
	if err := audit.Append(m.ctx, a.b, &a.rec); err != nil {
		m.errorf("Failed to write the audit log",
			"%s. The state was changed (%s) but the audit log %s does not record it.", err, after, a.b.AuditPath())
		return false
	}
	return true
}

func clip(s string) string {
	if len(s) <= maxAuditMessage {
		return s
	}
	cut := maxAuditMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// stateRef identifies the state file as it is on disk: its serial, lineage
// and the SHA-256 of its bytes. No file gives the zero StateRef. The file
// is hashed as it is read rather than held in memory: at the end of a
// large apply, memory use peaks.
func stateRef(path string) (audit.StateRef, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return audit.StateRef{}, nil
	}
	if err != nil {
		return audit.StateRef{}, err
	}
	defer f.Close()
	h := sha256.New()
	// Whatever the header reader reads goes through the hash; the rest is
	// copied into it after.
	var ref audit.StateRef
	ref.Serial, ref.Lineage = stateHeader(io.TeeReader(f, h))
	if _, err := io.Copy(h, f); err != nil {
		return audit.StateRef{}, err
	}
	ref.Digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return ref, nil
}

// stateHeader reads serial and lineage from a state file's top level. The
// encoder writes them first, so this stops long before the resources; a
// file it cannot read gives zeros, and the digest still names it.
func stateHeader(r io.Reader) (serial uint64, lineage string) {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, ""
	}
	found := 0
	for found < 2 && dec.More() {
		t, err := dec.Token()
		if err != nil {
			return serial, lineage
		}
		key, _ := t.(string)
		var err2 error
		switch key {
		case "serial":
			err2 = dec.Decode(&serial)
			found++
		case "lineage":
			err2 = dec.Decode(&lineage)
			found++
		default:
			var skip json.RawMessage
			err2 = dec.Decode(&skip)
		}
		if err2 != nil {
			return serial, lineage
		}
	}
	return serial, lineage
}

// redactArgs keeps a command line for the record without the values of
// -var: variable values may be secrets. Variable names stay.
func redactArgs(args []string) []string {
	out := make([]string, 0, len(args))
	redactNext := false
	for _, a := range args {
		if redactNext {
			out = append(out, "(redacted)")
			redactNext = false
			continue
		}
		if !strings.HasPrefix(a, "-") || a == "--" {
			out = append(out, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "var" {
			out = append(out, a)
			continue
		}
		if !hasVal {
			out = append(out, a)
			redactNext = true
			continue
		}
		k, _, _ := strings.Cut(val, "=")
		out = append(out, "-var="+k+"=(redacted)")
	}
	return out
}

// auditWho is who runs the command: the operating system user and host,
// and the OpenStack identity when one is configured.
func (m *meta) auditWho() audit.Who {
	u, h := localIdentity()
	return audit.Who{User: u, Host: h, OpenStack: openStackIdentityFromConfig(os.Getenv)}
}

// openStackIdentityFromConfig is the OpenStack user and project that the
// openstack provider's configuration asks for, as the command can see it:
// OS_CLOUD's clouds.yaml entry, else OS_USERNAME/OS_USER_ID and
// OS_PROJECT_NAME/OS_PROJECT_ID. It is what the provider will authenticate
// as, not what Keystone confirmed; the provider's report of its token can
// replace it. Only names and IDs are read: never a password or a secret.
func openStackIdentityFromConfig(getenv func(string) string) *audit.OpenStackIdentity {
	first := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	id := &audit.OpenStackIdentity{Source: "configuration"}
	if cloud := getenv("OS_CLOUD"); cloud != "" {
		id.Cloud = cloud
		opts := []clouds.ParseOption{clouds.WithCloudName(cloud)}
		if f := getenv("OS_CLIENT_CONFIG_FILE"); f != "" {
			opts = append(opts, clouds.WithLocations(f))
		}
		if ao, _, _, err := clouds.Parse(opts...); err == nil {
			id.User = firstNonEmpty(ao.Username, ao.UserID)
			if id.User == "" && (ao.ApplicationCredentialID != "" || ao.ApplicationCredentialName != "") {
				id.User = "application credential " + firstNonEmpty(ao.ApplicationCredentialName, ao.ApplicationCredentialID)
			}
			if ao.Scope != nil {
				id.Project = firstNonEmpty(ao.Scope.ProjectName, ao.Scope.ProjectID)
			}
			id.Project = firstNonEmpty(id.Project, ao.TenantName, ao.TenantID)
		}
	} else {
		id.User = first("OS_USERNAME", "OS_USER_ID")
		if id.User == "" {
			if ac := first("OS_APPLICATION_CREDENTIAL_NAME", "OS_APPLICATION_CREDENTIAL_ID"); ac != "" {
				id.User = "application credential " + ac
			}
		}
		id.Project = first("OS_PROJECT_NAME", "OS_TENANT_NAME", "OS_PROJECT_ID", "OS_TENANT_ID")
	}
	if id.Cloud == "" && id.User == "" && id.Project == "" {
		return nil
	}
	return id
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// planRef describes the plan for the record. For a saved plan the digest
// and signatures are the file's; a plan made by the same command gets the
// digest its plan file would have had.
func planRef(p *plan.Plan, env *plan.Envelope, required int, checks []plansign.Check) *audit.PlanRef {
	ref := &audit.PlanRef{Mode: modeName(p.Mode), RequiredSignatures: required}
	if env != nil {
		ref.Digest, ref.Saved = env.Digest, true
		for i, s := range env.Signatures {
			sr := audit.SignatureRef{Identity: s.Identity, KeyFingerprint: s.KeyFingerprint, Time: s.Time.UTC()}
			if i < len(checks) {
				sr.Status = strings.ToLower(checks[i].Status.String())
			}
			ref.Signatures = append(ref.Signatures, sr)
		}
		return ref
	}
	if d, err := p.Digest(); err == nil {
		ref.Digest = d
	}
	return ref
}

func modeName(m plan.Mode) string {
	switch m {
	case plan.DestroyMode:
		return "destroy"
	case plan.RefreshOnlyMode:
		return "refresh-only"
	}
	return "normal"
}

// applyEvent is one finished step of apply, as the hooks saw it.
type applyEvent struct {
	deposed string
	err     error
}

// appliedResources is what apply did to each planned change: its outcome
// from the steps apply reported, and its ente from the planned values, or
// from the object apply made when the plan did not know it yet.
func appliedResources(p *plan.Plan, events map[string][]applyEvent, newState *state.State, applyFailed bool) []audit.Resource {
	plannedDeposed := map[string]bool{}
	for _, c := range p.Changes {
		if c.DeposedKey != "" {
			plannedDeposed[c.Addr.String()+"\x00"+c.DeposedKey] = true
		}
	}
	var out []audit.Resource
	for _, c := range p.Changes {
		if c.Action == plan.NoOp || c.Action == plan.Read {
			continue
		}
		addr := c.Addr.String()
		r := audit.Resource{Addr: addr, Deposed: c.DeposedKey, Action: c.Action.String(), Outcome: audit.OutcomeNotRun}
		r.Ente = audit.EnteOfValue(c.After, c.AfterSensitive)
		if r.Ente == "" {
			r.Ente = audit.EnteOfValue(c.Before, c.BeforeSensitive)
		}
		if r.Ente == "" && newState != nil && c.DeposedKey == "" {
			// A create's all_tags, where the provider's default tags put
			// the ente, is only known once the object exists.
			if inst := newState.Instance(c.Addr); inst != nil && inst.Current != nil {
				r.Ente = audit.EnteOfJSON(inst.Current.AttrsJSON, inst.Current.SensitivePaths)
			}
		}
		for _, ev := range events[addr] {
			// A replacement reports its create and the delete of the
			// object it deposed; both belong to the one change.
			mine := ev.deposed == c.DeposedKey || (c.DeposedKey == "" && !plannedDeposed[addr+"\x00"+ev.deposed])
			if !mine {
				continue
			}
			if ev.err != nil {
				if r.Outcome != audit.OutcomeError {
					r.Outcome, r.Error = audit.OutcomeError, clip(ev.err.Error())
				}
			} else if r.Outcome == audit.OutcomeNotRun {
				r.Outcome = audit.OutcomeOK
			}
		}
		switch {
		case p.Mode == plan.RefreshOnlyMode && !applyFailed:
			// A refresh-only apply records the refreshed objects in the
			// state and calls no provider.
			r.Outcome = audit.OutcomeOK
		case c.Action == plan.Forget && r.Outcome == audit.OutcomeNotRun && newState != nil:
			if inst := newState.Instance(c.Addr); inst == nil || inst.Current == nil {
				r.Outcome = audit.OutcomeOK
			}
		}
		out = append(out, r)
	}
	return out
}

// stateResource describes an instance of the state for the record.
func stateResource(st *state.State, addr addrs.AbsResourceInstance, action string) audit.Resource {
	r := audit.Resource{Addr: addr.String(), Action: action, Outcome: audit.OutcomeOK}
	if inst := st.Instance(addr); inst != nil && inst.Current != nil {
		r.Ente = audit.EnteOfJSON(inst.Current.AttrsJSON, inst.Current.SensitivePaths)
	}
	return r
}

// readAuditLog opens the log of the configured backend.
func (m *meta) readAuditLog(b *state.Local) (io.ReadCloser, bool) {
	rc, err := b.ReadAudit(m.ctx)
	if err != nil {
		m.errorf("Failed to read the audit log", "%s", err)
		return nil, false
	}
	return rc, true
}

// commandName is the command being run, with its subcommand: "apply",
// "state rm", "plan".
func (m *meta) commandName() string {
	if len(m.cmdline) == 0 {
		return ""
	}
	name := m.cmdline[0]
	switch name {
	case "state", "plan", "audit":
		if len(m.cmdline) > 1 && !strings.HasPrefix(m.cmdline[1], "-") {
			name += " " + m.cmdline[1]
		}
	}
	return name
}
