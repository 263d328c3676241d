package configs

import (
	"fmt"
	"path/filepath"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Module is the combined content of the configuration files in one
// directory.
type Module struct {
	// SourceDir is the directory the module was loaded from, as given to the
	// parser (it may be relative). Empty for ParseModuleFromBytes.
	SourceDir string

	RequiredVersion       []version.Constraints
	RequiredVersionRanges []hcl.Range
	// RequiredProviders is keyed by local name.
	RequiredProviders map[string]*RequiredProvider
	Backend           *Backend
	// PlanSigning is nil unless the terraform block sets
	// required_signatures or trusted_keys_dir.
	PlanSigning *PlanSigning
	// ProviderConfigs is keyed by "name" or "name.alias".
	ProviderConfigs map[string]*Provider

	Variables map[string]*Variable
	Locals    map[string]*Local
	Outputs   map[string]*Output

	ModuleCalls map[string]*ModuleCall

	// ManagedResources is keyed by "type.name".
	ManagedResources map[string]*Resource
	// DataResources is keyed by "data.type.name" and includes the scoped
	// data resources of check blocks.
	DataResources map[string]*Resource

	Moved   []*Moved
	Imports []*Import
	Removed []*Removed
	Checks  map[string]*Check

	// Baselines, Waivers and PolicyRules are the policy blocks; the
	// engine checks those of the root module.
	Baselines   map[string]*Baseline
	Waivers     []*Waiver
	PolicyRules map[string]*PolicyRule

	requiredProvidersRange *hcl.Range
}

// ProviderSource returns the fully-qualified source address for a provider
// local name: the required_providers entry if any, else the implied one.
func (m *Module) ProviderSource(localName string) string {
	if rp, ok := m.RequiredProviders[localName]; ok && rp.Source != "" {
		return rp.Source
	}
	return ImpliedProviderSource(localName)
}

// ResourceByKey looks up a managed ("type.name") or data ("data.type.name")
// resource.
func (m *Module) ResourceByKey(key string) *Resource {
	if r, ok := m.ManagedResources[key]; ok {
		return r
	}
	return m.DataResources[key]
}

func newEmptyModule(sourceDir string) *Module {
	return &Module{
		SourceDir:         sourceDir,
		RequiredProviders: map[string]*RequiredProvider{},
		ProviderConfigs:   map[string]*Provider{},
		Variables:         map[string]*Variable{},
		Locals:            map[string]*Local{},
		Outputs:           map[string]*Output{},
		ModuleCalls:       map[string]*ModuleCall{},
		ManagedResources:  map[string]*Resource{},
		DataResources:     map[string]*Resource{},
		Checks:            map[string]*Check{},
		Baselines:         map[string]*Baseline{},
		PolicyRules:       map[string]*PolicyRule{},
	}
}

func newModule(primary, overrides []*file, sourceDir string) (*Module, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	m := newEmptyModule(sourceDir)

	// Provider requirements come first, mirroring OpenTofu, so later steps
	// can rely on the complete local-name mapping.
	for _, f := range primary {
		for _, rp := range f.requiredProviders {
			if m.requiredProvidersRange != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate required providers configuration",
					Detail:   fmt.Sprintf("A module may have only one required providers configuration. The required providers were previously configured at %s.", m.requiredProvidersRange),
					Subject:  rp.declRange.Ptr(),
				})
				continue
			}
			rng := rp.declRange
			m.requiredProvidersRange = &rng
			for name, p := range rp.providers {
				m.RequiredProviders[name] = p
			}
		}
	}
	for _, f := range overrides {
		for _, rp := range f.requiredProviders {
			for name, p := range rp.providers {
				m.RequiredProviders[name] = p
			}
		}
	}

	for _, f := range primary {
		diags = append(diags, m.appendFile(f)...)
	}
	for _, f := range overrides {
		diags = append(diags, m.mergeFile(f)...)
	}

	if sourceDir != "" {
		for _, mc := range m.ModuleCalls {
			if IsLocalModuleSource(mc.SourceAddr) {
				dir := filepath.Join(sourceDir, filepath.FromSlash(mc.SourceAddr))
				if abs, err := filepath.Abs(dir); err == nil {
					dir = abs
				}
				mc.SourceDir = dir
			}
		}
	}
	return m, diags
}

func (m *Module) appendFile(f *file) hcl.Diagnostics {
	var diags hcl.Diagnostics

	m.RequiredVersion = append(m.RequiredVersion, f.requiredVersion...)
	m.RequiredVersionRanges = append(m.RequiredVersionRanges, f.requiredVersionRanges...)

	for _, b := range f.backends {
		if m.Backend != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate backend configuration",
				Detail:   fmt.Sprintf("A module may have only one backend configuration. The backend was previously configured at %s.", m.Backend.DeclRange),
				Subject:  b.DeclRange.Ptr(),
			})
			continue
		}
		m.Backend = b
	}
	diags = append(diags, m.addPlanSigning(f.planSigning, false)...)

	for _, p := range f.providerConfigs {
		key := p.Key()
		if existing, ok := m.ProviderConfigs[key]; ok {
			detail := fmt.Sprintf("A default (non-aliased) provider configuration for %q was already given at %s. If multiple configurations are required, set the \"alias\" argument for alternative configurations.", existing.Name, existing.DeclRange)
			if existing.Alias != "" {
				detail = fmt.Sprintf("A provider configuration for %q with alias %q was already given at %s. Each configuration for the same provider must have a distinct alias.", existing.Name, existing.Alias, existing.DeclRange)
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate provider configuration",
				Detail:   detail,
				Subject:  p.DeclRange.Ptr(),
			})
			continue
		}
		m.ProviderConfigs[key] = p
	}

	for _, v := range f.variables {
		if existing, ok := m.Variables[v.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate variable declaration",
				Detail:   fmt.Sprintf("A variable named %q was already declared at %s. Variable names must be unique within a module.", existing.Name, existing.DeclRange),
				Subject:  v.DeclRange.Ptr(),
			})
			continue
		}
		m.Variables[v.Name] = v
	}

	for _, l := range f.locals {
		if existing, ok := m.Locals[l.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate local value definition",
				Detail:   fmt.Sprintf("A local value named %q was already defined at %s. Local value names must be unique within a module.", existing.Name, existing.DeclRange),
				Subject:  l.DeclRange.Ptr(),
			})
			continue
		}
		m.Locals[l.Name] = l
	}

	for _, o := range f.outputs {
		if existing, ok := m.Outputs[o.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate output definition",
				Detail:   fmt.Sprintf("An output named %q was already defined at %s. Output names must be unique within a module.", existing.Name, existing.DeclRange),
				Subject:  o.DeclRange.Ptr(),
			})
			continue
		}
		m.Outputs[o.Name] = o
	}

	for _, mc := range f.moduleCalls {
		if existing, ok := m.ModuleCalls[mc.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate module call",
				Detail:   fmt.Sprintf("A module call named %q was already defined at %s. Module calls must have unique names within a module.", existing.Name, existing.DeclRange),
				Subject:  mc.DeclRange.Ptr(),
			})
			continue
		}
		m.ModuleCalls[mc.Name] = mc
	}

	for _, r := range f.managedResources {
		key := r.Key()
		if existing, ok := m.ManagedResources[key]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate resource %q configuration", existing.Type),
				Detail:   fmt.Sprintf("A %s resource named %q was already declared at %s. Resource names must be unique per type in each module.", existing.Type, existing.Name, existing.DeclRange),
				Subject:  r.DeclRange.Ptr(),
			})
			continue
		}
		m.ManagedResources[key] = r
	}

	for _, r := range f.dataResources {
		key := r.Key()
		if existing, ok := m.DataResources[key]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate data %q configuration", existing.Type),
				Detail:   fmt.Sprintf("A %s data resource named %q was already declared at %s. Resource names must be unique per type in each module.", existing.Type, existing.Name, existing.DeclRange),
				Subject:  r.DeclRange.Ptr(),
			})
			continue
		}
		m.DataResources[key] = r
	}

	for _, c := range f.checks {
		if c.DataResource != nil {
			key := c.DataResource.Key()
			if existing, ok := m.DataResources[key]; ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("Duplicate data %q configuration", existing.Type),
					Detail:   fmt.Sprintf("A %s data resource named %q was already declared at %s. Resource names must be unique per type in each module, including within check blocks.", existing.Type, existing.Name, existing.DeclRange),
					Subject:  c.DataResource.DeclRange.Ptr(),
				})
				continue
			}
			m.DataResources[key] = c.DataResource
		}
		if existing, ok := m.Checks[c.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate check %q configuration", existing.Name),
				Detail:   fmt.Sprintf("A check block named %q was already declared at %s. Check blocks must be unique within each module.", existing.Name, existing.DeclRange),
				Subject:  c.DeclRange.Ptr(),
			})
			continue
		}
		m.Checks[c.Name] = c
	}

	m.Moved = append(m.Moved, f.moved...)

	for _, imp := range f.imports {
		if imp.To != nil {
			key := traversalString(imp.To)
			for _, prev := range m.Imports {
				if prev.To != nil && traversalString(prev.To) == key {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  fmt.Sprintf("Duplicate import configuration for %q", key),
						Detail:   fmt.Sprintf("An import block for the resource %q was already declared at %s. A resource can have only one import block.", key, prev.DeclRange),
						Subject:  imp.DeclRange.Ptr(),
					})
					break
				}
			}
		}
		m.Imports = append(m.Imports, imp)
	}

	m.Removed = append(m.Removed, f.removed...)

	for _, b := range f.baselines {
		if existing, ok := m.Baselines[b.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate baseline %q", b.Name),
				Detail:   fmt.Sprintf("A baseline named %q was already declared at %s.", b.Name, existing.DeclRange),
				Subject:  b.DeclRange.Ptr(),
			})
			continue
		}
		m.Baselines[b.Name] = b
	}
	m.Waivers = append(m.Waivers, f.waivers...)
	for _, r := range f.policyRules {
		if existing, ok := m.PolicyRules[r.ID]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate rule %q", r.ID),
				Detail:   fmt.Sprintf("A rule with ID %q was already declared at %s.", r.ID, existing.DeclRange),
				Subject:  r.DeclRange.Ptr(),
			})
			continue
		}
		m.PolicyRules[r.ID] = r
	}
	return diags
}

// TraversalString renders a static traversal in the native syntax, such as
// `module.a["k"].aws_instance.b[0]`.
func TraversalString(tr hcl.Traversal) string {
	return traversalString(tr)
}

func traversalString(tr hcl.Traversal) string {
	var s string
	for _, step := range tr {
		switch st := step.(type) {
		case hcl.TraverseRoot:
			s += st.Name
		case hcl.TraverseAttr:
			s += "." + st.Name
		case hcl.TraverseIndex:
			s += formatCtyPath(cty.Path{cty.IndexStep{Key: st.Key}})
		case hcl.TraverseSplat:
			s += "[*]"
		}
	}
	return s
}
