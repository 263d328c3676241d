package identity

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const (
	projectType    = "openstack_identity_project_v3"
	userType       = "openstack_identity_user_v3"
	groupType      = "openstack_identity_group_v3"
	roleType       = "openstack_identity_role_v3"
	assignmentType = "openstack_identity_role_assignment_v3"
	membershipType = "openstack_identity_user_membership_v3"
	appCredType    = "openstack_identity_application_credential_v3"
)

func setup(t *testing.T, defaultTags map[string]string) (*osfwtest.Cloud, *fakeKeystone, *osfw.Provider) {
	t.Helper()
	cloud := osfwtest.NewCloud(t)
	fake := newFakeKeystone(t, cloud)
	p := cloud.Provider(t, Resources(), DataSources(), defaultTags)
	return cloud, fake, p
}

func set(vals ...string) cty.Value {
	if len(vals) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	var out []cty.Value
	for _, v := range vals {
		out = append(out, cty.StringVal(v))
	}
	return cty.SetVal(out)
}

func TestProjectLifecycle(t *testing.T) {
	_, fake, p := setup(t, map[string]string{"ente": "c_a662"})
	cfg := osfwtest.Object(t, p, projectType, map[string]any{"name": "comune-bergamo", "description": "Comune", "tags": []string{"pa"}})
	st := osfwtest.Apply(t, p, projectType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	assert.Equal(t, set("pa"), st.GetAttr("tags"))
	assert.Equal(t, set("ente=c_a662", "pa"), st.GetAttr("all_tags"))
	assert.ElementsMatch(t, []any{"ente=c_a662", "pa"}, fake.get("projects", id)["tags"], "default tags reach the project")
	assert.Equal(t, cty.True, st.GetAttr("enabled"))
	assert.Equal(t, "default", st.GetAttr("domain_id").AsString())
	assert.Equal(t, "default", st.GetAttr("parent_id").AsString())

	st = osfwtest.Read(t, p, projectType, st)[0]
	osfwtest.NoChange(t, p, projectType, st, cfg)

	cfg2 := osfwtest.Object(t, p, projectType, map[string]any{"name": "comune-bergamo", "description": "Comune di Bergamo",
		"tags": []string{"pa", "lombardia"}, "enabled": false, "extra": map[string]string{"istat": "016024"}})
	st2 := osfwtest.Apply(t, p, projectType, st, cfg2)
	assert.Equal(t, id, st2.GetAttr("id").AsString())
	obj := fake.get("projects", id)
	assert.Equal(t, "Comune di Bergamo", obj["description"])
	assert.Equal(t, false, obj["enabled"])
	assert.Equal(t, "016024", obj["istat"])
	assert.ElementsMatch(t, []any{"ente=c_a662", "lombardia", "pa"}, obj["tags"])
	st2 = osfwtest.Read(t, p, projectType, st2)[0]
	osfwtest.NoChange(t, p, projectType, st2, cfg2)

	// Dropping an extra key unsets it.
	cfg3 := osfwtest.Object(t, p, projectType, map[string]any{"name": "comune-bergamo", "description": "Comune di Bergamo",
		"tags": []string{"pa", "lombardia"}, "enabled": false})
	st3 := osfwtest.Apply(t, p, projectType, st2, cfg3)
	_, has := fake.get("projects", id)["istat"]
	assert.False(t, has)

	imp := osfwtest.Import(t, p, projectType, id)
	assert.Equal(t, "Comune di Bergamo", imp.GetAttr("description").AsString())
	assert.Equal(t, set("lombardia", "pa"), imp.GetAttr("tags"), "the default tag is not the project's own")
	osfwtest.NoChange(t, p, projectType, imp, cfg3)

	osfwtest.Destroy(t, p, projectType, st3)
	assert.Zero(t, fake.count("projects"))
	assert.True(t, osfwtest.Read(t, p, projectType, st3)[0].IsNull(), "gone")
	osfwtest.Destroy(t, p, projectType, st3)
}

// Refreshing many projects is one list request; a project missing from
// the list is confirmed gone with its own GET.
func TestProjectRefreshIsOneListRequest(t *testing.T) {
	cloud, fake, p := setup(t, nil)
	var states []cty.Value
	for i := range 30 {
		states = append(states, osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": fmt.Sprintf("p%d", i)})))
	}
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, projectType, states...)
	require.Equal(t, []string{"GET /identity/v3/projects"}, cloud.Requests())
	for i, v := range got {
		assert.Equal(t, fmt.Sprintf("p%d", i), v.GetAttr("name").AsString())
	}

	osfwtest.Destroy(t, p, projectType, states[7])
	cloud.ResetRequests()
	got = osfwtest.Read(t, p, projectType, states...)
	assert.Equal(t, []string{"GET /identity/v3/projects", "GET /identity/v3/projects/" + states[7].GetAttr("id").AsString()}, cloud.Requests())
	assert.True(t, got[7].IsNull())

	// A list cut short by Keystone's list_limit: the rest are read one by one.
	fake.listLimit = 20
	cloud.ResetRequests()
	got = osfwtest.Read(t, p, projectType, states...)
	assert.Len(t, cloud.Requests(), 1+10)
	for i, v := range got {
		if i != 7 {
			assert.Equal(t, fmt.Sprintf("p%d", i), v.GetAttr("name").AsString())
		}
	}
}

// A parent project deleted while its sub-project is being deleted waits
// for it rather than failing with Keystone's 403.
func TestProjectDeleteWaitsForSubProjects(t *testing.T) {
	_, fake, p := setup(t, nil)
	parent := osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "regione"}))
	child := osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "comune",
		"parent_id": parent.GetAttr("id").AsString()}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		osfwtest.Destroy(t, p, projectType, parent)
	}()
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, 2, fake.count("projects"), "the parent waits")
	osfwtest.Destroy(t, p, projectType, child)
	<-done
	assert.Zero(t, fake.count("projects"))

	// A sub-project nobody deletes: the wait ends with the reason.
	parent = osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "regione"}))
	osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "comune",
		"parent_id": parent.GetAttr("id").AsString()}))
	prior := osfw.NewData(osfwtest.Schema(p, projectType), parent)
	prior.Set("timeouts", cty.ObjectVal(map[string]cty.Value{"create": cty.NullVal(cty.String), "update": cty.NullVal(cty.String), "delete": cty.StringVal("1s")}))
	resp := p.ApplyResourceChange(context.Background(), plugins.ApplyResourceChangeRequest{TypeName: projectType, PriorState: prior.Value(),
		PlannedState: cty.NullVal(prior.Value().Type()), Config: cty.NullVal(prior.Value().Type())})
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, `last status "has sub-projects"`)
}

func TestProjectConflictNamesExisting(t *testing.T) {
	_, _, p := setup(t, nil)
	first := osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "dup"}))
	resp := osfwtest.ApplyResp(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "dup"}))
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Equal(t, "Object already exists", resp.Diagnostics[0].Summary)
	assert.Contains(t, resp.Diagnostics[0].Detail, "nuvola import ADDRESS "+first.GetAttr("id").AsString())
}

// A create whose answer is lost adopts the project instead of failing or
// making a second one.
func TestProjectLostCreateAdopted(t *testing.T) {
	cloud, fake, _ := setup(t, nil)
	loseFirst(cloud, "/projects")
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "adopt-me"}))
	assert.Equal(t, 1, fake.count("projects"))
	assert.Equal(t, "adopt-me", st.GetAttr("name").AsString())
}

// loseFirst makes the first POST to a path ending in suffix happen but
// drops its answer.
func loseFirst(cloud *osfwtest.Cloud, suffix string) *atomic.Int32 {
	var posts atomic.Int32
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, suffix) && posts.Add(1) == 1 {
			inner.ServeHTTP(&discard{header: http.Header{}}, r)
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		inner.ServeHTTP(w, r)
	})
	return &posts
}

type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func TestUserLifecycle(t *testing.T) {
	cloud, fake, p := setup(t, nil)
	var bodies []map[string]any
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/users") && (r.Method == http.MethodPost || r.Method == http.MethodPatch) {
			b := osfwtest.ReadJSON(t, r)
			bodies = append(bodies, b["user"].(map[string]any))
			r.Body = jsonBody(b)
		}
		inner.ServeHTTP(w, r)
	})
	assert.True(t, osfwtest.Schema(p, userType).Attributes["password"].Sensitive)

	cfg := osfwtest.Object(t, p, userType, map[string]any{"name": "mario.rossi", "password": "s3gret0", "default_project_id": "proj-1",
		"ignore_change_password_upon_first_use": true,
		"multi_factor_auth_rule":                []map[string]any{{"rule": []string{"password", "totp"}}}})
	st := osfwtest.Apply(t, p, userType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	require.Len(t, bodies, 1)
	assert.Equal(t, "s3gret0", bodies[0]["password"])
	assert.Equal(t, map[string]any{"ignore_change_password_upon_first_use": true, "multi_factor_auth_rules": []any{[]any{"password", "totp"}}}, bodies[0]["options"])
	assert.Equal(t, "s3gret0", st.GetAttr("password").AsString(), "the password stays as configured")
	assert.Equal(t, "proj-1", fake.get("users", id)["default_project_id"])

	st = osfwtest.Read(t, p, userType, st)[0]
	assert.Equal(t, "s3gret0", st.GetAttr("password").AsString(), "a refresh keeps the password Keystone does not show")
	osfwtest.NoChange(t, p, userType, st, cfg)

	cfg2 := osfwtest.Object(t, p, userType, map[string]any{"name": "mario.rossi", "password": "nuova", "default_project_id": "proj-1",
		"description": "Ufficio tecnico", "enabled": false, "ignore_change_password_upon_first_use": true,
		"multi_factor_auth_rule": []map[string]any{{"rule": []string{"password", "totp"}}}})
	st2 := osfwtest.Apply(t, p, userType, st, cfg2)
	require.Len(t, bodies, 2)
	assert.Equal(t, map[string]any{"password": "nuova", "description": "Ufficio tecnico", "enabled": false}, bodies[1])
	assert.Equal(t, false, fake.get("users", id)["enabled"])
	osfwtest.NoChange(t, p, userType, osfwtest.Read(t, p, userType, st2)[0], cfg2)

	imp := osfwtest.Import(t, p, userType, id)
	assert.True(t, imp.GetAttr("password").IsNull(), "Keystone never shows a password")
	assert.Equal(t, "Ufficio tecnico", imp.GetAttr("description").AsString())

	osfwtest.Destroy(t, p, userType, st2)
	assert.True(t, osfwtest.Read(t, p, userType, st2)[0].IsNull())
}

func TestUsersRefreshIsOneListRequest(t *testing.T) {
	cloud, _, p := setup(t, nil)
	var states []cty.Value
	for i := range 10 {
		states = append(states, osfwtest.Apply(t, p, userType, cty.NilVal, osfwtest.Object(t, p, userType, map[string]any{"name": fmt.Sprintf("u%d", i)})))
	}
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, userType, states...)
	assert.Equal(t, []string{"GET /identity/v3/users"}, cloud.Requests())
	assert.Equal(t, "u3", got[3].GetAttr("name").AsString())
}

func TestGroupAndRoleLifecycle(t *testing.T) {
	cloud, fake, p := setup(t, nil)
	gcfg := osfwtest.Object(t, p, groupType, map[string]any{"name": "operatori"})
	g := osfwtest.Apply(t, p, groupType, cty.NilVal, gcfg)
	assert.True(t, g.GetAttr("description").IsNull())
	osfwtest.NoChange(t, p, groupType, osfwtest.Read(t, p, groupType, g)[0], gcfg)
	gcfg2 := osfwtest.Object(t, p, groupType, map[string]any{"name": "operatori-it", "description": "Operatori IT"})
	g2 := osfwtest.Apply(t, p, groupType, g, gcfg2)
	gid := g2.GetAttr("id").AsString()
	assert.Equal(t, "operatori-it", fake.get("groups", gid)["name"])
	assert.Equal(t, "Operatori IT", osfwtest.Import(t, p, groupType, gid).GetAttr("description").AsString())
	pr := osfwtest.Plan(t, p, groupType, g2, osfwtest.Object(t, p, groupType, map[string]any{"name": "operatori-it", "domain_id": "other"}))
	assert.NotEmpty(t, pr.RequiresReplace, "a group cannot move to another domain")

	// Global and domain roles refresh with one list per domain.
	r1 := osfwtest.Apply(t, p, roleType, cty.NilVal, osfwtest.Object(t, p, roleType, map[string]any{"name": "auditor"}))
	r2 := osfwtest.Apply(t, p, roleType, cty.NilVal, osfwtest.Object(t, p, roleType, map[string]any{"name": "ufficio", "domain_id": "dom-pa"}))
	r3 := osfwtest.Apply(t, p, roleType, cty.NilVal, osfwtest.Object(t, p, roleType, map[string]any{"name": "anagrafe", "domain_id": "dom-pa"}))
	assert.Equal(t, "", r1.GetAttr("domain_id").AsString())
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, roleType, r1, r2, r3)
	assert.Len(t, cloud.Requests(), 2, "%v", cloud.Requests())
	assert.Equal(t, "anagrafe", got[2].GetAttr("name").AsString())
	r1b := osfwtest.Apply(t, p, roleType, r1, osfwtest.Object(t, p, roleType, map[string]any{"name": "auditor-pa"}))
	assert.Equal(t, r1.GetAttr("id"), r1b.GetAttr("id"))
	assert.Equal(t, "auditor-pa", fake.get("roles", r1.GetAttr("id").AsString())["name"])
	osfwtest.Destroy(t, p, roleType, r1b)
	osfwtest.Destroy(t, p, groupType, g2)
	assert.True(t, osfwtest.Read(t, p, groupType, g2)[0].IsNull())
	assert.True(t, osfwtest.Read(t, p, roleType, r1b)[0].IsNull())
}

func TestRoleAssignments(t *testing.T) {
	cloud, fake, p := setup(t, nil)
	a := osfwtest.Apply(t, p, assignmentType, cty.NilVal, osfwtest.Object(t, p, assignmentType, map[string]any{
		"project_id": "proj-1", "group_id": "grp-1", "role_id": "member"}))
	assert.Equal(t, "/proj-1/grp-1//member", a.GetAttr("id").AsString())
	assert.True(t, a.GetAttr("user_id").IsNull())
	assert.True(t, fake.assignments["project:proj-1|group:grp-1|member"])
	b := osfwtest.Apply(t, p, assignmentType, cty.NilVal, osfwtest.Object(t, p, assignmentType, map[string]any{
		"project_id": "proj-1", "user_id": "usr-1", "role_id": "reader"}))
	c := osfwtest.Apply(t, p, assignmentType, cty.NilVal, osfwtest.Object(t, p, assignmentType, map[string]any{
		"domain_id": "dom-1", "user_id": "usr-1", "role_id": "admin"}))
	assert.Equal(t, "dom-1///usr-1/admin", c.GetAttr("id").AsString())

	cloud.ResetRequests()
	got := osfwtest.Read(t, p, assignmentType, a, b, c)
	assert.ElementsMatch(t, []string{"GET /identity/v3/role_assignments", "GET /identity/v3/role_assignments"}, cloud.Requests(), "one list per scope")
	assert.True(t, got[0].RawEquals(a))
	osfwtest.NoChange(t, p, assignmentType, got[1], osfwtest.Object(t, p, assignmentType, map[string]any{
		"project_id": "proj-1", "user_id": "usr-1", "role_id": "reader"}))

	// Same scope: one request.
	cloud.ResetRequests()
	osfwtest.Read(t, p, assignmentType, a, b)
	assert.Len(t, cloud.Requests(), 1)

	// Every argument forces a new assignment.
	pr := osfwtest.Plan(t, p, assignmentType, a, osfwtest.Object(t, p, assignmentType, map[string]any{
		"project_id": "proj-1", "group_id": "grp-1", "role_id": "reader"}))
	assert.NotEmpty(t, pr.RequiresReplace)

	imp := osfwtest.Import(t, p, assignmentType, "/proj-1/grp-1//member")
	assert.True(t, imp.RawEquals(a), "%#v", imp)
	resp := p.ImportResourceState(context.Background(), plugins.ImportResourceStateRequest{TypeName: assignmentType, ID: "proj-1/grp-1/member"})
	require.True(t, resp.Diagnostics.HasErrors())
	assert.Contains(t, resp.Diagnostics[0].Detail, "domain_id/project_id/group_id/user_id/role_id")
	resp = p.ImportResourceState(context.Background(), plugins.ImportResourceStateRequest{TypeName: assignmentType, ID: "/proj-1/grp-9//member"})
	require.True(t, resp.Diagnostics.HasErrors(), "no such assignment")

	// Unassigned outside nuvola: gone.
	osfwtest.Destroy(t, p, assignmentType, a)
	got = osfwtest.Read(t, p, assignmentType, a, b)
	assert.True(t, got[0].IsNull())
	assert.False(t, got[1].IsNull())
	assert.True(t, osfwtest.Read(t, p, assignmentType, a)[0].IsNull())
	osfwtest.Destroy(t, p, assignmentType, a)

	v := p.ValidateResourceConfig(context.Background(), plugins.ValidateResourceConfigRequest{TypeName: assignmentType,
		Config: osfwtest.Object(t, p, assignmentType, map[string]any{"project_id": "p", "domain_id": "d", "user_id": "u", "role_id": "r"})})
	assert.True(t, v.Diagnostics.HasErrors())
}

func TestUserMembership(t *testing.T) {
	cloud, fake, p := setup(t, nil)
	u1 := osfwtest.Apply(t, p, userType, cty.NilVal, osfwtest.Object(t, p, userType, map[string]any{"name": "a"}))
	u2 := osfwtest.Apply(t, p, userType, cty.NilVal, osfwtest.Object(t, p, userType, map[string]any{"name": "b"}))
	g := osfwtest.Apply(t, p, groupType, cty.NilVal, osfwtest.Object(t, p, groupType, map[string]any{"name": "g"}))
	uid1, uid2, gid := u1.GetAttr("id").AsString(), u2.GetAttr("id").AsString(), g.GetAttr("id").AsString()
	m1 := osfwtest.Apply(t, p, membershipType, cty.NilVal, osfwtest.Object(t, p, membershipType, map[string]any{"user_id": uid1, "group_id": gid}))
	m2 := osfwtest.Apply(t, p, membershipType, cty.NilVal, osfwtest.Object(t, p, membershipType, map[string]any{"user_id": uid2, "group_id": gid}))
	assert.Equal(t, uid1+"/"+gid, m1.GetAttr("id").AsString())
	assert.True(t, fake.members[gid][uid2])

	cloud.ResetRequests()
	got := osfwtest.Read(t, p, membershipType, m1, m2)
	assert.Equal(t, []string{"GET /identity/v3/groups/" + gid + "/users"}, cloud.Requests())
	assert.True(t, got[1].RawEquals(m2))
	assert.True(t, osfwtest.Import(t, p, membershipType, uid2+"/"+gid).RawEquals(m2))

	osfwtest.Destroy(t, p, membershipType, m1)
	got = osfwtest.Read(t, p, membershipType, m1, m2)
	assert.True(t, got[0].IsNull())
	assert.False(t, got[1].IsNull())
	assert.True(t, osfwtest.Read(t, p, membershipType, m1)[0].IsNull())
	// The group deleted: its memberships are gone too.
	osfwtest.Destroy(t, p, groupType, g)
	assert.True(t, osfwtest.Read(t, p, membershipType, m1, m2)[1].IsNull())
	osfwtest.Destroy(t, p, membershipType, m2)
}

func TestApplicationCredential(t *testing.T) {
	cloud, fake, p := setup(t, nil)
	var sent map[string]any
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/application_credentials") {
			b := osfwtest.ReadJSON(t, r)
			sent = b["application_credential"].(map[string]any)
			r.Body = jsonBody(b)
		}
		inner.ServeHTTP(w, r)
	})
	b := osfwtest.Schema(p, appCredType)
	assert.True(t, b.Attributes["secret"].Sensitive)

	cfg := osfwtest.Object(t, p, appCredType, map[string]any{"name": "nuvola-ci", "expires_at": "2027-06-30T12:00:00Z", "access_rules": []map[string]any{}})
	st := osfwtest.Apply(t, p, appCredType, cty.NilVal, cfg)
	id := st.GetAttr("id").AsString()
	secret := st.GetAttr("secret").AsString()
	assert.Len(t, secret, 86, "a random secret like Keystone's")
	assert.Equal(t, secret, sent["secret"])
	assert.Equal(t, "2027-06-30T12:00:00", sent["expires_at"])
	assert.Equal(t, osfwtest.ProjectID, st.GetAttr("project_id").AsString())
	assert.Equal(t, set("member"), st.GetAttr("roles"))
	assert.Equal(t, cty.False, st.GetAttr("unrestricted"))

	st = osfwtest.Read(t, p, appCredType, st)[0]
	assert.Equal(t, secret, st.GetAttr("secret").AsString(), "kept across refreshes")
	osfwtest.NoChange(t, p, appCredType, st, cfg)

	// Given secret and roles, access rules.
	cfg2 := osfwtest.Object(t, p, appCredType, map[string]any{"name": "backup", "secret": "my-own-secret", "roles": []string{"reader"},
		"access_rules": []map[string]any{{"path": "/v1/*", "method": "GET", "service": "object-store"}}})
	st2 := osfwtest.Apply(t, p, appCredType, cty.NilVal, cfg2)
	assert.Equal(t, "my-own-secret", sent["secret"])
	assert.Equal(t, []any{map[string]any{"name": "reader"}}, sent["roles"])
	assert.Equal(t, set("reader"), st2.GetAttr("roles"))
	rules := st2.GetAttr("access_rules")
	require.Equal(t, 1, rules.LengthInt())
	assert.Equal(t, "rule-2-0", rules.AsValueSlice()[0].GetAttr("id").AsString(), "the rule's ID as Keystone made it")
	// The configuration has no rule ID: the one it has is kept.
	osfwtest.NoChange(t, p, appCredType, osfwtest.Read(t, p, appCredType, st2)[0], cfg2)
	// Another rule replaces the credential.
	pr := osfwtest.Plan(t, p, appCredType, st2, osfwtest.Object(t, p, appCredType, map[string]any{"name": "backup", "secret": "my-own-secret", "roles": []string{"reader"},
		"access_rules": []map[string]any{{"path": "/v1/*", "method": "PUT", "service": "object-store"}}}))
	assert.Equal(t, "[[{{} access_rules}]]", fmt.Sprint(pr.RequiresReplace))

	// Refresh: one list of the user's credentials.
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, appCredType, st, st2)
	assert.Equal(t, []string{"GET /identity/v3/users/u1/application_credentials"}, cloud.Requests())
	assert.Equal(t, "backup", got[1].GetAttr("name").AsString())

	// Every change replaces.
	pr = osfwtest.Plan(t, p, appCredType, st, osfwtest.Object(t, p, appCredType, map[string]any{"name": "nuvola-ci", "description": "x", "expires_at": "2027-06-30T12:00:00Z", "access_rules": []map[string]any{}}))
	assert.NotEmpty(t, pr.RequiresReplace)

	imp := osfwtest.Import(t, p, appCredType, id)
	assert.True(t, imp.GetAttr("secret").IsNull(), "Keystone shows no secret after creation")
	assert.Equal(t, 0, imp.GetAttr("access_rules").LengthInt(), "no rules: an empty set, as a configuration without the block has")
	assert.Equal(t, "2027-06-30T12:00:00Z", imp.GetAttr("expires_at").AsString())
	osfwtest.NoChange(t, p, appCredType, imp, cfg)

	osfwtest.Destroy(t, p, appCredType, st)
	osfwtest.Destroy(t, p, appCredType, st2)
	assert.Empty(t, fake.appCreds)
	assert.True(t, osfwtest.Read(t, p, appCredType, st)[0].IsNull())
	osfwtest.Destroy(t, p, appCredType, st)

	v := p.ValidateResourceConfig(context.Background(), plugins.ValidateResourceConfigRequest{TypeName: appCredType,
		Config: osfwtest.Object(t, p, appCredType, map[string]any{"name": "x", "expires_at": "tomorrow"})})
	assert.True(t, v.Diagnostics.HasErrors())
}

// A credential whose create answer is lost is adopted with the secret
// nuvola sent.
func TestApplicationCredentialLostCreateAdopted(t *testing.T) {
	cloud, fake, _ := setup(t, nil)
	posts := loseFirst(cloud, "/application_credentials")
	p := cloud.Provider(t, Resources(), nil, nil)
	st := osfwtest.Apply(t, p, appCredType, cty.NilVal, osfwtest.Object(t, p, appCredType, map[string]any{"name": "ci"}))
	assert.Len(t, fake.appCreds, 1)
	assert.Equal(t, int32(1), posts.Load())
	assert.Len(t, st.GetAttr("secret").AsString(), 86)
}

func dataSource(t *testing.T, p *osfw.Provider, typ string, attrs map[string]any) (cty.Value, plugins.Diagnostics) {
	t.Helper()
	b := p.GetSchema(context.Background(), plugins.GetSchemaRequest{}).DataSources[typ].Block
	require.NotNil(t, b)
	d := osfw.NewData(b, cty.NullVal(b.ImpliedType()))
	for k, v := range attrs {
		d.Set(k, v)
	}
	resp := p.ReadDataSource(context.Background(), plugins.ReadDataSourceRequest{TypeName: typ, Config: d.Value()})
	return resp.State, resp.Diagnostics
}

func TestDataSources(t *testing.T) {
	_, _, p := setup(t, nil)
	pr := osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "comune-como", "tags": []string{"pa"}}))
	osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "comune-lecco"}))
	v, diags := dataSource(t, p, projectType, map[string]any{"name": "comune-como"})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, pr.GetAttr("id"), v.GetAttr("id"))
	assert.Equal(t, set("pa"), v.GetAttr("tags"))
	v, diags = dataSource(t, p, projectType, map[string]any{"project_id": pr.GetAttr("id").AsString()})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, "comune-como", v.GetAttr("name").AsString())
	_, diags = dataSource(t, p, projectType, map[string]any{"name": "comune-nessuno"})
	require.True(t, diags.HasErrors())
	assert.Contains(t, diags[0].Detail, "no project matches")

	role := osfwtest.Apply(t, p, roleType, cty.NilVal, osfwtest.Object(t, p, roleType, map[string]any{"name": "member"}))
	v, diags = dataSource(t, p, roleType, map[string]any{"name": "member"})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, role.GetAttr("id"), v.GetAttr("id"))

	v, diags = dataSource(t, p, "openstack_identity_auth_scope_v3", map[string]any{"name": "me"})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, "u1", v.GetAttr("user_id").AsString())
	assert.Equal(t, "tester", v.GetAttr("user_name").AsString())
	assert.Equal(t, osfwtest.ProjectID, v.GetAttr("project_id").AsString())
	assert.Equal(t, "comune-test", v.GetAttr("project_name").AsString())
	assert.Equal(t, "default", v.GetAttr("project_domain_id").AsString())
	assert.Equal(t, cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"role_id": cty.StringVal("r1"), "role_name": cty.StringVal("member")})}), v.GetAttr("roles"))
	assert.True(t, v.GetAttr("token_id").IsNull(), "the token only when asked for")
}

// Assignments on many scopes refresh with one list of the whole cloud's.
func TestRoleAssignmentsOnManyScopesOneRequest(t *testing.T) {
	cloud, _, p := setup(t, nil)
	var states []cty.Value
	for i := range 9 {
		states = append(states, osfwtest.Apply(t, p, assignmentType, cty.NilVal, osfwtest.Object(t, p, assignmentType, map[string]any{
			"project_id": fmt.Sprintf("proj-%d", i), "group_id": "grp-1", "role_id": "member"})))
	}
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, assignmentType, states...)
	assert.Equal(t, []string{"GET /identity/v3/role_assignments"}, cloud.Requests())
	for i, v := range got {
		assert.True(t, v.RawEquals(states[i]))
	}
}

// Where listing is not allowed (a member's token), objects are read one by
// one.
func TestRefreshFallsBackWhereListingIsForbidden(t *testing.T) {
	cloud, _, p := setup(t, nil)
	a := osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "a"}))
	b := osfwtest.Apply(t, p, projectType, cty.NilVal, osfwtest.Object(t, p, projectType, map[string]any{"name": "b"}))
	inner := cloud.Server.Config.Handler
	cloud.Server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == osfwtest.IdentityPath+"projects" {
			osfwtest.WriteJSON(w, http.StatusForbidden, map[string]any{"error": map[string]any{"code": 403,
				"message": "You are not authorized to perform the requested action: identity:list_projects.", "title": "Forbidden"}})
			return
		}
		inner.ServeHTTP(w, r)
	})
	cloud.ResetRequests()
	got := osfwtest.Read(t, p, projectType, a, b)
	// (The refused list is answered before the fake records requests.)
	assert.ElementsMatch(t, []string{"GET /identity/v3/projects/" + a.GetAttr("id").AsString(), "GET /identity/v3/projects/" + b.GetAttr("id").AsString()},
		cloud.Requests(), "each project after the refused list")
	assert.Equal(t, "b", got[1].GetAttr("name").AsString())
}

// A project, a group, a role assignment and a membership are made with one
// request each: the answer (or the request itself) is the whole object, so
// nothing is read back, and what is kept is what a later read finds.
func TestCreatesReadNothingBack(t *testing.T) {
	cloud, _, p := setup(t, map[string]string{"classification": "ordinario"})
	create := func(typ string, attrs map[string]any) cty.Value {
		t.Helper()
		cloud.ResetRequests()
		st := osfwtest.Apply(t, p, typ, cty.NilVal, osfwtest.Object(t, p, typ, attrs))
		var writes []string
		for _, r := range cloud.Requests() {
			assert.False(t, strings.HasPrefix(r, "GET "), "%s: %v", typ, cloud.Requests())
			writes = append(writes, r)
		}
		assert.Len(t, writes, 1, "%s: %v", typ, cloud.Requests())
		got := osfwtest.Read(t, p, typ, st)[0]
		assert.True(t, got.RawEquals(st), "%s: read\n%#v\nkept\n%#v", typ, got, st)
		return st
	}
	pr := create(projectType, map[string]any{"name": "comune", "description": "Comune", "tags": []string{"pa"}})
	assert.Equal(t, set("classification=ordinario", "pa"), pr.GetAttr("all_tags"))
	g := create(groupType, map[string]any{"name": "admins"})
	u := osfwtest.Apply(t, p, userType, cty.NilVal, osfwtest.Object(t, p, userType, map[string]any{"name": "u"}))
	create(assignmentType, map[string]any{"project_id": pr.GetAttr("id").AsString(), "group_id": g.GetAttr("id").AsString(), "role_id": "member"})
	create(membershipType, map[string]any{"user_id": u.GetAttr("id").AsString(), "group_id": g.GetAttr("id").AsString()})
}
