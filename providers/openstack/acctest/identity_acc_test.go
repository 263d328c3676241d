package acctest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	idgroups "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/identity"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// assignmentsOn lists the role assignments on a project as
// "group:<id>:<role>" and "user:<id>:<role>".
func assignmentsOn(t *testing.T, e *Env, ic *gophercloud.ServiceClient, projectID string) []string {
	t.Helper()
	pages, err := roles.ListAssignments(ic, roles.ListAssignmentsOpts{ScopeProjectID: projectID}).AllPages(e.Context())
	if err != nil {
		t.Fatal(err)
	}
	all, err := roles.ExtractRoleAssignments(pages)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range all {
		if a.Group.ID != "" {
			out = append(out, "group:"+a.Group.ID+":"+a.Role.ID)
		} else {
			out = append(out, "user:"+a.User.ID+":"+a.Role.ID)
		}
	}
	return out
}

func isGone(err error) bool { return gophercloud.ResponseCodeIs(err, http.StatusNotFound) }

const identityConfig = `
data "openstack_identity_role_v3" "member" {
  name = "member"
}

resource "openstack_identity_project_v3" "p" {
  name        = "%[1]scomune"
  description = "%[2]s"
  tags        = [%[3]s]
}

data "openstack_identity_project_v3" "p" {
  name      = openstack_identity_project_v3.p.name
  domain_id = openstack_identity_project_v3.p.domain_id
}

resource "openstack_identity_role_v3" "r" {
  name = "%[1]s%[4]s"
}

resource "openstack_identity_group_v3" "g" {
  name        = "%[1]soperatori"
  description = "%[2]s"
}

resource "openstack_identity_user_v3" "u" {
  name                                  = "%[1]smario.rossi"
  description                           = "%[2]s"
  password                              = "Pa55-%[1]s"
  default_project_id                    = openstack_identity_project_v3.p.id
  enabled                               = %[5]s
  ignore_change_password_upon_first_use = true
  extra = {
    email = "mario.rossi@comune.example.it"
  }
}

resource "openstack_identity_user_membership_v3" "m" {
  user_id  = openstack_identity_user_v3.u.id
  group_id = openstack_identity_group_v3.g.id
}

resource "openstack_identity_role_assignment_v3" "group" {
  group_id   = openstack_identity_group_v3.g.id
  project_id = openstack_identity_project_v3.p.id
  role_id    = openstack_identity_role_v3.r.id
}

resource "openstack_identity_role_assignment_v3" "user" {
  user_id    = openstack_identity_user_v3.u.id
  project_id = openstack_identity_project_v3.p.id
  role_id    = data.openstack_identity_role_v3.member.id
}

output "project_lookup" {
  value = data.openstack_identity_project_v3.p.id
}
`

// TestAccIdentityProjectUserGroupRole: the admin-only types and the
// project and role data sources, through create, no-change plan, in-place
// update, import and destroy, checked against Keystone.
func TestAccIdentityProjectUserGroupRole(t *testing.T) {
	e := New(t)
	e.SweepIdentityAtEnd(t)
	ic := e.Client(e.Admin().Identity)
	ctx := e.Context()
	w := e.NewWorkdir(CloudAdmin)
	w.Apply(fmt.Sprintf(identityConfig, e.Prefix, "Comune di prova", `"pa"`, "ufficio", "true"))

	pid := w.ID("openstack_identity_project_v3.p")
	uid := w.ID("openstack_identity_user_v3.u")
	gid := w.ID("openstack_identity_group_v3.g")
	rid := w.ID("openstack_identity_role_v3.r")
	memberID := w.ID("data.openstack_identity_role_v3.member")
	p, err := projects.Get(ctx, ic, pid).Extract()
	if err != nil || p.Name != e.Name("comune") || Unmarked(p.Description) != "Comune di prova" || !slices.Equal(p.Tags, []string{"pa"}) {
		t.Fatalf("project %s: %+v %v", pid, p, err)
	}
	u, err := users.Get(ctx, ic, uid).Extract()
	if err != nil || u.DefaultProjectID != pid || !u.Enabled || u.Options["ignore_change_password_upon_first_use"] != true {
		t.Fatalf("user %s: %+v %v", uid, u, err)
	}
	if ok, err := users.IsMemberOfGroup(ctx, ic, gid, uid).Extract(); err != nil || !ok {
		t.Fatalf("membership: %v %v", ok, err)
	}
	if r, err := roles.Get(ctx, ic, rid).Extract(); err != nil || r.Name != e.Name("ufficio") {
		t.Fatalf("role %s: %+v %v", rid, r, err)
	}
	got := assignmentsOn(t, e, ic, pid)
	want := []string{"group:" + gid + ":" + rid, "user:" + uid + ":" + memberID}
	if !sameSet(got, want) {
		t.Fatalf("assignments on the project: %v, want %v", got, want)
	}
	if w.ID("openstack_identity_role_assignment_v3.group") != "/"+pid+"/"+gid+"//"+rid {
		t.Fatalf("assignment id %s", w.ID("openstack_identity_role_assignment_v3.group"))
	}
	if out := w.Must("output", "-raw", "project_lookup"); strings.TrimSpace(out) != pid {
		t.Fatalf("the project data source found %q, want %s", out, pid)
	}
	// The user can log in with the password.
	if _, err := ConnectWith(ctx, "user", gophercloud.AuthOptions{IdentityEndpoint: e.Admin().Auth.IdentityEndpoint,
		UserID: uid, Password: "Pa55-" + e.Prefix, Scope: &gophercloud.AuthScope{ProjectID: pid}}, e.Admin().Endpoint); err != nil {
		t.Fatalf("the new user cannot log in: %v", err)
	}
	w.PlanNoChanges()

	// In place: descriptions, tags, the user disabled, the role renamed.
	w.Apply(fmt.Sprintf(identityConfig, e.Prefix, "Comune di Bergamo", `"pa", "lombardia"`, "ufficio-tecnico", "false"))
	for addr, id := range map[string]string{"openstack_identity_project_v3.p": pid, "openstack_identity_user_v3.u": uid,
		"openstack_identity_group_v3.g": gid, "openstack_identity_role_v3.r": rid} {
		if got := w.ID(addr); got != id {
			t.Fatalf("%s replaced (%s -> %s); want an update in place", addr, id, got)
		}
	}
	p, _ = projects.Get(ctx, ic, pid).Extract()
	if Unmarked(p.Description) != "Comune di Bergamo" || !sameSet(p.Tags, []string{"pa", "lombardia"}) {
		t.Fatalf("project not updated: %+v", p)
	}
	if u, _ := users.Get(ctx, ic, uid).Extract(); u.Enabled || Unmarked(u.Description) != "Comune di Bergamo" {
		t.Fatalf("user not updated: %+v", u)
	}
	if g, _ := idgroups.Get(ctx, ic, gid).Extract(); Unmarked(g.Description) != "Comune di Bergamo" {
		t.Fatalf("group not updated: %+v", g)
	}
	if r, _ := roles.Get(ctx, ic, rid).Extract(); r.Name != e.Name("ufficio-tecnico") {
		t.Fatalf("role not renamed: %+v", r)
	}
	w.PlanNoChanges()

	// Import round trip of every type.
	addrs := []string{"openstack_identity_project_v3.p", "openstack_identity_role_v3.r", "openstack_identity_group_v3.g",
		"openstack_identity_user_v3.u", "openstack_identity_user_membership_v3.m",
		"openstack_identity_role_assignment_v3.group", "openstack_identity_role_assignment_v3.user"}
	ids := map[string]string{}
	for _, a := range addrs {
		ids[a] = w.ID(a)
	}
	for _, a := range addrs {
		w.StateRm(a)
		w.Import(a, ids[a])
	}
	// Keystone never shows a password: the imported user gets it set again, in place.
	out := w.PlanChanges()
	if !strings.Contains(out, "openstack_identity_user_v3.u will be updated in-place") || strings.Contains(out, "must be replaced") ||
		strings.Count(out, "will be") != 1 || !strings.Contains(out, "password") || strings.Contains(out, "multi_factor_auth_rule") {
		t.Fatalf("after the imports, want only the user's password to change:\n%s", out)
	}
	w.Apply(fmt.Sprintf(identityConfig, e.Prefix, "Comune di Bergamo", `"pa", "lombardia"`, "ufficio-tecnico", "false"))
	w.PlanNoChanges()
	for _, a := range addrs {
		if w.ID(a) != ids[a] {
			t.Fatalf("%s changed id after import", a)
		}
	}

	w.Destroy()
	if _, err := projects.Get(ctx, ic, pid).Extract(); !isGone(err) {
		t.Fatalf("project still there: %v", err)
	}
	if _, err := users.Get(ctx, ic, uid).Extract(); !isGone(err) {
		t.Fatalf("user still there: %v", err)
	}
	if _, err := idgroups.Get(ctx, ic, gid).Extract(); !isGone(err) {
		t.Fatalf("group still there: %v", err)
	}
	if _, err := roles.Get(ctx, ic, rid).Extract(); !isGone(err) {
		t.Fatalf("role still there: %v", err)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

const appCredConfig = `
data "openstack_identity_auth_scope_v3" "me" {
  name = "me"
}

data "openstack_identity_project_v3" "own" {
  name = data.openstack_identity_auth_scope_v3.me.project_name
}

output "own_project" {
  value = data.openstack_identity_project_v3.own.id
}

resource "openstack_identity_application_credential_v3" "ci" {
  name        = "%[1]sci"
  description = "%[2]s"
  roles       = [for r in data.openstack_identity_auth_scope_v3.me.roles : r.role_name]
  expires_at  = "2031-01-31T23:59:59Z"
}

output "secret" {
  value     = openstack_identity_application_credential_v3.ci.secret
  sensitive = true
}

resource "openstack_identity_application_credential_v3" "limited" {
  name = "%[1]slimited"

  access_rules {
    path    = "/v2.0/networks"
    method  = "GET"
    service = "network"
  }
}
`

// TestAccIdentityApplicationCredential: an unprivileged user makes its own
// credential, which then authenticates; a change replaces it.
func TestAccIdentityApplicationCredential(t *testing.T) {
	e := New(t)
	demo := e.Cloud(CloudDemo)
	ic := e.Client(demo.Identity)
	ctx := e.Context()
	w := e.NewWorkdir(CloudDemo)
	w.Apply(fmt.Sprintf(appCredConfig, e.Prefix, "CI"))
	addr := "openstack_identity_application_credential_v3.ci"
	attrs := w.Attrs(addr)
	// The state shows the secret as sensitive; a sensitive output gives it.
	id, secret := attrs["id"].(string), w.Must("output", "-raw", "secret")
	if len(secret) < 32 || attrs["secret"] != "(sensitive value)" || attrs["project_id"] != demo.ProjectID || attrs["expires_at"] != "2031-01-31T23:59:59Z" {
		t.Fatalf("state: %v", attrs)
	}
	// A member may not list every project: the data source finds its own.
	if out := strings.TrimSpace(w.Must("output", "-raw", "own_project")); out != demo.ProjectID {
		t.Fatalf("the project data source found %q, want %s", out, demo.ProjectID)
	}
	ac, err := applicationcredentials.Get(ctx, ic, demo.UserID, id).Extract()
	if err != nil || ac.Name != e.Name("ci") || ac.ProjectID != demo.ProjectID || len(ac.Roles) == 0 {
		t.Fatalf("credential %s: %+v %v", id, ac, err)
	}
	// The secret in the state works.
	acCloud, err := ConnectWith(ctx, e.Name("ci"), gophercloud.AuthOptions{IdentityEndpoint: demo.Auth.IdentityEndpoint,
		ApplicationCredentialID: id, ApplicationCredentialSecret: secret}, demo.Endpoint)
	if err != nil || acCloud.ProjectID != demo.ProjectID {
		t.Fatalf("authenticating with the credential: %v (%+v)", err, acCloud)
	}
	w.PlanNoChanges()

	lim := w.Attrs("openstack_identity_application_credential_v3.limited")
	limAC, err := applicationcredentials.Get(ctx, ic, demo.UserID, lim["id"].(string)).Extract()
	if err != nil || len(limAC.AccessRules) != 1 || limAC.AccessRules[0].Path != "/v2.0/networks" {
		t.Fatalf("credential with access rules: %+v %v", limAC, err)
	}

	// Import: Keystone shows no secret; the credential itself is
	// unchanged (only the output that shows the secret is).
	w.StateRm(addr)
	w.Import(addr, id)
	w.StateRm("openstack_identity_application_credential_v3.limited")
	w.Import("openstack_identity_application_credential_v3.limited", limAC.ID)
	if out := w.PlanChanges(); strings.Contains(out, "will be") || strings.Contains(out, "must be") || !strings.Contains(out, "Changes to Outputs") {
		t.Fatalf("after the import, want no change but the secret output's:\n%s", out)
	}

	// Keystone cannot change a credential: a new description replaces it.
	w.Write(fmt.Sprintf(appCredConfig, e.Prefix, "CI nightly"))
	if out := w.PlanChanges(); !strings.Contains(out, "must be replaced") {
		t.Fatalf("want a replacement:\n%s", out)
	}
	w.Apply(fmt.Sprintf(appCredConfig, e.Prefix, "CI nightly"))
	id2 := w.ID(addr)
	if id2 == id {
		t.Fatal("not replaced")
	}
	if _, err := applicationcredentials.Get(ctx, ic, demo.UserID, id).Extract(); !isGone(err) {
		t.Fatalf("the old credential is still there: %v", err)
	}
	w.PlanNoChanges()
	w.Destroy()
	if _, err := applicationcredentials.Get(ctx, ic, demo.UserID, id2).Extract(); !isGone(err) {
		t.Fatalf("credential still there: %v", err)
	}
	// The access rule went with its credential.
	if _, err := applicationcredentials.GetAccessRule(ctx, ic, demo.UserID, limAC.AccessRules[0].ID).Extract(); !isGone(err) {
		t.Fatalf("access rule %s still there: %v", limAC.AccessRules[0].ID, err)
	}
}

const onboardingAdmin = `
data "openstack_identity_role_v3" "member" {
  name = "member"
}

data "openstack_identity_role_v3" "reader" {
  name = "reader"
}

resource "openstack_identity_project_v3" "comune" {
  name        = "%[1]sc-a662"
  description = "Comune di Bergamo"
  tags        = ["ente=c_a662", "classificazione=ordinario"]
}

resource "openstack_identity_group_v3" "amministratori" {
  name        = "%[1]sc-a662-amministratori"
  description = "Amministratori del Comune di Bergamo"
}

resource "openstack_identity_group_v3" "operatori" {
  name        = "%[1]sc-a662-operatori"
  description = "Operatori del Comune di Bergamo"
}

resource "openstack_identity_role_assignment_v3" "amministratori" {
  group_id   = openstack_identity_group_v3.amministratori.id
  project_id = openstack_identity_project_v3.comune.id
  role_id    = data.openstack_identity_role_v3.member.id
}

resource "openstack_identity_role_assignment_v3" "operatori" {
  group_id   = openstack_identity_group_v3.operatori.id
  project_id = openstack_identity_project_v3.comune.id
  role_id    = data.openstack_identity_role_v3.reader.id
}

resource "openstack_identity_user_v3" "referente" {
  name               = "%[1]sc-a662-referente"
  password           = "%[2]s"
  default_project_id = openstack_identity_project_v3.comune.id
}

resource "openstack_identity_user_membership_v3" "referente" {
  user_id  = openstack_identity_user_v3.referente.id
  group_id = openstack_identity_group_v3.amministratori.id
}
`

const onboardingMunicipality = `
data "openstack_identity_auth_scope_v3" "me" {
  name = "me"
}

resource "openstack_identity_application_credential_v3" "automazione" {
  name        = "%[1]sc-a662-automazione"
  description = "Automazione del Comune di Bergamo"
}

output "secret" {
  value     = openstack_identity_application_credential_v3.automazione.secret
  sensitive = true
}

output "scope_project" {
  value = data.openstack_identity_auth_scope_v3.me.project_id
}

output "scope_roles" {
  value = join(",", [for r in data.openstack_identity_auth_scope_v3.me.roles : r.role_name])
}
`

// TestAccIdentityMunicipalityOnboarding: the cloud's administrators make
// a municipality's project, its groups with their roles on it and its
// contact person; the contact person, member through the group, makes the
// municipality's application credential, which then works on the project.
func TestAccIdentityMunicipalityOnboarding(t *testing.T) {
	e := New(t)
	admin := e.Admin()
	ic := e.Client(admin.Identity)
	ctx := e.Context()
	password := "Onb-" + e.Prefix + "x9"

	adm := e.NewWorkdir(CloudAdmin)
	adm.Apply(fmt.Sprintf(onboardingAdmin, e.Prefix, password))
	pid := adm.ID("openstack_identity_project_v3.comune")
	uid := adm.ID("openstack_identity_user_v3.referente")
	gAdm := adm.ID("openstack_identity_group_v3.amministratori")
	gOp := adm.ID("openstack_identity_group_v3.operatori")
	got := assignmentsOn(t, e, ic, pid)
	want := []string{"group:" + gAdm + ":" + adm.ID("data.openstack_identity_role_v3.member"),
		"group:" + gOp + ":" + adm.ID("data.openstack_identity_role_v3.reader")}
	if !sameSet(got, want) {
		t.Fatalf("assignments: %v, want %v", got, want)
	}
	adm.PlanNoChanges()

	// The contact person's own configuration, authenticated by password
	// on the new project.
	muni := e.NewWorkdir("")
	muni.Env = []string{"OS_CLOUD=", "OS_AUTH_URL=" + admin.Auth.IdentityEndpoint, "OS_USERNAME=" + e.Name("c-a662-referente"),
		"OS_PASSWORD=" + password, "OS_USER_DOMAIN_NAME=Default", "OS_PROJECT_ID=" + pid, "OS_REGION_NAME=" + admin.Endpoint.Region}
	muni.Apply(fmt.Sprintf(onboardingMunicipality, e.Prefix))
	if out := strings.TrimSpace(muni.Must("output", "-raw", "scope_project")); out != pid {
		t.Fatalf("the contact person's scope is %q, want the project %s", out, pid)
	}
	if out := muni.Must("output", "-raw", "scope_roles"); !strings.Contains(out, "member") {
		t.Fatalf("the contact person's roles are %q, want member through the group", out)
	}
	attrs := muni.Attrs("openstack_identity_application_credential_v3.automazione")
	acID, secret := attrs["id"].(string), muni.Must("output", "-raw", "secret")
	if attrs["project_id"] != pid {
		t.Fatalf("credential on %v, want %s", attrs["project_id"], pid)
	}
	acCloud, err := ConnectWith(ctx, e.Name("automazione"), gophercloud.AuthOptions{IdentityEndpoint: admin.Auth.IdentityEndpoint,
		ApplicationCredentialID: acID, ApplicationCredentialSecret: secret}, admin.Endpoint)
	if err != nil || acCloud.ProjectID != pid || acCloud.UserID != uid {
		t.Fatalf("authenticating with the municipality's credential: %v (%+v)", err, acCloud)
	}
	muni.PlanNoChanges()
	adm.PlanNoChanges()

	muni.Destroy()
	if _, err := applicationcredentials.Get(ctx, ic, uid, acID).Extract(); !isGone(err) {
		t.Fatalf("credential still there: %v", err)
	}
	adm.Destroy()
	if _, err := projects.Get(ctx, ic, pid).Extract(); !isGone(err) {
		t.Fatalf("project still there: %v", err)
	}
	for _, g := range []string{gAdm, gOp} {
		if _, err := idgroups.Get(ctx, ic, g).Extract(); !isGone(err) {
			t.Fatalf("group %s still there: %v", g, err)
		}
	}
}

// TestAccIdentityRefreshRequestCounts measures, on the devcloud, the
// Identity requests that refreshing many objects of each type costs: one
// list per type (one per group for memberships, per project for role
// assignments).
func TestAccIdentityRefreshRequestCounts(t *testing.T) {
	e := New(t)
	ctx := e.Context()
	p := osfw.NewProvider(osfw.ProviderBlock(), osfw.Configure, identity.Resources(), identity.DataSources())
	cfg := osfw.NewData(osfw.ProviderBlock(), cty.NullVal(osfw.ProviderBlock().ImpliedType()))
	cfg.Set("cloud", AdminCloudName())
	if resp := p.ConfigureProvider(ctx, plugins.ConfigureProviderRequest{Config: cfg.Value()}); resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	const n = 12
	obj := func(typ string, attrs map[string]any) cty.Value { return osfwtest.Object(t, p, typ, attrs) }
	apply := func(typ string, attrs map[string]any) cty.Value {
		return osfwtest.Apply(t, p, typ, cty.NilVal, obj(typ, attrs))
	}
	project := apply("openstack_identity_project_v3", map[string]any{"name": e.Name("counts")})
	pid := project.GetAttr("id").AsString()
	member := e.Client(e.Admin().Identity)
	mr, err := roles.List(member, roles.ListOpts{Name: "member"}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := roles.ExtractRoles(mr)
	if len(rs) != 1 {
		t.Fatalf("role member: %v", rs)
	}
	states := map[string][]cty.Value{}
	add := func(typ string, v cty.Value) { states[typ] = append(states[typ], v) }
	add("openstack_identity_project_v3", project)
	group := apply("openstack_identity_group_v3", map[string]any{"name": e.Name("counts-g")})
	for i := range n {
		u := apply("openstack_identity_user_v3", map[string]any{"name": e.Name(fmt.Sprintf("counts-u%d", i))})
		g := apply("openstack_identity_group_v3", map[string]any{"name": e.Name(fmt.Sprintf("counts-g%d", i))})
		add("openstack_identity_project_v3", apply("openstack_identity_project_v3", map[string]any{"name": e.Name(fmt.Sprintf("counts-p%d", i))}))
		add("openstack_identity_user_v3", u)
		add("openstack_identity_group_v3", g)
		add("openstack_identity_role_assignment_v3", apply("openstack_identity_role_assignment_v3", map[string]any{
			"group_id": g.GetAttr("id").AsString(), "project_id": pid, "role_id": rs[0].ID}))
		add("openstack_identity_user_membership_v3", apply("openstack_identity_user_membership_v3", map[string]any{
			"user_id": u.GetAttr("id").AsString(), "group_id": group.GetAttr("id").AsString()}))
	}
	for _, typ := range []string{"openstack_identity_project_v3", "openstack_identity_user_v3", "openstack_identity_group_v3",
		"openstack_identity_role_assignment_v3", "openstack_identity_user_membership_v3"} {
		before := p.Client().Requests()[osfw.Identity]
		got := osfwtest.Read(t, p, typ, states[typ]...)
		reqs := p.Client().Requests()[osfw.Identity] - before
		for i, v := range got {
			if v.IsNull() {
				t.Errorf("%s %d reads as gone", typ, i)
			}
		}
		t.Logf("refreshing %d %s: %d Identity request(s)", len(states[typ]), typ, reqs)
		if reqs != 1 {
			t.Errorf("refreshing %d %s took %d requests, want 1", len(states[typ]), typ, reqs)
		}
	}
	// Clean up through the provider, memberships and assignments first.
	for _, typ := range []string{"openstack_identity_user_membership_v3", "openstack_identity_role_assignment_v3",
		"openstack_identity_user_v3", "openstack_identity_group_v3", "openstack_identity_project_v3"} {
		for _, v := range states[typ] {
			osfwtest.Destroy(t, p, typ, v)
		}
	}
	osfwtest.Destroy(t, p, "openstack_identity_group_v3", group)
}

const hierarchyConfig = `
resource "openstack_identity_project_v3" "dominio" {
  name        = "%[1]sdominio-pa"
  description = "%[2]s"
  is_domain   = true
}

resource "openstack_identity_project_v3" "regione" {
  name      = "%[1]sregione"
  domain_id = openstack_identity_project_v3.dominio.id
}

resource "openstack_identity_project_v3" "comune" {
  name        = "%[1]scomune"
  description = "%[2]s"
  domain_id   = openstack_identity_project_v3.dominio.id
  parent_id   = openstack_identity_project_v3.regione.id
}

resource "openstack_identity_group_v3" "g" {
  name      = "%[1]sg"
  domain_id = openstack_identity_project_v3.dominio.id
}

resource "openstack_identity_role_v3" "r" {
  name      = "%[1]sruolo"
  domain_id = openstack_identity_project_v3.dominio.id
}

resource "openstack_identity_role_assignment_v3" "dominio" {
  group_id  = openstack_identity_group_v3.g.id
  domain_id = openstack_identity_project_v3.dominio.id
  role_id   = openstack_identity_role_v3.r.id
}
`

// TestAccIdentityProjectHierarchy: a domain made as a project with
// is_domain, a project under another, domain roles and an assignment on
// the domain; a project whose name is taken names the one in the way.
func TestAccIdentityProjectHierarchy(t *testing.T) {
	e := New(t)
	e.SweepIdentityAtEnd(t)
	ic := e.Client(e.Admin().Identity)
	ctx := e.Context()
	w := e.NewWorkdir(CloudAdmin)
	w.Apply(fmt.Sprintf(hierarchyConfig, e.Prefix, "PA"))
	did := w.ID("openstack_identity_project_v3.dominio")
	rid := w.ID("openstack_identity_project_v3.regione")
	cid := w.ID("openstack_identity_project_v3.comune")
	if d, err := domains.Get(ctx, ic, did).Extract(); err != nil || d.Name != e.Name("dominio-pa") || !d.Enabled {
		t.Fatalf("domain %s: %+v %v", did, d, err)
	}
	if c, err := projects.Get(ctx, ic, cid).Extract(); err != nil || c.ParentID != rid || c.DomainID != did {
		t.Fatalf("project %s: %+v %v", cid, c, err)
	}
	aid := w.ID("openstack_identity_role_assignment_v3.dominio")
	if want := did + "//" + w.ID("openstack_identity_group_v3.g") + "//" + w.ID("openstack_identity_role_v3.r"); aid != want {
		t.Fatalf("assignment id %s, want %s", aid, want)
	}
	w.PlanNoChanges()
	w.Apply(fmt.Sprintf(hierarchyConfig, e.Prefix, "Pubblica amministrazione"))
	if w.ID("openstack_identity_project_v3.dominio") != did {
		t.Fatal("the domain was replaced")
	}
	if d, _ := domains.Get(ctx, ic, did).Extract(); Unmarked(d.Description) != "Pubblica amministrazione" {
		t.Fatalf("domain not updated: %+v", d)
	}
	w.PlanNoChanges()
	for _, a := range []string{"openstack_identity_project_v3.dominio", "openstack_identity_project_v3.comune",
		"openstack_identity_role_v3.r", "openstack_identity_role_assignment_v3.dominio"} {
		id := w.ID(a)
		w.StateRm(a)
		w.Import(a, id)
	}
	w.PlanNoChanges()

	// The same name again in the domain: Keystone refuses, nuvola names
	// the project in the way.
	dup := e.NewWorkdir(CloudAdmin)
	errOut := dup.ApplyFails(fmt.Sprintf(`resource "openstack_identity_project_v3" "again" {
  name      = "%scomune"
  domain_id = "%s"
}
`, e.Prefix, did))
	if !strings.Contains(errOut, "already exists") || !strings.Contains(errOut, "nuvola import ADDRESS "+cid) {
		t.Fatalf("want the conflict to name %s:\n%s", cid, errOut)
	}

	// Straight after the imports, whose objects have no recorded
	// dependencies: a parent project waits for its sub-project to go.
	w.Destroy()
	if _, err := domains.Get(ctx, ic, did).Extract(); !isGone(err) {
		t.Fatalf("domain still there: %v", err)
	}
	if _, err := projects.Get(ctx, ic, cid).Extract(); !isGone(err) {
		t.Fatalf("project still there: %v", err)
	}
}
