package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/builtin"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// ProviderFactory starts a provider; the engine closes it when done.
type ProviderFactory func() (plugins.Provider, error)

// ProviderFactories maps provider source addresses (e.g.
// "registry.opentofu.org/hashicorp/null") to factories. The built-in
// "terraform" provider is always available.
type ProviderFactories map[string]ProviderFactory

// providerAddr is a provider configuration: the module that holds the
// provider block (or the root for an implied empty one), the source, and
// the alias.
type providerAddr struct {
	Module addrs.Module
	Source string
	Alias  string
}

func (p providerAddr) String() string {
	s := "provider[" + strconv.Quote(p.Source) + "]"
	if p.Alias != "" {
		s += "." + p.Alias
	}
	if len(p.Module) > 0 {
		return p.Module.String() + "." + s
	}
	return s
}

// providers owns the provider instances of one operation: one per provider
// configuration, plus one unconfigured instance per source for schemas.
type providers struct {
	factories ProviderFactories
	mu        sync.Mutex
	schemas   map[string]*plugins.GetSchemaResponse
	// failed are the providers whose schemas could not be had, by source.
	failed    map[string]*schemaFailure
	instances map[string]plugins.Provider // by providerAddr.String(), and "schema:"+source
	adopted   map[string]bool             // sources whose schema instance was configured
	all       []plugins.Provider
	// configs holds each configured provider's configuration, sensitive
	// values nulled, for the policy step.
	configs map[string]cty.Value
	blocks  sync.Map // *plugins.Block -> *blockInfo
	bodies  sync.Map // bodyKey -> *bodyInfo
}

func newProviders(f ProviderFactories) *providers {
	return &providers{factories: f, schemas: map[string]*plugins.GetSchemaResponse{}, failed: map[string]*schemaFailure{}, instances: map[string]plugins.Provider{}, adopted: map[string]bool{}}
}

func (p *providers) start(source string) (plugins.Provider, error) {
	if source == builtin.ProviderSource {
		return builtin.New(), nil
	}
	f, ok := p.factories[source]
	if !ok {
		return nil, fmt.Errorf("provider %q is not available: it is neither built in nor installed (run \"nuvola init\")", source)
	}
	return f()
}

// known reports whether start can start the provider.
func (p *providers) known(source string) bool {
	_, ok := p.factories[source]
	return ok || source == builtin.ProviderSource
}

// schema returns the provider's schemas, starting an instance if needed.
// A provider that cannot be started or does not answer is not tried again
// within the operation: its *schemaFailure is returned to every caller.
func (p *providers) schema(ctx context.Context, source string) (*plugins.GetSchemaResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.schemas[source]; ok {
		return s, nil
	}
	if f := p.failed[source]; f != nil {
		return nil, f
	}
	inst, ok := p.instances["schema:"+source]
	if !ok {
		var err error
		inst, err = p.start(source)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, p.failLocked(source, err)
		}
		p.instances["schema:"+source] = inst
		p.all = append(p.all, inst)
	}
	resp := inst.GetSchema(ctx, plugins.GetSchemaRequest{})
	if resp.Diagnostics.HasErrors() {
		if ctx.Err() != nil {
			// Cancelled: nothing is known to be wrong with the provider.
			return nil, fmt.Errorf("provider %s failed to report its schema: %w", source, resp.Diagnostics.Err())
		}
		return nil, p.failLocked(source, fmt.Errorf("it failed to report its schema: %w", resp.Diagnostics.Err()))
	}
	p.schemas[source] = &resp
	return &resp, nil
}

// failLocked records that the provider's schemas cannot be had.
func (p *providers) failLocked(source string, err error) *schemaFailure {
	f := &schemaFailure{err: err, diag: &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Failed to load plugin schemas",
		Detail:   fmt.Sprintf("Could not load the schema for provider %s: %s", source, err),
	}}
	p.failed[source] = f
	return f
}

// schemaFailure is a provider whose schemas could not be had. Every
// resource of the provider gets the same diagnostic, so that the walk,
// which reports a shared diagnostic once, reports the provider once rather
// than once per resource.
type schemaFailure struct {
	err  error
	diag *hcl.Diagnostic
}

func (f *schemaFailure) Error() string { return f.diag.Detail }
func (f *schemaFailure) Unwrap() error { return f.err }

// schemaDiag is the diagnostic for an error of schema or resourceSchema:
// the provider's shared one, or, for a resource type the provider does not
// have, one at subject with summary.
func schemaDiag(err error, summary string, subject *hcl.Range) *hcl.Diagnostic {
	var f *schemaFailure
	if errors.As(err, &f) {
		return f.diag
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: err.Error(), Subject: subject}
}

func (p *providers) resourceSchema(ctx context.Context, source string, mode addrs.ResourceMode, typ string) (*plugins.Schema, error) {
	s, err := p.schema(ctx, source)
	if err != nil {
		return nil, err
	}
	m := s.ResourceTypes
	kind := "resource"
	if mode == addrs.DataResourceMode {
		m, kind = s.DataSources, "data source"
	}
	rs, ok := m[typ]
	if !ok {
		// OpenTofu's wording; the default registry is left out, as it
		// displays provider addresses.
		return nil, fmt.Errorf("The provider %s does not support %s type %q.", strings.TrimPrefix(source, "registry.opentofu.org/"), kind, typ)
	}
	if rs.Block == nil {
		rs.Block = emptyBlock
	}
	return &rs, nil
}

// emptyBlock stands for a missing schema block. It is shared, so that the
// derived forms cached per block are worked out once.
var emptyBlock = &plugins.Block{}

// configured returns the instance for a provider configuration, or nil if
// it has not been configured yet.
func (p *providers) configured(addr providerAddr) plugins.Provider {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.instances[addr.String()]
}

func (p *providers) configure(ctx context.Context, addr providerAddr, config cty.Value) (plugins.Provider, plugins.Diagnostics) {
	// The first configuration of a provider takes over the instance that
	// answered the schema request, so that a command usually starts one
	// process per provider rather than two.
	p.mu.Lock()
	inst := p.instances["schema:"+addr.Source]
	if inst != nil && p.adopted[addr.Source] {
		inst = nil
	}
	if inst != nil {
		p.adopted[addr.Source] = true
	}
	p.mu.Unlock()
	if inst == nil {
		var err error
		inst, err = p.start(addr.Source)
		if err != nil {
			return nil, plugins.Diagnostics{}.FromErr(err, nil)
		}
		p.mu.Lock()
		p.all = append(p.all, inst)
		p.mu.Unlock()
	}
	v := inst.ValidateProviderConfig(ctx, plugins.ValidateProviderConfigRequest{Config: config})
	if v.Diagnostics.HasErrors() {
		return nil, v.Diagnostics
	}
	c := inst.ConfigureProvider(ctx, plugins.ConfigureProviderRequest{Config: config, TerraformVersion: Version})
	diags := append(v.Diagnostics, c.Diagnostics...)
	if c.Diagnostics.HasErrors() {
		return nil, diags
	}
	p.mu.Lock()
	p.instances[addr.String()] = inst
	if s := p.schemas[addr.Source]; s != nil && s.Provider.Block != nil {
		if p.configs == nil {
			p.configs = map[string]cty.Value{}
		}
		p.configs[addr.String()] = nullSensitive(s.Provider.Block, config)
	}
	p.mu.Unlock()
	return inst, diags
}

// nullSensitive replaces the values at the block's sensitive paths by
// nulls of their type.
func nullSensitive(b *plugins.Block, v cty.Value) cty.Value {
	v, _ = v.UnmarkDeep()
	paths := b.SensitivePaths(v, nil)
	if len(paths) == 0 {
		return v
	}
	out, err := cty.Transform(v, func(p cty.Path, cv cty.Value) (cty.Value, error) {
		for _, sp := range paths {
			if sp.Equals(p) {
				return cty.NullVal(cv.Type()), nil
			}
		}
		return cv, nil
	})
	if err != nil {
		return cty.NullVal(v.Type())
	}
	return out
}

// configValues are the configurations of the configured providers by
// provider configuration address, sensitive values nulled.
func (p *providers) configValues() map[string]cty.Value {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]cty.Value, len(p.configs))
	for k, v := range p.configs {
		out[k] = v
	}
	return out
}

// policyChecker returns the provider of source as a policy checker,
// starting it if needed.
func (p *providers) policyChecker(ctx context.Context, source string) (plugins.PolicyChecker, error) {
	if _, err := p.schema(ctx, source); err != nil {
		return nil, err
	}
	p.mu.Lock()
	inst := p.instances["schema:"+source]
	p.mu.Unlock()
	pc, ok := inst.(plugins.PolicyChecker)
	if !ok {
		return nil, fmt.Errorf("provider %s does not check plans", source)
	}
	return pc, nil
}

// close ends every provider instance; it is safe to call more than once.
func (p *providers) close() {
	p.mu.Lock()
	all := p.all
	p.all = nil
	p.instances = map[string]plugins.Provider{}
	p.mu.Unlock()
	for _, inst := range all {
		_ = inst.Close()
	}
}

// providerSource returns the source address a local name means in a module.
func providerSource(mod *configs.Module, local string) string {
	if rp, ok := mod.RequiredProviders[local]; ok && rp.Source != "" {
		return rp.Source
	}
	return configs.ImpliedProviderSource(local)
}

// resolveProvider finds the provider configuration a resource uses, following
// explicit `providers` maps of module calls and implicit inheritance of
// default configurations, as OpenTofu does.
func resolveProvider(cfg *configs.Config, r *configs.Resource) (providerAddr, hcl.Diagnostics) {
	local, alias := r.ProviderLocalName(), ""
	if r.ProviderRef != nil {
		alias = r.ProviderRef.Alias
	}
	source := providerSource(cfg.Module, local)
	if source == configs.BuiltInProviderSource {
		return providerAddr{Source: source}, nil
	}
	for c := cfg; c != nil; {
		key := local
		if alias != "" {
			key += "." + alias
		}
		if _, ok := c.Module.ProviderConfigs[key]; ok {
			return providerAddr{Module: addrs.Module(c.Path), Source: providerSource(c.Module, local), Alias: alias}, nil
		}
		if c.Parent == nil {
			break
		}
		call := c.Parent.Module.ModuleCalls[c.Path[len(c.Path)-1]]
		mapped := false
		if call != nil {
			for _, pp := range call.Providers {
				if pp.InChild.Name == local && pp.InChild.Alias == alias {
					local, alias, mapped = pp.InParent.Name, pp.InParent.Alias, true
					break
				}
			}
		}
		if !mapped && alias != "" {
			return providerAddr{}, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Provider configuration not present",
				Detail: fmt.Sprintf("%s refers to provider configuration %s.%s, which is neither declared in its module nor passed in by the module call.",
					r.Key(), local, alias),
				Subject: r.DeclRange.Ptr(),
			}}
		}
		c = c.Parent
	}
	if alias != "" {
		return providerAddr{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Provider configuration not present",
			Detail:   fmt.Sprintf("%s refers to provider configuration %s.%s, which is not declared.", r.Key(), local, alias),
			Subject:  r.DeclRange.Ptr(),
		}}
	}
	return providerAddr{Source: source, Alias: alias}, nil
}

// MetricsHook is a Hooks that also takes the counters providers report
// when an operation ends (API requests by service, say).
type MetricsHook interface {
	ProviderMetrics(provider string, counters map[string]int64)
}

// reportMetrics hands every configured provider's counters to the hooks,
// when they take them.
func (p *providers) reportMetrics(ctx context.Context, hooks Hooks) {
	mh, ok := hooks.(MetricsHook)
	if !ok {
		return
	}
	p.mu.Lock()
	keys := make([]string, 0, len(p.instances))
	insts := map[string]plugins.Provider{}
	for k, inst := range p.instances {
		if strings.HasPrefix(k, "schema:") {
			continue
		}
		keys = append(keys, k)
		insts[k] = inst
	}
	p.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		if mr, ok := insts[k].(plugins.MetricsReporter); ok {
			if m := mr.Metrics(ctx); len(m) > 0 {
				mh.ProviderMetrics(k, m)
			}
		}
	}
}
