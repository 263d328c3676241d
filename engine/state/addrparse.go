package state

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/nuvola-pa/nuvola/engine/addrs"
)

// The addresses in a state file are read with a parser of their own rather
// than addrs.ParseTargetStr: addrs renders instance keys with strconv.Quote,
// and HCL's traversal syntax cannot read back every key that produces (a
// for_each key holding "${", "%{", a control character or invalid UTF-8).
// A key that is valid in a configuration must never make the state
// unreadable, so this parser is the exact inverse of the String methods.

// addrParser walks an address string from left to right.
type addrParser struct {
	s   string
	pos int
}

func (p *addrParser) done() bool { return p.pos == len(p.s) }

func (p *addrParser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid address %q: %s", p.s, fmt.Sprintf(format, args...))
}

func (p *addrParser) consume(prefix string) bool {
	if strings.HasPrefix(p.s[p.pos:], prefix) {
		p.pos += len(prefix)
		return true
	}
	return false
}

// ident reads a name up to the next '.', '[' or the end.
func (p *addrParser) ident() (string, error) {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != '.' && p.s[p.pos] != '[' {
		p.pos++
	}
	name := p.s[start:p.pos]
	if !validIdent(name) {
		if name == "" {
			return "", p.errorf("a name is missing at offset %d", start)
		}
		return "", p.errorf("%q is not a valid name", name)
	}
	return name, nil
}

// key reads an optional instance key: [N] or ["string"].
func (p *addrParser) key() (addrs.InstanceKey, error) {
	if !p.consume("[") {
		return addrs.NoKey, nil
	}
	rest := p.s[p.pos:]
	var k addrs.InstanceKey
	if strings.HasPrefix(rest, `"`) {
		quoted, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, p.errorf("the instance key at offset %d is not a valid quoted string", p.pos)
		}
		str, err := strconv.Unquote(quoted)
		if err != nil {
			return nil, p.errorf("the instance key at offset %d is not a valid quoted string", p.pos)
		}
		p.pos += len(quoted)
		k = addrs.StringKey(str)
	} else {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, p.errorf("unclosed \"[\"")
		}
		n, err := parseIndex(rest[:end])
		if err != nil {
			return nil, p.errorf("%v", err)
		}
		p.pos += end
		k = addrs.IntKey(n)
	}
	if !p.consume("]") {
		return nil, p.errorf("expected \"]\" at offset %d", p.pos)
	}
	return k, nil
}

// parseIndex reads a count index: digits only, so that "+1", "1.0" or
// "1e0" cannot alias the canonical "1".
func parseIndex(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("empty instance key")
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("instance key %q is neither a quoted string nor a whole number", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxIndex {
		return 0, fmt.Errorf("instance key %s is too large", s)
	}
	return n, nil
}

// maxIndex bounds count indexes to what a count expression could produce
// on any platform, so a state written on 64-bit reads on 32-bit.
const maxIndex = 1<<31 - 1

// modulePath reads any leading module.NAME[KEY] steps, each followed by a
// '.' unless it ends the string.
func (p *addrParser) modulePath() (addrs.ModuleInstance, error) {
	var m addrs.ModuleInstance
	for p.consume("module.") {
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		m = append(m, addrs.ModuleInstanceStep{Name: name, Key: k})
		if p.done() {
			break
		}
		if !p.consume(".") {
			return nil, p.errorf("expected \".\" at offset %d", p.pos)
		}
	}
	return m, nil
}

// resource reads [data.]TYPE.NAME and an optional key.
func (p *addrParser) resource() (addrs.Resource, addrs.InstanceKey, error) {
	mode := addrs.ManagedResourceMode
	if p.consume("data.") {
		mode = addrs.DataResourceMode
	}
	typ, err := p.ident()
	if err != nil {
		return addrs.Resource{}, nil, err
	}
	if !p.consume(".") {
		return addrs.Resource{}, nil, p.errorf("a resource address is TYPE.NAME")
	}
	name, err := p.ident()
	if err != nil {
		return addrs.Resource{}, nil, err
	}
	k, err := p.key()
	if err != nil {
		return addrs.Resource{}, nil, err
	}
	if !p.done() {
		return addrs.Resource{}, nil, p.errorf("unexpected %q after the resource address", p.s[p.pos:])
	}
	return addrs.Resource{Mode: mode, Type: typ, Name: name}, k, nil
}

// parseModuleInstance reads a module instance path such as
// module.a["x"].module.b[0]; the empty string is the root module.
func parseModuleInstance(s string) (addrs.ModuleInstance, error) {
	if s == "" {
		return addrs.RootModuleInstance, nil
	}
	p := &addrParser{s: s}
	m, err := p.modulePath()
	if err != nil {
		return nil, err
	}
	if len(m) == 0 || !p.done() || strings.HasSuffix(s, ".") {
		return nil, p.errorf("not a module instance path")
	}
	return m, nil
}

// parseAbsResourceInstance reads a resource instance address; without a
// key it names the instance that has none.
func parseAbsResourceInstance(s string) (addrs.AbsResourceInstance, error) {
	p := &addrParser{s: s}
	m, err := p.modulePath()
	if err != nil {
		return addrs.AbsResourceInstance{}, err
	}
	if p.done() {
		return addrs.AbsResourceInstance{}, p.errorf("a resource instance address is required")
	}
	r, k, err := p.resource()
	if err != nil {
		return addrs.AbsResourceInstance{}, err
	}
	if m == nil {
		m = addrs.RootModuleInstance
	}
	return r.Instance(k).Absolute(m), nil
}

// parseAbsResource reads a resource address, which has no instance key.
func parseAbsResource(s string) (addrs.AbsResource, error) {
	a, err := parseAbsResourceInstance(s)
	if err != nil {
		return addrs.AbsResource{}, err
	}
	if a.Resource.Key != addrs.NoKey {
		return addrs.AbsResource{}, fmt.Errorf("invalid address %q: a resource address has no instance key", s)
	}
	return a.ContainingResource(), nil
}

// checkProviderAddr accepts a provider configuration address:
// [module.NAME.]provider["SOURCE"][.ALIAS].
func checkProviderAddr(s string) error {
	bad := func(why string) error {
		return fmt.Errorf("invalid provider address %q: %s", s, why)
	}
	p := &addrParser{s: s}
	for p.consume("module.") {
		if _, err := p.ident(); err != nil {
			return bad("bad module name")
		}
		if !p.consume(".") {
			return bad("expected \".\" after the module name")
		}
	}
	if !p.consume("provider[") {
		return bad(`expected provider["SOURCE"]`)
	}
	quoted, err := strconv.QuotedPrefix(p.s[p.pos:])
	if err != nil || !strings.HasPrefix(quoted, `"`) {
		return bad("the provider source is not a quoted string")
	}
	if src, _ := strconv.Unquote(quoted); src == "" {
		return bad("the provider source is empty")
	}
	p.pos += len(quoted)
	if !p.consume("]") {
		return bad(`expected "]" after the provider source`)
	}
	if p.consume(".") {
		if _, err := p.ident(); err != nil || !p.done() {
			return bad("bad alias")
		}
	}
	if !p.done() {
		return bad("unexpected text after the address")
	}
	return nil
}

// validIdent follows HCL's identifier rule: a letter or underscore, then
// letters, digits, underscores and dashes.
func validIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z'):
		case i > 0 && (r == '-' || ('0' <= r && r <= '9')):
		case r >= 0x80 && unicode.IsLetter(r):
		case i > 0 && r >= 0x80 && (unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)):
		default:
			return false
		}
	}
	return true
}

// validateModuleInstance checks a module path before it is written, so that
// the file can always be read back.
func validateModuleInstance(m addrs.ModuleInstance) error {
	for _, step := range m {
		if !validIdent(step.Name) {
			return fmt.Errorf("invalid module name %q", step.Name)
		}
		if err := validateKey(step.Key); err != nil {
			return err
		}
	}
	return nil
}

func validateKey(k addrs.InstanceKey) error {
	switch k := k.(type) {
	case nil, addrs.StringKey:
		return nil
	case addrs.IntKey:
		if k < 0 || k > maxIndex {
			return fmt.Errorf("invalid instance key %d", int(k))
		}
		return nil
	default:
		return fmt.Errorf("unsupported instance key type %T", k)
	}
}

func validateResource(r addrs.Resource) error {
	if r.Mode != addrs.ManagedResourceMode && r.Mode != addrs.DataResourceMode {
		return fmt.Errorf("resource %s has an invalid mode %d", r, r.Mode)
	}
	if !validIdent(r.Type) || !validIdent(r.Name) {
		return fmt.Errorf("invalid resource address %q", r.String())
	}
	return nil
}
