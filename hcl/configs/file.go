package configs

import (
	"fmt"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
)

// file is what one configuration file declares, before files are combined
// into a module and duplicates across files are detected.
type file struct {
	requiredVersion       []version.Constraints
	requiredVersionRanges []hcl.Range
	requiredProviders     []*requiredProvidersBlock
	backends              []*Backend
	planSigning           []signingAttr
	providerConfigs       []*Provider
	variables             []*Variable
	locals                []*Local
	outputs               []*Output
	moduleCalls           []*ModuleCall
	managedResources      []*Resource
	dataResources         []*Resource
	moved                 []*Moved
	imports               []*Import
	removed               []*Removed
	checks                []*Check
	baselines             []*Baseline
	waivers               []*Waiver
	policyRules           []*PolicyRule
}

var configFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "terraform"},
		// Not valid here; listed to give a pointed error message.
		{Type: "required_providers"},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "moved"},
		{Type: "import"},
		{Type: "check", LabelNames: []string{"name"}},
		{Type: "removed"},
		{Type: "baseline", LabelNames: []string{"name"}},
		{Type: "waiver", LabelNames: []string{"rule"}},
		{Type: "rule", LabelNames: []string{"id"}},
	},
}

func decodeFile(body hcl.Body, override bool) (*file, hcl.Diagnostics) {
	f := &file{}
	content, diags := body.Content(configFileSchema)

	for _, block := range content.Blocks {
		switch block.Type {
		case "terraform":
			diags = append(diags, f.decodeTerraformBlock(block)...)

		case "required_providers":
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid required_providers block",
				Detail:   "A \"required_providers\" block must be nested inside a \"terraform\" block.",
				Subject:  block.TypeRange.Ptr(),
			})

		case "provider":
			p, pDiags := decodeProviderBlock(block)
			diags = append(diags, pDiags...)
			f.providerConfigs = append(f.providerConfigs, p)

		case "variable":
			v, vDiags := decodeVariableBlock(block, override)
			diags = append(diags, vDiags...)
			f.variables = append(f.variables, v)

		case "locals":
			ls, lDiags := decodeLocalsBlock(block)
			diags = append(diags, lDiags...)
			f.locals = append(f.locals, ls...)

		case "output":
			o, oDiags := decodeOutputBlock(block, override)
			diags = append(diags, oDiags...)
			f.outputs = append(f.outputs, o)

		case "module":
			mc, mDiags := decodeModuleBlock(block, override)
			diags = append(diags, mDiags...)
			f.moduleCalls = append(f.moduleCalls, mc)

		case "resource":
			r, rDiags := decodeResourceBlock(block)
			diags = append(diags, rDiags...)
			f.managedResources = append(f.managedResources, r)

		case "data":
			r, rDiags := decodeDataBlock(block, false)
			diags = append(diags, rDiags...)
			f.dataResources = append(f.dataResources, r)

		case "moved":
			m, mDiags := decodeMovedBlock(block)
			diags = append(diags, mDiags...)
			f.moved = append(f.moved, m)

		case "import":
			i, iDiags := decodeImportBlock(block)
			diags = append(diags, iDiags...)
			f.imports = append(f.imports, i)

		case "removed":
			r, rDiags := decodeRemovedBlock(block)
			diags = append(diags, rDiags...)
			f.removed = append(f.removed, r)

		case "baseline", "waiver", "rule":
			if override {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("Can't override %s blocks", block.Type),
					Detail:   fmt.Sprintf("Override files cannot override %s blocks: what an auditor reviews is written in one place.", block.Type),
					Subject:  block.DefRange.Ptr(),
				})
				continue
			}
			switch block.Type {
			case "baseline":
				b, bDiags := decodeBaselineBlock(block)
				diags = append(diags, bDiags...)
				f.baselines = append(f.baselines, b)
			case "waiver":
				w, wDiags := decodeWaiverBlock(block)
				diags = append(diags, wDiags...)
				f.waivers = append(f.waivers, w)
			case "rule":
				r, rDiags := decodePolicyRuleBlock(block)
				diags = append(diags, rDiags...)
				f.policyRules = append(f.policyRules, r)
			}

		case "check":
			if override {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Can't override check blocks",
					Detail:   "Override files cannot override check blocks.",
					Subject:  block.DefRange.Ptr(),
				})
				continue
			}
			c, cDiags := decodeCheckBlock(block)
			diags = append(diags, cDiags...)
			f.checks = append(f.checks, c)
		}
	}
	return f, diags
}
