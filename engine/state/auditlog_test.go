package state

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuditLogStore(t *testing.T) {
	ctx := context.Background()
	l := NewLocal(filepath.Join(t.TempDir(), "nuvola.tfstate"))
	assert.Equal(t, l.Path+".audit.jsonl", l.AuditPath())

	last, err := l.LastAuditLine(ctx)
	require.NoError(t, err)
	assert.Nil(t, last, "no log yet")
	rc, err := l.ReadAudit(ctx)
	require.NoError(t, err)
	all, _ := io.ReadAll(rc)
	rc.Close()
	assert.Empty(t, all)

	require.NoError(t, l.AppendAuditLine(ctx, []byte(`{"seq":1}`)))
	last, err = l.LastAuditLine(ctx)
	require.NoError(t, err)
	assert.Equal(t, "{\"seq\":1}\n", string(last))

	long := `{"seq":2,"pad":"` + strings.Repeat("x", 200<<10) + `"}`
	require.NoError(t, l.AppendAuditLine(ctx, []byte(long)))
	require.NoError(t, l.AppendAuditLine(ctx, []byte(`{"seq":3}`)))
	last, err = l.LastAuditLine(ctx)
	require.NoError(t, err)
	assert.Equal(t, "{\"seq\":3}\n", string(last))

	rc, err = l.ReadAudit(ctx)
	require.NoError(t, err)
	all, _ = io.ReadAll(rc)
	rc.Close()
	assert.Equal(t, "{\"seq\":1}\n"+long+"\n{\"seq\":3}\n", string(all))

	assert.Error(t, l.AppendAuditLine(ctx, []byte("two\nlines")))

	if runtime.GOOS != "windows" {
		info, err := os.Stat(l.AuditPath())
		require.NoError(t, err)
		assert.Zero(t, info.Mode().Perm()&0o007, "others cannot read the log")
	}

	// A torn last line comes back as stored, without a newline, for the
	// caller to refuse.
	f, err := os.OpenFile(l.AuditPath(), os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"seq":4,"ha`)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	last, err = l.LastAuditLine(ctx)
	require.NoError(t, err)
	assert.Equal(t, `{"seq":4,"ha`, string(last))

	// A long last line spanning many read chunks.
	l2 := NewLocal(filepath.Join(t.TempDir(), "s"))
	require.NoError(t, l2.AppendAuditLine(ctx, []byte("first")))
	require.NoError(t, l2.AppendAuditLine(ctx, []byte(long)))
	last, err = l2.LastAuditLine(ctx)
	require.NoError(t, err)
	assert.Equal(t, long+"\n", string(last))
	l3 := NewLocal(filepath.Join(t.TempDir(), "s"))
	require.NoError(t, l3.AppendAuditLine(ctx, []byte(long)))
	last, err = l3.LastAuditLine(ctx)
	require.NoError(t, err)
	assert.Equal(t, long+"\n", string(last))
}

// BenchmarkAppendAuditLine is the store's share of an audit record: one
// O_APPEND write of a 1 KB line and its fsync.
func BenchmarkAppendAuditLine(b *testing.B) {
	ctx := context.Background()
	l := NewLocal(filepath.Join(b.TempDir(), "nuvola.tfstate"))
	line := []byte(`{"seq":1,"pad":"` + strings.Repeat("x", 1000) + `"}`)
	b.SetBytes(int64(len(line) + 1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := l.AppendAuditLine(ctx, line); err != nil {
			b.Fatal(err)
		}
	}
}
