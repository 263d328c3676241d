package configs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoadConfig10k loads the bench kit's independent shape: 10,000
// terraform_data resources in ten files.
func BenchmarkLoadConfig10k(b *testing.B) {
	dir := b.TempDir()
	for f := 0; f < 10; f++ {
		var sb strings.Builder
		for i := f * 1000; i < (f+1)*1000; i++ {
			fmt.Fprintf(&sb, "resource \"terraform_data\" \"r%d\" {\n  input = \"v%d\"\n}\n\n", i, i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("bench_%03d.tf", f)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		cfg, diags := NewParser().LoadConfig(dir)
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if len(cfg.Module.ManagedResources) != 10000 {
			b.Fatal("resources lost")
		}
	}
}
