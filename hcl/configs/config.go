package configs

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Config is a node in the tree of modules: the root module and, under it,
// one node per module call.
type Config struct {
	Root   *Config
	Parent *Config
	// Path holds the module call names leading here from the root; it is
	// empty for the root.
	Path     []string
	Module   *Module
	Children map[string]*Config
	// CallRange is the declaration range of the module block that called
	// this module; zero for the root.
	CallRange hcl.Range
	// SourceDir is the directory the module was loaded from.
	SourceDir string
}

// Descendant returns the config at the given module call path relative to
// c, or nil if there is none.
func (c *Config) Descendant(path []string) *Config {
	cur := c
	for _, name := range path {
		if cur == nil {
			return nil
		}
		cur = cur.Children[name]
	}
	return cur
}

// DeepEach calls cb for c and then every descendant, depth-first, visiting
// children in order of their call names.
func (c *Config) DeepEach(cb func(*Config)) {
	if c == nil {
		return
	}
	cb(c)
	for _, name := range sortedKeys(c.Children) {
		c.Children[name].DeepEach(cb)
	}
}

// PathString renders Path as a module address such as "module.a.module.b",
// or "" for the root.
func (c *Config) PathString() string {
	parts := make([]string, 0, len(c.Path))
	for _, name := range c.Path {
		parts = append(parts, "module."+name)
	}
	return strings.Join(parts, ".")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LoadConfig loads the root module in rootDir and, recursively, every child
// module called with a local source path. Diagnostics from all modules are
// returned together; the tree is as complete as the errors allow.
func (p *Parser) LoadConfig(rootDir string) (*Config, hcl.Diagnostics) {
	mod, diags := p.LoadConfigDir(rootDir)
	root := &Config{
		Path:      []string{},
		Module:    mod,
		Children:  map[string]*Config{},
		SourceDir: rootDir,
	}
	root.Root = root
	diags = append(diags, p.loadChildren(root, []string{canonicalDir(rootDir)})...)
	return root, dedupeDiagnostics(diags)
}

// dedupeDiagnostics drops repeats, which arise when several calls share a
// module directory: its files are decoded once per call, but a problem in
// them should be reported once.
func dedupeDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := make(map[string]bool, len(diags))
	ret := diags[:0:0]
	for _, d := range diags {
		subject := ""
		if d.Subject != nil {
			subject = d.Subject.String()
		}
		key := fmt.Sprintf("%d\x00%s\x00%s\x00%s", d.Severity, d.Summary, d.Detail, subject)
		if seen[key] {
			continue
		}
		seen[key] = true
		ret = append(ret, d)
	}
	return ret
}

// canonicalDir resolves dir to an absolute path with symlinks evaluated, so
// that the same directory reached by different spellings is recognised.
func canonicalDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = filepath.Clean(dir)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}

func (p *Parser) loadChildren(parent *Config, ancestors []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(parent.Module.ModuleCalls) {
		mc := parent.Module.ModuleCalls[name]
		// Non-local sources were already reported while decoding the call.
		if !IsLocalModuleSource(mc.SourceAddr) {
			continue
		}
		dir := filepath.Join(parent.SourceDir, filepath.FromSlash(mc.SourceAddr))
		canon := canonicalDir(dir)

		recursive := false
		for _, a := range ancestors {
			recursive = recursive || a == canon
		}
		if recursive {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Recursive module source",
				Detail:   fmt.Sprintf("The module call %q refers to %s, which is the calling module itself or one of its ancestors. Module calls must not form a cycle.", mc.Name, dir),
				Subject:  mc.SourceRange.Ptr(),
			})
			continue
		}

		mod, modDiags := p.loadConfigDir(dir, mc.SourceRange.Ptr())
		diags = append(diags, modDiags...)

		path := make([]string, 0, len(parent.Path)+1)
		path = append(path, parent.Path...)
		path = append(path, mc.Name)
		child := &Config{
			Root:      parent.Root,
			Parent:    parent,
			Path:      path,
			Module:    mod,
			Children:  map[string]*Config{},
			CallRange: mc.DeclRange,
			SourceDir: dir,
		}
		parent.Children[mc.Name] = child

		nextAncestors := make([]string, 0, len(ancestors)+1)
		nextAncestors = append(nextAncestors, ancestors...)
		nextAncestors = append(nextAncestors, canon)
		diags = append(diags, p.loadChildren(child, nextAncestors)...)
	}
	return diags
}
