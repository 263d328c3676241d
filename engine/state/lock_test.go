package state

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLockHeldInSameProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nuvola.tfstate")
	first := NewLocal(path)
	unlock, err := first.Lock(context.Background(), LockInfo{ID: "lock-1", Operation: "apply", Version: "0.1.0"}, 0)
	require.NoError(t, err)
	defer unlock()

	start := time.Now()
	_, err = NewLocal(path).Lock(context.Background(), LockInfo{Operation: "plan"}, 0)
	require.Less(t, time.Since(start), time.Second, "without a timeout it fails at once")
	var lerr *LockError
	require.True(t, errors.As(err, &lerr), "%T: %v", err, err)
	require.True(t, errors.Is(err, ErrLocked))
	require.NotNil(t, lerr.Info)
	require.Equal(t, "lock-1", lerr.Info.ID)
	require.Equal(t, "apply", lerr.Info.Operation)
	require.Equal(t, os.Getpid(), lerr.Info.PID)
	require.Equal(t, path, lerr.Info.Path)
	require.NotEmpty(t, lerr.Info.Who)
	msg := err.Error()
	for _, want := range []string{"Error acquiring the state lock", "ID:        lock-1", "Operation: apply", "Version:   0.1.0", "PID:       " + strconv.Itoa(os.Getpid()), "Path:      " + path, "Created:"} {
		require.Contains(t, msg, want)
	}

	// The same backend cannot take it twice either: a lock belongs to a
	// command, not to a *Local.
	_, err = first.Lock(context.Background(), LockInfo{}, 0)
	require.True(t, errors.As(err, &lerr))
}

func TestLockWaitsForRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nuvola.tfstate")
	unlock, err := NewLocal(path).Lock(context.Background(), LockInfo{Operation: "apply"}, 0)
	require.NoError(t, err)
	released := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		assert.NoError(t, unlock())
		close(released)
	}()

	start := time.Now()
	unlock2, err := NewLocal(path).Lock(context.Background(), LockInfo{ID: "second", Operation: "destroy"}, 5*time.Second)
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)
	<-released

	info := NewLocal(path).readLockInfo()
	require.NotNil(t, info)
	require.Equal(t, "second", info.ID)
	require.Equal(t, "destroy", info.Operation)

	require.NoError(t, unlock2())
	require.NoError(t, unlock2(), "unlocking twice is harmless")
	require.NoFileExists(t, path+".lock.info")
	require.FileExists(t, path+".lock", "the lock file stays so that waiters never lock a removed inode")
}

func TestLockTimeoutAndCancel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nuvola.tfstate")
	unlock, err := NewLocal(path).Lock(context.Background(), LockInfo{Operation: "apply"}, 0)
	require.NoError(t, err)
	defer unlock()

	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		timeout time.Duration
		want    error
		text    string
	}{
		{"timeout", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			300 * time.Millisecond, ErrLocked, "gave up after 300ms"},
		{"context", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, time.Minute, context.DeadlineExceeded, "while waiting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			_, err := NewLocal(path).Lock(ctx, LockInfo{}, tt.timeout)
			require.Less(t, time.Since(start), 5*time.Second)
			var lerr *LockError
			require.True(t, errors.As(err, &lerr))
			require.True(t, errors.Is(err, tt.want), "%v", err)
			require.Contains(t, err.Error(), tt.text)
			require.Equal(t, "apply", lerr.Info.Operation)
		})
	}
}

const helperEnv = "GO_WANT_HELPER_PROCESS"

// TestHelperProcessHoldLock is not a test: run by TestLockReleasedWhenHolderKilled
// in a child process, it takes the lock and waits to be killed.
func TestHelperProcessHoldLock(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process")
	}
	_, err := NewLocal(os.Getenv("NUVOLA_TEST_STATE")).Lock(context.Background(), LockInfo{ID: "child", Operation: "apply"}, 0)
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		os.Exit(2)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Minute)
	os.Exit(3)
}

func TestLockReleasedWhenHolderKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "nuvola.tfstate")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessHoldLock$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "NUVOLA_TEST_STATE="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()

	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked", strings.TrimSpace(line))

	_, err = NewLocal(path).Lock(context.Background(), LockInfo{}, 0)
	var lerr *LockError
	require.True(t, errors.As(err, &lerr), "%v", err)
	require.Equal(t, "child", lerr.Info.ID)
	require.Equal(t, cmd.Process.Pid, lerr.Info.PID)

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	require.FileExists(t, path+".lock.info", "a killed holder leaves its info behind")

	unlock, err := NewLocal(path).Lock(context.Background(), LockInfo{ID: "parent"}, 0)
	require.NoError(t, err, "the kernel released the dead holder's lock")
	require.Equal(t, "parent", NewLocal(path).readLockInfo().ID)
	require.NoError(t, unlock())
}
