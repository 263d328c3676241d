package osfw

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// ConfigValue is an attribute's value in the configuration while an object
// is created or updated: for arguments whose state holds a digest of what
// was configured (a server's user_data), the API needs the value itself.
// cty.NilVal outside an apply or for a name the schema lacks.
func (d *Data) ConfigValue(name string) cty.Value {
	if d.config == cty.NilVal || d.config.IsNull() || !d.config.IsKnown() || !d.config.Type().IsObjectType() || !d.config.Type().HasAttribute(name) {
		return cty.NilVal
	}
	v, _ := d.config.GetAttr(name).UnmarkDeep()
	return v
}

// KeepEmptyBlocks plans the prior value of each named nested block that is
// absent both in the plan and in the state: an absent block is an empty
// collection in a configuration but may be null in a state (an imported
// object, an older state), which is no change.
func KeepEmptyBlocks(p *PlanData, names ...string) {
	if p.Prior == nil {
		return
	}
	for _, name := range names {
		pl, pr := p.Planned.Get(name), p.Prior.Get(name)
		if pl == cty.NilVal || pr == cty.NilVal {
			continue
		}
		if emptyCollection(pl) && emptyCollection(pr) {
			p.Planned.attrs[name] = pr
			keep := p.RequiresReplace[:0]
			for _, path := range p.RequiresReplace {
				if !path.Equals(cty.GetAttrPath(name)) {
					keep = append(keep, path)
				}
			}
			p.RequiresReplace = keep
		}
	}
}

func emptyCollection(v cty.Value) bool {
	if v.IsNull() {
		return true
	}
	if !v.IsKnown() {
		return false
	}
	ty := v.Type()
	return (ty.IsListType() || ty.IsSetType() || ty.IsMapType()) && v.LengthInt() == 0
}

// readAsIs reads an object after a failed update: what the cloud has, not
// what was planned (which the failure may not have reached); the prior
// state where the read fails.
func readAsIs(ctx context.Context, c *Client, r *Resource, d *Data, prior cty.Value) {
	pd := NewData(r.Block, prior)
	if err := r.Read(ctx, c, d); err != nil || d.Gone() {
		d.gone = false
		d.attrs = pd.attrs
		return
	}
	splitTags(r, d, pd, c.DefaultTags)
	keepNullForEmpty(r.Block, d, pd)
	if v := pd.Get("timeouts"); v != cty.NilVal {
		d.attrs["timeouts"] = v
	}
	fillUnknown(d)
}

// DefaultsOnUpdate plans an attribute's schema default whenever the
// configuration leaves it out, in an update too: the engine proposes the
// prior value for such an (optional and computed) attribute, so removing
// an argument from the configuration would otherwise change nothing.
func DefaultsOnUpdate(p *PlanData) {
	if p.Prior == nil || p.Planned.block == nil {
		return
	}
	for name, a := range p.Planned.block.Attributes {
		if a.Default == cty.NilVal {
			continue
		}
		if cv := p.Config.Get(name); cv != cty.NilVal && cv.IsNull() {
			p.Planned.attrs[name] = a.Default
		}
	}
}
