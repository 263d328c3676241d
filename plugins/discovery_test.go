//go:build !windows

package plugins

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSearchDirs(t *testing.T) {
	sep := string(os.PathListSeparator)
	work := "/work/project"
	for _, tc := range []struct {
		name    string
		environ []string
		want    []string
	}{
		{"working directory and home", []string{"HOME=/home/ada"},
			[]string{"/work/project/.nuvola/plugins", "/home/ada/.nuvola/plugins"}},
		{"plugin path in between, in order", []string{"HOME=/home/ada", "NUVOLA_PLUGIN_PATH=/opt/b" + sep + "/opt/a"},
			[]string{"/work/project/.nuvola/plugins", "/opt/b", "/opt/a", "/home/ada/.nuvola/plugins"}},
		{"relative and empty plugin path entries", []string{"NUVOLA_PLUGIN_PATH=" + sep + "bin" + sep, "HOME=/home/ada"},
			[]string{"/work/project/.nuvola/plugins", "/work/project/bin", "/home/ada/.nuvola/plugins"}},
		{"no home", []string{"PATH=/bin"},
			[]string{"/work/project/.nuvola/plugins"}},
		{"repeated directories once", []string{"HOME=/work/project", "NUVOLA_PLUGIN_PATH=/work/project/.nuvola/plugins" + sep + "/opt/x" + sep + "/opt/x/"},
			[]string{"/work/project/.nuvola/plugins", "/opt/x"}},
		{"last assignment wins", []string{"HOME=/a", "HOME=/b"},
			[]string{"/work/project/.nuvola/plugins", "/b/.nuvola/plugins"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, SearchDirs(work, tc.environ))
		})
	}
}

func writeExecutable(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"), mode))
	return p
}

func TestFindExternalOrder(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(root, "work")
	home := filepath.Join(root, "home")
	pathA := filepath.Join(root, "a")
	pathB := filepath.Join(root, "b")
	environ := []string{"HOME=" + home, "NUVOLA_PLUGIN_PATH=" + pathA + string(os.PathListSeparator) + pathB}
	dirs := SearchDirs(work, environ)
	const exe = "nuvola-provider-ente"

	_, err := FindExternal("ente", dirs)
	require.ErrorIs(t, err, ErrProviderNotFound)
	for _, d := range dirs {
		assert.Contains(t, err.Error(), d, "the error lists where it looked")
	}

	inHome := writeExecutable(t, filepath.Join(home, ".nuvola", "plugins"), exe, 0o755)
	got, err := FindExternal("ente", dirs)
	require.NoError(t, err)
	assert.Equal(t, inHome, got)

	inB := writeExecutable(t, pathB, exe, 0o755)
	got, err = FindExternal("ente", dirs)
	require.NoError(t, err)
	assert.Equal(t, inB, got, "NUVOLA_PLUGIN_PATH comes before the home directory")

	inA := writeExecutable(t, pathA, exe, 0o755)
	got, err = FindExternal("ente", dirs)
	require.NoError(t, err)
	assert.Equal(t, inA, got, "NUVOLA_PLUGIN_PATH is searched in order")

	inWork := writeExecutable(t, filepath.Join(work, ".nuvola", "plugins"), exe, 0o755)
	got, err = FindExternal("ente", dirs)
	require.NoError(t, err)
	assert.Equal(t, inWork, got, "the working directory comes first")

	_, err = FindExternal("other", dirs)
	require.ErrorIs(t, err, ErrProviderNotFound)
}

func TestFindExternalSkipsUnusable(t *testing.T) {
	root := t.TempDir()
	first, second := filepath.Join(root, "first"), filepath.Join(root, "second")
	notExec := writeExecutable(t, first, "nuvola-provider-ente", 0o644)
	require.NoError(t, os.MkdirAll(filepath.Join(first, "nuvola-provider-dir"), 0o755))

	_, err := FindExternal("ente", []string{first, second})
	require.ErrorIs(t, err, ErrProviderNotFound)
	assert.Contains(t, err.Error(), notExec+" exists but is not an executable file")

	_, err = FindExternal("dir", []string{first})
	require.ErrorIs(t, err, ErrProviderNotFound)

	good := writeExecutable(t, second, "nuvola-provider-ente", 0o755)
	got, err := FindExternal("ente", []string{first, second})
	require.NoError(t, err)
	assert.Equal(t, good, got)

	_, err = FindExternal("ente", nil)
	require.ErrorIs(t, err, ErrProviderNotFound)
	assert.Contains(t, err.Error(), "no plugin directories")
}

func TestFindExternalRejectsPathNames(t *testing.T) {
	for _, name := range []string{"", "../ente", "a/b", "Ente", "en te"} {
		_, err := FindExternal(name, []string{t.TempDir()})
		require.Error(t, err, name)
		assert.False(t, errors.Is(err, ErrProviderNotFound), name)
	}
}

func TestFileSHA256(t *testing.T) {
	content := []byte("a provider binary")
	p := filepath.Join(t.TempDir(), "bin")
	require.NoError(t, os.WriteFile(p, content, 0o755))
	sum := sha256.Sum256(content)

	got, err := FileSHA256(p)
	require.NoError(t, err)
	assert.Equal(t, "sha256:"+hex.EncodeToString(sum[:]), got)
	assert.NoError(t, checkHash(got), "the lock file accepts it")
	assert.True(t, strings.HasPrefix(got, "sha256:"))

	_, err = FileSHA256(filepath.Join(t.TempDir(), "missing"))
	assert.Error(t, err)
}
