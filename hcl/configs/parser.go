package configs

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// Parser loads configuration files, caching each parsed file so that a file
// reached twice (for example a module called from two places) is read once,
// and keeping every source it saw for diagnostic snippets.
//
// A Parser is not safe for concurrent use.
type Parser struct {
	files   map[string]*parsedFile
	sources map[string][]byte
}

type parsedFile struct {
	file  *hcl.File
	diags hcl.Diagnostics
}

// NewParser returns a parser with an empty cache.
func NewParser() *Parser {
	return &Parser{
		files:   map[string]*parsedFile{},
		sources: map[string][]byte{},
	}
}

// Sources returns the contents of every file the parser has read, keyed by
// the filename used in hcl.Range.Filename, for rendering diagnostic
// snippets. The returned map is a copy; the byte slices are shared.
func (p *Parser) Sources() map[string][]byte {
	ret := make(map[string][]byte, len(p.sources))
	for k, v := range p.sources {
		ret[k] = v
	}
	return ret
}

// parseSource parses src as native syntax or, for names ending in ".json",
// as HCL JSON. The body is never nil, even when parsing failed.
func (p *Parser) parseSource(filename string, src []byte) (*hcl.File, hcl.Diagnostics) {
	f, diags := parseBytes(filename, src)
	p.remember(filename, src, f, diags)
	return f, diags
}

func (p *Parser) remember(filename string, src []byte, f *hcl.File, diags hcl.Diagnostics) {
	p.sources[filename] = src
	p.files[filename] = &parsedFile{file: f, diags: diags}
}

// parseBytes is parseSource without the cache; it is safe to call
// concurrently.
func parseBytes(filename string, src []byte) (*hcl.File, hcl.Diagnostics) {
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(filename, ".json") {
		f, diags = hcljson.Parse(src, filename)
	} else {
		f, diags = hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	}
	if f == nil {
		f = &hcl.File{Bytes: src}
	}
	if f.Body == nil {
		f.Body = hcl.EmptyBody()
	}
	return f, diags
}

// loadFile reads and parses the file at path, or returns the cached result.
// A nil file means it could not be read.
func (p *Parser) loadFile(path string, subject *hcl.Range) (*hcl.File, hcl.Diagnostics) {
	if cached, ok := p.files[path]; ok {
		return cached.file, cached.diags
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, readFailed(path, err, subject)
	}
	return p.parseSource(path, src)
}

func readFailed(path string, err error, subject *hcl.Range) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Failed to read file",
		Detail:   fmt.Sprintf("The file %q could not be read: %s.", path, err),
		Subject:  subject,
	}}
}

// isConfigFilename reports whether name is a configuration file, skipping
// the hidden and editor backup files OpenTofu also ignores.
func isConfigFilename(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") ||
		(strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#")) {
		return false
	}
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// configFilesInDir lists the configuration files directly in dir, sorted,
// split into primary and override files.
func configFilesInDir(dir string, subject *hcl.Range) (primary, override []string, diags hcl.Diagnostics) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read module directory",
			Detail:   fmt.Sprintf("Module directory %s does not exist or cannot be read.", dir),
			Subject:  subject,
		}}
	}
	for _, e := range entries {
		name := e.Name()
		if !isConfigFilename(name) {
			continue
		}
		path := filepath.Join(dir, name)
		// Stat follows symlinks, which are a common way to share files
		// between modules.
		info, err := os.Stat(path)
		if err != nil || info.IsDir() {
			continue
		}
		if IsOverrideFilename(name) {
			override = append(override, path)
		} else {
			primary = append(primary, path)
		}
	}
	sort.Strings(primary)
	sort.Strings(override)
	return primary, override, nil
}

// LoadConfigDir loads the module in dir from all of its *.tf and *.tf.json
// files (not recursing into subdirectories), in lexical order, applying
// override files last.
func (p *Parser) LoadConfigDir(dir string) (*Module, hcl.Diagnostics) {
	return p.loadConfigDir(dir, nil)
}

func (p *Parser) loadConfigDir(dir string, subject *hcl.Range) (*Module, hcl.Diagnostics) {
	primaryPaths, overridePaths, diags := configFilesInDir(dir, subject)
	if diags.HasErrors() {
		return newEmptyModule(dir), diags
	}
	primary, pDiags := p.decodePaths(primaryPaths, false, subject)
	diags = append(diags, pDiags...)
	overrides, oDiags := p.decodePaths(overridePaths, true, subject)
	diags = append(diags, oDiags...)
	mod, mDiags := newModule(primary, overrides, dir)
	diags = append(diags, mDiags...)
	return mod, diags
}

func (p *Parser) decodePaths(paths []string, override bool, subject *hcl.Range) ([]*file, hcl.Diagnostics) {
	// Reading, parsing and decoding one file depends on nothing else, so
	// the files of a module are processed side by side; the results are
	// then taken in order, as if one file had been read after another.
	type result struct {
		cached  bool
		src     []byte
		f       *hcl.File
		fDiags  hcl.Diagnostics
		decoded *file
		dDiags  hcl.Diagnostics
	}
	results := make([]result, len(paths))
	for i, path := range paths {
		if cached, ok := p.files[path]; ok {
			results[i] = result{cached: true, f: cached.file, fDiags: cached.diags}
		}
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r := &results[i]
				if !r.cached {
					src, err := os.ReadFile(paths[i])
					if err != nil {
						r.fDiags = readFailed(paths[i], err, subject)
						continue
					}
					r.src = src
					r.f, r.fDiags = parseBytes(paths[i], src)
				}
				r.decoded, r.dDiags = decodeFile(r.f.Body, override)
			}
		}()
	}
	for i := range paths {
		work <- i
	}
	close(work)
	wg.Wait()

	var diags hcl.Diagnostics
	var files []*file
	for i, r := range results {
		if !r.cached && r.f != nil {
			p.remember(paths[i], r.src, r.f, r.fDiags)
		}
		diags = append(diags, r.fDiags...)
		if r.f == nil {
			continue
		}
		diags = append(diags, r.dDiags...)
		files = append(files, r.decoded)
	}
	return files, diags
}

// ParseModuleFromBytes builds a module from in-memory files keyed by
// filename. Names ending in ".json" are parsed as HCL JSON, everything else
// as native syntax; override file names are honoured. The module has no
// SourceDir, so local module calls get no SourceDir either.
func (p *Parser) ParseModuleFromBytes(files map[string][]byte) (*Module, hcl.Diagnostics) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)

	var diags hcl.Diagnostics
	var primary, overrides []*file
	for _, name := range names {
		f, fDiags := p.parseSource(name, files[name])
		diags = append(diags, fDiags...)
		isOverride := IsOverrideFilename(filepath.Base(name))
		decoded, dDiags := decodeFile(f.Body, isOverride)
		diags = append(diags, dDiags...)
		if isOverride {
			overrides = append(overrides, decoded)
		} else {
			primary = append(primary, decoded)
		}
	}
	mod, mDiags := newModule(primary, overrides, "")
	diags = append(diags, mDiags...)
	return mod, diags
}
