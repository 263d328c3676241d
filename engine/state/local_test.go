package state

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func readState(t *testing.T, path string) *State {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	s, err := Decode(data)
	require.NoError(t, err)
	return s
}

func TestNewLocalDefaultPath(t *testing.T) {
	require.Equal(t, "nuvola.tfstate", NewLocal("").Path)
	require.Equal(t, "x.tfstate", NewLocal("x.tfstate").Path)
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nuvola.tfstate")
	l := NewLocal(path)
	s, rec, err := l.Load()
	require.NoError(t, err)
	require.Nil(t, rec)
	require.True(t, s.Empty())
	require.Zero(t, s.Serial)
	require.NotEmpty(t, s.Lineage)
	require.NoFileExists(t, path, "loading does not create the state")
}

func TestLoadCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nuvola.tfstate")
	require.NoError(t, os.WriteFile(path, []byte(`{"format":"nuvola-state","version":1,`), 0o600))
	_, _, err := NewLocal(path).Load()
	require.ErrorContains(t, err, path)
	require.ErrorContains(t, err, "not valid JSON")
}

func TestPersistAtomicWithBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nuvola.tfstate")
	l := NewLocal(path)
	s, _, err := l.Load()
	require.NoError(t, err)

	require.NoError(t, l.Persist(s))
	require.Equal(t, uint64(1), s.Serial)
	require.NoFileExists(t, path+".backup", "nothing to back up the first time")
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a new state file is private")

	s.SetCurrent(mustInst(t, "null_resource.a"), obj(`{"id":"1"}`), nullProvider)
	require.NoError(t, l.Persist(s))
	require.Equal(t, uint64(2), s.Serial)
	requireStatesEqual(t, s, readState(t, path))
	backup := readState(t, path+".backup")
	require.Equal(t, uint64(1), backup.Serial)
	require.True(t, backup.Empty())

	// An existing file's mode is kept.
	require.NoError(t, os.Chmod(path, 0o640))
	s.SetCurrent(mustInst(t, "null_resource.b"), obj(`{"id":"2"}`), nullProvider)
	require.NoError(t, l.Persist(s))
	require.Equal(t, uint64(3), readState(t, path).Serial)
	backup = readState(t, path+".backup")
	require.Equal(t, uint64(2), backup.Serial)
	require.NotNil(t, backup.Resources["null_resource.a"])
	require.Nil(t, backup.Resources["null_resource.b"])
	info, err = os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), info.Mode().Perm())

	// The backup is a snapshot, not another name for the live file.
	s.SetCurrent(mustInst(t, "null_resource.c"), obj(`{}`), nullProvider)
	require.NoError(t, l.Persist(s))
	require.Equal(t, uint64(3), readState(t, path+".backup").Serial)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{"nuvola.tfstate", "nuvola.tfstate.backup"}, names, "no temporary files are left")

	loaded, rec, err := NewLocal(path).Load()
	require.NoError(t, err)
	require.Nil(t, rec)
	requireStatesEqual(t, s, loaded)
}

func TestPersistFailureKeepsSerialAndFile(t *testing.T) {
	tests := []struct {
		name  string
		path  func(dir string) string
		spoil func(t *testing.T, s *State)
	}{
		{"unencodable state", func(dir string) string { return filepath.Join(dir, "s.tfstate") },
			func(t *testing.T, s *State) {
				s.SetCurrent(mustInst(t, "null_resource.bad"), obj(`[]`), nullProvider)
			}},
		{"missing directory", func(dir string) string { return filepath.Join(dir, "nope", "s.tfstate") },
			func(t *testing.T, s *State) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.path(dir)
			l := NewLocal(path)
			s := New()
			s.Serial = 5
			if _, err := os.Stat(filepath.Dir(path)); err == nil {
				require.NoError(t, l.Persist(s))
			} else {
				s.Serial = 6
			}
			before, _ := os.ReadFile(path)
			tt.spoil(t, s)
			require.Error(t, l.Persist(s))
			require.Equal(t, uint64(6), s.Serial)
			after, _ := os.ReadFile(path)
			require.Equal(t, before, after)
		})
	}
}
