package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
)

// independentConfig writes the bench kit's "independent" shape: n separate
// terraform_data resources, 1,000 to a file.
func independentConfig(b *testing.B, n int) *configs.Config {
	b.Helper()
	dir := b.TempDir()
	for f := 0; f*1000 < n; f++ {
		var sb strings.Builder
		for i := f * 1000; i < min(n, (f+1)*1000); i++ {
			fmt.Fprintf(&sb, "resource \"terraform_data\" \"r%d\" {\n  input = \"v%d\"\n}\n\n", i, i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("bench_%03d.tf", f)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	cfg, diags := configs.NewParser().LoadConfig(dir)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	return cfg
}

// appliedState plans and applies cfg from nothing and round-trips the
// result through the state codec, as the CLI does between runs.
func appliedState(b *testing.B, cfg *configs.Config) *state.State {
	b.Helper()
	p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: state.New()})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	s, diags := Apply(context.Background(), p, ApplyOptions{Config: cfg})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	s.Lineage = "bench"
	data, err := state.Encode(s)
	if err != nil {
		b.Fatal(err)
	}
	s, err = state.Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkPlan10k is a no-change plan of 10,000 independent resources
// against the state their apply left.
func BenchmarkPlan10k(b *testing.B) {
	cfg := independentConfig(b, 10000)
	prior := appliedState(b, cfg)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: prior})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if p.HasChanges() {
			b.Fatal("unexpected changes")
		}
	}
}

// BenchmarkApply10k plans and applies 10,000 creates.
func BenchmarkApply10k(b *testing.B) {
	cfg := independentConfig(b, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		p, diags := Plan(context.Background(), PlanOptions{Config: cfg, PriorState: state.New()})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if _, diags := Apply(context.Background(), p, ApplyOptions{Config: cfg}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkDecodeObjects decodes 10,000 stored terraform_data objects, whose
// dynamically typed attributes carry their types in the JSON.
func BenchmarkDecodeObjects(b *testing.B) {
	cfg := independentConfig(b, 10000)
	prior := appliedState(b, cfg)
	provs := newProviders(nil)
	defer provs.close()
	schema, err := provs.resourceSchema(context.Background(), "terraform.io/builtin/terraform", addrs.ManagedResourceMode, "terraform_data")
	if err != nil {
		b.Fatal(err)
	}
	var objs []*state.Object
	prior.AllInstances(func(_ addrs.AbsResourceInstance, _ *state.Resource, inst *state.Instance) {
		objs = append(objs, inst.Current)
	})
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for _, o := range objs {
			if _, err := provs.decodeObject(schema, o); err != nil {
				b.Fatal(err)
			}
		}
	}
}
