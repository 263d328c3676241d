package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/audit"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

func auditRecords(t *testing.T, dir string) []*audit.Record {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "nuvola.tfstate.audit.jsonl"))
	require.NoError(t, err)
	var out []*audit.Record
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		r, err := audit.Decode([]byte(line))
		require.NoError(t, err, line)
		out = append(out, r)
	}
	return out
}

func fileDigest(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return audit.DigestBytes(data)
}

const auditConfig = `
variable "password" {
  type      = string
  sensitive = true
}
resource "terraform_data" "db" {
  input = var.password
}
resource "null_resource" "app" {
  count    = 2
  triggers = { db = terraform_data.db.id }
}
`

// cleanOSEnv keeps the machine's OpenStack settings out of the test.
var cleanOSEnv = []string{"OS_CLOUD=", "OS_USERNAME=", "OS_USER_ID=", "OS_PROJECT_NAME=", "OS_PROJECT_ID=", "OS_TENANT_NAME=", "OS_TENANT_ID=",
	"OS_APPLICATION_CREDENTIAL_ID=", "OS_APPLICATION_CREDENTIAL_NAME=", "OS_CLIENT_CONFIG_FILE="}

func TestCLIAuditLogRecordsStateChanges(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": auditConfig})
	statePath := filepath.Join(dir, "nuvola.tfstate")
	env := append(append([]string(nil), cleanOSEnv...), "OS_USERNAME=mrossi", "OS_PROJECT_NAME=c_a662", "OS_PASSWORD=os-secret-pw")

	r := nuvolaEnv(t, dir, env, "apply", "-auto-approve", "-var=password=hunter2-secret")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvolaEnv(t, dir, env, "state", "mv", "null_resource.app[1]", "null_resource.spare")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvolaEnv(t, dir, env, "state", "rm", "null_resource.spare")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvolaEnv(t, dir, env, "import", "-var", "password=hunter2-secret", "null_resource.app[1]", "adopted-id")
	require.Equal(t, 0, r.code, r.stderr)

	// A signed saved plan: the record names its digest and signers.
	signers(t, dir, []string{"dpo"}, "dpo")
	r = nuvolaEnv(t, dir, env, "plan", "-destroy", "-out=tfplan", "-var=password=hunter2-secret")
	require.Equal(t, 0, r.code, r.stderr)
	r = nuvolaEnv(t, dir, env, "plan", "sign", "-key=dpo", "tfplan")
	require.Equal(t, 0, r.code, r.stderr)
	planEnv, _, err := readPlanEnvelope(filepath.Join(dir, "tfplan"))
	require.NoError(t, err)
	r = nuvolaEnv(t, dir, env, "apply", "-require-signatures=1", "-trust=trusted", "tfplan")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)

	// Commands that change nothing leave no record.
	for _, args := range [][]string{{"plan", "-var=password=x"}, {"state", "list"}, {"show"}, {"output"}, {"state", "rm", "-dry-run", "null_resource.app"}} {
		nuvolaEnv(t, dir, env, args...)
	}

	recs := auditRecords(t, dir)
	require.Len(t, recs, 5)
	osUser, host := localIdentity()
	for i, rec := range recs {
		assert.Equal(t, uint64(i+1), rec.Seq)
		assert.Equal(t, osUser, rec.Who.User)
		assert.Equal(t, host, rec.Who.Host)
		require.NotNil(t, rec.Who.OpenStack)
		assert.Equal(t, audit.OpenStackIdentity{User: "mrossi", Project: "c_a662", Source: "configuration"}, *rec.Who.OpenStack)
		assert.Equal(t, audit.OutcomeOK, rec.Outcome)
		if i > 0 {
			assert.Equal(t, recs[i-1].StateAfter, rec.StateBefore, "record %d follows on from the one before", i+1)
			assert.Equal(t, recs[i-1].Hash, rec.Prev)
		}
	}
	assert.Equal(t, []string{"apply", "state mv", "state rm", "import", "apply"}, []string{recs[0].Command, recs[1].Command, recs[2].Command, recs[3].Command, recs[4].Command})

	apply := recs[0]
	assert.Equal(t, []string{"-auto-approve", "-var=password=(redacted)"}, apply.Args)
	assert.Equal(t, audit.StateRef{}, apply.StateBefore, "there was no state before")
	require.NotNil(t, apply.Plan)
	assert.False(t, apply.Plan.Saved)
	assert.True(t, strings.HasPrefix(apply.Plan.Digest, "sha256:"))
	var got []string
	for _, res := range apply.Resources {
		got = append(got, res.Addr+" "+res.Action+" "+res.Outcome)
	}
	assert.Equal(t, []string{"null_resource.app[0] create ok", "null_resource.app[1] create ok", "terraform_data.db create ok"}, got)

	assert.Equal(t, []audit.Resource{{Addr: "null_resource.app[1]", Action: "state-mv", To: "null_resource.spare[1]", Outcome: "ok"}}, recs[1].Resources)
	assert.Equal(t, []audit.Resource{{Addr: "null_resource.spare[1]", Action: "state-rm", Outcome: "ok"}}, recs[2].Resources)
	assert.Equal(t, []string{"-var", "(redacted)", "null_resource.app[1]", "adopted-id"}, recs[3].Args)
	assert.Equal(t, []audit.Resource{{Addr: "null_resource.app[1]", Action: "import", Outcome: "ok"}}, recs[3].Resources)

	destroy := recs[4]
	require.NotNil(t, destroy.Plan)
	assert.Equal(t, planEnv.Digest, destroy.Plan.Digest)
	assert.True(t, destroy.Plan.Saved)
	assert.Equal(t, "destroy", destroy.Plan.Mode)
	assert.Equal(t, 1, destroy.Plan.RequiredSignatures)
	require.Len(t, destroy.Plan.Signatures, 1)
	assert.Equal(t, "dpo@regione.example", destroy.Plan.Signatures[0].Identity)
	assert.Equal(t, planEnv.Signatures[0].KeyFingerprint, destroy.Plan.Signatures[0].KeyFingerprint)
	assert.Equal(t, "valid", destroy.Plan.Signatures[0].Status)
	assert.Len(t, destroy.Resources, 3)
	for _, res := range destroy.Resources {
		assert.Equal(t, "delete", res.Action)
	}
	st := loadStateFile(t, statePath)
	assert.Equal(t, st.Serial, destroy.StateAfter.Serial)
	assert.Equal(t, st.Lineage, destroy.StateAfter.Lineage)
	assert.Equal(t, fileDigest(t, statePath), destroy.StateAfter.Digest)

	raw, err := os.ReadFile(filepath.Join(dir, "nuvola.tfstate.audit.jsonl"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "hunter2")
	assert.NotContains(t, string(raw), "os-secret-pw")

	r = nuvola(t, dir, "audit", "verify")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "is intact: 5 record(s)")
	assert.Contains(t, r.stdout, "Head: "+destroy.Hash)

	// The text table, filtered.
	r = nuvola(t, dir, "audit", "log")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "SEQ")
	assert.Contains(t, r.stdout, "null_resource.app[1] -> null_resource.spare[1]")
	assert.Contains(t, r.stdout, "signed by dpo@regione.example")
	assert.Contains(t, r.stdout, osUser+"@"+host+" (mrossi/c_a662)")
	r = nuvola(t, dir, "audit", "log", "-resource=null_resource.spare")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "state mv")
	assert.Contains(t, r.stdout, "state rm")
	assert.NotContains(t, r.stdout, "terraform_data.db")
	r = nuvola(t, dir, "audit", "log", "-json", "-resource=terraform_data")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2, "the records that touched terraform_data.db")
	for _, l := range lines {
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &doc))
		assert.Contains(t, string(raw), l, "-json prints records as stored")
	}
	r = nuvola(t, dir, "audit", "log", "-since="+time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "No records.")
	r = nuvola(t, dir, "audit", "log", "-json", "-until=2000-01-01")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	r = nuvola(t, dir, "audit", "log", "-json", "-since="+time.Now().Format("2006-01-02"))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 5)
	r = nuvola(t, dir, "audit", "log", "-since=yesterday")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Invalid -since")
}

// TestCLIAuditLogEnte filters by ente, which the log records from the
// objects' tags and metadata.
func TestCLIAuditLogEnte(t *testing.T) {
	dir := t.TempDir()
	b := state.NewLocal(filepath.Join(dir, "nuvola.tfstate"))
	for i, ente := range []string{"c_a662", "c_l378", "c_a662"} {
		require.NoError(t, audit.Append(context.Background(), b, &audit.Record{
			Time: time.Date(2025, 5, 2+i, 9, 0, 0, 0, time.UTC), Who: audit.Who{User: "op", Host: "h"}, Command: "apply", Outcome: "ok",
			Resources: []audit.Resource{{Addr: "openstack_networking_network_v2.net" + ente, Action: "create", Ente: ente, Outcome: "ok"}},
		}))
	}
	r := nuvola(t, dir, "audit", "log", "-ente=c_a662")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "openstack_networking_network_v2.netc_a662")
	assert.NotContains(t, r.stdout, "c_l378")
	assert.Equal(t, 3, strings.Count(r.stdout, "\n"), r.stdout)
	r = nuvola(t, dir, "audit", "log", "-ente=c_a662", "-since=2025-05-03", "-until=2025-05-04T08:00:00Z")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "No records.")
	r = nuvola(t, dir, "audit", "log", "-ente=c_a662", "-since=2025-05-03", "-until=2025-05-04")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2025-05-04 09:00:00")
}

func TestCLIAuditLogShowsWhatItCanRead(t *testing.T) {
	dir := t.TempDir()
	b := state.NewLocal(filepath.Join(dir, "nuvola.tfstate"))
	require.NoError(t, audit.Append(context.Background(), b, &audit.Record{Who: audit.Who{User: "op", Host: "h"}, Command: "apply", Outcome: "ok"}))
	f, err := os.OpenFile(b.AuditPath(), os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte("\x00\xff garbage\nmore garbage\n"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	r := nuvola(t, dir, "audit", "log")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "op@h")
	assert.Contains(t, oneLine(r.stderr), "holds 2 line(s) that are not records, the first at line 2")
	assert.NotContains(t, r.stderr, "panic")
}

func TestAppliedResourcesOutcomeAndEnte(t *testing.T) {
	addr := func(s string) addrs.AbsResourceInstance {
		a, d := addrs.ParseAbsResourceInstanceStr(s)
		require.False(t, d.HasErrors())
		return a
	}
	tags := func(ente string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "tags": cty.SetVal([]cty.Value{cty.StringVal("ente=" + ente)})})
	}
	p := &plan.Plan{Changes: []*plan.ResourceChange{
		{Addr: addr("openstack_compute_instance_v2.a"), Action: plan.Create, After: tags("c_a662")},
		{Addr: addr("openstack_compute_instance_v2.b"), Action: plan.DeleteThenCreate, Before: tags("c_l378"), After: tags("c_l378")},
		{Addr: addr("openstack_compute_instance_v2.b"), DeposedKey: "00aa", Action: plan.Delete, Before: tags("c_l378")},
		{Addr: addr("openstack_compute_instance_v2.c"), Action: plan.Update, Before: tags("c_a662"), After: tags("c_a662"),
			AfterSensitive: []cty.Path{cty.GetAttrPath("tags")}},
		{Addr: addr("openstack_compute_instance_v2.d"), Action: plan.Delete, Before: tags("c_h501")},
		{Addr: addr("openstack_compute_instance_v2.e"), Action: plan.NoOp},
		{Addr: addr("data.openstack_images_image_v2.f"), Action: plan.Read},
	}}
	events := map[string][]applyEvent{
		"openstack_compute_instance_v2.a": {{}},
		// The replacement's create failed after the old object was
		// deposed under a key of apply's own.
		"openstack_compute_instance_v2.b": {{deposed: "00aa", err: nil}, {err: errors.New("409 Conflict: quota exceeded")}, {deposed: "ffff"}},
		"openstack_compute_instance_v2.c": {{}},
	}
	newState := state.New()
	newState.SetCurrent(addr("openstack_compute_instance_v2.g"), &state.Object{AttrsJSON: []byte(`{"id":"x","tags":[],"all_tags":["ente=c_d969"]}`)}, "p")
	p.Changes = append(p.Changes, &plan.ResourceChange{Addr: addr("openstack_compute_instance_v2.g"), Action: plan.Create,
		After: cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "tags": cty.SetValEmpty(cty.String), "all_tags": cty.UnknownVal(cty.Set(cty.String))})})
	events["openstack_compute_instance_v2.g"] = []applyEvent{{}}
	got := appliedResources(p, events, newState, true)
	require.Len(t, got, 6)
	assert.Equal(t, audit.Resource{Addr: "openstack_compute_instance_v2.a", Action: "create", Ente: "c_a662", Outcome: "ok"}, got[0])
	assert.Equal(t, audit.Resource{Addr: "openstack_compute_instance_v2.b", Action: "delete-then-create", Ente: "c_l378", Outcome: "error", Error: "409 Conflict: quota exceeded"}, got[1])
	assert.Equal(t, audit.Resource{Addr: "openstack_compute_instance_v2.b", Deposed: "00aa", Action: "delete", Ente: "c_l378", Outcome: "ok"}, got[2])
	assert.Equal(t, "c_a662", got[3].Ente, "the prior value names the ente when the new one hides it")
	assert.Equal(t, audit.Resource{Addr: "openstack_compute_instance_v2.d", Action: "delete", Ente: "c_h501", Outcome: "not-run"}, got[4])
	assert.Equal(t, "c_d969", got[5].Ente, "the ente of the default tags, known once the object exists")
}

func TestRedactArgs(t *testing.T) {
	in := []string{"-var=password=hunter2", "-var", "token=abc", "--var=x=y", "-var-file=prod.tfvars", "-target=a.b", "-var=novalue", "plan.out"}
	want := []string{"-var=password=(redacted)", "-var", "(redacted)", "-var=x=(redacted)", "-var-file=prod.tfvars", "-target=a.b", "-var=novalue=(redacted)", "plan.out"}
	assert.Equal(t, want, redactArgs(in))
}

func TestOpenStackIdentityFromConfig(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	assert.Nil(t, openStackIdentityFromConfig(env(nil)))
	assert.Equal(t, &audit.OpenStackIdentity{User: "uid-1", Project: "pid-1", Source: "configuration"},
		openStackIdentityFromConfig(env(map[string]string{"OS_USER_ID": "uid-1", "OS_PROJECT_ID": "pid-1", "OS_PASSWORD": "x"})))
	assert.Equal(t, &audit.OpenStackIdentity{User: "application credential ci", Source: "configuration"},
		openStackIdentityFromConfig(env(map[string]string{"OS_APPLICATION_CREDENTIAL_NAME": "ci"})))

	dir := t.TempDir()
	clouds := filepath.Join(dir, "clouds.yaml")
	require.NoError(t, os.WriteFile(clouds, []byte(`clouds:
  toscana:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: operatore
      password: s3cret
      project_name: c_a662-prod
      user_domain_name: Default
      project_domain_name: Default
`), 0o600))
	id := openStackIdentityFromConfig(env(map[string]string{"OS_CLOUD": "toscana", "OS_CLIENT_CONFIG_FILE": clouds, "OS_USERNAME": "ignored"}))
	assert.Equal(t, &audit.OpenStackIdentity{Cloud: "toscana", User: "operatore", Project: "c_a662-prod", Source: "configuration"}, id)
	id = openStackIdentityFromConfig(env(map[string]string{"OS_CLOUD": "missing", "OS_CLIENT_CONFIG_FILE": clouds}))
	assert.Equal(t, &audit.OpenStackIdentity{Cloud: "missing", Source: "configuration"}, id)
}

func TestStateHeader(t *testing.T) {
	st := state.New()
	st.Serial = 42
	data, err := state.Encode(st)
	require.NoError(t, err)
	serial, lineage := stateHeader(bytes.NewReader(data))
	assert.Equal(t, uint64(42), serial)
	assert.Equal(t, st.Lineage, lineage)
	path := filepath.Join(t.TempDir(), "s")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	ref, err := stateRef(path)
	require.NoError(t, err)
	assert.Equal(t, audit.StateRef{Lineage: st.Lineage, Serial: 42, Digest: audit.DigestBytes(data)}, ref)
	serial, lineage = stateHeader(strings.NewReader("garbage"))
	assert.Zero(t, serial)
	assert.Empty(t, lineage)
}

// auditedDir is a working directory whose log holds four records: apply,
// state rm, apply, state mv.
func auditedDir(t *testing.T) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": "resource \"terraform_data\" \"a\" {\n  count = 3\n  input = count.index\n}\n"})
	for _, args := range [][]string{
		{"apply", "-auto-approve"},
		{"state", "rm", "terraform_data.a[2]"},
		{"apply", "-auto-approve"},
		{"state", "mv", "terraform_data.a[2]", "terraform_data.b"},
	} {
		r := nuvola(t, dir, args...)
		require.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
	}
	require.Len(t, auditRecords(t, dir), 4)
	return dir
}

func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	ents, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		require.NoError(t, err)
		info, err := e.Info()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(to, e.Name()), data, info.Mode().Perm()))
	}
	return to
}

func TestCLIAuditVerifyDetectsTampering(t *testing.T) {
	base := auditedDir(t)
	logName := "nuvola.tfstate.audit.jsonl"
	editLog := func(edit func(lines []string) []string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			data, err := os.ReadFile(filepath.Join(dir, logName))
			require.NoError(t, err)
			lines := strings.SplitAfter(string(data), "\n")
			lines = edit(lines[:len(lines)-1])
			require.NoError(t, os.WriteFile(filepath.Join(dir, logName), []byte(strings.Join(lines, "")), 0o640))
		}
	}
	tests := map[string]struct {
		tamper func(t *testing.T, dir string)
		want   []string
	}{
		"record deleted": {editLog(func(l []string) []string { return append(l[:1:1], l[2:]...) }),
			[]string{"tampered with or damaged", "line 2: record 3 follows record 1"}},
		"first record deleted": {editLog(func(l []string) []string { return l[1:] }),
			[]string{"line 1: record 2 does not start the chain"}},
		"records reordered": {editLog(func(l []string) []string { l[1], l[2] = l[2], l[1]; return l }),
			[]string{"line 2: record 3 follows record 1"}},
		"record edited": {editLog(func(l []string) []string {
			l[1] = strings.Replace(l[1], `"action":"state-rm"`, `"action":"state-mv"`, 1)
			return l
		}), []string{"line 2: record 2 changed"}},
		"record edited by hand": {editLog(func(l []string) []string {
			l[2] = strings.Replace(l[2], `"outcome":"ok"`, `"outcome": "ok"`, 1)
			return l
		}),
			[]string{"line 3: record changed"}},
		"record inserted": {editLog(func(l []string) []string { return append(append(l[:2:2], l[0]), l[2:]...) }),
			[]string{"line 3: record 1 does not follow record 2"}},
		"last line truncated": {editLog(func(l []string) []string { l[3] = l[3][:len(l[3])/2]; return l }),
			[]string{"line 4: the audit log ends with an incomplete record"}},
		"last record deleted": {editLog(func(l []string) []string { return l[:3] }),
			[]string{"The state was changed outside nuvola", "record 3, line 3"}},
		"backup restored over the state": {func(t *testing.T, dir string) {
			data, err := os.ReadFile(filepath.Join(dir, "nuvola.tfstate.backup"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "nuvola.tfstate"), data, 0o600))
		}, []string{"The state was changed outside nuvola", "record 4, line 4", "now at serial"}},
		"state edited": {func(t *testing.T, dir string) {
			f, err := os.OpenFile(filepath.Join(dir, "nuvola.tfstate"), os.O_WRONLY|os.O_APPEND, 0)
			require.NoError(t, err)
			_, err = f.WriteString(" ")
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}, []string{"The state was changed outside nuvola"}},
		"log removed": {func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, logName))) },
			[]string{"has no records, but the state file"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := copyDir(t, base)
			r := nuvola(t, dir, "audit", "verify")
			require.Equal(t, 0, r.code, "before tampering: %s", r.stderr)
			tc.tamper(t, dir)
			r = nuvola(t, dir, "audit", "verify")
			assert.Equal(t, 1, r.code, r.stdout)
			for _, w := range tc.want {
				assert.Contains(t, oneLine(r.stderr), w)
			}
			assert.NotContains(t, r.stderr, "panic")
		})
	}

	t.Run("a later change after the state was swapped", func(t *testing.T) {
		dir := copyDir(t, base)
		data, err := os.ReadFile(filepath.Join(dir, "nuvola.tfstate.backup"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "nuvola.tfstate"), data, 0o600))
		r := nuvola(t, dir, "state", "rm", "terraform_data.a[0]")
		require.Equal(t, 0, r.code, r.stderr)
		r = nuvola(t, dir, "audit", "verify")
		assert.Equal(t, 1, r.code)
		assert.Contains(t, oneLine(r.stderr), "line 5: record 5 found serial")
		assert.Contains(t, r.stderr, "The state was changed outside nuvola")
	})

	t.Run("a rewritten log is caught by its old head", func(t *testing.T) {
		dir := copyDir(t, base)
		r := nuvola(t, dir, "audit", "verify")
		require.Equal(t, 0, r.code)
		head := auditRecords(t, dir)[3].Hash
		require.Contains(t, r.stdout, "-head="+head)
		// Remove the last record and put back the state it left behind:
		// the log and the state agree again.
		editLog(func(l []string) []string { return l[:3] })(t, dir)
		data, err := os.ReadFile(filepath.Join(dir, "nuvola.tfstate.backup"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "nuvola.tfstate"), data, 0o600))
		r = nuvola(t, dir, "audit", "verify")
		require.Equal(t, 0, r.code, r.stderr)
		r = nuvola(t, dir, "audit", "verify", "-head="+head)
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, "The audit log was rewritten")
	})
}

func TestCLIDamagedAuditLogStopsStateChanges(t *testing.T) {
	dir := auditedDir(t)
	logPath := filepath.Join(dir, "nuvola.tfstate.audit.jsonl")
	data, err := os.ReadFile(logPath)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(logPath, data[:len(data)-20], 0o640))
	before := fileDigest(t, filepath.Join(dir, "nuvola.tfstate"))
	for _, args := range [][]string{{"state", "rm", "terraform_data.b"}, {"apply", "-auto-approve"}, {"destroy", "-auto-approve"}, {"import", "terraform_data.a[2]", "x"}} {
		r := nuvola(t, dir, args...)
		assert.Equal(t, 1, r.code, "%v", args)
		assert.Contains(t, r.stderr, "The audit log cannot be written", "%v", args)
	}
	assert.Equal(t, before, fileDigest(t, filepath.Join(dir, "nuvola.tfstate")), "nothing was changed")
}

func TestCLIAuditRecordsJournalRecovery(t *testing.T) {
	dir := auditedDir(t)
	// Leave a journal behind, as a run killed in the middle of an apply
	// would.
	b := state.NewLocal(filepath.Join(dir, "nuvola.tfstate"))
	st, _, err := b.Load()
	require.NoError(t, err)
	j, err := b.OpenJournal(st)
	require.NoError(t, err)
	require.NoError(t, j.Append(state.Record{Op: state.OpDelete, Addr: "terraform_data.b"}))
	require.NoError(t, j.Close())

	r := nuvola(t, dir, "plan")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "State recovered from journal")
	recs := auditRecords(t, dir)
	require.Len(t, recs, 5)
	assert.Equal(t, "plan", recs[4].Command)
	assert.Contains(t, recs[4].Note, "Recovered 1 resource change(s)")
	r = nuvola(t, dir, "audit", "verify")
	assert.Equal(t, 0, r.code, r.stderr)
}

// lineStore collects encoded records in memory, to build a large log
// without an fsync per record.
type lineStore struct{ memLines []byte }

func (s *lineStore) LastAuditLine(context.Context) ([]byte, error) {
	b := s.memLines
	if len(b) == 0 {
		return nil, nil
	}
	i := bytes.LastIndexByte(b[:len(b)-1], '\n')
	return b[i+1:], nil
}

func (s *lineStore) AppendAuditLine(_ context.Context, line []byte) error {
	s.memLines = append(append(s.memLines, line...), '\n')
	return nil
}

func (s *lineStore) ReadAudit(context.Context) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(s.memLines)), nil
}

// BenchmarkAuditRecord10k is what the audit log adds to a command that
// changes a state of 10,000 resources whose log already holds 10,000
// records: reading and hashing the state file before and after, and
// appending one record of 100 resources, fsync included.
func BenchmarkAuditRecord10k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	l := state.NewLocal(filepath.Join(dir, "nuvola.tfstate"))
	st := state.New()
	for i := 0; i < 10000; i++ {
		a, d := addrs.ParseAbsResourceInstanceStr(fmt.Sprintf("terraform_data.r%d", i))
		if d.HasErrors() {
			b.Fatal(d.Error())
		}
		st.SetCurrent(a, &state.Object{AttrsJSON: []byte(fmt.Sprintf(`{"id":"%08d-7c1e-4b5e-9f3a-2d4c6b8a0e1f","input":"v%d"}`, i, i))},
			`provider["terraform.io/builtin/terraform"]`)
	}
	if err := l.Persist(st); err != nil {
		b.Fatal(err)
	}
	resources := make([]audit.Resource, 100)
	for i := range resources {
		resources[i] = audit.Resource{Addr: fmt.Sprintf("terraform_data.r%d", i), Action: "update", Outcome: audit.OutcomeOK}
	}
	pre := &lineStore{}
	for i := 0; i < 10000; i++ {
		if err := audit.Append(ctx, pre, &audit.Record{Command: "apply", Outcome: audit.OutcomeOK, Resources: resources[:10]}); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(l.AuditPath(), pre.memLines, 0o640); err != nil {
		b.Fatal(err)
	}
	m := &meta{ctx: ctx, stdout: io.Discard, stderr: io.Discard, cmdline: []string{"apply", "-auto-approve"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, ok := m.startAudit(l, "apply")
		if !ok {
			b.Fatal("start")
		}
		a.rec.Resources = resources
		if !a.finish(nil) {
			b.Fatal("finish")
		}
	}
}
