package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/nuvola-pa/nuvola/cmd/nuvola/internal/views"
	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/term"
)

// DefaultStatePath is the local backend's state file.
const DefaultStatePath = "nuvola.tfstate"

// meta holds what every command shares: streams, flags common to many
// commands, the loaded configuration and the diagnostics' sources.
type meta struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	noColor        bool
	input          bool
	sources        map[string][]byte
	cfg            *configs.Config
	provFactories  engine.ProviderFactories
	// provProblems are the external providers that provFactories cannot
	// start, and lockDiags the lock file's errors; see checkProviders.
	provProblems           []providerProblem
	lockDiags              hcl.Diagnostics
	configSources          map[string][]byte
	parser                 *configs.Parser
	statePath              string
	lock                   bool
	lockTimeout            time.Duration
	varSources             []configs.VarSource
	jsonView               *views.JSONView
	parallelism            int
	compactWarnings        bool
	stateFlag, backupFlag  string
	varsFlagSet, lockFlags bool
	// diagsToStderr sends warnings to stderr too, for a command whose
	// stdout is a document (-html).
	diagsToStderr bool
	// prestarted are provider instances started ahead of need; the
	// engine takes them through the factories.
	prestarted []*prestartedProvider
	// cmdline is the command line after the global options, for the
	// audit log.
	cmdline []string
}

func (m *meta) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.BoolVar(&m.noColor, "no-color", false, "")
	return fs
}

func (m *meta) parse(fs *flag.FlagSet, args []string) bool {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return false
		}
		fmt.Fprintf(m.stderr, "\nFor more help on using this command, run:\n  nuvola %s -help\n", fs.Name())
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		m.noColor = true
	}
	if f, ok := m.stdout.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		m.noColor = true
	}
	return true
}

type varFlag struct {
	m    *meta
	file bool
}

func (v varFlag) String() string { return "" }
func (v varFlag) Set(s string) error {
	if v.file {
		v.m.varSources = append(v.m.varSources, configs.VarSource{File: s})
	} else {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("the given -var option %q is not correctly specified; it must be a variable name and value separated by an equals sign, like -var=\"key=value\"", s)
		}
		v.m.varSources = append(v.m.varSources, configs.VarSource{Raw: s})
	}
	return nil
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func (m *meta) varFlags(fs *flag.FlagSet) {
	fs.Var(varFlag{m: m}, "var", "")
	fs.Var(varFlag{m: m, file: true}, "var-file", "")
	fs.BoolVar(&m.input, "input", true, "")
}

func (m *meta) stateFlags(fs *flag.FlagSet) {
	fs.BoolVar(&m.lock, "lock", true, "")
	fs.DurationVar(&m.lockTimeout, "lock-timeout", 0, "")
	fs.StringVar(&m.stateFlag, "state", "", "")
}

func (m *meta) viewOpts() views.Options { return views.Options{Color: !m.noColor} }

// showDiags renders diagnostics on stderr (errors) or stdout (warnings
// only), or as JSON events under -json.
func (m *meta) showDiags(diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	if m.jsonView != nil {
		m.jsonView.Diagnostics(diags)
		return
	}
	w := m.stdout
	if diags.HasErrors() || m.diagsToStderr {
		w = m.stderr
	}
	_ = views.RenderDiagnostics(w, sortDiags(diags), m.sources, m.viewOpts())
}

func (m *meta) errorf(summary, format string, args ...any) {
	m.showDiags(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...)}})
}

// loadConfig loads the configuration in the working directory.
func (m *meta) loadConfig() (*configs.Config, hcl.Diagnostics) {
	m.parser = configs.NewParser()
	cfg, diags := m.parser.LoadConfig(".")
	m.sources = m.parser.Sources()
	m.configSources = m.sources
	m.cfg = cfg
	m.provFactories = nil
	if cfg == nil || diags.HasErrors() {
		return cfg, diags
	}
	if len(cfg.Module.ManagedResources) == 0 && len(cfg.Module.DataResources) == 0 && len(cfg.Module.ModuleCalls) == 0 &&
		len(cfg.Module.Outputs) == 0 && len(cfg.Module.Variables) == 0 && len(cfg.Module.Locals) == 0 && !hasConfigFiles(".") {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No configuration files",
			Detail: "Plan requires configuration to be present. Planning without a configuration would mark everything for destruction, which is normally not what is desired. If you would like to destroy everything, run 'nuvola destroy' instead."})
	}
	diags = append(diags, checkRequiredVersion(cfg)...)
	return cfg, diags
}

func hasConfigFiles(dir string) bool {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tf") || strings.HasSuffix(e.Name(), ".tf.json") {
			return true
		}
	}
	return false
}

// checkRequiredVersion checks required_version against the OpenTofu
// language level nuvola implements.
func checkRequiredVersion(cfg *configs.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	v := version.Must(version.NewVersion(engine.LanguageVersion))
	cfg.DeepEach(func(c *configs.Config) {
		for i, cons := range c.Module.RequiredVersion {
			if !cons.Check(v) {
				d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported language version",
					Detail: fmt.Sprintf("This configuration does not support nuvola's OpenTofu language level %s: required_version is %q. Change the constraint or the configuration.", engine.LanguageVersion, cons.String())}
				if i < len(c.Module.RequiredVersionRanges) {
					d.Subject = c.Module.RequiredVersionRanges[i].Ptr()
				}
				diags = append(diags, d)
			}
		}
	})
	return diags
}

// snapshot reads every configuration file of every module, for the plan.
func (m *meta) snapshot(cfg *configs.Config) map[string][]byte {
	out := map[string][]byte{}
	root, _ := filepath.Abs(cfg.SourceDir)
	for name, src := range m.configSources {
		abs, err := filepath.Abs(name)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			continue
		}
		out[filepath.ToSlash(rel)] = src
	}
	return out
}

func (m *meta) variables(cfg *configs.Config) (map[string]cty.Value, hcl.Diagnostics) {
	vals, diags := m.parser.CollectVariableValues(".", m.varSources, os.Environ(), cfg.Module.Variables)
	if diags.HasErrors() && m.canPrompt() {
		if asked := m.promptMissing(cfg, diags); asked {
			vals, diags = m.parser.CollectVariableValues(".", m.varSources, os.Environ(), cfg.Module.Variables)
		}
	}
	// Variable files are sources too: diagnostics quote them.
	m.sources = m.parser.Sources()
	return vals, diags
}

// backend returns the local state backend the configuration asks for.
func (m *meta) backend(cfg *configs.Config) (*state.Local, hcl.Diagnostics) {
	path := DefaultStatePath
	if m.stateFlag != "" {
		path = m.stateFlag
	} else if cfg != nil && cfg.Module.Backend != nil {
		b := cfg.Module.Backend
		if b.Type != "local" {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported backend type",
				Detail: fmt.Sprintf("There is no backend type named %q in this version; the local backend is available.", b.Type), Subject: b.TypeRange.Ptr()}}
		}
		var lc struct {
			Path         *string  `hcl:"path"`
			WorkspaceDir *string  `hcl:"workspace_dir"`
			Remain       hcl.Body `hcl:",remain"`
		}
		if diags := gohcl.DecodeBody(b.Config, nil, &lc); diags.HasErrors() {
			return nil, diags
		}
		if lc.Path != nil {
			path = *lc.Path
		}
	}
	m.statePath = path
	return state.NewLocal(path), nil
}

// lockState takes the state lock unless -lock=false.
func (m *meta) lockState(b *state.Local, op string) (func(), bool) {
	if !m.lock {
		return func() {}, true
	}
	unlock, err := b.Lock(m.ctx, state.LockInfo{Operation: op, Version: engine.Version}, m.lockTimeout)
	if err != nil {
		m.errorf("Error acquiring the state lock", "%s", strings.TrimPrefix(err.Error(), "Error acquiring the state lock: "))
		return nil, false
	}
	return func() {
		if err := unlock(); err != nil {
			m.errorf("Error releasing the state lock", "%s", err)
		}
	}, true
}

// loadState reads the state, folding in a journal left by a crashed run.
func (m *meta) loadState(b *state.Local) (*state.State, bool) {
	st, rec, err := b.Load()
	if err != nil {
		m.errorf("Failed to load state", "%s: %s", b.Path, err)
		return nil, false
	}
	if rec != nil {
		msg := fmt.Sprintf("Recovered %d resource change(s) recorded by an interrupted run", rec.Records)
		if rec.Note != "" {
			msg += ": " + rec.Note
		}
		m.showDiags(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "State recovered from journal", Detail: msg + "."}})
		if m.lock {
			// Folding the journal in changes the state file: it is
			// recorded like any other change.
			a, ok := m.startAudit(b, m.commandName())
			if !ok {
				return nil, false
			}
			a.rec.Note = msg + "."
			if err := b.Persist(st); err != nil {
				m.errorf("Failed to persist recovered state", "%s", err)
				return nil, false
			}
			if !a.finish(nil) {
				return nil, false
			}
		}
	}
	return st, true
}

func parseTargets(m *meta, raw []string) ([]addrs.Target, bool) {
	var out []addrs.Target
	for _, s := range raw {
		t, diags := addrs.ParseTargetStr(s)
		if diags.HasErrors() {
			m.showDiags(diags)
			return nil, false
		}
		out = append(out, t)
	}
	return out, true
}

// journalSink writes each finished change to the state journal.
type journalSink struct{ j *state.Journal }

func (s journalSink) Put(addr addrs.AbsResourceInstance, deposed string, obj *state.Object, provider string) func() error {
	rec := state.Record{Addr: addr.String(), Deposed: deposed, Provider: provider, Object: obj}
	switch {
	case deposed == "" && obj != nil:
		rec.Op = state.OpPut
	case deposed == "":
		rec.Op = state.OpDelete
	case obj != nil:
		rec.Op = state.OpPutDeposed
	default:
		rec.Op = state.OpDeleteDeposed
	}
	return s.j.Enqueue(rec)
}

// Creating records a create request about to be sent.
func (s journalSink) Creating(addr addrs.AbsResourceInstance, provider string) func() error {
	return s.j.Enqueue(state.Record{Op: state.OpCreating, Addr: addr.String(), Provider: provider})
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sortDiags orders diagnostics as OpenTofu shows them: errors first, then by
// file and position, so output does not depend on evaluation order.
func sortDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	out := append(hcl.Diagnostics(nil), diags...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity < b.Severity
		}
		if (a.Subject == nil) != (b.Subject == nil) {
			return a.Subject == nil
		}
		if a.Subject == nil {
			return false
		}
		if a.Subject.Filename != b.Subject.Filename {
			return a.Subject.Filename < b.Subject.Filename
		}
		return a.Subject.Start.Byte < b.Subject.Start.Byte
	})
	return out
}

// canPrompt reports whether values may be asked for: -input is on and
// standard input is a terminal.
func (m *meta) canPrompt() bool {
	if !m.input {
		return false
	}
	f, ok := m.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// promptMissing asks for the required root variables that have no value,
// as OpenTofu does in an interactive run, and adds the answers as -var
// values. It reports whether it asked anything.
func (m *meta) promptMissing(cfg *configs.Config, diags hcl.Diagnostics) bool {
	var missing []*configs.Variable
	for _, d := range diags {
		if d.Summary != "No value for required variable" || d.Subject == nil {
			continue
		}
		for _, v := range cfg.Module.Variables {
			if v.DeclRange.Filename == d.Subject.Filename && v.DeclRange.Start.Line == d.Subject.Start.Line {
				missing = append(missing, v)
			}
		}
	}
	if len(missing) == 0 {
		return false
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].Name < missing[j].Name })
	in := bufio.NewReader(m.stdin)
	for _, v := range missing {
		fmt.Fprintf(m.stdout, "var.%s\n", v.Name)
		if v.Description != "" {
			fmt.Fprintf(m.stdout, "  %s\n", v.Description)
		}
		fmt.Fprintf(m.stdout, "\n  Enter a value: ")
		var line string
		if v.Sensitive {
			if f, ok := m.stdin.(*os.File); ok {
				b, err := term.ReadPassword(int(f.Fd()))
				if err != nil {
					return false
				}
				line = string(b)
				fmt.Fprintln(m.stdout)
			}
		} else {
			var err error
			line, err = in.ReadString('\n')
			if err != nil && line == "" {
				return false
			}
		}
		fmt.Fprintln(m.stdout)
		m.varSources = append(m.varSources, configs.VarSource{Raw: v.Name + "=" + strings.TrimRight(line, "\r\n")})
	}
	return true
}
