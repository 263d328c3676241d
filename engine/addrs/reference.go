package addrs

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Referenceable is anything an expression can refer to.
type Referenceable interface {
	referenceable()
	String() string
}

// InputVariable is var.NAME.
type InputVariable struct{ Name string }

// LocalValue is local.NAME.
type LocalValue struct{ Name string }

// ModuleCallOutput is module.CALL.OUTPUT, or module.CALL (Output empty) when
// the whole module object is referenced.
type ModuleCallOutput struct {
	Call   string
	Key    InstanceKey
	HasKey bool
	Output string
}

// CountAttr is count.index.
type CountAttr struct{ Name string }

// ForEachAttr is each.key or each.value.
type ForEachAttr struct{ Name string }

// PathAttr is path.module, path.root or path.cwd.
type PathAttr struct{ Name string }

// TerraformAttr is terraform.workspace.
type TerraformAttr struct{ Name string }

// Self is `self` inside a postcondition or ignore_changes.
type Self struct{}

func (InputVariable) referenceable()    {}
func (LocalValue) referenceable()       {}
func (ModuleCallOutput) referenceable() {}
func (CountAttr) referenceable()        {}
func (ForEachAttr) referenceable()      {}
func (PathAttr) referenceable()         {}
func (TerraformAttr) referenceable()    {}
func (Self) referenceable()             {}
func (Resource) referenceable()         {}
func (ResourceInstance) referenceable() {}

func (v InputVariable) String() string { return "var." + v.Name }
func (v LocalValue) String() string    { return "local." + v.Name }
func (v ModuleCallOutput) String() string {
	s := "module." + v.Call
	if v.HasKey {
		s += keyString(v.Key)
	}
	if v.Output != "" {
		s += "." + v.Output
	}
	return s
}
func (v CountAttr) String() string     { return "count." + v.Name }
func (v ForEachAttr) String() string   { return "each." + v.Name }
func (v PathAttr) String() string      { return "path." + v.Name }
func (v TerraformAttr) String() string { return "terraform." + v.Name }
func (Self) String() string            { return "self" }

// Reference is one reference found in an expression.
type Reference struct {
	Subject     Referenceable
	SourceRange hcl.Range
	// Remaining is the traversal after the subject (attributes, indexes).
	Remaining hcl.Traversal
}

func refErr(rng hcl.Range, summary, detail string) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}}
}

// ParseRef interprets a traversal as a reference.
func ParseRef(trav hcl.Traversal) (*Reference, hcl.Diagnostics) {
	if len(trav) == 0 {
		return nil, nil
	}
	root := trav.RootName()
	rng := trav.SourceRange()
	attrAt := func(i int) (string, hcl.Range, bool) {
		if i >= len(trav) {
			return "", rng, false
		}
		if a, ok := trav[i].(hcl.TraverseAttr); ok {
			return a.Name, a.SrcRange, true
		}
		return "", trav[i].SourceRange(), false
	}
	simple := func(mk func(string) Referenceable, what string) (*Reference, hcl.Diagnostics) {
		name, _, ok := attrAt(1)
		if !ok {
			return nil, refErr(rng, "Invalid reference", fmt.Sprintf("The %q object cannot be accessed directly. Instead, access one of its attributes.", what))
		}
		return &Reference{Subject: mk(name), SourceRange: hcl.RangeBetween(trav[0].SourceRange(), trav[1].SourceRange()), Remaining: trav[2:]}, nil
	}
	switch root {
	case "var":
		return simple(func(n string) Referenceable { return InputVariable{Name: n} }, "var")
	case "local":
		return simple(func(n string) Referenceable { return LocalValue{Name: n} }, "local")
	case "count":
		name, r, ok := attrAt(1)
		if !ok || name != "index" {
			return nil, refErr(r, "Invalid \"count\" attribute", "The \"count\" object has only the attribute \"index\".")
		}
		return &Reference{Subject: CountAttr{Name: name}, SourceRange: rng, Remaining: trav[2:]}, nil
	case "each":
		name, r, ok := attrAt(1)
		if !ok || (name != "key" && name != "value") {
			return nil, refErr(r, "Invalid \"each\" attribute", "The \"each\" object has the attributes \"key\" and \"value\".")
		}
		return &Reference{Subject: ForEachAttr{Name: name}, SourceRange: hcl.RangeBetween(trav[0].SourceRange(), trav[1].SourceRange()), Remaining: trav[2:]}, nil
	case "path":
		name, r, ok := attrAt(1)
		if !ok || (name != "module" && name != "root" && name != "cwd") {
			return nil, refErr(r, "Invalid \"path\" attribute", "The \"path\" object has the attributes \"module\", \"root\" and \"cwd\".")
		}
		return &Reference{Subject: PathAttr{Name: name}, SourceRange: rng, Remaining: trav[2:]}, nil
	case "terraform", "tofu":
		name, r, ok := attrAt(1)
		if !ok || name != "workspace" {
			return nil, refErr(r, "Invalid \"terraform\" attribute", "The \"terraform\" object has only the attribute \"workspace\".")
		}
		return &Reference{Subject: TerraformAttr{Name: name}, SourceRange: rng, Remaining: trav[2:]}, nil
	case "self":
		return &Reference{Subject: Self{}, SourceRange: trav[0].SourceRange(), Remaining: trav[1:]}, nil
	case "module":
		call, _, ok := attrAt(1)
		if !ok {
			return nil, refErr(rng, "Invalid module reference", "A module reference is module.NAME.OUTPUT.")
		}
		ref := ModuleCallOutput{Call: call}
		i := 2
		if i < len(trav) {
			if idx, isIdx := trav[i].(hcl.TraverseIndex); isIdx {
				k, err := KeyFromValue(idx.Key)
				if err == nil {
					ref.Key, ref.HasKey = k, true
					i++
				} else {
					// An unknown or dynamic key: the reference is to the
					// whole call.
					return &Reference{Subject: ref, SourceRange: hcl.RangeBetween(trav[0].SourceRange(), trav[1].SourceRange()), Remaining: trav[2:]}, nil
				}
			}
		}
		if out, r, ok := attrAt(i); ok {
			ref.Output = out
			return &Reference{Subject: ref, SourceRange: hcl.RangeBetween(trav[0].SourceRange(), r), Remaining: trav[i+1:]}, nil
		}
		return &Reference{Subject: ref, SourceRange: hcl.RangeBetween(trav[0].SourceRange(), trav[i-1].SourceRange()), Remaining: trav[i:]}, nil
	case "data":
		typ, _, ok1 := attrAt(1)
		name, _, ok2 := attrAt(2)
		if !ok1 || !ok2 {
			return nil, refErr(rng, "Invalid data source reference", "A data source reference is data.TYPE.NAME.")
		}
		return resourceRef(Resource{Mode: DataResourceMode, Type: typ, Name: name}, trav, 3)
	case "resource":
		// OpenTofu's explicit form for types that collide with a keyword.
		typ, _, ok1 := attrAt(1)
		name, _, ok2 := attrAt(2)
		if !ok1 || !ok2 {
			return nil, refErr(rng, "Invalid resource reference", "A resource reference is resource.TYPE.NAME.")
		}
		return resourceRef(Resource{Mode: ManagedResourceMode, Type: typ, Name: name}, trav, 3)
	default:
		name, _, ok := attrAt(1)
		if !ok {
			return nil, refErr(rng, "Invalid reference", fmt.Sprintf("A reference to a resource type must be followed by at least one attribute access, specifying the resource name. %q is not known.", root))
		}
		return resourceRef(Resource{Mode: ManagedResourceMode, Type: root, Name: name}, trav, 2)
	}
}

func resourceRef(r Resource, trav hcl.Traversal, next int) (*Reference, hcl.Diagnostics) {
	rng := hcl.RangeBetween(trav[0].SourceRange(), trav[next-1].SourceRange())
	if next < len(trav) {
		if idx, ok := trav[next].(hcl.TraverseIndex); ok {
			if k, err := KeyFromValue(idx.Key); err == nil {
				return &Reference{
					Subject:     ResourceInstance{Resource: r, Key: k},
					SourceRange: hcl.RangeBetween(rng, idx.SrcRange),
					Remaining:   trav[next+1:],
				}, nil
			}
		}
	}
	return &Reference{Subject: r, SourceRange: rng, Remaining: trav[next:]}, nil
}

// References parses every traversal, collecting diagnostics.
func References(travs []hcl.Traversal) ([]*Reference, hcl.Diagnostics) {
	var refs []*Reference
	var diags hcl.Diagnostics
	for _, t := range travs {
		r, d := ParseRef(t)
		diags = append(diags, d...)
		if r != nil {
			refs = append(refs, r)
		}
	}
	return refs, diags
}
