package osfw

import "github.com/zclconf/go-cty/cty"

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
