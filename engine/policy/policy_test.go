package policy

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

const secgroup = `name = "web"
rule {
  direction        = "ingress"
  port_range_min   = 443
  port_range_max   = 443
  remote_ip_prefix = "0.0.0.0/0"
}
rule {
  direction        = "ingress"
  port_range_min   = 22
  port_range_max   = 22
  remote_ip_prefix = "0.0.0.0/0"
}
tags = {
  ente = "c_d612"
  classification = "critico"
}
dynamic "network" {
  for_each = var.nets
  content {
    uuid = network.value
  }
}
`

func TestRangeForPath(t *testing.T) {
	f, diags := hclsyntax.ParseConfig([]byte(secgroup), "main.tf", hcl.InitialPos)
	require.False(t, diags.HasErrors(), "%s", diags)
	rule := func(port int64) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"direction": cty.StringVal("ingress"), "port_range_min": cty.NumberIntVal(port), "port_range_max": cty.NumberIntVal(port),
			"remote_ip_prefix": cty.StringVal("0.0.0.0/0"), "id": cty.UnknownVal(cty.String),
		})
	}
	for name, tc := range map[string]struct {
		path cty.Path
		line int
		ok   bool
	}{
		"attribute":        {cty.GetAttrPath("name"), 1, true},
		"set element":      {cty.GetAttrPath("rule").Index(rule(22)).GetAttr("remote_ip_prefix"), 12, true},
		"other element":    {cty.GetAttrPath("rule").Index(rule(443)).GetAttr("port_range_min"), 4, true},
		"list index":       {cty.GetAttrPath("rule").Index(cty.NumberIntVal(1)).GetAttr("port_range_max"), 11, true},
		"whole block":      {cty.GetAttrPath("rule"), 2, true},
		"map key":          {cty.GetAttrPath("tags").Index(cty.StringVal("classification")), 16, true},
		"missing map key":  {cty.GetAttrPath("tags").Index(cty.StringVal("owner")), 14, true},
		"dynamic block":    {cty.GetAttrPath("network").Index(cty.NumberIntVal(0)).GetAttr("uuid"), 21, true},
		"unset attribute":  {cty.GetAttrPath("description"), 0, false},
		"empty path":       {nil, 0, false},
		"index first":      {cty.IndexPath(cty.NumberIntVal(0)), 0, false},
		"unknown set elem": {cty.GetAttrPath("rule").Index(cty.UnknownVal(rule(1).Type())), 2, true},
	} {
		t.Run(name, func(t *testing.T) {
			r, ok := RangeForPath(f.Body, tc.path)
			assert.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.line, r.Start.Line)
				assert.Equal(t, "main.tf", r.Filename)
			}
		})
	}
}

func TestInScope(t *testing.T) {
	tr := func(s string) hcl.Traversal {
		t.Helper()
		x, d := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.InitialPos)
		require.False(t, d.HasErrors())
		return x
	}
	scope := []hcl.Traversal{tr("module.prato"), tr(`openstack_x.y`)}
	assert.True(t, InScope(`module.prato["a"].openstack_x.z`, scope))
	assert.True(t, InScope(`module.prato.module.inner.openstack_x.z`, scope))
	assert.True(t, InScope(`openstack_x.y[0]`, scope))
	assert.True(t, InScope(`openstack_x.y`, scope))
	assert.False(t, InScope(`openstack_x.yy`, scope))
	assert.False(t, InScope(`module.pratolino.openstack_x.y`, scope))
	assert.False(t, InScope(`module.siena.openstack_x.y`, scope))
	assert.True(t, InScope(`anything.at_all`, nil))
}
