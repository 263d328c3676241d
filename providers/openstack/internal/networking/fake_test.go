package networking

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// fakeNet is an in-memory Neutron for the collections other than networks:
// generic create (single and bulk), get, list with filters, update, tags
// and delete, with hooks for what a collection does beyond that.
type fakeNet struct {
	t    *testing.T
	mu   sync.Mutex
	objs map[string]map[string]map[string]any // collection → id → object
	next int
	// onCreate completes a new object (defaults, side effects); called
	// with mu held.
	onCreate map[string]func(o map[string]any)
	// render adds derived fields to an object as returned; mu held.
	render map[string]func(o map[string]any) map[string]any
	// onDelete runs side effects of a delete; mu held.
	onDelete map[string]func(o map[string]any)
	// fail, when set, answers a request instead of the fake.
	fail func(w http.ResponseWriter, r *http.Request) bool
	// bulkRefused counts bulk creates of rules refused for mixing groups
	// or projects.
	bulkRefused int
}

var singular = map[string]string{
	"subnets": "subnet", "routers": "router", "ports": "port", "floatingips": "floatingip",
	"security-groups": "security_group", "security-group-rules": "security_group_rule",
}

var plural = map[string]string{
	"security-groups": "security_groups", "security-group-rules": "security_group_rules",
}

func pluralKey(coll string) string {
	if p, ok := plural[coll]; ok {
		return p
	}
	return coll
}

func newFakeNet(c *osfwtest.Cloud, t *testing.T) *fakeNet {
	f := &fakeNet{t: t, objs: map[string]map[string]map[string]any{}, onCreate: map[string]func(map[string]any){},
		render: map[string]func(map[string]any) map[string]any{}, onDelete: map[string]func(map[string]any){}}
	base := osfwtest.NetworkPath + "v2.0/"
	for coll := range singular {
		f.objs[coll] = map[string]map[string]any{}
		c.Handle("POST "+base+coll, f.wrap(func(w http.ResponseWriter, r *http.Request) { f.create(w, r, coll) }))
		c.Handle("GET "+base+coll, f.wrap(func(w http.ResponseWriter, r *http.Request) { f.list(w, r, coll) }))
		c.Handle("GET "+base+coll+"/{id}", f.wrap(func(w http.ResponseWriter, r *http.Request) { f.get(w, r, coll) }))
		c.Handle("PUT "+base+coll+"/{id}", f.wrap(func(w http.ResponseWriter, r *http.Request) { f.update(w, r, coll) }))
		c.Handle("PUT "+base+coll+"/{id}/tags", f.wrap(func(w http.ResponseWriter, r *http.Request) {
			body := osfwtest.ReadJSON(t, r)
			f.mu.Lock()
			if o, ok := f.objs[coll][r.PathValue("id")]; ok {
				o["tags"] = body["tags"]
			}
			f.mu.Unlock()
			osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"tags": body["tags"]})
		}))
		c.Handle("DELETE "+base+coll+"/{id}", f.wrap(func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			o, ok := f.objs[coll][r.PathValue("id")]
			if ok {
				delete(f.objs[coll], r.PathValue("id"))
				if h := f.onDelete[coll]; h != nil {
					h(o)
				}
			}
			f.mu.Unlock()
			if !ok {
				osfwtest.NotFound(w, coll)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
	}
	f.secGroups()
	return f
}

func (f *fakeNet) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f.fail != nil && f.fail(w, r) {
			return
		}
		h(w, r)
	}
}

// add stores a new object of a collection; mu held.
func (f *fakeNet) add(coll string, o map[string]any) map[string]any {
	f.next++
	o["id"] = fmt.Sprintf("%s-%d", singular[coll], f.next)
	if _, ok := o["tenant_id"]; !ok {
		o["tenant_id"] = osfwtest.ProjectID
	}
	o["project_id"] = o["tenant_id"]
	if _, ok := o["tags"]; !ok {
		o["tags"] = []any{}
	}
	if h := f.onCreate[coll]; h != nil {
		h(o)
	}
	f.objs[coll][o["id"].(string)] = o
	return o
}

func (f *fakeNet) out(coll string, o map[string]any) map[string]any {
	c := map[string]any{}
	for k, v := range o {
		c[k] = v
	}
	if h := f.render[coll]; h != nil {
		return h(c)
	}
	return c
}

func (f *fakeNet) create(w http.ResponseWriter, r *http.Request, coll string) {
	body := osfwtest.ReadJSON(f.t, r)
	f.mu.Lock()
	defer f.mu.Unlock()
	if list, ok := body[pluralKey(coll)].([]any); ok {
		if coll == "security-group-rules" && !singleGroupAndTenant(list) {
			// As Neutron: a bulk request of rules is for one group of one
			// project.
			f.bulkRefused++
			osfwtest.WriteJSON(w, http.StatusBadRequest, map[string]any{"NeutronError": map[string]any{
				"type": "SecurityGroupNotSingleGroupRules", "message": "Only allowed to update rules for one security profile at a time"}})
			return
		}
		var made []any
		for _, e := range list {
			made = append(made, f.out(coll, f.add(coll, e.(map[string]any))))
		}
		osfwtest.WriteJSON(w, http.StatusCreated, map[string]any{pluralKey(coll): made})
		return
	}
	o := f.add(coll, body[singular[coll]].(map[string]any))
	osfwtest.WriteJSON(w, http.StatusCreated, map[string]any{singular[coll]: f.out(coll, o)})
}

// singleGroupAndTenant reports whether the rules of a bulk create belong to
// one security group and one project.
func singleGroupAndTenant(list []any) bool {
	groups, tenants := map[any]bool{}, map[any]bool{}
	for _, e := range list {
		r, _ := e.(map[string]any)
		groups[r["security_group_id"]] = true
		tenants[r["tenant_id"]] = true
	}
	return len(groups) <= 1 && len(tenants) <= 1
}

func (f *fakeNet) get(w http.ResponseWriter, r *http.Request, coll string) {
	f.mu.Lock()
	o, ok := f.objs[coll][r.PathValue("id")]
	var res map[string]any
	if ok {
		res = f.out(coll, o)
	}
	f.mu.Unlock()
	if !ok {
		osfwtest.NotFound(w, coll)
		return
	}
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{singular[coll]: res})
}

func (f *fakeNet) list(w http.ResponseWriter, r *http.Request, coll string) {
	q := r.URL.Query()
	f.mu.Lock()
	out := []any{}
	ids := osfwSortedIDs(f.objs[coll])
	for _, id := range ids {
		o := f.objs[coll][id]
		match := true
		for k, vs := range q {
			if k == "fields" || k == "fixed_ips" {
				continue
			}
			if !contains(vs, fmt.Sprint(o[k])) {
				match = false
			}
		}
		if match {
			out = append(out, onlyFields(f.out(coll, o), q["fields"]))
		}
	}
	f.mu.Unlock()
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{pluralKey(coll): out})
}

// onlyFields is what Neutron answers for an object of a list asking for
// fields: those alone (all of them when none is asked for).
func onlyFields(o map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return o
	}
	out := map[string]any{}
	for _, k := range fields {
		if v, ok := o[k]; ok {
			out[k] = v
		}
	}
	return out
}

func osfwSortedIDs(m map[string]map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (f *fakeNet) update(w http.ResponseWriter, r *http.Request, coll string) {
	body := osfwtest.ReadJSON(f.t, r)[singular[coll]].(map[string]any)
	f.mu.Lock()
	o, ok := f.objs[coll][r.PathValue("id")]
	var res map[string]any
	if ok {
		for k, v := range body {
			o[k] = v
		}
		res = f.out(coll, o)
	}
	f.mu.Unlock()
	if !ok {
		osfwtest.NotFound(w, coll)
		return
	}
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{singular[coll]: res})
}

// count is how many objects a collection holds.
func (f *fakeNet) count(coll string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.objs[coll])
}

// obj is an object by id.
func (f *fakeNet) obj(coll, id string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objs[coll][id]
}

// secGroups: new groups get the two default egress rules, groups show
// their rules, rules go with their group.
func (f *fakeNet) secGroups() {
	f.onCreate["security-groups"] = func(o map[string]any) {
		if _, ok := o["stateful"]; !ok {
			o["stateful"] = true
		}
		if _, ok := o["description"]; !ok {
			o["description"] = ""
		}
		for _, et := range []string{"IPv4", "IPv6"} {
			f.add("security-group-rules", map[string]any{"direction": "egress", "ethertype": et, "security_group_id": o["id"]})
		}
	}
	f.onCreate["security-group-rules"] = func(o map[string]any) {
		for _, k := range []string{"protocol", "port_range_min", "port_range_max", "remote_ip_prefix", "remote_group_id", "description"} {
			if _, ok := o[k]; !ok {
				o[k] = nil
			}
		}
	}
	f.render["security-groups"] = func(o map[string]any) map[string]any {
		rules := []any{}
		for _, id := range osfwSortedIDs(f.objs["security-group-rules"]) {
			r := f.objs["security-group-rules"][id]
			if r["security_group_id"] == o["id"] {
				rules = append(rules, r)
			}
		}
		o["security_group_rules"] = rules
		return o
	}
	f.onDelete["security-groups"] = func(o map[string]any) {
		for id, r := range f.objs["security-group-rules"] {
			if r["security_group_id"] == o["id"] {
				delete(f.objs["security-group-rules"], id)
			}
		}
	}
}
