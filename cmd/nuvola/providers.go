package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/baseline"
	nullprov "github.com/nuvola-pa/nuvola/providers/null"
	"github.com/nuvola-pa/nuvola/providers/openstack"
)

// builtinProviders are the providers inside this binary, by source. They
// run as plugins by re-executing the binary ("nuvola provider serve
// NAME"), so a crashing provider cannot take the command down.
var builtinProviders = func() map[string]builtinProvider {
	m := map[string]builtinProvider{
		"registry.opentofu.org/hashicorp/null": {"null", func() plugins.Provider { return nullprov.New() }},
		baseline.Source:                        {"baseline", baseline.New},
	}
	// A configuration that names terraform-provider-openstack, or no
	// source at all, gets the built-in openstack provider.
	for _, src := range openstack.Sources {
		m[src] = builtinProvider{"openstack", openstack.New}
	}
	return m
}()

type builtinProvider struct {
	name string
	new  func() plugins.Provider
}

// builtinByName finds a built-in provider by its short name.
func builtinByName(name string) (func() plugins.Provider, bool) {
	for _, b := range builtinProviders {
		if b.name == name {
			return b.new, true
		}
	}
	return nil, false
}

// cmdProvider runs "nuvola provider serve NAME": the plugin side of a
// built-in provider. It is started by nuvola itself, not by users.
func cmdProvider(m *meta, args []string) int {
	if len(args) != 2 || args[0] != "serve" {
		m.errorf("Invalid provider command", "Usage: nuvola provider serve NAME (started by nuvola itself).")
		return exitError
	}
	newProvider, ok := builtinByName(args[1])
	if !ok {
		m.errorf("Unknown built-in provider", "nuvola has no built-in provider named %q.", args[1])
		return exitError
	}
	plugins.Serve(newProvider)
	return exitOK
}

// providerLog is where provider output goes: NUVOLA_LOG_PATH, or stderr
// when NUVOLA_LOG is set, or nowhere.
func providerLog() io.Writer {
	logOnce.Do(func() {
		logWriter = io.Discard
		if p := os.Getenv("NUVOLA_LOG_PATH"); p != "" {
			if f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err == nil {
				logWriter = &syncWriter{w: f}
				return
			}
		}
		if lvl := strings.ToLower(os.Getenv("NUVOLA_LOG")); lvl != "" && lvl != "off" {
			logWriter = &syncWriter{w: os.Stderr}
		}
	})
	return logWriter
}

var (
	logOnce   sync.Once
	logWriter io.Writer
)

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// providerTimeout bounds every provider call (NUVOLA_PROVIDER_TIMEOUT, a Go
// duration); a provider that overruns it is stopped, then killed.
func providerTimeout() time.Duration {
	if s := os.Getenv("NUVOLA_PROVIDER_TIMEOUT"); s != "" {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return 30 * time.Minute
}

// inProcessProviders makes built-in providers run inside the nuvola process
// (NUVOLA_PROVIDERS=inprocess): for measuring the plugin boundary and for
// debugging.
func inProcessProviders() bool {
	return os.Getenv("NUVOLA_PROVIDERS") == "inprocess"
}

// launchFactory starts one provider plugin per call.
func launchFactory(ctx context.Context, name string, cmd func() *exec.Cmd, checksum string) engine.ProviderFactory {
	return func() (plugins.Provider, error) {
		return plugins.Launch(ctx, plugins.LaunchConfig{
			Name: name, Cmd: cmd(), Stderr: providerLog(), CallTimeout: providerTimeout(), Checksum: checksum,
		})
	}
}

// factories returns how to start every provider: built-in ones by
// re-executing this binary, external ones found in the plugin directories
// and checked against the lock file. A provider that cannot be used gets a
// factory that fails with the reason, so the error names it where it is
// needed.
func (m *meta) factories() engine.ProviderFactories {
	if m.provFactories != nil {
		return m.provFactories
	}
	f := engine.ProviderFactories{}
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	for src, b := range builtinProviders {
		if inProcessProviders() {
			f[src] = func() (plugins.Provider, error) { return b.new(), nil }
			continue
		}
		name := b.name
		f[src] = launchFactory(m.ctx, name, func() *exec.Cmd { return exec.Command(self, "provider", "serve", name) }, "")
	}
	m.provFactories = f
	if m.cfg == nil {
		return f
	}
	m.provProblems, m.lockDiags = nil, nil
	fail := func(src string, kind problemKind, reason, err error) {
		m.provProblems = append(m.provProblems, providerProblem{source: src, kind: kind, reason: reason})
		f[src] = func() (plugins.Provider, error) { return nil, err }
	}
	lock, ld := plugins.LoadLockFile(plugins.LockFileName)
	wd, _ := os.Getwd()
	dirs := plugins.SearchDirs(wd, os.Environ())
	for _, src := range requiredSources(m.cfg) {
		if _, builtin := builtinProviders[src]; builtin || src == configs.BuiltInProviderSource {
			continue
		}
		if ld.HasErrors() {
			m.lockDiags = ld
			fail(src, problemLockFile, nil, fmt.Errorf("the lock file %s is invalid: %s", plugins.LockFileName, ld.Error()))
			continue
		}
		name := src[strings.LastIndex(src, "/")+1:]
		path, err := plugins.FindExternal(name, dirs)
		if err != nil {
			fail(src, problemNotInstalled, err, fmt.Errorf("provider %s is not installed (%s); put its executable %s in .nuvola/plugins/, a directory of NUVOLA_PLUGIN_PATH or ~/.nuvola/plugins/, then run \"nuvola init\"", src, err, plugins.ExecutableName(name)))
			continue
		}
		sum, err := plugins.FileSHA256(path)
		if err != nil {
			fail(src, problemNotInstalled, err, err)
			continue
		}
		if lock.Provider(src) == nil {
			fail(src, problemNotLocked, nil, fmt.Errorf("provider %s is not recorded in %s; run \"nuvola init\" to record its version and checksum", src, plugins.LockFileName))
			continue
		}
		if err := lock.Verify(src, sum); err != nil {
			fail(src, problemNotInstalled, err, err)
			continue
		}
		p := path
		f[src] = launchFactory(m.ctx, name, func() *exec.Cmd { return exec.Command(p) }, sum)
	}
	return f
}

// pinProviders records every external provider's version and checksum in
// the lock file (nuvola init). A recorded checksum that differs is an error
// unless upgrade is set.
func (m *meta) pinProviders(cfg *configs.Config, upgrade bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	lock, ld := plugins.LoadLockFile(plugins.LockFileName)
	if ld.HasErrors() {
		return ld
	}
	wd, _ := os.Getwd()
	dirs := plugins.SearchDirs(wd, os.Environ())
	changed := false
	for _, src := range requiredSources(cfg) {
		if _, builtin := builtinProviders[src]; builtin {
			fmt.Fprintf(m.stdout, "- Using %s (built in, v%s)\n", src, engine.Version)
			continue
		}
		if src == configs.BuiltInProviderSource {
			continue
		}
		name := src[strings.LastIndex(src, "/")+1:]
		path, err := plugins.FindExternal(name, dirs)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Failed to find provider " + src,
				Detail: fmt.Sprintf("%s is not built into nuvola and no plugin for it is installed: %s.", src, err)})
			continue
		}
		sum, err := plugins.FileSHA256(path)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read provider", Detail: err.Error()})
			continue
		}
		version, constraints := providerVersion(path), constraintFor(cfg, src)
		if version == "" {
			// A provider that does not say its version is taken to be
			// the one its constraint pins exactly ("0.1.0", "= 0.1.0"),
			// if any; the lock file records no version otherwise.
			version = exactVersion(constraints)
		}
		if prev := lock.Provider(src); prev != nil && !upgrade {
			if err := lock.Verify(src, sum); err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider checksum mismatch", Detail: err.Error()})
				continue
			}
			fmt.Fprintf(m.stdout, "- Using previously-installed %s %s (%s)\n", src, shownVersion(prev.Version), path)
			continue
		}
		lock.SetProvider(&plugins.LockedProvider{Source: src, Version: version, Constraints: constraints, Hashes: []string{sum}})
		changed = true
		fmt.Fprintf(m.stdout, "- Installed %s %s (%s)\n", src, shownVersion(version), path)
	}
	if changed && !diags.HasErrors() {
		if err := lock.Save(plugins.LockFileName); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Failed to write the lock file", Detail: err.Error()})
		} else {
			fmt.Fprintf(m.stdout, "\nnuvola has created a lock file %s to record the provider\nselections it made above. Include this file in your version control repository\nso that nuvola can guarantee to make the same selections by default when\nyou run \"nuvola init\" in the future.\n", plugins.LockFileName)
		}
	}
	return diags
}

// problemKind sorts the reasons why an external provider cannot be started
// that are known before it is.
type problemKind int

const (
	problemLockFile     problemKind = iota // the lock file is invalid
	problemNotLocked                       // not recorded in the lock file
	problemNotInstalled                    // no executable, or not the one recorded
)

// providerProblem is an external provider the configuration needs that
// cannot be started as it is.
type providerProblem struct {
	source string
	kind   problemKind
	reason error
}

// checkProviders shows providerDiags and says whether there were none.
func (m *meta) checkProviders() bool {
	diags := m.providerDiags()
	m.showDiags(diags)
	return len(diags) == 0
}

// providerDiags reports, once and before the command reads or locks the
// state, every external provider the configuration needs that cannot be
// started: the lock file is invalid, the provider is not recorded in it,
// not installed, or not the binary whose checksum it records. The engine
// would report each of them too, but only where it first needs one.
func (m *meta) providerDiags() hcl.Diagnostics {
	m.factories()
	if len(m.provProblems) == 0 {
		return nil
	}
	var diags hcl.Diagnostics
	var unlocked, uninstalled []string
	for _, p := range m.provProblems {
		switch p.kind {
		case problemNotLocked:
			unlocked = append(unlocked, fmt.Sprintf("  - provider %s: required by this configuration but no version is selected", p.source))
		case problemNotInstalled:
			uninstalled = append(uninstalled, fmt.Sprintf("  - %s: %s", p.source, p.reason))
		}
	}
	if m.lockDiags.HasErrors() {
		if src, err := os.ReadFile(plugins.LockFileName); err == nil {
			// The diagnostics quote the lock file. A copy: the map is
			// also configSources, which a saved plan's snapshot reads.
			sources := make(map[string][]byte, len(m.sources)+1)
			for k, v := range m.sources {
				sources[k] = v
			}
			sources[plugins.LockFileName] = src
			m.sources = sources
		}
		diags = append(diags, m.lockDiags...)
	}
	if len(unlocked) > 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Inconsistent dependency lock file",
			Detail: "The following dependency selections recorded in the lock file are inconsistent with the current configuration:\n" +
				strings.Join(unlocked, "\n") +
				"\n\nTo make the initial dependency selections that will initialize the dependency lock file, run:\n  nuvola init"})
	}
	if len(uninstalled) > 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Required plugins are not installed",
			Detail: "The installed provider plugins are not consistent with the packages selected in the dependency lock file:\n" +
				strings.Join(uninstalled, "\n") +
				"\n\nnuvola looks for a provider's executable, nuvola-provider-NAME, in .nuvola/plugins/, in the directories of NUVOLA_PLUGIN_PATH and in ~/.nuvola/plugins/. To record the providers installed there, run:\n  nuvola init -upgrade"})
	}
	return diags
}

// providerVersion asks an external provider for its version (providers
// built with the SDK answer -version with a line such as
// "nuvola-provider-ente v0.1.0"); empty when it does not say, or says
// something that is not a version number.
func providerVersion(path string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "-version").Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return ""
	}
	return exactVersion(fields[len(fields)-1])
}

// shownVersion is how init names a recorded version: "v1.2.0", or that
// the provider did not say.
func shownVersion(v string) string {
	if v == "" {
		return "(version unknown)"
	}
	return "v" + v
}

// exactVersion is the version s names on its own ("1.2.0", "v1.2.0",
// "= 1.2.0"), or empty.
func exactVersion(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "=")
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if _, err := goversion.NewVersion(s); err != nil || s == "" {
		return ""
	}
	return s
}

func constraintFor(cfg *configs.Config, src string) string {
	out := ""
	cfg.DeepEach(func(c *configs.Config) {
		for _, rp := range c.Module.RequiredProviders {
			if rp.Source == src && rp.RequirementStr != "" && out == "" {
				out = rp.RequirementStr
				// The lock file records constraints in the form every
				// reader takes: wildcards ("~> 3.x") spelt out.
				if c, err := configs.ParseVersionConstraint(out); err == nil {
					out = c.String()
				}
			}
		}
	})
	return out
}

// prestartedProvider is the first instance of a provider, started while
// the command still reads its variables and state, so that the engine does
// not wait for the process to launch when it first needs the provider.
type prestartedProvider struct {
	mu    sync.Mutex
	taken bool
	ready chan struct{}
	prov  plugins.Provider
	err   error
}

// take returns the started instance once; ok is false after that.
func (p *prestartedProvider) take() (prov plugins.Provider, err error, ok bool) {
	p.mu.Lock()
	if p.taken {
		p.mu.Unlock()
		return nil, nil, false
	}
	p.taken = true
	p.mu.Unlock()
	<-p.ready
	return p.prov, p.err, true
}

// prestartProviders starts, in the background, one instance of every
// provider the loaded configuration needs. The factories hand it out to
// the first caller and launch further instances as usual.
func (m *meta) prestartProviders() {
	if m.cfg == nil || len(m.prestarted) > 0 {
		return
	}
	f := m.factories()
	for _, src := range requiredSources(m.cfg) {
		start, ok := f[src]
		if !ok {
			continue
		}
		p := &prestartedProvider{ready: make(chan struct{})}
		go func() {
			defer close(p.ready)
			p.prov, p.err = start()
		}()
		m.prestarted = append(m.prestarted, p)
		f[src] = func() (plugins.Provider, error) {
			if prov, err, ok := p.take(); ok {
				return prov, err
			}
			return start()
		}
	}
}

// discardPrestarted ends the prestarted instances nobody took.
func (m *meta) discardPrestarted() {
	for _, p := range m.prestarted {
		if prov, err, ok := p.take(); ok && err == nil && prov != nil {
			_ = prov.Close()
		}
	}
	m.prestarted = nil
}
