package audit

import (
	"strings"
	"time"
)

// Filter selects records and, within them, resources.
type Filter struct {
	// Ente keeps resources of this public body.
	Ente string
	// Resource keeps resources at this address or inside it (see
	// AddrWithin).
	Resource string
	// Since and Until bound the record time, inclusively; zero is open.
	Since, Until time.Time
}

// ResourceFilter reports whether the filter selects resources, so that a
// record without matching resources is left out.
func (f Filter) ResourceFilter() bool { return f.Ente != "" || f.Resource != "" }

// Match reports whether the record is selected: inside the time bounds
// and, when the filter selects resources, with at least one of them.
func (f Filter) Match(r *Record) bool {
	if !f.Since.IsZero() && r.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && r.Time.After(f.Until) {
		return false
	}
	if !f.ResourceFilter() {
		return true
	}
	for _, res := range r.Resources {
		if f.MatchResource(res) {
			return true
		}
	}
	return false
}

// MatchResource reports whether one resource of a record is selected.
func (f Filter) MatchResource(res Resource) bool {
	if f.Ente != "" && !strings.EqualFold(res.Ente, f.Ente) {
		return false
	}
	if f.Resource != "" && !AddrWithin(res.Addr, f.Resource) && (res.To == "" || !AddrWithin(res.To, f.Resource)) {
		return false
	}
	return true
}

// AddrWithin reports whether addr is prefix or inside it: the same
// address, an instance of the resource prefix names, or anything in the
// module prefix names. "module.net" holds "module.net.openstack_x.a" and
// "module.net[\"a\"].openstack_x.a" but not "module.network.openstack_x.a".
func AddrWithin(addr, prefix string) bool {
	if !strings.HasPrefix(addr, prefix) {
		return false
	}
	if len(addr) == len(prefix) {
		return true
	}
	switch addr[len(prefix)] {
	case '.', '[':
		return true
	}
	return false
}
