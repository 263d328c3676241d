package main

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/stretchr/testify/require"
)

type closeCounting struct {
	*nullprov.Provider
	closed *atomic.Int32
}

func (c closeCounting) Close() error { c.closed.Add(1); return nil }

func prestartMeta(t *testing.T, started, closed *atomic.Int32) *meta {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`resource "null_resource" "a" {}`), 0o644))
	cfg, diags := configs.NewParser().LoadConfig(dir)
	require.False(t, diags.HasErrors(), "%s", diags)
	return &meta{cfg: cfg, provFactories: engine.ProviderFactories{
		"registry.opentofu.org/hashicorp/null": func() (plugins.Provider, error) {
			started.Add(1)
			return closeCounting{nullprov.New(), closed}, nil
		},
	}}
}

// The first instance of each provider is started ahead of need and handed
// to the first caller; further callers get instances of their own.
func TestPrestartedProviderHandedOutOnce(t *testing.T) {
	var started, closed atomic.Int32
	m := prestartMeta(t, &started, &closed)
	m.prestartProviders()
	f := m.factories()["registry.opentofu.org/hashicorp/null"]
	first, err := f()
	require.NoError(t, err)
	require.Equal(t, int32(1), started.Load(), "the first caller gets the prestarted instance")
	second, err := f()
	require.NoError(t, err)
	require.Equal(t, int32(2), started.Load())
	require.NotSame(t, first.(closeCounting).Provider, second.(closeCounting).Provider)
	m.discardPrestarted()
	require.Zero(t, closed.Load(), "instances handed out are their taker's to close")
}

// An instance nobody took is closed when the command ends.
func TestUnusedPrestartedProviderClosed(t *testing.T) {
	var started, closed atomic.Int32
	m := prestartMeta(t, &started, &closed)
	m.prestartProviders()
	m.discardPrestarted()
	require.Equal(t, int32(1), started.Load())
	require.Equal(t, int32(1), closed.Load())
}
