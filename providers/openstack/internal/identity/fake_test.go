package identity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// fakeKeystone keeps Keystone objects in memory.
type fakeKeystone struct {
	mu   sync.Mutex
	next int
	// objects by collection ("projects", "users", "groups", "roles")
	// and ID.
	objects map[string]map[string]map[string]any
	// assignments as "scope|actor|role": project:<id> or domain:<id>,
	// user:<id> or group:<id>.
	assignments map[string]bool
	// members of groups: group ID -> user IDs.
	members map[string]map[string]bool
	// appCreds of user u1 (the token's user) by ID.
	appCreds map[string]map[string]any
	// listLimit truncates lists when set.
	listLimit int
}

var singular = map[string]string{"projects": "project", "users": "user", "groups": "group", "roles": "role"}

func newFakeKeystone(t *testing.T, c *osfwtest.Cloud) *fakeKeystone {
	f := &fakeKeystone{objects: map[string]map[string]map[string]any{}, assignments: map[string]bool{},
		members: map[string]map[string]bool{}, appCreds: map[string]map[string]any{}}
	base := osfwtest.IdentityPath
	for coll, one := range singular {
		f.objects[coll] = map[string]map[string]any{}
		c.Handle("POST "+base+coll, func(w http.ResponseWriter, r *http.Request) {
			body := osfwtest.ReadJSON(t, r)[one].(map[string]any)
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, o := range f.objects[coll] {
				if o["name"] == body["name"] && o["domain_id"] == orDefault(body["domain_id"]) {
					osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"error": map[string]any{"code": 409,
						"message": fmt.Sprintf("Conflict occurred attempting to store %s - Duplicate entry found with name %s.", one, body["name"])}})
					return
				}
			}
			f.next++
			id := fmt.Sprintf("%s-%d", one, f.next)
			o := map[string]any{"id": id, "domain_id": "default", "links": map[string]any{}}
			switch coll {
			case "projects":
				o["enabled"], o["is_domain"], o["description"], o["tags"], o["parent_id"] = true, false, "", []any{}, "default"
			case "users":
				o["enabled"], o["options"], o["password_expires_at"] = true, map[string]any{}, nil
			case "groups":
				o["description"] = ""
			case "roles":
				o["domain_id"], o["description"], o["options"] = nil, nil, map[string]any{}
			}
			for k, v := range body {
				if k != "password" {
					o[k] = v
				}
			}
			f.objects[coll][id] = o
			osfwtest.WriteJSON(w, http.StatusCreated, map[string]any{one: o})
		})
		c.Handle("GET "+base+coll+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			o, ok := f.objects[coll][r.PathValue("id")]
			f.mu.Unlock()
			if !ok {
				notFound(w, one, r.PathValue("id"))
				return
			}
			osfwtest.WriteJSON(w, http.StatusOK, map[string]any{one: o})
		})
		c.Handle("GET "+base+coll, func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			f.mu.Lock()
			defer f.mu.Unlock()
			out := []any{}
			for _, id := range sortedIDs(f.objects[coll]) {
				o := f.objects[coll][id]
				if name := q.Get("name"); name != "" && o["name"] != name {
					continue
				}
				if dom := q.Get("domain_id"); dom != "" && o["domain_id"] != dom {
					continue
				}
				if coll == "roles" && q.Get("domain_id") == "" && o["domain_id"] != nil {
					continue // domain roles only listed with their domain
				}
				out = append(out, o)
			}
			body := map[string]any{coll: out, "links": map[string]any{"next": nil}}
			if f.listLimit > 0 && len(out) > f.listLimit {
				body[coll], body["truncated"] = out[:f.listLimit], true
			}
			osfwtest.WriteJSON(w, http.StatusOK, body)
		})
		c.Handle("PATCH "+base+coll+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			body := osfwtest.ReadJSON(t, r)[one].(map[string]any)
			f.mu.Lock()
			defer f.mu.Unlock()
			o, ok := f.objects[coll][r.PathValue("id")]
			if !ok {
				notFound(w, one, r.PathValue("id"))
				return
			}
			for k, v := range body {
				switch {
				case k == "password":
				case k == "options":
					opts, _ := o["options"].(map[string]any)
					if opts == nil {
						opts = map[string]any{}
					}
					for ok, ov := range v.(map[string]any) {
						if ov == nil {
							delete(opts, ok)
						} else {
							opts[ok] = ov
						}
					}
					o["options"] = opts
				case v == nil:
					delete(o, k)
				default:
					o[k] = v
				}
			}
			osfwtest.WriteJSON(w, http.StatusOK, map[string]any{one: o})
		})
		c.Handle("DELETE "+base+coll+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if _, ok := f.objects[coll][r.PathValue("id")]; !ok {
				notFound(w, one, r.PathValue("id"))
				return
			}
			for _, o := range f.objects[coll] {
				if coll == "projects" && o["parent_id"] == r.PathValue("id") {
					osfwtest.WriteJSON(w, http.StatusForbidden, map[string]any{"error": map[string]any{"code": 403, "title": "Forbidden",
						"message": "Cannot delete the project " + r.PathValue("id") + " since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree."}})
					return
				}
			}
			delete(f.objects[coll], r.PathValue("id"))
			w.WriteHeader(http.StatusNoContent)
		})
	}

	// Role assignments.
	assign := func(scopeKind, actorKind string) {
		pattern := base + scopeKind + "s/{scope}/" + actorKind + "s/{actor}/roles/{role}"
		key := func(r *http.Request) string {
			return scopeKind + ":" + r.PathValue("scope") + "|" + actorKind + ":" + r.PathValue("actor") + "|" + r.PathValue("role")
		}
		c.Handle("PUT "+pattern, func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			f.assignments[key(r)] = true
			f.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		})
		c.Handle("DELETE "+pattern, func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if !f.assignments[key(r)] {
				notFound(w, "role assignment", key(r))
				return
			}
			delete(f.assignments, key(r))
			w.WriteHeader(http.StatusNoContent)
		})
	}
	for _, s := range []string{"project", "domain"} {
		for _, a := range []string{"user", "group"} {
			assign(s, a)
		}
	}
	c.Handle("GET "+base+"role_assignments", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f.mu.Lock()
		defer f.mu.Unlock()
		out := []any{}
		keys := make([]string, 0, len(f.assignments))
		for k := range f.assignments {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			var sk, sid, ak, aid, role string
			fmt.Sscanf(replaceSep(k), "%s %s %s %s %s", &sk, &sid, &ak, &aid, &role)
			if v := q.Get("scope.project.id"); v != "" && (sk != "project" || sid != v) {
				continue
			}
			if v := q.Get("scope.domain.id"); v != "" && (sk != "domain" || sid != v) {
				continue
			}
			if v := q.Get("user.id"); v != "" && (ak != "user" || aid != v) {
				continue
			}
			if v := q.Get("group.id"); v != "" && (ak != "group" || aid != v) {
				continue
			}
			if v := q.Get("role.id"); v != "" && role != v {
				continue
			}
			out = append(out, map[string]any{
				"role":  map[string]any{"id": role},
				"scope": map[string]any{sk: map[string]any{"id": sid}},
				ak:      map[string]any{"id": aid},
			})
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"role_assignments": out, "links": map[string]any{"next": nil}})
	})

	// Group membership.
	c.Handle("PUT "+base+"groups/{g}/users/{u}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		g, u := r.PathValue("g"), r.PathValue("u")
		if f.objects["groups"][g] == nil || f.objects["users"][u] == nil {
			notFound(w, "group or user", g+"/"+u)
			return
		}
		if f.members[g] == nil {
			f.members[g] = map[string]bool{}
		}
		f.members[g][u] = true
		w.WriteHeader(http.StatusNoContent)
	})
	c.Handle("HEAD "+base+"groups/{g}/users/{u}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		ok := f.members[r.PathValue("g")][r.PathValue("u")]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	c.Handle("DELETE "+base+"groups/{g}/users/{u}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.members[r.PathValue("g")][r.PathValue("u")] {
			notFound(w, "membership", r.PathValue("u"))
			return
		}
		delete(f.members[r.PathValue("g")], r.PathValue("u"))
		w.WriteHeader(http.StatusNoContent)
	})
	c.Handle("GET "+base+"groups/{g}/users", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		g := r.PathValue("g")
		if f.objects["groups"][g] == nil {
			notFound(w, "group", g)
			return
		}
		out := []any{}
		for u := range f.members[g] {
			if o := f.objects["users"][u]; o != nil {
				out = append(out, o)
			}
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"users": out, "links": map[string]any{"next": nil}})
	})

	// Application credentials of the token's user u1.
	acBase := base + "users/u1/application_credentials"
	c.Handle("POST "+acBase, func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)["application_credential"].(map[string]any)
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, o := range f.appCreds {
			if o["name"] == body["name"] {
				osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"error": map[string]any{"code": 409,
					"message": "Conflict occurred attempting to store application_credential - Duplicate entry."}})
				return
			}
		}
		f.next++
		id := fmt.Sprintf("ac-%d", f.next)
		roles := []any{}
		if rs, ok := body["roles"].([]any); ok {
			for _, x := range rs {
				roles = append(roles, map[string]any{"id": "r-" + x.(map[string]any)["name"].(string), "name": x.(map[string]any)["name"], "domain_id": nil})
			}
		} else {
			roles = append(roles, map[string]any{"id": "r1", "name": "member", "domain_id": nil})
		}
		secret, _ := body["secret"].(string)
		if secret == "" {
			secret = "generated-secret"
		}
		var rules []any
		if rs, ok := body["access_rules"].([]any); ok {
			for i, x := range rs {
				m := x.(map[string]any)
				m["id"] = fmt.Sprintf("rule-%d-%d", f.next, i)
				rules = append(rules, m)
			}
		}
		o := map[string]any{"id": id, "name": body["name"], "description": body["description"], "unrestricted": body["unrestricted"] == true,
			"project_id": osfwtest.ProjectID, "roles": roles, "expires_at": body["expires_at"], "access_rules": rules}
		f.appCreds[id] = o
		resp := map[string]any{}
		for k, v := range o {
			resp[k] = v
		}
		resp["secret"] = secret
		osfwtest.WriteJSON(w, http.StatusCreated, map[string]any{"application_credential": resp})
	})
	c.Handle("GET "+acBase+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		o, ok := f.appCreds[r.PathValue("id")]
		f.mu.Unlock()
		if !ok {
			notFound(w, "application credential", r.PathValue("id"))
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"application_credential": o})
	})
	c.Handle("GET "+acBase, func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		f.mu.Lock()
		defer f.mu.Unlock()
		out := []any{}
		for _, id := range sortedIDs(f.appCreds) {
			if name == "" || f.appCreds[id]["name"] == name {
				out = append(out, f.appCreds[id])
			}
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"application_credentials": out, "links": map[string]any{"next": nil}})
	})
	c.Handle("DELETE "+acBase+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.appCreds[r.PathValue("id")]; !ok {
			notFound(w, "application credential", r.PathValue("id"))
			return
		}
		delete(f.appCreds, r.PathValue("id"))
		w.WriteHeader(http.StatusNoContent)
	})
	c.Handle("DELETE "+base+"users/u1/access_rules/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	return f
}

func (f *fakeKeystone) count(coll string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.objects[coll])
}

func (f *fakeKeystone) get(coll, id string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objects[coll][id]
}

func orDefault(v any) any {
	if v == nil || v == "" {
		return "default"
	}
	return v
}

func replaceSep(k string) string {
	out := []byte(k)
	for i, b := range out {
		if b == '|' || b == ':' {
			out[i] = ' '
		}
	}
	return string(out)
}

func sortedIDs(m map[string]map[string]any) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func notFound(w http.ResponseWriter, what, id string) {
	osfwtest.WriteJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": 404,
		"message": fmt.Sprintf("Could not find %s: %s.", what, id), "title": "Not Found"}})
}

// jsonBody is a request body holding v.
func jsonBody(v any) io.ReadCloser {
	b, _ := json.Marshal(v)
	return io.NopCloser(bytes.NewReader(b))
}
