package state

import (
	"encoding/json"
	"sort"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/zclconf/go-cty/cty"
)

// State is the last known result of applying a configuration: every managed
// resource instance's object, the root module outputs, and the identity
// (lineage) and version (serial) of this history.
type State struct {
	// Serial grows by one with every persisted change.
	Serial uint64
	// Lineage identifies a state's history; a plan or journal made against
	// another lineage is refused.
	Lineage string
	// NuvolaVersion is the version that last wrote the state.
	NuvolaVersion string
	Outputs       map[string]*OutputValue
	// Resources keyed by AbsResource.String().
	Resources map[string]*Resource
	// PendingCreates are the instances (AbsResourceInstance.String()) whose
	// create request was sent without its outcome being recorded: the run
	// crashed, or the answer was lost. The cloud may hold an object for
	// each that state has not seen; the next plan looks for it by its
	// ownership mark and adopts it. Keyed by address, the value is the
	// provider configuration address.
	PendingCreates map[string]string
}

// AddPendingCreate records that a create request for addr may have
// reached the cloud.
func (s *State) AddPendingCreate(addr, provider string) {
	if s.PendingCreates == nil {
		s.PendingCreates = map[string]string{}
	}
	s.PendingCreates[addr] = provider
}

// OutputValue is a root module output.
type OutputValue struct {
	Value     cty.Value
	Sensitive bool
}

// EachMode says how a resource's instances are keyed.
type EachMode string

const (
	// NoEach is a single instance without a key.
	NoEach EachMode = ""
	// EachList is count: integer keys.
	EachList EachMode = "count"
	// EachMap is for_each: string keys.
	EachMap EachMode = "for_each"
)

// Resource is one resource block's instances in one module instance.
type Resource struct {
	Addr addrs.AbsResource
	// Provider is the provider configuration address, e.g.
	// provider["registry.opentofu.org/hashicorp/null"] or with ".alias".
	Provider  string
	EachMode  EachMode
	Instances map[addrs.InstanceKey]*Instance
}

// Instance is one instance: its current object and any deposed objects left
// by an interrupted create_before_destroy replacement.
type Instance struct {
	Current *Object
	Deposed map[string]*Object
}

// ObjectStatus tells a ready object from a tainted one (created, but a
// later step failed, so the next plan replaces it).
type ObjectStatus string

const (
	// ObjectReady is a fully created object.
	ObjectReady ObjectStatus = ""
	// ObjectTainted is an object to be replaced.
	ObjectTainted ObjectStatus = "tainted"
)

// Object is one remote object as last seen.
type Object struct {
	SchemaVersion int64
	// AttrsJSON is the object's value as JSON of the schema's implied type;
	// decoding needs the schema, so the engine owns it.
	AttrsJSON json.RawMessage
	// SensitivePaths are the attribute paths whose values are sensitive.
	SensitivePaths []cty.Path
	Private        []byte
	Status         ObjectStatus
	// Dependencies are the resources this object's configuration referred
	// to directly (never the transitive closure), used to order deletions.
	Dependencies        []addrs.AbsResource
	CreateBeforeDestroy bool
}

// New returns an empty state with a fresh lineage.
func New() *State {
	return &State{Lineage: NewLineage(), Outputs: map[string]*OutputValue{}, Resources: map[string]*Resource{}}
}

// Empty reports whether the state holds no resources and no outputs.
func (s *State) Empty() bool {
	return s == nil || (len(s.Resources) == 0 && len(s.Outputs) == 0 && len(s.PendingCreates) == 0)
}

// Resource returns the resource at addr, or nil.
func (s *State) Resource(addr addrs.AbsResource) *Resource {
	return s.Resources[addr.String()]
}

// Instance returns the instance at addr, or nil.
func (s *State) Instance(addr addrs.AbsResourceInstance) *Instance {
	r := s.Resources[addr.ContainingResource().String()]
	if r == nil {
		return nil
	}
	return r.Instances[addr.Resource.Key]
}

// EnsureResource returns the resource at addr, creating it if needed.
func (s *State) EnsureResource(addr addrs.AbsResource, provider string) *Resource {
	k := addr.String()
	r := s.Resources[k]
	if r == nil {
		r = &Resource{Addr: addr, Provider: provider, Instances: map[addrs.InstanceKey]*Instance{}}
		s.Resources[k] = r
	}
	if provider != "" {
		r.Provider = provider
	}
	return r
}

// SetCurrent stores (or, with a nil obj, removes) an instance's current
// object; a resource left without instances is removed.
func (s *State) SetCurrent(addr addrs.AbsResourceInstance, obj *Object, provider string) {
	if obj == nil {
		r := s.Resources[addr.ContainingResource().String()]
		if r == nil {
			return
		}
		if inst := r.Instances[addr.Resource.Key]; inst != nil {
			inst.Current = nil
			if len(inst.Deposed) == 0 {
				delete(r.Instances, addr.Resource.Key)
			}
		}
		if len(r.Instances) == 0 {
			delete(s.Resources, addr.ContainingResource().String())
		}
		return
	}
	r := s.EnsureResource(addr.ContainingResource(), provider)
	switch addr.Resource.Key.(type) {
	case addrs.IntKey:
		r.EachMode = EachList
	case addrs.StringKey:
		r.EachMode = EachMap
	default:
		r.EachMode = NoEach
	}
	inst := r.Instances[addr.Resource.Key]
	if inst == nil {
		inst = &Instance{}
		r.Instances[addr.Resource.Key] = inst
	}
	inst.Current = obj
}

// SetDeposed stores (or, with a nil obj, removes) a deposed object.
func (s *State) SetDeposed(addr addrs.AbsResourceInstance, key string, obj *Object, provider string) {
	r := s.Resources[addr.ContainingResource().String()]
	if obj == nil {
		if r == nil {
			return
		}
		inst := r.Instances[addr.Resource.Key]
		if inst == nil {
			return
		}
		delete(inst.Deposed, key)
		if inst.Current == nil && len(inst.Deposed) == 0 {
			delete(r.Instances, addr.Resource.Key)
		}
		if len(r.Instances) == 0 {
			delete(s.Resources, addr.ContainingResource().String())
		}
		return
	}
	r = s.EnsureResource(addr.ContainingResource(), provider)
	inst := r.Instances[addr.Resource.Key]
	if inst == nil {
		inst = &Instance{}
		r.Instances[addr.Resource.Key] = inst
	}
	if inst.Deposed == nil {
		inst.Deposed = map[string]*Object{}
	}
	inst.Deposed[key] = obj
}

// SortedResources returns the resources in address order.
func (s *State) SortedResources() []*Resource {
	out := make([]*Resource, 0, len(s.Resources))
	for _, r := range s.Resources {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		return InstanceLess(out[i].Addr.Instance(addrs.NoKey), out[j].Addr.Instance(addrs.NoKey))
	})
	return out
}

// InstanceLess orders addresses exactly as AbsResourceInstance.Less does.
// Less compares instance keys by their printed form, which quotes string
// keys into new strings at every comparison; sorting 10,000 for_each
// instances that way spends most of its time allocating.
func InstanceLess(a, b addrs.AbsResourceInstance) bool {
	if !moduleEqual(a.Module, b.Module) {
		return moduleLess(a.Module, b.Module)
	}
	ra, rb := a.Resource.Resource, b.Resource.Resource
	if ra.Mode != rb.Mode {
		return ra.Mode > rb.Mode
	}
	if ra.Type != rb.Type {
		return ra.Type < rb.Type
	}
	if ra.Name != rb.Name {
		return ra.Name < rb.Name
	}
	return addrs.KeyLess(a.Resource.Key, b.Resource.Key)
}

// InstanceEqual is AbsResourceInstance.Equal without allocating.
func InstanceEqual(a, b addrs.AbsResourceInstance) bool {
	return moduleEqual(a.Module, b.Module) && a.Resource.Resource == b.Resource.Resource && a.Resource.Key == b.Resource.Key
}

// moduleEqual is ModuleInstance.Equal without allocating. Instance keys
// print alike exactly when they are equal (an int key prints bare, a string
// key quoted), so comparing the keys themselves is the same as comparing
// their printed forms.
func moduleEqual(m, o addrs.ModuleInstance) bool {
	if len(m) != len(o) {
		return false
	}
	for i := range m {
		if m[i].Name != o[i].Name || m[i].Key != o[i].Key {
			return false
		}
	}
	return true
}

func moduleLess(m, o addrs.ModuleInstance) bool {
	for i := 0; i < len(m) && i < len(o); i++ {
		if m[i].Name != o[i].Name {
			return m[i].Name < o[i].Name
		}
		if m[i].Key != o[i].Key {
			return addrs.KeyLess(m[i].Key, o[i].Key)
		}
	}
	return len(m) < len(o)
}

// SortedKeys returns a resource's instance keys in order.
func (r *Resource) SortedKeys() []addrs.InstanceKey {
	out := make([]addrs.InstanceKey, 0, len(r.Instances))
	for k := range r.Instances {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return addrs.KeyLess(out[i], out[j]) })
	return out
}

// AllInstances calls fn for every instance in address order.
func (s *State) AllInstances(fn func(addr addrs.AbsResourceInstance, r *Resource, inst *Instance)) {
	for _, r := range s.SortedResources() {
		for _, k := range r.SortedKeys() {
			fn(r.Addr.Instance(k), r, r.Instances[k])
		}
	}
}

// InstanceCount counts instances with a current object.
func (s *State) InstanceCount() int {
	n := 0
	for _, r := range s.Resources {
		for _, i := range r.Instances {
			if i.Current != nil {
				n++
			}
		}
	}
	return n
}

// DeepCopy copies the state; objects are immutable once stored, so they
// are shared.
func (s *State) DeepCopy() *State {
	if s == nil {
		return nil
	}
	ret := &State{Serial: s.Serial, Lineage: s.Lineage, NuvolaVersion: s.NuvolaVersion,
		Outputs: make(map[string]*OutputValue, len(s.Outputs)), Resources: make(map[string]*Resource, len(s.Resources))}
	for k, o := range s.Outputs {
		c := *o
		ret.Outputs[k] = &c
	}
	for k, r := range s.Resources {
		nr := &Resource{Addr: r.Addr, Provider: r.Provider, EachMode: r.EachMode, Instances: make(map[addrs.InstanceKey]*Instance, len(r.Instances))}
		for ik, inst := range r.Instances {
			ni := &Instance{Current: inst.Current}
			if len(inst.Deposed) > 0 {
				ni.Deposed = make(map[string]*Object, len(inst.Deposed))
				for dk, d := range inst.Deposed {
					ni.Deposed[dk] = d
				}
			}
			nr.Instances[ik] = ni
		}
		ret.Resources[k] = nr
	}
	for k, v := range s.PendingCreates {
		ret.AddPendingCreate(k, v)
	}
	return ret
}
