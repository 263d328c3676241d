package configs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const errorMarker = "# ERROR: "

// expectedErrors gathers "file:line summary" keys from the "# ERROR:"
// comments in every .tf file under dir and from expected.txt sidecars, which
// describe the .tf.json file next to them.
func expectedErrors(t *testing.T, dir string) []string {
	t.Helper()
	var want []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(path, ".tf"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(src), "\n") {
				parts := strings.Split(line, errorMarker)
				for _, summary := range parts[1:] {
					want = append(want, fmt.Sprintf("%s:%d %s", rel, i+1, strings.TrimSpace(summary)))
				}
			}
		case filepath.Base(path) == "expected.txt":
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			jsonFile := filepath.Join(filepath.Dir(rel), "main.tf.json")
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line == "" {
					continue
				}
				num, summary, ok := strings.Cut(line, " ")
				require.True(t, ok, "malformed line %q in %s", line, path)
				n, err := strconv.Atoi(num)
				require.NoError(t, err, "malformed line %q in %s", line, path)
				want = append(want, fmt.Sprintf("%s:%d %s", jsonFile, n, summary))
			}
			return sc.Err()
		}
		return nil
	})
	require.NoError(t, err)
	sort.Strings(want)
	return want
}

func actualErrors(t *testing.T, dir string, diags hcl.Diagnostics) []string {
	t.Helper()
	var got []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if !assert.NotNil(t, d.Subject, "error without subject: %s", d.Error()) {
			continue
		}
		rel, err := filepath.Rel(dir, d.Subject.Filename)
		require.NoError(t, err)
		got = append(got, fmt.Sprintf("%s:%d %s", rel, d.Subject.Start.Line, d.Summary))
	}
	sort.Strings(got)
	return got
}

func TestErrorFixtures(t *testing.T) {
	root := filepath.Join("testdata", "errors")
	entries, err := os.ReadDir(root)
	require.NoError(t, err)

	distinct := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			want := expectedErrors(t, dir)
			require.NotEmpty(t, want, "fixture has no expectations")

			cfg, diags := NewParser().LoadConfig(dir)
			require.NotNil(t, cfg)
			got := actualErrors(t, dir, diags)

			assert.Equal(t, want, got, "diagnostics:\n%s", diags.Error())
			for _, w := range want {
				_, summary, _ := strings.Cut(w, " ")
				distinct[summary] = true
			}
		})
	}
	assert.GreaterOrEqual(t, len(distinct), 15, "error fixtures should cover many distinct errors")
}

func TestLoadConfigMissingRoot(t *testing.T) {
	cfg, diags := NewParser().LoadConfig(filepath.Join("testdata", "does-not-exist"))
	require.NotNil(t, cfg)
	require.NotNil(t, cfg.Module)
	require.True(t, diags.HasErrors())
	assert.Equal(t, "Failed to read module directory", diags[0].Summary)
}
