package configs

import (
	"fmt"

	version "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// RequiredProvider is one entry of a required_providers block.
type RequiredProvider struct {
	// Name is the local name the module uses for the provider.
	Name string
	// Source is the fully-qualified "hostname/namespace/type" address.
	Source string
	// Requirement is nil when no version constraint was given.
	Requirement    version.Constraints
	RequirementStr string
	// ConfigurationAliases lists the aliased configurations a child module
	// expects its caller to pass in.
	ConfigurationAliases []ProviderRef
	DeclRange            hcl.Range
}

// Backend is the backend block of a terraform block. Its body stays raw
// because its schema belongs to the backend implementation.
type Backend struct {
	Type      string
	Config    hcl.Body
	DeclRange hcl.Range
	TypeRange hcl.Range
}

type requiredProvidersBlock struct {
	providers map[string]*RequiredProvider
	declRange hcl.Range
}

var terraformBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "required_version"},
		{Name: "experiments"},
		{Name: "language"},
		{Name: attrRequiredSignatures},
		{Name: attrTrustedKeysDir},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "backend", LabelNames: []string{"type"}},
		{Type: "cloud"},
		{Type: "required_providers"},
		{Type: "provider_meta", LabelNames: []string{"provider"}},
		{Type: "encryption"},
	},
}

func (f *file) decodeTerraformBlock(block *hcl.Block) hcl.Diagnostics {
	content, diags := block.Body.Content(terraformBlockSchema)

	if attr, ok := content.Attributes["required_version"]; ok {
		c, cDiags := decodeVersionConstraint(attr.Expr, "required_version")
		diags = append(diags, cDiags...)
		if !cDiags.HasErrors() {
			f.requiredVersion = append(f.requiredVersion, c)
			f.requiredVersionRanges = append(f.requiredVersionRanges, attr.Expr.Range())
		}
	}

	if attr, ok := content.Attributes["experiments"]; ok {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Experimental features are not supported",
			Detail:   "nuvola has no language experiments; the experiments argument is ignored.",
			Subject:  attr.NameRange.Ptr(),
		})
	}

	if attr, ok := content.Attributes["language"]; ok {
		if kw := hcl.ExprAsKeyword(attr.Expr); kw != "TF2021" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported language edition",
				Detail:   "The only supported language edition is TF2021.",
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
	}

	signing, sDiags := decodePlanSigning(content.Attributes)
	diags = append(diags, sDiags...)
	f.planSigning = append(f.planSigning, signing...)

	for _, inner := range content.Blocks {
		switch inner.Type {
		case "backend":
			f.backends = append(f.backends, &Backend{
				Type:      inner.Labels[0],
				Config:    inner.Body,
				DeclRange: inner.DefRange,
				TypeRange: inner.LabelRanges[0],
			})
		case "cloud":
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  `Unsupported "cloud" block`,
				Detail:   "nuvola does not integrate with remote cloud platforms. Configure state storage with a backend block instead.",
				Subject:  inner.DefRange.Ptr(),
			})
		case "encryption":
			// Silently ignoring this would leave state unencrypted while the
			// author believes otherwise.
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "State encryption is not supported",
				Detail:   "nuvola does not implement OpenTofu's state encryption. Remove the encryption block.",
				Subject:  inner.DefRange.Ptr(),
			})
		case "provider_meta":
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Provider metadata is not supported",
				Detail:   "nuvola does not send provider_meta to providers; this block is ignored.",
				Subject:  inner.DefRange.Ptr(),
			})
		case "required_providers":
			reqs, reqDiags := decodeRequiredProvidersBlock(inner)
			diags = append(diags, reqDiags...)
			f.requiredProviders = append(f.requiredProviders, reqs)
		}
	}
	return diags
}

func decodeVersionConstraint(expr hcl.Expression, what string) (version.Constraints, hcl.Diagnostics) {
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return nil, diags
	}
	if val.IsNull() || !val.IsKnown() || !val.Type().Equals(cty.String) {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid version constraint",
			Detail:   fmt.Sprintf("A string value is required for %s.", what),
			Subject:  expr.Range().Ptr(),
		})
	}
	c, err := ParseVersionConstraint(val.AsString())
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid version constraint",
			Detail:   "This string does not use correct version constraint syntax.",
			Subject:  expr.Range().Ptr(),
		})
	}
	return c, diags
}

func decodeRequiredProvidersBlock(block *hcl.Block) (*requiredProvidersBlock, hcl.Diagnostics) {
	ret := &requiredProvidersBlock{
		providers: map[string]*RequiredProvider{},
		declRange: block.DefRange,
	}
	attrs, diags := block.Body.JustAttributes()
	if diags.HasErrors() {
		return ret, diags
	}

	for _, attr := range sortedAttributes(attrs) {
		name := attr.Name
		rp := &RequiredProvider{Name: name, DeclRange: attr.Expr.Range()}

		if nameDiags := checkProviderLocalName(name, attr.NameRange); nameDiags.HasErrors() {
			diags = append(diags, nameDiags...)
			continue
		}

		// The pre-0.13 form gives only a version constraint string.
		if val, valDiags := attr.Expr.Value(nil); !valDiags.HasErrors() && val.Type().IsPrimitiveType() {
			c, cDiags := decodeVersionConstraint(attr.Expr, "a provider requirement")
			diags = append(diags, cDiags...)
			if cDiags.HasErrors() {
				continue
			}
			rp.Requirement = c
			rp.RequirementStr = val.AsString()
			rp.Source = ImpliedProviderSource(name)
			ret.providers[name] = rp
			continue
		}

		kvs, mapDiags := hcl.ExprMap(attr.Expr)
		if mapDiags.HasErrors() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid required_providers object",
				Detail:   "required_providers entries must be strings or objects.",
				Subject:  attr.Expr.Range().Ptr(),
			})
			continue
		}

		entryOK := true
		for _, kv := range kvs {
			key, keyDiags := kv.Key.Value(nil)
			if keyDiags.HasErrors() || key.IsNull() || !key.IsKnown() || !key.Type().Equals(cty.String) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid required_providers object",
					Detail:   "Object keys in required_providers entries must be static names.",
					Subject:  kv.Key.Range().Ptr(),
				})
				entryOK = false
				continue
			}
			switch key.AsString() {
			case "version":
				c, cDiags := decodeVersionConstraint(kv.Value, "a provider version")
				diags = append(diags, cDiags...)
				if cDiags.HasErrors() {
					entryOK = false
					continue
				}
				rp.Requirement = c
				if v, _ := kv.Value.Value(nil); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
					rp.RequirementStr = v.AsString()
				}
			case "source":
				src, sDiags := staticString(kv.Value, "provider source")
				if sDiags.HasErrors() {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid source",
						Detail:   "Source must be specified as a string.",
						Subject:  kv.Value.Range().Ptr(),
					})
					entryOK = false
					continue
				}
				norm, err := NormalizeProviderSource(src)
				if err != nil {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid provider source string",
						Detail:   fmt.Sprintf("The source %q is not valid: %s.", src, err),
						Subject:  kv.Value.Range().Ptr(),
					})
					entryOK = false
					continue
				}
				rp.Source = norm
			case "configuration_aliases":
				exprs, listDiags := hcl.ExprList(kv.Value)
				if listDiags.HasErrors() {
					diags = append(diags, listDiags...)
					entryOK = false
					continue
				}
				for _, expr := range exprs {
					ref, refDiags := decodeProviderRef(expr, "configuration_aliases")
					if refDiags.HasErrors() || ref == nil || ref.Alias == "" {
						diags = append(diags, &hcl.Diagnostic{
							Severity: hcl.DiagError,
							Summary:  "Invalid configuration_aliases value",
							Detail:   "Configuration aliases can only contain references to local provider configuration names in the format of provider.alias",
							Subject:  expr.Range().Ptr(),
						})
						entryOK = false
						continue
					}
					if ref.Name != name {
						diags = append(diags, &hcl.Diagnostic{
							Severity: hcl.DiagError,
							Summary:  "Invalid configuration_aliases value",
							Detail:   fmt.Sprintf("Configuration aliases must be prefixed with the provider name. Expected %q, but found %q.", name, ref.Name),
							Subject:  expr.Range().Ptr(),
						})
						entryOK = false
						continue
					}
					rp.ConfigurationAliases = append(rp.ConfigurationAliases, *ref)
				}
			default:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid required_providers object",
					Detail:   `required_providers objects can only contain "version", "source" and "configuration_aliases" attributes. To configure a provider, use a "provider" block.`,
					Subject:  kv.Key.Range().Ptr(),
				})
				entryOK = false
			}
		}
		if !entryOK {
			continue
		}
		if rp.Source == "" {
			rp.Source = ImpliedProviderSource(name)
		}
		ret.providers[name] = rp
	}
	return ret, diags
}
