package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/baseline"
	"github.com/nuvola-pa/nuvola/providers/openstack"
)

// TestBaselineProviderFixtures checks the baseline provider's fixtures
// (providers/baseline/testdata/fixtures/<RULE>/{violate,satisfy}.tf): each
// configuration is planned by the openstack provider, unconfigured, from
// its HCL and a prior state (nuvola.tfstate, when the fixture has one), the
// planned resources go to the baseline's CheckPlan as PolicyResources, and
// every finding's path is turned into the line it points at, which must be
// a line marked "# ERROR: RULE" or "# WARNING: RULE", and each marked line
// must get its finding. It plans the way the engine does, in small: no
// modules, count or data sources.
func TestBaselineProviderFixtures(t *testing.T) {
	dirs, err := filepath.Glob("../../providers/baseline/testdata/fixtures/NV-*")
	require.NoError(t, err)
	rules := baseline.New().(plugins.PolicyChecker).GetPolicyRules(context.Background()).Rules
	require.Len(t, dirs, len(rules), "one fixture directory per rule")
	for _, r := range rules {
		for _, kind := range []string{"violate", "satisfy"} {
			t.Run(r.ID+"/"+kind, func(t *testing.T) {
				dir := filepath.Join("../../providers/baseline/testdata/fixtures", r.ID)
				src, err := os.ReadFile(filepath.Join(dir, kind+".tf"))
				require.NoError(t, err)
				want := fixtureMarks(string(src))
				if kind == "violate" {
					require.NotEmpty(t, want, "a violating fixture marks its findings")
					for _, marks := range want {
						for _, m := range marks {
							assert.True(t, strings.HasSuffix(m, " "+r.ID), "%s marks only %s", kind, r.ID)
						}
					}
				} else {
					require.Empty(t, want)
				}
				got := planFixture(t, dir, kind+".tf", src)
				assert.Equal(t, want, got)
			})
		}
	}
}

var fixtureMark = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*(NV-[A-Z]+-\d+)\s*$`)

// fixtureMarks are the findings a fixture expects, by line.
func fixtureMarks(src string) map[int][]string {
	out := map[int][]string{}
	for i, line := range strings.Split(src, "\n") {
		if m := fixtureMark.FindStringSubmatch(line); m != nil {
			out[i+1] = append(out[i+1], m[1]+" "+m[2])
		}
	}
	return out
}

type fixtureResource struct {
	typ, name string
	block     *hclsyntax.Block
	provider  string // alias, "" for the default configuration
	planned   bool
	after     cty.Value
}

func (r *fixtureResource) addr() string { return r.typ + "." + r.name }

// planFixture plans a fixture and returns the baseline's findings by line.
func planFixture(t *testing.T, dir, name string, src []byte) map[int][]string {
	ctx := context.Background()
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	require.False(t, diags.HasErrors(), diags.Error())
	osp := openstack.New()
	schemas := osp.GetSchema(ctx, plugins.GetSchemaRequest{})
	require.False(t, schemas.Diagnostics.HasErrors())

	vars := map[string]cty.Value{}
	providers := map[string]cty.Value{}
	var baselineBlock *hclsyntax.Block
	var resources []*fixtureResource
	byAddr := map[string]*fixtureResource{}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		switch b.Type {
		case "variable":
			attrs := b.Body.Attributes
			v, d := attrs["default"].Expr.Value(nil)
			require.False(t, d.HasErrors(), d.Error())
			if s, ok := attrs["sensitive"]; ok {
				if sv, _ := s.Expr.Value(nil); sv.True() {
					v = v.Mark("sensitive")
				}
			}
			vars[b.Labels[0]] = v
		case "provider":
			require.Equal(t, "openstack", b.Labels[0])
			alias := ""
			if a, ok := b.Body.Attributes["alias"]; ok {
				v, _ := a.Expr.Value(nil)
				alias = v.AsString()
			}
			v, _, d := hcldec.PartialDecode(b.Body, schemas.Provider.Block.DecoderSpec(), nil)
			require.False(t, d.HasErrors(), d.Error())
			// Sensitive values never reach a policy provider.
			m := v.AsValueMap()
			for n, a := range schemas.Provider.Block.Attributes {
				if a.Sensitive {
					m[n] = cty.NullVal(a.Type)
				}
			}
			providers[alias] = cty.ObjectVal(m)
		case "baseline":
			baselineBlock = b
		case "resource":
			r := &fixtureResource{typ: b.Labels[0], name: b.Labels[1], block: b}
			if a, ok := b.Body.Attributes["provider"]; ok {
				tr, d := hcl.AbsTraversalForExpr(a.Expr)
				require.False(t, d.HasErrors(), d.Error())
				r.provider = tr[1].(hcl.TraverseAttr).Name
			}
			resources = append(resources, r)
			byAddr[r.addr()] = r
		default:
			t.Fatalf("fixtures use no %s blocks", b.Type)
		}
	}
	require.NotNil(t, baselineBlock, "a baseline block")

	// The prior state, when the fixture has one.
	prior := map[string]cty.Value{}
	if data, err := os.ReadFile(filepath.Join(dir, "nuvola.tfstate")); err == nil {
		st, err := state.Decode(data)
		require.NoError(t, err)
		for _, sr := range st.Resources {
			inst := sr.Instances[nil]
			require.NotNil(t, inst, "fixture states hold single instances")
			rs := schemas.ResourceTypes[sr.Addr.Resource.Type]
			v, err := ctyjson.Unmarshal(inst.Current.AttrsJSON, rs.Block.ImpliedType())
			require.NoError(t, err)
			prior[sr.Addr.Resource.String()] = v
		}
	}

	evalCtx := func() *hcl.EvalContext {
		vals := map[string]cty.Value{"var": cty.ObjectVal(vars)}
		byType := map[string]map[string]cty.Value{}
		for _, r := range resources {
			if r.planned {
				if byType[r.typ] == nil {
					byType[r.typ] = map[string]cty.Value{}
				}
				byType[r.typ][r.name] = r.after
			}
		}
		for typ, m := range byType {
			vals[typ] = cty.ObjectVal(m)
		}
		return &hcl.EvalContext{Variables: vals}
	}

	var policy []plugins.PolicyResource
	for left := len(resources); left > 0; {
		progress := false
		for _, r := range resources {
			if r.planned {
				continue
			}
			rs := schemas.ResourceTypes[r.typ]
			require.NotNil(t, rs.Block, "resource type %s", r.typ)
			spec := rs.Block.DecoderSpec()
			var deps []string
			ready := true
			for _, tr := range hcldec.Variables(r.block.Body, spec) {
				root := tr.RootName()
				if root == "var" {
					continue
				}
				dep := byAddr[root+"."+tr[1].(hcl.TraverseAttr).Name]
				require.NotNil(t, dep, "reference to %s", root)
				if !dep.planned {
					ready = false
				}
				deps = append(deps, dep.addr())
			}
			if !ready {
				continue
			}
			cfg, _, d := hcldec.PartialDecode(r.block.Body, spec, evalCtx())
			require.False(t, d.HasErrors(), "%s: %s", r.addr(), d.Error())
			cfg, pvm := cfg.UnmarkDeepWithPaths()
			var configSensitive []cty.Path
			for _, pm := range pvm {
				configSensitive = append(configSensitive, pm.Path)
			}
			v := osp.ValidateResourceConfig(ctx, plugins.ValidateResourceConfigRequest{TypeName: r.typ, Config: cfg})
			require.False(t, v.Diagnostics.HasErrors(), "%s: %v", r.addr(), v.Diagnostics.Err())

			before, existed := prior[r.addr()]
			if !existed {
				before = cty.NullVal(rs.Block.ImpliedType())
			}
			delete(prior, r.addr())
			plan := osp.PlanResourceChange(ctx, plugins.PlanResourceChangeRequest{
				TypeName: r.typ, PriorState: before, ProposedNewState: fixtureProposed(rs.Block, before, cfg), Config: cfg,
			})
			require.False(t, plan.Diagnostics.HasErrors(), "%s: %v", r.addr(), plan.Diagnostics.Err())
			action := plugins.PolicyActionCreate
			switch {
			case !existed:
			case len(plan.RequiresReplace) > 0:
				action = plugins.PolicyActionDeleteCreate
			case plan.PlannedState.RawEquals(before):
				action = plugins.PolicyActionNoOp
			default:
				action = plugins.PolicyActionUpdate
			}
			r.after, r.planned, progress = plan.PlannedState, true, true
			left--
			sort.Strings(deps)
			policy = append(policy, plugins.PolicyResource{
				Address: r.addr(), Mode: "managed", Type: r.typ, ProviderName: "openstack", Action: action,
				Before: before, After: plan.PlannedState, Config: cfg,
				AfterSensitive:  rs.Block.SensitivePaths(plan.PlannedState, nil),
				ConfigSensitive: configSensitive,
				ProviderConfig:  providers[r.provider],
				Dependencies:    compactStrings(deps),
			})
		}
		require.True(t, progress, "resources refer to each other in a cycle")
	}
	// What the state holds and the configuration no longer does is deleted.
	for addr, before := range prior {
		typ, _, _ := strings.Cut(addr, ".")
		policy = append(policy, plugins.PolicyResource{
			Address: addr, Mode: "managed", Type: typ, ProviderName: "openstack", Action: plugins.PolicyActionDelete,
			Before: before, After: cty.NullVal(before.Type()), Config: cty.NullVal(before.Type()), ProviderConfig: providers[""],
		})
	}

	attrs, d := baselineBlock.Body.JustAttributes()
	require.False(t, d.HasErrors(), d.Error())
	settings := map[string]cty.Value{}
	for n, a := range attrs {
		v, d := a.Expr.Value(nil)
		require.False(t, d.HasErrors(), d.Error())
		settings[n] = v
	}
	resp := baseline.New().(plugins.PolicyChecker).CheckPlan(ctx, plugins.CheckPlanRequest{
		Baseline: baselineBlock.Labels[0], Settings: cty.ObjectVal(settings), Resources: policy,
	})
	require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())

	got := map[int][]string{}
	for _, fd := range resp.Findings {
		block := baselineBlock
		if fd.Address != "" {
			r := byAddr[fd.Address]
			require.NotNil(t, r, "finding about %s, which has no block: %s", fd.Address, fd.Message)
			block = r.block
		}
		line := fixtureLine(t, block, fd.Path, evalCtx())
		t.Logf("line %d: %s %s %s: %s", line, fd.Severity, fd.RuleID, fd.Address, fd.Message)
		got[line] = append(got[line], strings.ToUpper(fd.Severity)+" "+fd.RuleID)
	}
	for _, v := range got {
		sort.Strings(v)
	}
	return got
}

// fixtureProposed merges configuration into the prior object: computed
// attributes the configuration leaves unset keep their prior value.
func fixtureProposed(b *plugins.Block, prior, config cty.Value) cty.Value {
	if prior.IsNull() {
		return config
	}
	m := config.AsValueMap()
	for name, a := range b.Attributes {
		if a.Computed && m[name].IsNull() {
			m[name] = prior.GetAttr(name)
		}
	}
	return cty.ObjectVal(m)
}

func compactStrings(ss []string) []string {
	var out []string
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// fixtureLine is the line a finding's path points at in block: the
// attribute's line, a nested block's header (a set element found by its
// configured values), or the block's header for the whole block.
func fixtureLine(t *testing.T, block *hclsyntax.Block, path cty.Path, ctx *hcl.EvalContext) int {
	t.Helper()
	if len(path) == 0 {
		return block.TypeRange.Start.Line
	}
	name := path[0].(cty.GetAttrStep).Name
	if a, ok := block.Body.Attributes[name]; ok {
		return a.SrcRange.Start.Line
	}
	var nested []*hclsyntax.Block
	for _, b := range block.Body.Blocks {
		if b.Type == name {
			nested = append(nested, b)
		}
	}
	require.NotEmpty(t, nested, "no attribute or block %s for path %#v", name, path)
	if len(path) == 1 {
		return nested[0].TypeRange.Start.Line
	}
	key := path[1].(cty.IndexStep).Key
	if key.Type() == cty.Number {
		i, _ := key.AsBigFloat().Int64()
		return fixtureLine(t, nested[i], path[2:], ctx)
	}
	// A set element: the block whose configured arguments it has.
	for _, b := range nested {
		attrs, _ := b.Body.JustAttributes()
		match := true
		for n, a := range attrs {
			v, _ := a.Expr.Value(ctx)
			if !key.Type().HasAttribute(n) || !key.GetAttr(n).RawEquals(v) && !key.GetAttr(n).Equals(v).True() {
				match = false
			}
		}
		if match {
			return fixtureLine(t, b, path[2:], ctx)
		}
	}
	t.Fatalf("no %s block is the set element %#v", name, key)
	return 0
}
