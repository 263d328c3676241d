package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nuvola-pa/nuvola/providers/openstack/openstacktest"
)

// A plan that breaks the baseline exits 1 and cannot be applied; with an
// approved waiver for each finding it passes, with warnings that name the
// waiver, its approver and its expiry, in the text and in show -json.
func TestBaselineCLI(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "providers", "baseline", "testdata", "fixtures", "NV-NET-001", "violate.tf"))
	require.NoError(t, err)
	var env []string
	for k, v := range openstacktest.Env(t) {
		env = append(env, k+"="+v)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644))
	run := func(args ...string) result { return nuvolaEnv(t, dir, env, args...) }

	require.Equal(t, 0, run("init", "-no-color").code)
	r := run("plan", "-refresh=false", "-no-color", "-out=blocked.plan")
	assert.Equal(t, 1, r.code, "%s", r.stderr)
	assert.Contains(t, r.stderr, "Baseline violation NV-NET-001 on openstack_networking_secgroup_rule_v2.ssh")
	assert.Contains(t, r.stderr, "main.tf:41")
	assert.Contains(t, r.stdout, "Baseline checks: 3 violation(s), 0 waived, 0 warning(s)")
	r = run("apply", "-no-color", "blocked.plan")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Plan blocked by the baseline")
	r = run("apply", "-refresh=false", "-auto-approve", "-no-color")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Plan blocked by the baseline")
	r = run("baseline", "check", "-no-color", "blocked.plan")
	assert.Equal(t, 1, r.code)

	waivers := ""
	for _, res := range []string{"openstack_networking_secgroup_v2.web", "openstack_networking_secgroup_rule_v2.ssh", "openstack_networking_secgroup_rule_v2.rdp"} {
		waivers += `
waiver "NV-NET-001" {
  resource    = ` + res + `
  reason      = "vendor maintenance window, ticket 4711"
  approved_by = "dpo@comune.example.it"
  expires     = "2999-01-31"
}
`
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), append(src, waivers...), 0o644))
	r = run("plan", "-refresh=false", "-no-color", "-out=waived.plan")
	require.Equal(t, 0, r.code, "%s", r.stderr)
	assert.Contains(t, r.stdout+r.stderr, "Waived baseline finding NV-NET-001 on openstack_networking_secgroup_rule_v2.ssh")
	assert.Contains(t, r.stdout, "waived: approved by dpo@comune.example.it, expires 2999-01-31: vendor maintenance window, ticket 4711")
	assert.Contains(t, r.stdout, "0 violation(s), 3 waived")

	r = run("show", "-json", "waived.plan")
	require.Equal(t, 0, r.code, "%s", r.stderr)
	var doc struct {
		Applyable     bool `json:"applyable"`
		PolicyResults []struct {
			RuleID   string `json:"rule_id"`
			Blocking bool   `json:"blocking"`
			Waiver   *struct {
				ApprovedBy string `json:"approved_by"`
				Expires    string `json:"expires"`
				Reason     string `json:"reason"`
			} `json:"waiver"`
		} `json:"policy_results"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.True(t, doc.Applyable)
	require.Len(t, doc.PolicyResults, 3)
	for _, pr := range doc.PolicyResults {
		assert.Equal(t, "NV-NET-001", pr.RuleID)
		assert.False(t, pr.Blocking)
		require.NotNil(t, pr.Waiver)
		assert.Equal(t, "dpo@comune.example.it", pr.Waiver.ApprovedBy)
		assert.Equal(t, "2999-01-31", pr.Waiver.Expires)
	}
	r = run("baseline", "check", "-no-color", "waived.plan")
	assert.Equal(t, 0, r.code, "%s", r.stderr)
	assert.Contains(t, r.stdout, "passes its baselines")

	r = run("baseline", "list", "-no-color")
	require.Equal(t, 0, r.code)
	for _, id := range []string{"NV-NET-001", "NV-DATA-001", "NV-IAM-001", "NV-CLS-001", "NV-DEST-001"} {
		assert.Contains(t, r.stdout, id)
	}
	assert.True(t, strings.Contains(r.stdout, "ABSC"), "controls are listed")
}

// A failed change does not stop independent ones, and the apply ends with
// a summary naming every failure with its cause.
func TestApplyFailureSummary(t *testing.T) {
	var env []string
	for k, v := range openstacktest.Env(t) {
		env = append(env, k+"="+v)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`
resource "terraform_data" "independent" {
  input = "ok"
}
resource "openstack_networking_network_v2" "bad" {
  name = "unreachable"
}
resource "terraform_data" "after" {
  input = openstack_networking_network_v2.bad.id
}
`), 0o644))
	run := func(args ...string) result { return nuvolaEnv(t, dir, env, args...) }
	require.Equal(t, 0, run("init", "-no-color").code)
	r := run("apply", "-auto-approve", "-no-color", "-input=false")
	require.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "terraform_data.independent: Creation complete")
	assert.Contains(t, r.stdout, "Apply failed: 1 change(s) failed, 1 finished and are in the state, 1 not attempted")
	assert.Contains(t, r.stdout, "  - openstack_networking_network_v2.bad: ")
}
