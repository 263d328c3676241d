package configs

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Moved is a "moved" block.
type Moved struct {
	From, To  hcl.Traversal
	DeclRange hcl.Range
}

// Import is an "import" block.
type Import struct {
	// To is the target address when it is fully static, else nil.
	To hcl.Traversal
	// ToExpr is the target address as written (re-parsed from the string in
	// JSON files); instance keys in it may be expressions over each.*.
	ToExpr      hcl.Expression
	ID          hcl.Expression
	ForEach     hcl.Expression
	ProviderRef *ProviderRef
	DeclRange   hcl.Range
}

// Removed is a "removed" block.
type Removed struct {
	From hcl.Traversal
	// Destroy is false when lifecycle { destroy = false } asks to forget the
	// objects instead of destroying them.
	Destroy   bool
	DeclRange hcl.Range
}

type addrKind int

const (
	addrInvalid addrKind = iota
	addrModule
	addrResource
)

type configAddr struct {
	kind       addrKind
	data       bool
	hasKeys    bool
	inModule   bool
	lastKeyRng hcl.Range
}

func stepName(step hcl.Traverser) (string, bool) {
	switch s := step.(type) {
	case hcl.TraverseRoot:
		return s.Name, true
	case hcl.TraverseAttr:
		return s.Name, true
	}
	return "", false
}

func invalidAddr(detail string, rng hcl.Range) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid address",
		Detail:   detail,
		Subject:  rng.Ptr(),
	}}
}

// parseConfigAddr recognises module.NAME[KEY]...(data.)TYPE.NAME[KEY] and
// module.NAME[KEY]... addresses.
func parseConfigAddr(tr hcl.Traversal, rng hcl.Range) (configAddr, hcl.Diagnostics) {
	var ret configAddr
	i := 0
	for i < len(tr) {
		name, ok := stepName(tr[i])
		if !ok || name != "module" {
			break
		}
		if i+1 >= len(tr) {
			return ret, invalidAddr("Prefix \"module.\" must be followed by a module name.", rng)
		}
		if _, ok := stepName(tr[i+1]); !ok {
			return ret, invalidAddr("Prefix \"module.\" must be followed by a module name.", rng)
		}
		i += 2
		ret.inModule = true
		if i < len(tr) {
			if idx, ok := tr[i].(hcl.TraverseIndex); ok {
				if !validInstanceKey(idx.Key) {
					return ret, invalidAddr("An instance key must be a whole number or a string.", idx.SrcRange)
				}
				ret.hasKeys = true
				ret.lastKeyRng = idx.SrcRange
				i++
			}
		}
	}
	if i == len(tr) {
		if !ret.inModule {
			return ret, invalidAddr("A resource or module address is required here.", rng)
		}
		ret.kind = addrModule
		return ret, nil
	}

	if name, _ := stepName(tr[i]); name == "data" {
		ret.data = true
		i++
	}
	if i+1 >= len(tr) {
		return ret, invalidAddr("A resource address must consist of a resource type name and a resource name separated by a dot.", rng)
	}
	if _, ok := stepName(tr[i]); !ok {
		return ret, invalidAddr("A resource type name is required here.", tr[i].SourceRange())
	}
	if _, ok := tr[i+1].(hcl.TraverseAttr); !ok {
		return ret, invalidAddr("A resource address must consist of a resource type name and a resource name separated by a dot.", tr[i+1].SourceRange())
	}
	i += 2
	if i < len(tr) {
		idx, ok := tr[i].(hcl.TraverseIndex)
		if !ok {
			return ret, invalidAddr("Unexpected extra operators after the resource address.", tr[i].SourceRange())
		}
		if !validInstanceKey(idx.Key) {
			return ret, invalidAddr("An instance key must be a whole number or a string.", idx.SrcRange)
		}
		ret.hasKeys = true
		ret.lastKeyRng = idx.SrcRange
		i++
	}
	if i < len(tr) {
		return ret, invalidAddr("Unexpected extra operators after the resource instance address.", tr[i].SourceRange())
	}
	ret.kind = addrResource
	return ret, nil
}

func validInstanceKey(v cty.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	switch v.Type() {
	case cty.String:
		return true
	case cty.Number:
		bf := v.AsBigFloat()
		return bf.IsInt() && bf.Sign() >= 0
	}
	return false
}

var movedBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true},
		{Name: "to", Required: true},
	},
}

func decodeMovedBlock(block *hcl.Block) (*Moved, hcl.Diagnostics) {
	m := &Moved{DeclRange: block.DefRange}
	content, diags := block.Body.Content(movedBlockSchema)

	var kinds [2]configAddr
	ok := !diags.HasErrors()
	for i, name := range []string{"from", "to"} {
		attr, exists := content.Attributes[name]
		if !exists {
			continue
		}
		tr, trDiags := hcl.AbsTraversalForExpr(attr.Expr)
		diags = append(diags, trDiags...)
		if trDiags.HasErrors() {
			ok = false
			continue
		}
		addr, aDiags := parseConfigAddr(tr, attr.Expr.Range())
		diags = append(diags, aDiags...)
		if !aDiags.HasErrors() && addr.data {
			aDiags = invalidAddr("Data source address is not allowed: data sources cannot be moved.", attr.Expr.Range())
			diags = append(diags, aDiags...)
		}
		if aDiags.HasErrors() {
			ok = false
		}
		kinds[i] = addr
		if name == "from" {
			m.From = tr
		} else {
			m.To = tr
		}
	}
	if ok && kinds[0].kind != kinds[1].kind {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  `Invalid "moved" addresses`,
			Detail:   `The "from" and "to" addresses must either both refer to resources or both refer to modules.`,
			Subject:  m.DeclRange.Ptr(),
		})
	}
	return m, diags
}

var importBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "provider"},
		{Name: "id", Required: true},
		{Name: "to", Required: true},
		{Name: "for_each"},
	},
}

func decodeImportBlock(block *hcl.Block) (*Import, hcl.Diagnostics) {
	imp := &Import{DeclRange: block.DefRange}
	content, diags := block.Body.Content(importBlockSchema)

	if attr, ok := content.Attributes["id"]; ok {
		imp.ID = attr.Expr
	}
	if attr, ok := content.Attributes["for_each"]; ok {
		imp.ForEach = attr.Expr
	}

	var addr configAddr
	if attr, ok := content.Attributes["to"]; ok {
		expr, convDiags := jsonStringAsNativeExpr(attr.Expr)
		diags = append(diags, convDiags...)
		if !convDiags.HasErrors() {
			imp.ToExpr = expr
			tr, trDiags := importTargetTraversal(expr)
			diags = append(diags, trDiags...)
			if !trDiags.HasErrors() {
				var aDiags hcl.Diagnostics
				addr, aDiags = parseConfigAddr(tr, expr.Range())
				diags = append(diags, aDiags...)
				switch {
				case aDiags.HasErrors():
				case addr.kind != addrResource:
					diags = append(diags, invalidAddr("An import block must refer to a resource, not to a whole module.", expr.Range())...)
				case addr.data:
					diags = append(diags, invalidAddr("Only managed resources can be imported; data resources are read, not imported.", expr.Range())...)
				}
				if static, sDiags := hcl.AbsTraversalForExpr(expr); !sDiags.HasErrors() {
					imp.To = static
				}
			}
		}
	}

	if attr, ok := content.Attributes["provider"]; ok {
		if addr.inModule {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid import provider argument",
				Detail:   "The provider argument can only be specified in import blocks for resources in the current module. Use the providers argument of the module block to configure providers for resources within a module.",
				Subject:  attr.Range.Ptr(),
			})
		}
		ref, refDiags := decodeProviderRef(attr.Expr, "provider")
		diags = append(diags, refDiags...)
		imp.ProviderRef = ref
	}
	return imp, diags
}

// importTargetTraversal reduces an import target to its static shape,
// replacing dynamic instance keys with a placeholder: which resource is
// meant must be known without evaluation, which instance need not be.
func importTargetTraversal(expr hcl.Expression) (hcl.Traversal, hcl.Diagnostics) {
	switch e := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		return e.Traversal, nil
	case *hclsyntax.RelativeTraversalExpr:
		src, diags := importTargetTraversal(e.Source)
		if diags.HasErrors() {
			return nil, diags
		}
		ret := make(hcl.Traversal, 0, len(src)+len(e.Traversal))
		ret = append(ret, src...)
		return append(ret, e.Traversal...), nil
	case *hclsyntax.IndexExpr:
		src, diags := importTargetTraversal(e.Collection)
		if diags.HasErrors() {
			return nil, diags
		}
		ret := make(hcl.Traversal, 0, len(src)+1)
		ret = append(ret, src...)
		return append(ret, hcl.TraverseIndex{Key: cty.StringVal("*"), SrcRange: e.Key.Range()}), nil
	}
	return nil, hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid import address expression",
		Detail:   "Import address must be a reference to a resource's address, and only allows for indexing with dynamic keys. For example: module.my_module[expression1].aws_s3_bucket.my_buckets[expression2] for resources inside of modules, or simply aws_s3_bucket.my_bucket for a resource in the root module",
		Subject:  expr.Range().Ptr(),
	}}
}

var removedBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "lifecycle"},
		{Type: "provisioner", LabelNames: []string{"type"}},
		{Type: "connection"},
	},
}

var removedLifecycleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "destroy"},
	},
}

func decodeRemovedBlock(block *hcl.Block) (*Removed, hcl.Diagnostics) {
	r := &Removed{DeclRange: block.DefRange, Destroy: true}
	content, diags := block.Body.Content(removedBlockSchema)

	if attr, ok := content.Attributes["from"]; ok {
		tr, trDiags := hcl.AbsTraversalForExpr(attr.Expr)
		diags = append(diags, trDiags...)
		if !trDiags.HasErrors() {
			addr, aDiags := parseConfigAddr(tr, attr.Expr.Range())
			diags = append(diags, aDiags...)
			switch {
			case aDiags.HasErrors():
			case addr.data:
				diags = append(diags, invalidAddr("Data source address is not allowed: data sources are never persisted, so there is nothing to remove.", attr.Expr.Range())...)
			case addr.hasKeys:
				diags = append(diags, invalidAddr("A removed block must refer to a whole resource or module, without instance keys.", addr.lastKeyRng)...)
			}
			r.From = tr
		}
	}

	var seenLifecycle *hcl.Block
	for _, b := range content.Blocks {
		switch b.Type {
		case "lifecycle":
			if seenLifecycle != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate lifecycle block",
					Detail:   "This removed block already has a lifecycle block at " + seenLifecycle.DefRange.String() + ".",
					Subject:  b.DefRange.Ptr(),
				})
				continue
			}
			seenLifecycle = b
			lc, lcDiags := b.Body.Content(removedLifecycleSchema)
			diags = append(diags, lcDiags...)
			if attr, ok := lc.Attributes["destroy"]; ok {
				v, vDiags := staticBool(attr.Expr, "destroy argument")
				diags = append(diags, vDiags...)
				if !vDiags.HasErrors() {
					r.Destroy = v
				}
			}
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Provisioners are not supported",
				Detail:   "nuvola does not run provisioners, so destroy-time provisioners in removed blocks are not accepted.",
				Subject:  b.DefRange.Ptr(),
			})
		}
	}
	return r, diags
}
