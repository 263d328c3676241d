package configs

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBaselineBlocks(t *testing.T) {
	m, diags := NewParser().ParseModuleFromBytes(map[string][]byte{"main.tf": []byte(`
baseline "ente" {
  profile                = "critico"
  target_cloud           = { qualification = "QC2", regions = ["it-fi-1"] }
  scope                  = [module.comune_prato, openstack_networking_secgroup_v2.web]
  encrypted_volume_types = ["encrypted-luks"]
  admin_cidrs            = ["10.20.0.0/16"]
}
waiver "NV-NET-001" {
  resource    = module.comune_prato.openstack_networking_secgroup_rule_v2.ssh_vendor["a"]
  reason      = "vendor maintenance window, ticket 4711"
  approved_by = "dpo@comune.prato.it"
  expires     = "2027-01-31"
}
rule "NV-CUSTOM-001" {
  resource_types = ["openstack_compute_instance_v2"]
  condition      = each.after.flavor_name != "m1.xlarge"
  message        = "no xlarge flavors"
  severity       = "warning"
}
`)})
	require.False(t, diags.HasErrors(), "%s", diags)
	b := m.Baselines["ente"]
	require.NotNil(t, b)
	assert.Len(t, b.Settings, 4)
	require.Len(t, b.Scope, 2)
	assert.Equal(t, "module.comune_prato", TraversalString(b.Scope[0]))
	require.Len(t, m.Waivers, 1)
	w := m.Waivers[0]
	assert.Equal(t, `module.comune_prato.openstack_networking_secgroup_rule_v2.ssh_vendor["a"]`, TraversalString(w.Resource))
	assert.Equal(t, "dpo@comune.prato.it", w.ApprovedBy)
	assert.False(t, w.Expired(time.Date(2027, 1, 31, 23, 59, 0, 0, time.UTC)))
	assert.True(t, w.Expired(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)))
	r := m.PolicyRules["NV-CUSTOM-001"]
	require.NotNil(t, r)
	assert.Equal(t, []string{"openstack_compute_instance_v2"}, r.ResourceTypes)
	assert.Equal(t, "warning", r.Severity)
}

func TestBaselineBlockErrors(t *testing.T) {
	for name, tc := range map[string]struct{ src, want string }{
		"no profile":      {`baseline "x" {}`, `The argument "profile" is required`},
		"bad scope":       {`baseline "x" { profile = "critico"; scope = "module.a" }`, "Invalid baseline scope"},
		"unknown setting": {`baseline "x" { profile = "critico"; colour = 1 }`, "Unsupported argument"},
		"duplicate":       {`baseline "x" { profile = "critico" }` + "\n" + `baseline "x" { profile = "critico" }`, "Duplicate baseline"},
		"no reason":       {`waiver "NV-NET-001" { resource = a.b; approved_by = "x"; expires = "2030-01-01" }`, `"reason" is required`},
		"empty reason":    {`waiver "NV-NET-001" { resource = a.b; reason = ""; approved_by = "x"; expires = "2030-01-01" }`, "must be a non-empty string"},
		"no approver":     {`waiver "NV-NET-001" { resource = a.b; reason = "r"; expires = "2030-01-01" }`, `"approved_by" is required`},
		"no expiry":       {`waiver "NV-NET-001" { resource = a.b; reason = "r"; approved_by = "x" }`, `"expires" is required`},
		"bad expiry":      {`waiver "NV-NET-001" { resource = a.b; reason = "r"; approved_by = "x"; expires = "31/01/2027" }`, "is not a date"},
		"computed reason": {`waiver "NV-NET-001" { resource = a.b; reason = var.r; approved_by = "x"; expires = "2030-01-01" }`, "must be a literal string"},
		"bad rule id":     {`waiver "ssh" { resource = a.b; reason = "r"; approved_by = "x"; expires = "2030-01-01" }`, "Invalid waiver rule ID"},
		"bad resource":    {`waiver "NV-NET-001" { resource = "a.b"; reason = "r"; approved_by = "x"; expires = "2030-01-01" }`, "Invalid waiver resource"},
		"rule types":      {`rule "NV-C-1" { resource_types = []; condition = true; message = "m" }`, "non-empty list"},
		"rule severity":   {`rule "NV-C-1" { resource_types = ["a"]; condition = true; message = "m"; severity = "fatal" }`, "Invalid rule severity"},
		"override":        {"", "Can't override waiver blocks"},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string][]byte{"main.tf": []byte(strings.NewReplacer("; ", "\n", "{ ", "{\n", " }", "\n}").Replace(tc.src))}
			if name == "override" {
				files["override.tf"] = []byte("waiver \"NV-NET-001\" {\n resource = a.b\n reason = \"r\"\n approved_by = \"x\"\n expires = \"2030-01-01\"\n}\n")
			}
			_, diags := NewParser().ParseModuleFromBytes(files)
			require.True(t, diags.HasErrors())
			assert.Contains(t, diags.Error(), tc.want)
		})
	}
}
