package policy

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// RangeForPath finds the source of the attribute at path in a resource's
// configuration body: the attribute's line, descending into nested blocks
// (by position for lists, by matching the element's literal arguments for
// sets). It returns ok false when the body does not set the attribute; the
// caller then points at the resource block.
func RangeForPath(body hcl.Body, path cty.Path) (hcl.Range, bool) {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		if len(path) == 0 {
			return hcl.Range{}, false
		}
		step, ok := path[0].(cty.GetAttrStep)
		if !ok {
			return hcl.Range{}, false
		}
		attrs, _ := body.JustAttributes()
		if a, ok := attrs[step.Name]; ok {
			return a.Range, true
		}
		return hcl.Range{}, false
	}
	return syntaxRange(sb, path)
}

func syntaxRange(body *hclsyntax.Body, path cty.Path) (hcl.Range, bool) {
	if len(path) == 0 {
		return hcl.Range{}, false
	}
	step, ok := path[0].(cty.GetAttrStep)
	if !ok {
		return hcl.Range{}, false
	}
	if a, ok := body.Attributes[step.Name]; ok {
		return exprRange(a.Expr, path[1:], a.SrcRange), true
	}
	var blocks []*hclsyntax.Block
	var dynamic *hclsyntax.Block
	for _, b := range body.Blocks {
		switch {
		case b.Type == step.Name:
			blocks = append(blocks, b)
		case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == step.Name && dynamic == nil:
			dynamic = b
		}
	}
	rest := path[1:]
	if len(blocks) == 0 {
		if dynamic == nil {
			return hcl.Range{}, false
		}
		// The element comes from a dynamic block: point into its content.
		for _, cb := range dynamic.Body.Blocks {
			if cb.Type == "content" {
				if len(rest) > 0 {
					if _, isIndex := rest[0].(cty.IndexStep); isIndex {
						rest = rest[1:]
					}
				}
				if r, ok := syntaxRange(cb.Body, rest); ok {
					return r, true
				}
			}
		}
		return dynamic.DefRange(), true
	}
	if len(rest) == 0 {
		return blocks[0].DefRange(), true
	}
	var chosen *hclsyntax.Block
	if idx, ok := rest[0].(cty.IndexStep); ok {
		rest = rest[1:]
		key := idx.Key
		switch {
		case !key.IsKnown() || key.IsNull():
		case key.Type() == cty.Number && dynamic == nil:
			if i, acc := key.AsBigFloat().Int64(); acc == 0 && i >= 0 && int(i) < len(blocks) {
				chosen = blocks[i]
			}
		case key.Type().IsObjectType():
			chosen = matchBlock(blocks, key)
		}
	} else if _, ok := rest[0].(cty.GetAttrStep); ok && len(blocks) == 1 {
		chosen = blocks[0]
	}
	if chosen == nil {
		if len(blocks) == 1 && dynamic == nil {
			chosen = blocks[0]
		} else {
			return blocks[0].DefRange(), true
		}
	}
	if r, ok := syntaxRange(chosen.Body, rest); ok {
		return r, true
	}
	return chosen.DefRange(), true
}

// exprRange descends into object and tuple constructors along path, so a
// finding on one key of a map points at that key's line.
func exprRange(expr hclsyntax.Expression, path cty.Path, whole hcl.Range) hcl.Range {
	if len(path) == 0 {
		return whole
	}
	var key cty.Value
	switch s := path[0].(type) {
	case cty.GetAttrStep:
		key = cty.StringVal(s.Name)
	case cty.IndexStep:
		key = s.Key
	}
	if key == cty.NilVal || !key.IsKnown() || key.IsNull() {
		return whole
	}
	switch e := expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		if key.Type() != cty.String {
			return whole
		}
		for _, item := range e.Items {
			kv, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() || kv.IsNull() || !kv.IsKnown() || kv.Type() != cty.String {
				continue
			}
			if kv.AsString() == key.AsString() {
				r := hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
				return exprRange(item.ValueExpr, path[1:], r)
			}
		}
	case *hclsyntax.TupleConsExpr:
		if key.Type() != cty.Number {
			return whole
		}
		if i, acc := key.AsBigFloat().Int64(); acc == 0 && i >= 0 && int(i) < len(e.Exprs) {
			return exprRange(e.Exprs[i], path[1:], e.Exprs[i].Range())
		}
	}
	return whole
}

// matchBlock finds the block whose literal arguments all equal the
// element's attributes; arguments that are not literals are not compared.
// With several candidates, the one with the most literal matches wins.
func matchBlock(blocks []*hclsyntax.Block, elem cty.Value) *hclsyntax.Block {
	var best *hclsyntax.Block
	bestScore := -1
	for _, b := range blocks {
		score, ok := 0, true
		for name, a := range b.Body.Attributes {
			if len(a.Expr.Variables()) > 0 || !elem.Type().HasAttribute(name) {
				continue
			}
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				continue
			}
			ev := elem.GetAttr(name)
			if !ev.IsWhollyKnown() || !v.IsWhollyKnown() {
				continue
			}
			if !sameLiteral(v, ev) {
				ok = false
				break
			}
			score++
		}
		if ok && score > bestScore {
			best, bestScore = b, score
		}
	}
	return best
}

func sameLiteral(a, b cty.Value) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	if a.Type().Equals(b.Type()) {
		return a.Equals(b).True()
	}
	// Literals are untyped: "22" may be a number in the schema.
	if a.Type().IsPrimitiveType() && b.Type().IsPrimitiveType() {
		as, err1 := convert.Convert(a, cty.String)
		bs, err2 := convert.Convert(b, cty.String)
		return err1 == nil && err2 == nil && as.RawEquals(bs)
	}
	return false
}
