package configs

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// IsOverrideFilename reports whether a configuration file name marks an
// override file: override.tf, *_override.tf and their .tf.json forms.
func IsOverrideFilename(name string) bool {
	base := name
	switch {
	case hasSuffix(base, ".tf.json"):
		base = base[:len(base)-len(".tf.json")]
	case hasSuffix(base, ".tf"):
		base = base[:len(base)-len(".tf")]
	default:
		return false
	}
	return base == "override" || hasSuffix(base, "_override")
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

func (m *Module) mergeFile(f *file) hcl.Diagnostics {
	var diags hcl.Diagnostics

	m.RequiredVersion = append(m.RequiredVersion, f.requiredVersion...)
	m.RequiredVersionRanges = append(m.RequiredVersionRanges, f.requiredVersionRanges...)

	switch len(f.backends) {
	case 0:
	case 1:
		m.Backend = f.backends[0]
	default:
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Duplicate backend configuration",
			Detail:   fmt.Sprintf("Each override file may have only one backend configuration. A backend was previously configured at %s.", f.backends[0].DeclRange),
			Subject:  f.backends[1].DeclRange.Ptr(),
		})
	}

	diags = append(diags, m.addPlanSigning(f.planSigning, true)...)

	for _, p := range f.providerConfigs {
		existing, ok := m.ProviderConfigs[p.Key()]
		switch {
		case ok:
			existing.Config = mergeBodies(existing.Config, p.Config)
		case p.Alias == "":
			// An absent default configuration is an implied empty one, so
			// overriding it is allowed.
			m.ProviderConfigs[p.Key()] = p
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing base provider configuration for override",
				Detail:   fmt.Sprintf("There is no %s provider configuration with the alias %q. An override file can only override an aliased provider configuration that was already defined in a primary configuration file.", p.Name, p.Alias),
				Subject:  p.DeclRange.Ptr(),
			})
		}
	}

	for _, v := range f.variables {
		existing, ok := m.Variables[v.Name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing base variable declaration to override",
				Detail:   fmt.Sprintf("There is no variable named %q. An override file can only override a variable that was already declared in a primary configuration file.", v.Name),
				Subject:  v.DeclRange.Ptr(),
			})
			continue
		}
		diags = append(diags, existing.merge(v)...)
	}

	for _, l := range f.locals {
		existing, ok := m.Locals[l.Name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing base local value definition to override",
				Detail:   fmt.Sprintf("There is no local value named %q. An override file can only override a local value that was already defined in a primary configuration file.", l.Name),
				Subject:  l.DeclRange.Ptr(),
			})
			continue
		}
		existing.Expr = l.Expr
	}

	for _, o := range f.outputs {
		existing, ok := m.Outputs[o.Name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing base output definition to override",
				Detail:   fmt.Sprintf("There is no output named %q. An override file can only override an output that was already defined in a primary configuration file.", o.Name),
				Subject:  o.DeclRange.Ptr(),
			})
			continue
		}
		if o.Expr != nil {
			existing.Expr = o.Expr
		}
		if o.DescriptionSet {
			existing.Description, existing.DescriptionSet = o.Description, true
		}
		if o.SensitiveSet {
			existing.Sensitive, existing.SensitiveSet = o.Sensitive, true
		}
		if len(o.DependsOn) != 0 {
			existing.DependsOn = o.DependsOn
		}
		if len(o.Preconditions) != 0 {
			existing.Preconditions = o.Preconditions
		}
	}

	for _, mc := range f.moduleCalls {
		existing, ok := m.ModuleCalls[mc.Name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing module call to override",
				Detail:   fmt.Sprintf("There is no module call named %q. An override file can only override a module call that was defined in a primary configuration file.", mc.Name),
				Subject:  mc.DeclRange.Ptr(),
			})
			continue
		}
		if mc.SourceAddr != "" {
			existing.SourceAddr, existing.SourceRange = mc.SourceAddr, mc.SourceRange
		}
		// count and for_each are exclusive, so setting one in an override
		// replaces whichever of the two the base used.
		if mc.Count != nil {
			existing.Count, existing.ForEach = mc.Count, nil
		}
		if mc.ForEach != nil {
			existing.ForEach, existing.Count = mc.ForEach, nil
		}
		if len(mc.Providers) != 0 {
			existing.Providers = mc.Providers
		}
		if len(mc.DependsOn) != 0 {
			diags = append(diags, dependsOnOverrideDiag(mc.DeclRange))
		}
		existing.Config = mergeBodies(existing.Config, mc.Config)
	}

	for _, r := range f.managedResources {
		existing, ok := m.ManagedResources[r.Key()]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing resource to override",
				Detail:   fmt.Sprintf("There is no %s resource named %q. An override file can only override a resource block defined in a primary configuration file.", r.Type, r.Name),
				Subject:  r.DeclRange.Ptr(),
			})
			continue
		}
		diags = append(diags, existing.merge(r)...)
	}

	for _, r := range f.dataResources {
		existing, ok := m.DataResources[r.Key()]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing data resource to override",
				Detail:   fmt.Sprintf("There is no %s data resource named %q. An override file can only override a data block defined in a primary configuration file.", r.Type, r.Name),
				Subject:  r.DeclRange.Ptr(),
			})
			continue
		}
		diags = append(diags, existing.merge(r)...)
	}

	for _, mv := range f.moved {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot override 'moved' blocks",
			Detail:   "Records of moved objects can appear only in normal files, not in override files.",
			Subject:  mv.DeclRange.Ptr(),
		})
	}
	for _, imp := range f.imports {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot override 'import' blocks",
			Detail:   "Import blocks can appear only in normal files, not in override files.",
			Subject:  imp.DeclRange.Ptr(),
		})
	}
	for _, rm := range f.removed {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot override 'removed' blocks",
			Detail:   "Removed blocks can appear only in normal files, not in override files.",
			Subject:  rm.DeclRange.Ptr(),
		})
	}
	return diags
}

func dependsOnOverrideDiag(rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unsupported override",
		Detail:   "The depends_on argument may not be overridden.",
		Subject:  rng.Ptr(),
	}
}

func (v *Variable) merge(o *Variable) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if o.DescriptionSet {
		v.Description, v.DescriptionSet = o.Description, true
	}
	if o.SensitiveSet {
		v.Sensitive, v.SensitiveSet = o.Sensitive, true
	}
	if o.NullableSet {
		v.Nullable, v.NullableSet = o.Nullable, true
	}
	if o.ConstraintType != cty.NilType {
		v.Type, v.ConstraintType, v.TypeDefaults, v.ParsingMode = o.Type, o.ConstraintType, o.TypeDefaults, o.ParsingMode
	}
	if o.Default != cty.NilVal {
		v.Default = o.Default
	}
	if len(o.Validations) != 0 {
		v.Validations = o.Validations
	}

	// Either half may have changed, so the default is checked against the
	// merged type again.
	if v.Default != cty.NilVal && (o.Default != cty.NilVal || o.ConstraintType != cty.NilType) {
		conv, err := convertWithDefaults(v.Default, v.ConstraintType, v.TypeDefaults)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid default value for variable",
				Detail:   fmt.Sprintf("Overriding this variable would cause its default value to be incompatible with its type constraint: %s.", err),
				Subject:  o.DeclRange.Ptr(),
			})
			conv = cty.DynamicVal
		}
		v.Default = conv
	}
	if !v.Nullable && v.Default != cty.NilVal && v.Default.IsNull() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid default value for variable",
			Detail:   "A null default value is not valid when nullable=false.",
			Subject:  o.DeclRange.Ptr(),
		})
	}
	return diags
}

func (r *Resource) merge(o *Resource) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if o.Count != nil {
		r.Count, r.ForEach = o.Count, nil
	}
	if o.ForEach != nil {
		r.ForEach, r.Count = o.ForEach, nil
	}
	if o.ProviderRef != nil {
		r.ProviderRef = o.ProviderRef
	}
	if len(o.DependsOn) != 0 {
		diags = append(diags, dependsOnOverrideDiag(o.DeclRange))
	}
	if len(o.Preconditions) != 0 {
		r.Preconditions = o.Preconditions
	}
	if len(o.Postconditions) != 0 {
		r.Postconditions = o.Postconditions
	}
	if r.Managed != nil && o.Managed != nil {
		if o.Managed.CreateBeforeDestroySet {
			r.Managed.CreateBeforeDestroy, r.Managed.CreateBeforeDestroySet = o.Managed.CreateBeforeDestroy, true
		}
		if o.Managed.PreventDestroySet {
			r.Managed.PreventDestroy, r.Managed.PreventDestroySet = o.Managed.PreventDestroy, true
		}
		if len(o.Managed.IgnoreChanges) != 0 {
			r.Managed.IgnoreChanges = o.Managed.IgnoreChanges
		}
		if o.Managed.IgnoreAllChanges {
			r.Managed.IgnoreAllChanges = true
		}
		if len(o.Managed.ReplaceTriggeredBy) != 0 {
			r.Managed.ReplaceTriggeredBy = o.Managed.ReplaceTriggeredBy
		}
	}
	r.Config = mergeBodies(r.Config, o.Config)
	return diags
}

// mergedBody applies an override body on top of a base body the way
// OpenTofu's override files do: an argument in the override replaces the
// base argument of the same name, and any block of a given type in the
// override replaces all base blocks of that type.
type mergedBody struct {
	base     hcl.Body
	override hcl.Body
}

var _ hcl.Body = mergedBody{}

func mergeBodies(base, override hcl.Body) hcl.Body {
	return mergedBody{base: base, override: override}
}

// withDynamic adds the "dynamic" block type to a schema so that Content on a
// merged body does not reject dynamic blocks in either half; prepareContent
// removes them again unless the caller asked for them, as dynamic block
// expansion does.
func withDynamic(schema *hcl.BodySchema) *hcl.BodySchema {
	for _, b := range schema.Blocks {
		if b.Type == "dynamic" {
			return schema
		}
	}
	ret := &hcl.BodySchema{
		Attributes: schema.Attributes,
		Blocks:     make([]hcl.BlockHeaderSchema, 0, len(schema.Blocks)+1),
	}
	ret.Blocks = append(ret.Blocks, schema.Blocks...)
	ret.Blocks = append(ret.Blocks, hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"type"}})
	return ret
}

func (b mergedBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	overrideContent, cDiags := b.override.Content(withDynamic(schemaForOverrides(schema)))
	diags = append(diags, cDiags...)
	baseContent, cDiags := b.base.Content(withDynamic(relaxRequired(schema, overrideContent.Attributes)))
	diags = append(diags, cDiags...)
	return b.prepareContent(schema, baseContent, overrideContent), diags
}

func (b mergedBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	overrideContent, overrideRemain, cDiags := b.override.PartialContent(schemaForOverrides(schema))
	diags = append(diags, cDiags...)
	baseContent, baseRemain, cDiags := b.base.PartialContent(relaxRequired(schema, overrideContent.Attributes))
	diags = append(diags, cDiags...)
	return b.prepareContent(schema, baseContent, overrideContent), mergedBody{base: baseRemain, override: overrideRemain}, diags
}

// relaxRequired drops the requirement for arguments the override supplies.
func relaxRequired(schema *hcl.BodySchema, supplied hcl.Attributes) *hcl.BodySchema {
	ret := &hcl.BodySchema{
		Attributes: make([]hcl.AttributeSchema, len(schema.Attributes)),
		Blocks:     schema.Blocks,
	}
	for i, a := range schema.Attributes {
		ret.Attributes[i] = a
		if _, ok := supplied[a.Name]; ok {
			ret.Attributes[i].Required = false
		}
	}
	return ret
}

func (b mergedBody) prepareContent(schema *hcl.BodySchema, base, override *hcl.BodyContent) *hcl.BodyContent {
	content := &hcl.BodyContent{
		Attributes:       hcl.Attributes{},
		MissingItemRange: base.MissingItemRange,
	}
	for name, attr := range base.Attributes {
		content.Attributes[name] = attr
	}
	for name, attr := range override.Attributes {
		content.Attributes[name] = attr
	}

	overridden := map[string]bool{}
	for _, blk := range override.Blocks {
		overridden[effectiveBlockType(blk)] = true
	}
	for _, blk := range base.Blocks {
		if !overridden[effectiveBlockType(blk)] {
			content.Blocks = append(content.Blocks, blk)
		}
	}
	content.Blocks = append(content.Blocks, override.Blocks...)

	// Content was asked with the dynamic type added; drop dynamic blocks
	// again if the caller's schema did not ask for them, as they would be
	// unexpected there.
	wantDynamic := false
	for _, bs := range schema.Blocks {
		wantDynamic = wantDynamic || bs.Type == "dynamic"
	}
	if !wantDynamic {
		kept := content.Blocks[:0]
		for _, blk := range content.Blocks {
			if blk.Type != "dynamic" {
				kept = append(kept, blk)
			}
		}
		content.Blocks = kept
	}
	return content
}

func effectiveBlockType(blk *hcl.Block) string {
	if blk.Type == "dynamic" && len(blk.Labels) > 0 {
		return blk.Labels[0]
	}
	return blk.Type
}

func (b mergedBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	ret := hcl.Attributes{}
	baseAttrs, aDiags := b.base.JustAttributes()
	diags = append(diags, aDiags...)
	overrideAttrs, aDiags := b.override.JustAttributes()
	diags = append(diags, aDiags...)
	for name, attr := range baseAttrs {
		ret[name] = attr
	}
	for name, attr := range overrideAttrs {
		ret[name] = attr
	}
	return ret, diags
}

func (b mergedBody) MissingItemRange() hcl.Range {
	return b.base.MissingItemRange()
}
