package acctest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests need no cloud.

func TestNewPrefix(t *testing.T) {
	re := regexp.MustCompile(`^acc-[0-9a-f]{8}-$`)
	seen := map[string]bool{}
	for range 100 {
		p := NewPrefix()
		assert.Regexp(t, re, p)
		assert.False(t, seen[p], "prefix repeated: %s", p)
		seen[p] = true
	}
}

func TestEnabled(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "1": true, "yes": true} {
		t.Setenv(EnvAcc, v)
		assert.Equal(t, want, Enabled(), "NUVOLA_ACC=%q", v)
	}
}

func TestNewSkipsWithoutAcc(t *testing.T) {
	t.Setenv(EnvAcc, "")
	ran := false
	t.Run("inner", func(t *testing.T) {
		New(t)
		ran = true
	})
	assert.False(t, ran, "New must skip the test when NUVOLA_ACC is unset")
}

func TestCloudsFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDevcloudDir, dir)
	t.Setenv("OS_CLIENT_CONFIG_FILE", "")
	assert.Equal(t, "", CloudsFile(), "no devcloud file: gophercloud's own search")

	f := filepath.Join(dir, "clouds.yaml")
	require.NoError(t, os.WriteFile(f, []byte("clouds: {}\n"), 0o644))
	assert.Equal(t, f, CloudsFile())

	t.Setenv("OS_CLIENT_CONFIG_FILE", "/elsewhere/clouds.yaml")
	assert.Equal(t, "/elsewhere/clouds.yaml", CloudsFile())
}

func TestAdminCloudName(t *testing.T) {
	t.Setenv("OS_CLOUD", "")
	assert.Equal(t, CloudAdmin, AdminCloudName())
	t.Setenv("OS_CLOUD", "other")
	assert.Equal(t, "other", AdminCloudName())
}

func TestConnectReadsCloudsYAML(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "clouds.yaml")
	require.NoError(t, os.WriteFile(f, []byte(`clouds:
  devcloud:
    auth:
      auth_url: http://127.0.0.1:1/v3
      username: admin
      password: secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
`), 0o644))
	t.Setenv("OS_CLIENT_CONFIG_FILE", f)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// nothing listens on port 1: the file was read, the authentication fails
	_, err := Connect(ctx, "devcloud")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "authenticate")
	_, err = Connect(ctx, "nope")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "authenticate")
}

func TestSweepRefusesShortPrefix(t *testing.T) {
	err := Sweep(context.Background(), nil, nil, "acc")
	require.Error(t, err)
	err = Sweep(context.Background(), nil, nil, "")
	require.Error(t, err)
}

func TestWaitFor(t *testing.T) {
	n := 0
	require.NoError(t, WaitFor(context.Background(), time.Millisecond, func() (bool, error) {
		n++
		return n == 3, nil
	}))
	assert.Equal(t, 3, n)

	boom := errors.New("boom")
	assert.ErrorIs(t, WaitFor(context.Background(), time.Millisecond, func() (bool, error) { return false, boom }), boom)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, WaitFor(ctx, time.Millisecond, func() (bool, error) { return false, nil }), context.DeadlineExceeded)
}
