package plugins

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// LockFileName is the lock file's name in the working directory.
const LockFileName = ".nuvola.lock.hcl"

const lockFileHeader = `# This file is maintained automatically by "nuvola init".
# Manual edits may be lost in future updates.
`

// LockedProvider is one provider pinned in the lock file: the version
// chosen, the constraints it was chosen under, and the checksums of the
// binaries accepted for it ("sha256:<hex>" for nuvola's; "h1:" and "zh:"
// from OpenTofu are kept as they are).
type LockedProvider struct {
	Source      string
	Version     string
	Constraints string
	Hashes      []string
}

// LockFile is the content of .nuvola.lock.hcl, in OpenTofu's lock file
// format: one provider block per source address.
type LockFile struct {
	Providers map[string]*LockedProvider
}

// Provider returns the entry for a source address, or nil.
func (l *LockFile) Provider(source string) *LockedProvider {
	if l == nil {
		return nil
	}
	return l.Providers[source]
}

// SetProvider adds or replaces the entry for p.Source.
func (l *LockFile) SetProvider(p *LockedProvider) {
	if l.Providers == nil {
		l.Providers = map[string]*LockedProvider{}
	}
	l.Providers[p.Source] = p
}

// LoadLockFile reads a lock file. A missing file is an empty lock file: a
// configuration before its first init has none. Malformed content is
// reported with the file and line.
func LoadLockFile(path string) (*LockFile, hcl.Diagnostics) {
	lf := &LockFile{Providers: map[string]*LockedProvider{}}
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return lf, nil
	}
	if err != nil {
		return lf, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read the dependency lock file",
			Detail:   fmt.Sprintf("nuvola could not read %s: %s.", path, err),
		}}
	}
	return parseLockFile(src, path)
}

var lockFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "provider", LabelNames: []string{"source"}}},
}

var lockProviderSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "version", Required: true},
		{Name: "constraints"},
		{Name: "hashes"},
	},
}

func parseLockFile(src []byte, filename string) (*LockFile, hcl.Diagnostics) {
	lf := &LockFile{Providers: map[string]*LockedProvider{}}
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return lf, diags
	}
	content, d := f.Body.Content(lockFileSchema)
	diags = append(diags, d...)
	declared := map[string]hcl.Range{}
	for _, b := range content.Blocks {
		p, d := decodeLockedProvider(b)
		diags = append(diags, d...)
		if p == nil {
			continue
		}
		if prev, ok := declared[p.Source]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate provider in the dependency lock file",
				Detail:   fmt.Sprintf("The provider %q is already locked at %s. Remove one of the blocks, or run \"nuvola init -upgrade\" to write the file afresh.", p.Source, prev),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		declared[p.Source] = b.DefRange
		lf.Providers[p.Source] = p
	}
	return lf, diags
}

func decodeLockedProvider(b *hcl.Block) (*LockedProvider, hcl.Diagnostics) {
	source := b.Labels[0]
	var diags hcl.Diagnostics
	if err := checkSourceAddr(source); err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid provider source address",
			Detail:   fmt.Sprintf("The lock file's provider block has the source %q: %s.", source, err),
			Subject:  b.LabelRanges[0].Ptr(),
		}}
	}
	content, d := b.Body.Content(lockProviderSchema)
	diags = append(diags, d...)
	if d.HasErrors() {
		return nil, diags
	}
	p := &LockedProvider{Source: source}
	attr := content.Attributes["version"]
	diags = append(diags, gohcl.DecodeExpression(attr.Expr, nil, &p.Version)...)
	if p.Version != "" {
		if _, err := version.NewVersion(p.Version); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid provider version",
				Detail:   fmt.Sprintf("The version %q locked for %s is not a version number: %s.", p.Version, source, err),
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
	}
	if attr, ok := content.Attributes["constraints"]; ok {
		diags = append(diags, gohcl.DecodeExpression(attr.Expr, nil, &p.Constraints)...)
		if p.Constraints != "" {
			if _, err := version.NewConstraint(p.Constraints); err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid version constraints",
					Detail:   fmt.Sprintf("The constraints %q recorded for %s are not valid: %s.", p.Constraints, source, err),
					Subject:  attr.Expr.Range().Ptr(),
				})
			}
		}
	}
	if attr, ok := content.Attributes["hashes"]; ok {
		exprs, d := hcl.ExprList(attr.Expr)
		diags = append(diags, d...)
		for _, e := range exprs {
			var h string
			d := gohcl.DecodeExpression(e, nil, &h)
			diags = append(diags, d...)
			if d.HasErrors() {
				continue
			}
			if err := checkHash(h); err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid provider checksum",
					Detail:   fmt.Sprintf("The checksum %q recorded for %s is malformed: %s.", h, source, err),
					Subject:  e.Range().Ptr(),
				})
				continue
			}
			p.Hashes = append(p.Hashes, h)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return p, diags
}

// checkSourceAddr accepts a fully qualified source address
// (hostname/namespace/type), which is what the lock file records.
func checkSourceAddr(s string) error {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || slices.Contains(parts, "") {
		return errors.New(`a source in the lock file has the form "hostname/namespace/type"`)
	}
	return nil
}

// checkHash accepts "scheme:value"; a sha256 checksum must be one.
func checkHash(h string) error {
	scheme, val, ok := strings.Cut(h, ":")
	if !ok || scheme == "" || val == "" {
		return errors.New(`a checksum has the form "scheme:value", such as "sha256:<hex>"`)
	}
	if scheme == "sha256" {
		if b, err := hex.DecodeString(val); err != nil || len(b) != 32 {
			return errors.New("a sha256 checksum is 64 hexadecimal digits")
		}
	}
	return nil
}

// Bytes renders the lock file: the header, then one block per provider
// sorted by source, each with its hashes sorted, one per line, so that a
// diff of the file shows exactly what changed.
func (l *LockFile) Bytes() []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	var sources []string
	if l != nil {
		for s := range l.Providers {
			sources = append(sources, s)
		}
	}
	sort.Strings(sources)
	for i, s := range sources {
		p := l.Providers[s]
		if i > 0 {
			body.AppendNewline()
		}
		b := body.AppendNewBlock("provider", []string{s}).Body()
		b.SetAttributeValue("version", cty.StringVal(p.Version))
		if p.Constraints != "" {
			b.SetAttributeValue("constraints", cty.StringVal(p.Constraints))
		}
		if hashes := normalizedHashes(p.Hashes); len(hashes) > 0 {
			b.SetAttributeRaw("hashes", hashListTokens(hashes))
		}
	}
	out := []byte(lockFileHeader)
	if len(sources) > 0 {
		out = append(out, '\n')
		out = append(out, hclwrite.Format(f.Bytes())...)
	}
	return out
}

func normalizedHashes(hs []string) []string {
	out := slices.Clone(hs)
	sort.Strings(out)
	return slices.Compact(out)
}

// hashListTokens writes the list one element per line, which hclwrite's
// value encoder would put on one line.
func hashListTokens(hashes []string) hclwrite.Tokens {
	toks := hclwrite.Tokens{
		{Type: hclsyntax.TokenOBrack, Bytes: []byte{'['}},
		{Type: hclsyntax.TokenNewline, Bytes: []byte{'\n'}},
	}
	for _, h := range hashes {
		toks = append(toks, hclwrite.TokensForValue(cty.StringVal(h))...)
		toks = append(toks,
			&hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte{','}},
			&hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte{'\n'}})
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte{']'}})
}

// Save writes the lock file atomically: a temporary file in the same
// directory, synced, then renamed over path, so a crash leaves either the
// old file or the new one.
func (l *LockFile) Save(path string) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing the dependency lock file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(l.Bytes()); err != nil {
		return fmt.Errorf("writing the dependency lock file: %w", err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing the dependency lock file: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing the dependency lock file: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing the dependency lock file: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the dependency lock file: %w", err)
	}
	// The rename is durable only once the directory is synced; not every
	// system can open a directory for that, and the file is complete
	// either way.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Verify checks a provider binary's checksum ("sha256:<hex>", as FileSHA256
// returns) against the lock file.
func (l *LockFile) Verify(source, sha string) error {
	p := l.Provider(source)
	if p == nil {
		return fmt.Errorf("the provider %s is not in the lock file %s; run \"nuvola init\" to record it", source, LockFileName)
	}
	if slices.Contains(p.Hashes, sha) {
		return nil
	}
	recorded := "no checksum"
	if len(p.Hashes) > 0 {
		recorded = strings.Join(p.Hashes, ", ")
	}
	return fmt.Errorf("the checksum of the provider binary for %s (%s) does not match the lock file %s, which records %s; "+
		"if the binary was changed on purpose, run \"nuvola init -upgrade\" to re-pin it", source, sha, LockFileName, recorded)
}
