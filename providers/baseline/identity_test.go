package baseline

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

func TestPlaintextPasswords(t *testing.T) {
	user := func(password cty.Value, opts ...func(*plugins.PolicyResource)) plugins.PolicyResource {
		return res("openstack_identity_user_v3.operatore", obj(map[string]cty.Value{"id": unknown, "name": cty.StringVal("operatore"), "password": password}), opts...)
	}
	dbType := cty.Object(map[string]cty.Type{"name": cty.String, "admin_password": cty.String})
	db := func(name, pw string) cty.Value {
		return obj(map[string]cty.Value{"name": cty.StringVal(name), "admin_password": cty.StringVal(pw)})
	}
	testRule(t, "NV-IAM-001", map[string]ruleCase{
		"a user's password": {
			resources: []plugins.PolicyResource{user(cty.StringVal("Pr4to!2024"))},
			want:      []at{{"openstack_identity_user_v3.operatore", path("password")}},
		},
		"an instance's admin_pass": {
			resources: []plugins.PolicyResource{res("openstack_compute_instance_v2.vm", obj(map[string]cty.Value{"admin_pass": cty.StringVal("x"), "name": cty.StringVal("vm")}))},
			want:      []at{{"openstack_compute_instance_v2.vm", path("admin_pass")}},
		},
		"nested, any provider": {
			resources: []plugins.PolicyResource{res("dbaas_cluster_v1.c", obj(map[string]cty.Value{
				"databases": cty.ListVal([]cty.Value{db("a", ""), db("b", "pw")}),
				"replicas":  cty.SetVal([]cty.Value{db("r1", "pw1"), db("r2", "pw2")}),
				"by_name":   cty.MapVal(map[string]cty.Value{"main": db("m", "pw")}),
			}))},
			want: []at{
				{"dbaas_cluster_v1.c", path("by_name", cty.StringVal("main"), "admin_password")},
				{"dbaas_cluster_v1.c", path("databases", 1, "admin_password")},
				// Not the element: its key would carry the password.
				{"dbaas_cluster_v1.c", path("replicas")},
			},
		},
		"sensitive elsewhere": {
			resources: []plugins.PolicyResource{user(cty.StringVal("pw"), configSensitive(path("name")))},
			want:      []at{{"openstack_identity_user_v3.operatore", path("password")}},
		},
	})
	testRule(t, "NV-IAM-001", map[string]ruleCase{
		"from a sensitive variable": {resources: []plugins.PolicyResource{user(cty.StringVal("pw"), configSensitive(path("password")))}},
		"a sensitive block": {resources: []plugins.PolicyResource{res("dbaas_cluster_v1.c", obj(map[string]cty.Value{
			"databases": cty.ListVal([]cty.Value{db("a", "pw")}),
			"replicas":  cty.SetVal([]cty.Value{db("r1", "pw1")}),
		}), configSensitive(path("databases"), path("replicas", db("r1", "pw1"), "admin_password")))}},
		"generated":  {resources: []plugins.PolicyResource{user(unknown)}},
		"none":       {resources: []plugins.PolicyResource{user(null), user(cty.StringVal(""))}},
		"empty sets": {resources: []plugins.PolicyResource{res("dbaas_cluster_v1.c", obj(map[string]cty.Value{"replicas": cty.SetValEmpty(dbType)}))}},
		"deleted": {resources: []plugins.PolicyResource{
			res("openstack_identity_user_v3.gone", cty.NilVal, action(plugins.PolicyActionDelete, obj(map[string]cty.Value{"password": cty.StringVal("pw")}))),
		}},
		"a data source": {resources: []plugins.PolicyResource{res("data.vault_secret.x", obj(map[string]cty.Value{"password": cty.StringVal("pw")}))}},
	})
}

func TestCredentialExpiry(t *testing.T) {
	cred := func(expires cty.Value) plugins.PolicyResource {
		v := obj(map[string]cty.Value{"id": unknown, "name": cty.StringVal("ci"), "expires_at": expires, "secret": unknown})
		return res("openstack_identity_application_credential_v3.ci", v, config(v))
	}
	testRule(t, "NV-IAM-002", map[string]ruleCase{
		"never": {resources: []plugins.PolicyResource{cred(null)}, want: []at{{"openstack_identity_application_credential_v3.ci", nil}}},
		"empty": {resources: []plugins.PolicyResource{cred(cty.StringVal(""))}, want: []at{{"openstack_identity_application_credential_v3.ci", path("expires_at")}}},
		"no-op": {resources: []plugins.PolicyResource{res("openstack_identity_application_credential_v3.old", obj(map[string]cty.Value{"expires_at": null}), action(plugins.PolicyActionNoOp, cty.EmptyObjectVal))}, want: []at{{"openstack_identity_application_credential_v3.old", nil}}},
	})
	testRule(t, "NV-IAM-002", map[string]ruleCase{
		"expires": {resources: []plugins.PolicyResource{cred(cty.StringVal("2027-01-31T00:00:00Z"))}},
		"later":   {resources: []plugins.PolicyResource{cred(unknown)}},
	})
}

func TestAdminRole(t *testing.T) {
	assignment := func(name string, user, project, role cty.Value, opts ...func(*plugins.PolicyResource)) plugins.PolicyResource {
		v := obj(map[string]cty.Value{"id": unknown, "user_id": user, "group_id": null, "project_id": project, "domain_id": null, "role_id": role})
		return res("openstack_identity_role_assignment_v3."+name, v, append([]func(*plugins.PolicyResource){config(v)}, opts...)...)
	}
	roles := []plugins.PolicyResource{
		res("data.openstack_identity_role_v3.admin", obj(map[string]cty.Value{"id": cty.StringVal("r-admin"), "name": cty.StringVal("admin")})),
		res("data.openstack_identity_role_v3.member", obj(map[string]cty.Value{"id": cty.StringVal("r-member"), "name": cty.StringVal("member")})),
		res("openstack_identity_role_v3.super", obj(map[string]cty.Value{"id": unknown, "name": cty.StringVal("Admin")})),
	}
	with := func(rs ...plugins.PolicyResource) []plugins.PolicyResource {
		return append(append([]plugins.PolicyResource{}, roles...), rs...)
	}
	testRule(t, "NV-IAM-003", map[string]ruleCase{
		"by id": {
			resources: with(assignment("a", cty.StringVal("u-1"), cty.StringVal("p-1"), cty.StringVal("r-admin"))),
			want:      []at{{"openstack_identity_role_assignment_v3.a", path("role_id")}},
		},
		"by reference, to a new user": {
			resources: with(assignment("a", unknown, cty.StringVal("p-1"), unknown, deps("openstack_identity_role_v3.super", "openstack_identity_user_v3.u"))),
			want:      []at{{"openstack_identity_role_assignment_v3.a", path("role_id")}},
		},
	})
	testRule(t, "NV-IAM-003", map[string]ruleCase{
		"a member": {resources: with(assignment("a", cty.StringVal("u-1"), cty.StringVal("p-1"), cty.StringVal("r-member")))},
		"on a domain": {resources: with(
			assignment("a", cty.StringVal("u-1"), null, cty.StringVal("r-admin")),
		)},
		"to a group": {resources: with(assignment("a", null, cty.StringVal("p-1"), cty.StringVal("r-admin")))},
		"a role known later": {resources: with(
			assignment("a", cty.StringVal("u-1"), cty.StringVal("p-1"), unknown, deps("data.openstack_identity_role_v3.member")),
		)},
		"admin or member, cannot tell": {resources: with(
			assignment("a", cty.StringVal("u-1"), cty.StringVal("p-1"), unknown, deps("openstack_identity_role_v3.super", "data.openstack_identity_role_v3.member")),
		)},
		"no admin role in the plan": {resources: []plugins.PolicyResource{assignment("a", cty.StringVal("u-1"), cty.StringVal("p-1"), cty.StringVal("r-admin"))}},
	})
}
