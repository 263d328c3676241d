package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/baseline"
	"github.com/nuvola-pa/nuvola/providers/openstack"
	"github.com/nuvola-pa/nuvola/providers/openstack/openstacktest"
)

// expectedFinding is a "# ERROR: NV-..." or "# WARNING: NV-..." comment
// at the end of a fixture's line.
var expectedFinding = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*([A-Z0-9-]+(?:\s*,\s*[A-Z0-9-]+)*)\s*$`)

func findingsWanted(t *testing.T, src []byte) []string {
	t.Helper()
	var out []string
	for i, line := range strings.Split(string(src), "\n") {
		m := expectedFinding.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		sev := strings.ToLower(m[1])
		for _, id := range strings.Split(m[2], ",") {
			out = append(out, fmt.Sprintf("%d %s %s", i+1, sev, strings.TrimSpace(id)))
		}
	}
	sort.Strings(out)
	return out
}

// planFixture plans a configuration with the real openstack provider
// (configured against a fake Identity service: no cloud) and the baseline
// provider, both in process.
func planFixture(t *testing.T, dir string) (*plan.Plan, string) {
	t.Helper()
	for k, v := range openstacktest.Env(t) {
		t.Setenv(k, v)
	}
	cfg, diags := configs.NewParser().LoadConfig(dir)
	require.False(t, diags.HasErrors(), "%s", diags)
	prior := state.New()
	if data, err := os.ReadFile(filepath.Join(dir, "nuvola.tfstate")); err == nil {
		prior, err = state.Decode(data)
		require.NoError(t, err)
	}
	factories := engine.ProviderFactories{baseline.Source: func() (plugins.Provider, error) { return baseline.New(), nil }}
	for _, src := range openstack.Sources {
		factories[src] = func() (plugins.Provider, error) { return openstack.New(), nil }
	}
	p, diags := engine.Plan(context.Background(), engine.PlanOptions{Config: cfg, PriorState: prior, Providers: factories, SkipRefresh: true})
	require.NotNil(t, p)
	require.False(t, p.Errored, "the plan itself must work: %s", diags)
	return p, diags.Error()
}

// Every baseline rule has a fixture that violates it and one that
// satisfies it; each expected finding is written in the fixture, on the
// line the finding must point at. Planned without a cloud.
func TestBaselineFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "providers", "baseline", "testdata", "fixtures")
	dirs, err := os.ReadDir(root)
	require.NoError(t, err)
	rules := baseline.New().(plugins.PolicyChecker).GetPolicyRules(context.Background()).Rules
	covered := map[string]bool{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		for _, kind := range []string{"violate", "satisfy"} {
			t.Run(d.Name()+"/"+kind, func(t *testing.T) {
				src, err := os.ReadFile(filepath.Join(root, d.Name(), kind+".tf"))
				require.NoError(t, err, "every rule has a %s fixture", kind)
				dir := t.TempDir()
				require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644))
				if st, err := os.ReadFile(filepath.Join(root, d.Name(), "nuvola.tfstate")); err == nil {
					require.NoError(t, os.WriteFile(filepath.Join(dir, "nuvola.tfstate"), st, 0o644))
				}
				p, diags := planFixture(t, dir)
				var got []string
				for _, r := range p.PolicyResults {
					sev := r.Severity
					if r.Waiver != nil {
						sev = "waived"
					}
					assert.Equal(t, "main.tf", filepath.Base(r.Filename), "%s points into the fixture", r.RuleID)
					got = append(got, fmt.Sprintf("%d %s %s", r.Line, sev, r.RuleID))
				}
				sort.Strings(got)
				want := findingsWanted(t, src)
				if kind == "satisfy" {
					assert.Empty(t, want, "a satisfying fixture expects no finding")
				} else {
					assert.NotEmpty(t, want, "a violating fixture expects findings")
					for _, w := range want {
						assert.True(t, strings.HasSuffix(w, " "+d.Name()), "a violating fixture breaks only its own rule: %s", w)
						covered[d.Name()] = true
					}
				}
				assert.Equal(t, want, got, "findings (line severity rule)\n%s", diags)
			})
		}
	}
	for _, r := range rules {
		assert.True(t, covered[r.ID], "rule %s has no violating fixture that expects it", r.ID)
	}
}
