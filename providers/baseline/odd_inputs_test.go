package baseline

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// checkSurvives runs a check and fails the test if a rule panicked or a
// finding is malformed.
func checkSurvives(t *testing.T, settings cty.Value, rs []plugins.PolicyResource) {
	t.Helper()
	var resp plugins.CheckPlanResponse
	require.NotPanics(t, func() {
		resp = New().(plugins.PolicyChecker).CheckPlan(context.Background(), plugins.CheckPlanRequest{Baseline: "odd", Settings: settings, Resources: rs})
	})
	addrs := map[string]bool{"": true}
	for _, r := range rs {
		addrs[r.Address] = true
	}
	for _, d := range resp.Diagnostics {
		assert.NotContains(t, d.Summary, "Baseline rule", "a rule panicked: %s", d.Detail)
	}
	for _, f := range resp.Findings {
		assert.NotNil(t, ruleByID(f.RuleID), f.RuleID)
		assert.Contains(t, []string{plugins.PolicySeverityError, plugins.PolicySeverityWarning}, f.Severity)
		assert.True(t, addrs[f.Address], "finding about %q, which is not in the plan", f.Address)
		assert.NotEmpty(t, f.Message)
	}
}

// TestOddInputs feeds values of every wrong shape to every rule.
func TestOddInputs(t *testing.T) {
	odd := map[string]cty.Value{
		"no value":         cty.NilVal,
		"null":             cty.NullVal(cty.DynamicPseudoType),
		"unknown":          cty.DynamicVal,
		"unknown object":   cty.UnknownVal(cty.Object(map[string]cty.Type{"tags": cty.Set(cty.String), "rule": cty.Set(cty.String)})),
		"null object":      cty.NullVal(cty.Object(map[string]cty.Type{"id": cty.String})),
		"a string":         cty.StringVal("x"),
		"a list":           cty.ListVal([]cty.Value{cty.StringVal("x")}),
		"marked":           obj(map[string]cty.Value{"password": cty.StringVal("x").Mark("sensitive"), "tags": strs("a").Mark("m")}).Mark("y"),
		"empty object":     cty.EmptyObjectVal,
		"refined unknown":  cty.UnknownVal(cty.String).RefineNotNull(),
		"everything wrong": wrongTypes(),
		"everything null":  nulls(),
		"everything unknown": func() cty.Value {
			m := nulls().AsValueMap()
			for k, v := range m {
				m[k] = cty.UnknownVal(v.Type())
			}
			return obj(m)
		}(),
	}
	types := append(append([]string{}, fuzzTypes...), "")
	for name, v := range odd {
		t.Run(name, func(t *testing.T) {
			var rs []plugins.PolicyResource
			for i, typ := range types {
				for _, act := range []string{plugins.PolicyActionCreate, plugins.PolicyActionDelete, plugins.PolicyActionDeleteCreate, "bogus", ""} {
					rs = append(rs, plugins.PolicyResource{
						Address: fmt.Sprintf("%s.r%d[%q]", typ, i, act), Mode: "managed", Type: typ, Action: act,
						Before: v, After: v, Config: v, ProviderConfig: v,
						Dependencies:    []string{"", "]", `x["`, typ + ".r0"},
						ConfigSensitive: []cty.Path{nil, cty.GetAttrPath("password"), cty.IndexPath(cty.DynamicVal)},
						AfterSensitive:  []cty.Path{cty.GetAttrPath("x").Index(cty.NilVal)},
					})
					rs = append(rs, plugins.PolicyResource{Address: fmt.Sprintf("data.%s.d%d", typ, i), Mode: "data", Type: typ, After: v, Action: act})
				}
			}
			for _, p := range profiles {
				checkSurvives(t, settingsFor(p, map[string]cty.Value{"target_cloud": obj(map[string]cty.Value{"qualification": cty.StringVal("QC1"), "regions": cty.TupleVal([]cty.Value{cty.StringVal("x")})})}), rs)
			}
		})
	}
}

// fuzzTypes are the resource types the rules look at.
var fuzzTypes = []string{
	"openstack_networking_secgroup_rule_v2", "openstack_networking_secgroup_v2", "openstack_networking_network_v2",
	"openstack_networking_port_v2", "openstack_compute_instance_v2", "openstack_blockstorage_volume_v3",
	"openstack_blockstorage_volume_type_v3", "openstack_blockstorage_backup_v3", "openstack_blockstorage_snapshot_v3",
	"openstack_objectstorage_container_v1", "openstack_identity_user_v3", "openstack_identity_application_credential_v3",
	"openstack_identity_role_assignment_v3", "openstack_identity_role_v3", "x_other",
}

// fuzzAttrs are the attributes the rules read.
var fuzzAttrs = []string{
	"direction", "ethertype", "protocol", "port_range_min", "port_range_max", "remote_ip_prefix", "remote_group_id",
	"remote_address_group_id", "rule", "description", "external", "id", "name", "network_id", "network", "uuid", "port",
	"volume_type", "block_device", "destination_type", "source_type", "volume_id", "versioning", "versioning_legacy",
	"container_read", "password", "admin_pass", "db_password", "expires_at", "user_id", "project_id", "role_id", "tags",
	"all_tags", "metadata", "all_metadata", "region", "default_tags",
}

// wrongTypes has every attribute the rules read, each of a type they do
// not expect.
func wrongTypes() cty.Value {
	m := map[string]cty.Value{}
	for i, name := range fuzzAttrs {
		switch i % 5 {
		case 0:
			m[name] = cty.NumberFloatVal(1.5)
		case 1:
			m[name] = cty.True
		case 2:
			m[name] = cty.ListVal([]cty.Value{cty.NumberIntVal(1)})
		case 3:
			m[name] = cty.MapVal(map[string]cty.Value{"k": cty.True})
		default:
			m[name] = cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberIntVal(2), cty.NullVal(cty.String)})
		}
	}
	return obj(m)
}

// nulls has every attribute the rules read, null.
func nulls() cty.Value {
	m := map[string]cty.Value{}
	for _, name := range fuzzAttrs {
		m[name] = cty.NullVal(cty.String)
	}
	m["rule"] = cty.NullVal(cty.Set(cty.Object(map[string]cty.Type{"direction": cty.String})))
	m["network"] = cty.NullVal(cty.List(cty.Object(map[string]cty.Type{"uuid": cty.String})))
	return obj(m)
}

// TestRandomInputs checks many plans made of random values.
func TestRandomInputs(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 50
	}
	for seed := range n {
		var b [16]byte
		binary.LittleEndian.PutUint64(b[:], uint64(seed))
		g := newGen(b[:])
		settings, rs := g.plan()
		checkSurvives(t, settings, rs)
	}
}

// FuzzCheckPlan builds a plan from the fuzzer's bytes.
func FuzzCheckPlan(f *testing.F) {
	for _, s := range []string{"", "seed", "\x00\x01\x02\x03", strings.Repeat("\xff", 32), "critico strategico"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		settings, rs := newGen(b).plan()
		checkSurvives(t, settings, rs)
	})
}

// gen makes random values from a seed.
type gen struct{ r *rand.Rand }

func newGen(b []byte) *gen {
	var seed [32]byte
	copy(seed[:], b)
	for i := 32; i < len(b); i++ {
		seed[i%32] ^= b[i]
	}
	return &gen{r: rand.New(rand.NewChaCha8(seed))}
}

var fuzzStrings = []string{
	"", " ", "0.0.0.0/0", "::/0", "10.20.0.0/16", "10.20.1.1", "300.1.1.1/8", "ingress", "egress", "tcp", "udp", "icmp", "any",
	"IPv6", "22", "admin", "Admin", "critico", "strategico", "classification=critico", "ente=c_a662", "classification",
	".r:*", ".r:*,.rlistings", "volume", "image", "blank", "local", "ext-id", "encrypted-luks", "it-fi-1", "PSN", "=", "k=v=w",
}

func (g *gen) pick(ss []string) string { return ss[g.r.IntN(len(ss))] }

func (g *gen) str() cty.Value { return cty.StringVal(g.pick(fuzzStrings)) }

// value is a random value, nested at most depth deep.
func (g *gen) value(depth int) cty.Value {
	k := g.r.IntN(14)
	if depth <= 0 && k >= 8 {
		k %= 8
	}
	switch k {
	case 0:
		return cty.NullVal(cty.String)
	case 1:
		return cty.UnknownVal(cty.String)
	case 2:
		return cty.DynamicVal
	case 3, 4:
		return g.str()
	case 5:
		return cty.NumberIntVal(int64(g.r.IntN(70000)) - 10)
	case 6:
		return cty.NumberFloatVal(g.r.Float64() * 1e12)
	case 7:
		return cty.BoolVal(g.r.IntN(2) == 0)
	case 8:
		return cty.TupleVal([]cty.Value{g.value(depth - 1), g.value(depth - 1)})
	case 9:
		return g.strings()
	case 10:
		return cty.MapVal(map[string]cty.Value{g.pick(fuzzStrings) + "k": g.str(), "classification": g.str(), "ente": g.str()})
	case 11:
		return g.object(depth - 1)
	case 12:
		// A list or set of objects of one shape.
		names := []string{g.pick(fuzzAttrs), g.pick(fuzzAttrs), "direction"}
		var elems []cty.Value
		for range 1 + g.r.IntN(3) {
			m := map[string]cty.Value{}
			for _, n := range names {
				m[n] = g.maybeUnknown(g.str())
			}
			elems = append(elems, obj(m))
		}
		if g.r.IntN(2) == 0 {
			return cty.SetVal(elems)
		}
		return cty.ListVal(elems)
	default:
		return g.value(depth - 1).Mark("sensitive")
	}
}

func (g *gen) maybeUnknown(v cty.Value) cty.Value {
	switch g.r.IntN(6) {
	case 0:
		return cty.UnknownVal(v.Type())
	case 1:
		return cty.NullVal(v.Type())
	}
	return v
}

func (g *gen) strings() cty.Value {
	var vs []cty.Value
	for range g.r.IntN(4) {
		vs = append(vs, g.maybeUnknown(g.str()))
	}
	if len(vs) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	if g.r.IntN(2) == 0 {
		return cty.ListVal(vs)
	}
	return cty.SetVal(vs)
}

func (g *gen) object(depth int) cty.Value {
	m := map[string]cty.Value{}
	for range g.r.IntN(8) {
		m[g.pick(fuzzAttrs)] = g.value(depth)
	}
	return obj(m)
}

func (g *gen) top() cty.Value {
	switch g.r.IntN(10) {
	case 0:
		return cty.NilVal
	case 1:
		return g.value(1)
	default:
		return g.object(3)
	}
}

func (g *gen) plan() (cty.Value, []plugins.PolicyResource) {
	changes := map[string]cty.Value{}
	if g.r.IntN(3) == 0 {
		changes["admin_cidrs"] = cty.TupleVal([]cty.Value{cty.StringVal(g.pick([]string{"0.0.0.0/0", "10.0.0.0/8", "::/0", "192.0.2.1"}))})
	}
	if g.r.IntN(3) == 0 {
		changes["target_cloud"] = obj(map[string]cty.Value{"qualification": cty.StringVal(g.pick([]string{"QC1", "QC2", "QC3", "QC4", "PSN"})), "regions": g.strings()})
	}
	settings := settingsFor(profiles[g.r.IntN(3)], changes)
	var rs []plugins.PolicyResource
	actions := []string{plugins.PolicyActionCreate, plugins.PolicyActionUpdate, plugins.PolicyActionDelete, plugins.PolicyActionDeleteCreate,
		plugins.PolicyActionCreateDelete, plugins.PolicyActionRead, plugins.PolicyActionNoOp, "x"}
	for i := range 1 + g.r.IntN(8) {
		typ := g.pick(fuzzTypes)
		mode := "managed"
		addr := fmt.Sprintf("%s.r%d", typ, i)
		if g.r.IntN(4) == 0 {
			mode, addr = "data", "data."+addr
		}
		r := plugins.PolicyResource{
			Address: addr, Mode: mode, Type: typ, Action: actions[g.r.IntN(len(actions))],
			Before: g.top(), After: g.top(), ProviderConfig: g.top(),
		}
		if g.r.IntN(2) == 0 {
			r.Config = g.top()
		}
		for range g.r.IntN(3) {
			r.Dependencies = append(r.Dependencies, fmt.Sprintf("%s.r%d", g.pick(fuzzTypes), g.r.IntN(8)))
		}
		if g.r.IntN(3) == 0 {
			r.ConfigSensitive = []cty.Path{cty.GetAttrPath(g.pick(fuzzAttrs))}
		}
		rs = append(rs, r)
	}
	return settings, rs
}
