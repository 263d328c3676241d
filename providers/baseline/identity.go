package baseline

import (
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// isPasswordAttr reports whether an attribute name holds a password:
// password, admin_pass and any *_password.
func isPasswordAttr(name string) bool {
	return name == "password" || name == "admin_pass" || strings.HasSuffix(name, "_password")
}

// checkPlaintextPasswords is NV-IAM-001: a password the configuration sets
// from anything but a sensitive value (a literal, a plain variable).
func checkPlaintextPasswords(c *checker) {
	for _, r := range c.p.resources {
		if !r.planned() {
			continue
		}
		for _, p := range plaintextPasswords(r.after, nil, r.configSensitive, nil) {
			c.report(r, p, "The configuration sets %s in plain text; take it from a sensitive variable or a secret store.", pathName(p))
		}
	}
}

// plaintextPasswords walks v for password attributes with a known, non-empty
// value outside the sensitive paths. Inside a set the path stops at the set:
// a set element's key is its value, and the path would carry the password.
func plaintextPasswords(v cty.Value, path cty.Path, sensitive []cty.Path, out []cty.Path) []cty.Path {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() || pathCovered(path, sensitive) {
		return out
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		names := make([]string, 0, len(ty.AttributeTypes()))
		for name := range ty.AttributeTypes() {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			av := v.GetAttr(name)
			p := appendPath(path, cty.GetAttrStep{Name: name})
			if isPasswordAttr(name) {
				if s, ok := str(av); ok && s != "" && !pathCovered(p, sensitive) {
					out = append(out, p)
				}
				continue
			}
			out = plaintextPasswords(av, p, sensitive, out)
		}
	case ty.IsListType() || ty.IsTupleType():
		for i, e := range elements(v) {
			out = plaintextPasswords(e, appendPath(path, cty.IndexStep{Key: cty.NumberIntVal(int64(i))}), sensitive, out)
		}
	case ty.IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out = plaintextPasswords(e, appendPath(path, cty.IndexStep{Key: k}), sensitive, out)
		}
	case ty.IsSetType():
		for _, q := range sensitive {
			if len(q) > len(path) && q[:len(path)].Equals(path) {
				// Sensitive inside the set: which element is not
				// worth working out.
				return out
			}
		}
		for _, e := range elements(v) {
			if len(plaintextPasswords(e, nil, nil, nil)) > 0 {
				out = append(out, path)
				break
			}
		}
	}
	return dedupPaths(out)
}

// dedupPaths drops repeated paths, keeping the first of each.
func dedupPaths(ps []cty.Path) []cty.Path {
	if len(ps) < 2 {
		return ps
	}
	out := ps[:0]
	for i, p := range ps {
		dup := false
		for _, q := range ps[:i] {
			if q.Equals(p) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// pathName spells an attribute path for a message.
func pathName(p cty.Path) string {
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			if i, ok := integer(s.Key); ok {
				b.WriteString("[" + strconv.Itoa(i) + "]")
			} else if k, ok := str(s.Key); ok {
				b.WriteString("[\"" + k + "\"]")
			}
		}
	}
	return b.String()
}

// checkCredentialExpiry is NV-IAM-002.
func checkCredentialExpiry(c *checker) {
	for _, r := range c.p.byType["openstack_identity_application_credential_v3"] {
		if !r.planned() {
			continue
		}
		exp := r.arg("expires_at")
		switch s, ok := str(exp); {
		case isNull(exp):
			c.report(r, whole, "The application credential never expires; set expires_at.")
		case ok && strings.TrimSpace(s) == "":
			c.report(r, r.pathTo("expires_at"), "The application credential never expires; set expires_at.")
		}
	}
}

// adminRoles are the plan's roles (resources and data sources) named admin.
func (c *checker) adminRoles() objectRefs {
	refs := newObjectRefs()
	for _, r := range c.p.byType["openstack_identity_role_v3"] {
		if !isObject(r.after) {
			continue
		}
		if name, ok := str(attr(r.after, "name")); ok && strings.EqualFold(strings.TrimSpace(name), "admin") {
			refs.add(r)
		}
	}
	return refs
}

// isSet reports whether an argument is set: to a known, non-empty string or to
// a value not yet known.
func isSet(v cty.Value) bool {
	if !v.IsKnown() {
		return true
	}
	s, ok := str(v)
	return ok && s != ""
}

// checkAdminRole is NV-IAM-003.
func checkAdminRole(c *checker) {
	admin := c.adminRoles()
	if admin.empty() {
		return
	}
	roles := addrsOf(c.p.byType["openstack_identity_role_v3"])
	for _, r := range c.p.byType["openstack_identity_role_assignment_v3"] {
		if !r.planned() || !isSet(r.arg("user_id")) || !isSet(r.arg("project_id")) {
			continue
		}
		role := r.arg("role_id")
		id, known := str(role)
		if known && admin.ids[id] || !role.IsKnown() && refersOnlyTo(r.deps, admin, roles) {
			c.report(r, r.pathTo("role_id"), "The assignment gives a user the admin role on a project; give a project role (member, reader) or a custom role instead.")
		}
	}
}
