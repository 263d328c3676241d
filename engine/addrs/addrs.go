package addrs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// InstanceKey is the key of one instance of a resource or module: NoKey,
// IntKey (count) or StringKey (for_each).
type InstanceKey interface {
	instanceKey()
	String() string
	Value() cty.Value
}

// NoKey is the key of a resource or module without count or for_each.
var NoKey InstanceKey

// IntKey is a count index.
type IntKey int

// StringKey is a for_each key.
type StringKey string

func (IntKey) instanceKey()    {}
func (StringKey) instanceKey() {}

func (k IntKey) String() string    { return fmt.Sprintf("[%d]", int(k)) }
func (k StringKey) String() string { return "[" + strconv.Quote(string(k)) + "]" }

// Value is the key as count.index or each.key sees it.
func (k IntKey) Value() cty.Value { return cty.NumberIntVal(int64(k)) }

// Value is the key as each.key sees it.
func (k StringKey) Value() cty.Value { return cty.StringVal(string(k)) }

func keyString(k InstanceKey) string {
	if k == nil {
		return ""
	}
	return k.String()
}

// KeyLess orders keys: no key, then ints numerically, then strings.
func KeyLess(a, b InstanceKey) bool {
	switch av := a.(type) {
	case nil:
		return b != nil
	case IntKey:
		switch bv := b.(type) {
		case nil:
			return false
		case IntKey:
			return av < bv
		default:
			return true
		}
	case StringKey:
		if bv, ok := b.(StringKey); ok {
			return av < bv
		}
		return false
	}
	return false
}

// ModuleInstanceStep is one `module.NAME[KEY]` step.
type ModuleInstanceStep struct {
	Name string
	Key  InstanceKey
}

// ModuleInstance is the path of a module instance from the root; the root is
// the empty path.
type ModuleInstance []ModuleInstanceStep

// RootModuleInstance is the root module.
var RootModuleInstance = ModuleInstance{}

// IsRoot reports whether this is the root module.
func (m ModuleInstance) IsRoot() bool { return len(m) == 0 }

func (m ModuleInstance) String() string {
	if len(m) == 0 {
		return ""
	}
	var b strings.Builder
	for i, s := range m {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module.")
		b.WriteString(s.Name)
		b.WriteString(keyString(s.Key))
	}
	return b.String()
}

// Child returns the path of a child module instance.
func (m ModuleInstance) Child(name string, key InstanceKey) ModuleInstance {
	ret := make(ModuleInstance, len(m), len(m)+1)
	copy(ret, m)
	return append(ret, ModuleInstanceStep{Name: name, Key: key})
}

// Parent is the module instance that called this one.
func (m ModuleInstance) Parent() ModuleInstance {
	if len(m) == 0 {
		return m
	}
	return m[:len(m)-1]
}

// Module drops the keys: the static module path.
func (m ModuleInstance) Module() Module {
	ret := make(Module, len(m))
	for i, s := range m {
		ret[i] = s.Name
	}
	return ret
}

// Equal compares two module instances.
func (m ModuleInstance) Equal(o ModuleInstance) bool {
	if len(m) != len(o) {
		return false
	}
	for i := range m {
		if m[i].Name != o[i].Name || keyString(m[i].Key) != keyString(o[i].Key) {
			return false
		}
	}
	return true
}

// Less orders module instances step by step.
func (m ModuleInstance) Less(o ModuleInstance) bool {
	for i := 0; i < len(m) && i < len(o); i++ {
		if m[i].Name != o[i].Name {
			return m[i].Name < o[i].Name
		}
		if keyString(m[i].Key) != keyString(o[i].Key) {
			return KeyLess(m[i].Key, o[i].Key)
		}
	}
	return len(m) < len(o)
}

// IsAncestorOf reports whether o is m or inside m.
func (m ModuleInstance) IsAncestorOf(o ModuleInstance) bool {
	if len(m) > len(o) {
		return false
	}
	return m.Equal(o[:len(m)])
}

// Module is a static module path (call names), without instance keys.
type Module []string

func (m Module) String() string {
	if len(m) == 0 {
		return ""
	}
	return "module." + strings.Join(m, ".module.")
}

// ResourceMode is managed (resource) or data.
type ResourceMode int

const (
	// ManagedResourceMode is a `resource` block.
	ManagedResourceMode ResourceMode = iota + 1
	// DataResourceMode is a `data` block.
	DataResourceMode
)

func (m ResourceMode) String() string {
	if m == DataResourceMode {
		return "data"
	}
	return "managed"
}

// Resource is a resource block's address within its module.
type Resource struct {
	Mode ResourceMode
	Type string
	Name string
}

func (r Resource) String() string {
	if r.Mode == DataResourceMode {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// Instance returns the address of one of its instances.
func (r Resource) Instance(k InstanceKey) ResourceInstance {
	return ResourceInstance{Resource: r, Key: k}
}

// Absolute places the resource in a module instance.
func (r Resource) Absolute(m ModuleInstance) AbsResource {
	return AbsResource{Module: m, Resource: r}
}

// ResourceInstance is one instance of a resource within its module.
type ResourceInstance struct {
	Resource Resource
	Key      InstanceKey
}

func (r ResourceInstance) String() string { return r.Resource.String() + keyString(r.Key) }

// Absolute places the instance in a module instance.
func (r ResourceInstance) Absolute(m ModuleInstance) AbsResourceInstance {
	return AbsResourceInstance{Module: m, Resource: r}
}

// AbsResource is a resource in a module instance.
type AbsResource struct {
	Module   ModuleInstance
	Resource Resource
}

func (r AbsResource) String() string {
	if r.Module.IsRoot() {
		return r.Resource.String()
	}
	return r.Module.String() + "." + r.Resource.String()
}

// Instance returns one of its instances.
func (r AbsResource) Instance(k InstanceKey) AbsResourceInstance {
	return AbsResourceInstance{Module: r.Module, Resource: ResourceInstance{Resource: r.Resource, Key: k}}
}

// Config drops the module instance keys.
func (r AbsResource) Config() ConfigResource {
	return ConfigResource{Module: r.Module.Module(), Resource: r.Resource}
}

// Equal compares addresses.
func (r AbsResource) Equal(o AbsResource) bool { return r.String() == o.String() }

// AbsResourceInstance is the full address of one resource instance.
type AbsResourceInstance struct {
	Module   ModuleInstance
	Resource ResourceInstance
}

func (r AbsResourceInstance) String() string {
	if r.Module.IsRoot() {
		return r.Resource.String()
	}
	return r.Module.String() + "." + r.Resource.String()
}

// ContainingResource drops the instance key.
func (r AbsResourceInstance) ContainingResource() AbsResource {
	return AbsResource{Module: r.Module, Resource: r.Resource.Resource}
}

// Equal compares addresses.
func (r AbsResourceInstance) Equal(o AbsResourceInstance) bool {
	return r.Module.Equal(o.Module) && r.Resource.Resource == o.Resource.Resource &&
		keyString(r.Resource.Key) == keyString(o.Resource.Key)
}

// Less orders addresses: by module, then resource, then key.
func (r AbsResourceInstance) Less(o AbsResourceInstance) bool {
	if !r.Module.Equal(o.Module) {
		return r.Module.Less(o.Module)
	}
	a, b := r.Resource.Resource, o.Resource.Resource
	if a.Mode != b.Mode {
		return a.Mode > b.Mode // data sources sort first, as OpenTofu shows them
	}
	if a.Type != b.Type {
		return a.Type < b.Type
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return KeyLess(r.Resource.Key, o.Resource.Key)
}

// ConfigResource is a resource block in a static module path.
type ConfigResource struct {
	Module   Module
	Resource Resource
}

func (r ConfigResource) String() string {
	if len(r.Module) == 0 {
		return r.Resource.String()
	}
	return r.Module.String() + "." + r.Resource.String()
}

// Target is what -target, -replace and the state commands accept: a module
// instance, a resource (all its instances) or one resource instance.
type Target struct {
	Module ModuleInstance
	// Resource is nil for a whole module.
	Resource *Resource
	// Key is set only when HasKey: a single instance.
	Key    InstanceKey
	HasKey bool
}

func (t Target) String() string {
	if t.Resource == nil {
		return t.Module.String()
	}
	s := t.Resource.String()
	if t.HasKey {
		s += keyString(t.Key)
	}
	if t.Module.IsRoot() {
		return s
	}
	return t.Module.String() + "." + s
}

// Contains reports whether the instance is inside the target.
func (t Target) Contains(a AbsResourceInstance) bool {
	if t.Resource == nil {
		return t.Module.IsAncestorOf(a.Module)
	}
	if !t.Module.Equal(a.Module) || *t.Resource != a.Resource.Resource {
		return false
	}
	return !t.HasKey || keyString(t.Key) == keyString(a.Resource.Key)
}

// ContainsResource reports whether any instance of the resource may be in
// the target.
func (t Target) ContainsResource(r AbsResource) bool {
	if t.Resource == nil {
		return t.Module.IsAncestorOf(r.Module)
	}
	return t.Module.Equal(r.Module) && *t.Resource == r.Resource
}

// ParseTargetStr parses an address given on the command line.
func ParseTargetStr(s string) (Target, hcl.Diagnostics) {
	trav, diags := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.Pos{Line: 1, Column: 1, Byte: 0})
	if diags.HasErrors() {
		return Target{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid address",
			Detail:   fmt.Sprintf("%q is not a valid resource or module address.", s),
		}}
	}
	return ParseTarget(trav)
}

// ParseTarget parses a traversal such as module.a["x"].null_resource.b[0].
func ParseTarget(trav hcl.Traversal) (Target, hcl.Diagnostics) {
	var t Target
	bad := func(detail string) (Target, hcl.Diagnostics) {
		return Target{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid address",
			Detail:   detail,
			Subject:  trav.SourceRange().Ptr(),
		}}
	}
	names := traversalSteps(trav)
	i := 0
	for i < len(names) && names[i].name == "module" {
		if i+1 >= len(names) || names[i+1].name == "" {
			return bad("A module address needs a module name after \"module.\".")
		}
		step := ModuleInstanceStep{Name: names[i+1].name}
		next := i + 2
		if next < len(names) && names[next].key != nil {
			step.Key = names[next].key
			next++
		}
		t.Module = append(t.Module, step)
		i = next
	}
	if i == len(names) {
		if len(t.Module) == 0 {
			return bad("An address is required.")
		}
		return t, nil
	}
	mode := ManagedResourceMode
	if names[i].name == "data" {
		mode = DataResourceMode
		i++
	}
	if i+1 >= len(names) || names[i].name == "" || names[i+1].name == "" {
		return bad("A resource address is TYPE.NAME, optionally followed by an index.")
	}
	t.Resource = &Resource{Mode: mode, Type: names[i].name, Name: names[i+1].name}
	i += 2
	if i < len(names) && names[i].key != nil {
		t.Key, t.HasKey = names[i].key, true
		i++
	}
	if i != len(names) {
		return bad("Unexpected extra steps after the resource address.")
	}
	return t, nil
}

// ParseAbsResourceInstanceStr parses a single instance address; a resource
// address without a key names the instance with no key.
func ParseAbsResourceInstanceStr(s string) (AbsResourceInstance, hcl.Diagnostics) {
	t, diags := ParseTargetStr(s)
	if diags.HasErrors() {
		return AbsResourceInstance{}, diags
	}
	if t.Resource == nil {
		return AbsResourceInstance{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid address",
			Detail:   fmt.Sprintf("%q is a module, not a resource instance.", s),
		}}
	}
	return AbsResourceInstance{Module: t.Module, Resource: ResourceInstance{Resource: *t.Resource, Key: t.Key}}, nil
}

type travStep struct {
	name string
	key  InstanceKey
}

func traversalSteps(trav hcl.Traversal) []travStep {
	out := make([]travStep, 0, len(trav))
	for _, s := range trav {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			out = append(out, travStep{name: s.Name})
		case hcl.TraverseAttr:
			out = append(out, travStep{name: s.Name})
		case hcl.TraverseIndex:
			k, err := KeyFromValue(s.Key)
			if err != nil || k == nil {
				out = append(out, travStep{})
				continue
			}
			out = append(out, travStep{key: k})
		default:
			out = append(out, travStep{})
		}
	}
	return out
}

// KeyFromValue turns an index value into an instance key.
func KeyFromValue(v cty.Value) (InstanceKey, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, fmt.Errorf("instance key must be known and not null")
	}
	switch v.Type() {
	case cty.String:
		return StringKey(v.AsString()), nil
	case cty.Number:
		bf := v.AsBigFloat()
		i, acc := bf.Int64()
		if acc != 0 || i < 0 {
			return nil, fmt.Errorf("instance key must be a whole number")
		}
		return IntKey(int(i)), nil
	}
	return nil, fmt.Errorf("instance key must be a string or a number")
}
