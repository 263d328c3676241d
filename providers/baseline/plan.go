package baseline

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// resource is one PolicyResource, its values unmarked and read once.
type resource struct {
	address string
	// addr is the address without the resource's instance key, the form
	// of PolicyResource.Dependencies.
	addr   string
	mode   string
	typ    string
	action string
	before cty.Value
	after  cty.Value
	// config is cty.NilVal when the host sent none.
	config          cty.Value
	provider        cty.Value
	configSensitive []cty.Path
	deps            map[string]bool

	// tags are the resource's tags as planned, read on first use.
	tags *tagSet
}

func newResource(r plugins.PolicyResource) *resource {
	res := &resource{
		address:         r.Address,
		addr:            resourceAddr(r.Address),
		mode:            r.Mode,
		typ:             r.Type,
		action:          r.Action,
		before:          unmarked(r.Before),
		after:           unmarked(r.After),
		config:          r.Config,
		provider:        unmarked(r.ProviderConfig),
		configSensitive: r.ConfigSensitive,
	}
	if res.config != cty.NilVal {
		res.config, _ = res.config.UnmarkDeep()
	}
	if len(r.Dependencies) > 0 {
		res.deps = make(map[string]bool, len(r.Dependencies))
		for _, d := range r.Dependencies {
			res.deps[resourceAddr(d)] = true
		}
	}
	return res
}

// planned reports whether the resource is a managed resource that exists
// after the plan (created, updated, replaced or left as it is).
func (r *resource) planned() bool {
	return r.mode != "data" && isObject(r.after)
}

// arg is the planned value of a top-level argument (see arg).
func (r *resource) arg(name string) cty.Value {
	return arg(r.after, r.config, name)
}

// pathTo is the path of a finding about a top-level argument: the
// argument's, or the whole resource's when the configuration leaves it
// unset.
func (r *resource) pathTo(name string) cty.Path {
	return pathIn(r.config, nil, name)
}

// destroyed reports whether the plan deletes the object, or replaces it.
func (r *resource) destroyed() bool {
	switch r.action {
	case plugins.PolicyActionDelete, plugins.PolicyActionDeleteCreate, plugins.PolicyActionCreateDelete:
		return r.mode != "data"
	}
	return false
}

// plan indexes the resources of a check.
type plan struct {
	resources []*resource
	byType    map[string][]*resource
}

func newPlan(rs []plugins.PolicyResource) *plan {
	p := &plan{resources: make([]*resource, 0, len(rs)), byType: map[string][]*resource{}}
	for _, r := range rs {
		res := newResource(r)
		p.resources = append(p.resources, res)
		p.byType[res.typ] = append(p.byType[res.typ], res)
	}
	return p
}

// objectRefs are objects of the plan that attributes may name: by ID (when
// known), by name (when the rule allows) or by reference.
type objectRefs struct {
	ids, names, addrs map[string]bool
}

func newObjectRefs() objectRefs {
	return objectRefs{ids: map[string]bool{}, names: map[string]bool{}, addrs: map[string]bool{}}
}

func (o objectRefs) add(r *resource) {
	o.addrs[r.addr] = true
	if id, ok := str(attr(r.after, "id")); ok && id != "" {
		o.ids[id] = true
	}
	if name, ok := str(attr(r.after, "name")); ok && name != "" {
		o.names[name] = true
	}
}

func (o objectRefs) empty() bool { return len(o.addrs) == 0 }

// refersOnlyTo reports whether deps name one of targets and no other
// object of their type (kind, by address): when a configuration refers to
// two networks, which of them an unknown network ID is cannot be told.
func refersOnlyTo(deps map[string]bool, targets objectRefs, kind map[string]bool) bool {
	hit := false
	for a := range deps {
		switch {
		case targets.addrs[a]:
			hit = true
		case kind[a]:
			return false
		}
	}
	return hit
}

// addrsOf are the addresses of rs.
func addrsOf(rs []*resource) map[string]bool {
	out := make(map[string]bool, len(rs))
	for _, r := range rs {
		out[r.addr] = true
	}
	return out
}

// resourceAddr strips a resource instance's key from its address:
// `module.m["a"].t.n["k"]` is `module.m["a"].t.n`. Only a bracketed key
// that ends the address is one; brackets inside quoted keys do not count.
func resourceAddr(addr string) string {
	if len(addr) == 0 || addr[len(addr)-1] != ']' {
		return addr
	}
	depth, inStr, esc := 0, false, false
	start := -1
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '[':
			if depth == 0 {
				start = i
			}
			depth++
		case c == ']':
			depth--
			if depth == 0 && i == len(addr)-1 && start > 0 {
				return addr[:start]
			}
			if depth < 0 {
				return addr
			}
		}
	}
	return addr
}
