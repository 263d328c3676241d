package views

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// StateDecoder turns a stored object into its value; only the engine knows
// how, since decoding needs the resource type's schema.
type StateDecoder func(res *state.Resource, obj *state.Object) (cty.Value, error)

// RenderState writes the state as `nuvola show` shows it without a plan:
// every resource instance object as a resource block, then the outputs.
// Nothing is written when an object cannot be decoded.
func RenderState(w io.Writer, s *state.State, decode StateDecoder, schemas SchemaSource, opts Options) error {
	if s.Empty() {
		_, err := io.WriteString(w, "The state file is empty. No resources are represented.\n")
		return err
	}
	c := colorizer(opts.Color)
	o := ropts{c: c, showUnchanged: true, hideSymbols: true}

	type entry struct {
		comment string
		res     *state.Resource
		obj     *state.Object
	}
	var entries []entry
	s.AllInstances(func(addr addrs.AbsResourceInstance, r *state.Resource, inst *state.Instance) {
		a := replaceControlChars(addr.String())
		if inst.Current != nil {
			comment := "# " + a + ":"
			if inst.Current.Status == state.ObjectTainted {
				comment += " (tainted)"
			}
			entries = append(entries, entry{comment, r, inst.Current})
		}
		dks := make([]string, 0, len(inst.Deposed))
		for k := range inst.Deposed {
			dks = append(dks, k)
		}
		sort.Strings(dks)
		for _, k := range dks {
			entries = append(entries, entry{fmt.Sprintf("# %s: (deposed object %s)", a, replaceControlChars(k)), r, inst.Deposed[k]})
		}
	})

	var b strings.Builder
	for i, e := range entries {
		if e.obj == nil {
			continue
		}
		if decode == nil {
			return fmt.Errorf("cannot show %s: no decoder", e.res.Addr)
		}
		val, err := decode(e.res, e.obj)
		if err != nil {
			return fmt.Errorf("cannot show %s: %w", e.res.Addr, err)
		}
		val, sens := unmark(val, e.obj.SensitivePaths)
		rs := e.res.Addr.Resource
		block := blockFor(schemas, e.res.Provider, rs.Mode, rs.Type, val, val)
		ch := change{before: val, after: val, bSens: sensitivePaths(sens), aSens: sensitivePaths(sens)}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.comment + "\n")
		fmt.Fprintf(&b, "%s %s\n", resourceHeader(rs), diffForBlock(ch, block).render(0, o))
	}

	if len(s.Outputs) > 0 {
		b.WriteString("\n\nOutputs:\n\n")
		names := make([]string, 0, len(s.Outputs))
		for name := range s.Outputs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ov := s.Outputs[name]
			if ov == nil {
				continue
			}
			v, sens := unmark(ov.Value, nil)
			ch := change{before: v, after: v, bExplicit: true, aExplicit: true, bSens: sensitivePaths(sens), aSens: sensitivePaths(sens)}
			if ov.Sensitive {
				ch.bSens, ch.aSens = ch.bSens.force(), ch.aSens.force()
			}
			fmt.Fprintf(&b, "%s = %s\n", attrName(name), diffForType(ch, typeOf(v)).render(0, o))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
