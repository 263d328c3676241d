package plugins

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	shaA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	shaB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func TestLockFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), LockFileName)
	lf := &LockFile{}
	lf.SetProvider(&LockedProvider{Source: "registry.opentofu.org/nuvola/ente", Version: "0.1.0", Constraints: "0.1.0", Hashes: []string{shaB, shaA, shaB}})
	lf.SetProvider(&LockedProvider{Source: "registry.opentofu.org/hashicorp/null", Version: "3.2.1", Hashes: []string{"h1:abc=", "zh:0123"}})
	require.NoError(t, lf.Save(path))

	src, err := os.ReadFile(path)
	require.NoError(t, err)
	want := `# This file is maintained automatically by "nuvola init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/hashicorp/null" {
  version = "3.2.1"
  hashes = [
    "h1:abc=",
    "zh:0123",
  ]
}

provider "registry.opentofu.org/nuvola/ente" {
  version     = "0.1.0"
  constraints = "0.1.0"
  hashes = [
    "` + shaA + `",
    "` + shaB + `",
  ]
}
`
	assert.Equal(t, want, string(src))

	got, diags := LoadLockFile(path)
	require.False(t, diags.HasErrors(), diags.Error())
	require.Len(t, got.Providers, 2)
	assert.Equal(t, &LockedProvider{Source: "registry.opentofu.org/nuvola/ente", Version: "0.1.0", Constraints: "0.1.0", Hashes: []string{shaA, shaB}},
		got.Provider("registry.opentofu.org/nuvola/ente"))
	assert.Equal(t, &LockedProvider{Source: "registry.opentofu.org/hashicorp/null", Version: "3.2.1", Hashes: []string{"h1:abc=", "zh:0123"}},
		got.Provider("registry.opentofu.org/hashicorp/null"))

	// Saving what was read changes nothing.
	require.NoError(t, got.Save(path))
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(src), string(again))

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestLockFileEmpty(t *testing.T) {
	dir := t.TempDir()
	lf, diags := LoadLockFile(filepath.Join(dir, "missing.hcl"))
	require.Empty(t, diags)
	require.NotNil(t, lf)
	assert.Empty(t, lf.Providers)
	assert.Nil(t, lf.Provider("registry.opentofu.org/nuvola/ente"))

	path := filepath.Join(dir, LockFileName)
	require.NoError(t, lf.Save(path))
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, lockFileHeader, string(src))
	lf, diags = LoadLockFile(path)
	require.Empty(t, diags)
	assert.Empty(t, lf.Providers)
}

func TestLockFileUnreadable(t *testing.T) {
	dir := t.TempDir()
	_, diags := LoadLockFile(dir)
	require.True(t, diags.HasErrors())
	assert.Contains(t, diags.Error(), "Failed to read the dependency lock file")
}

func TestLockFileMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // each in the diagnostics' text, which starts with file:line
	}{
		{"syntax", "provider \"registry.opentofu.org/a/b\" {\n  version = \n}\n", []string{LockFileName + ":2,", "Invalid expression"}},
		{"unknown block", "module \"x\" {}\n", []string{LockFileName + ":1,", "Unsupported block type"}},
		{"top-level attribute", "version = \"1\"\n", []string{LockFileName + ":1,", "Unsupported argument"}},
		{"no label", "provider {\n  version = \"1.0.0\"\n}\n", []string{LockFileName + ":1,", "Missing source for provider"}},
		{"short source", "provider \"nuvola/ente\" {\n  version = \"1.0.0\"\n}\n", []string{LockFileName + ":1,", "Invalid provider source address", "hostname/namespace/type"}},
		{"no version", "provider \"registry.opentofu.org/a/b\" {\n  hashes = []\n}\n", []string{LockFileName + ":1,", `Missing required argument`, `"version"`}},
		{"bad version", "provider \"registry.opentofu.org/a/b\" {\n  version = \"one\"\n}\n", []string{LockFileName + ":2,", "Invalid provider version"}},
		{"version not a string", "provider \"registry.opentofu.org/a/b\" {\n  version = [1]\n}\n", []string{LockFileName + ":2,", "Unsuitable value type"}},
		{"bad constraints", "provider \"registry.opentofu.org/a/b\" {\n  version = \"1.0.0\"\n  constraints = \"~~> 1\"\n}\n", []string{LockFileName + ":3,", "Invalid version constraints"}},
		{"unknown argument", "provider \"registry.opentofu.org/a/b\" {\n  version = \"1.0.0\"\n  checksum = \"x\"\n}\n", []string{LockFileName + ":3,", "Unsupported argument"}},
		{"hashes not a list", "provider \"registry.opentofu.org/a/b\" {\n  version = \"1.0.0\"\n  hashes = \"sha256:00\"\n}\n", []string{LockFileName + ":3,", "list"}},
		{"bad hash", "provider \"registry.opentofu.org/a/b\" {\n  version = \"1.0.0\"\n  hashes = [\n    \"" + shaA + "\",\n    \"nocolon\",\n  ]\n}\n", []string{LockFileName + ":5,", "Invalid provider checksum", "scheme:value"}},
		{"short sha256", "provider \"registry.opentofu.org/a/b\" {\n  version = \"1.0.0\"\n  hashes = [\"sha256:abcd\"]\n}\n", []string{LockFileName + ":3,", "64 hexadecimal digits"}},
		{"duplicate", "provider \"registry.opentofu.org/a/b\" {\n  version = \"1.0.0\"\n}\nprovider \"registry.opentofu.org/a/b\" {\n  version = \"1.0.1\"\n}\n", []string{LockFileName + ":4,", "Duplicate provider", LockFileName + ":1,"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), LockFileName)
			require.NoError(t, os.WriteFile(path, []byte(tc.src), 0o644))
			_, diags := LoadLockFile(path)
			require.True(t, diags.HasErrors(), "no error for:\n%s", tc.src)
			text := diags.Error()
			for _, w := range tc.want {
				assert.Contains(t, text, w)
			}
		})
	}
}

func TestLockFileKeepsGoodEntries(t *testing.T) {
	src := "provider \"registry.opentofu.org/a/good\" {\n  version = \"1.0.0\"\n}\nprovider \"registry.opentofu.org/a/bad\" {\n  version = \"x\"\n}\n"
	lf, diags := parseLockFile([]byte(src), LockFileName)
	require.True(t, diags.HasErrors())
	assert.NotNil(t, lf.Provider("registry.opentofu.org/a/good"))
	assert.Nil(t, lf.Provider("registry.opentofu.org/a/bad"))
}

func TestLockFileVerify(t *testing.T) {
	lf := &LockFile{}
	lf.SetProvider(&LockedProvider{Source: "registry.opentofu.org/nuvola/ente", Version: "0.1.0", Hashes: []string{shaA}})

	require.NoError(t, lf.Verify("registry.opentofu.org/nuvola/ente", shaA))

	err := lf.Verify("registry.opentofu.org/nuvola/ente", shaB)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "checksum of the provider binary")
	assert.Contains(t, msg, "does not match the lock file")
	assert.Contains(t, msg, shaB)
	assert.Contains(t, msg, shaA)
	assert.Contains(t, msg, "nuvola init -upgrade")

	err = lf.Verify("registry.opentofu.org/nuvola/other", shaA)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not in the lock file")

	var nilLF *LockFile
	assert.Error(t, nilLF.Verify("registry.opentofu.org/nuvola/ente", shaA))
}

func TestLockFileSaveFailsCleanly(t *testing.T) {
	lf := &LockFile{}
	err := lf.Save(filepath.Join(t.TempDir(), "no", "such", "dir", LockFileName))
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "writing the dependency lock file"))
}
