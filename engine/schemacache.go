package engine

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// blockInfo is what the engine derives from a schema block. A block's
// implied type and decoder spec are rebuilt from its attribute maps on every
// call; every instance of every resource needs them, several times over.
type blockInfo struct {
	ty   cty.Type
	spec hcldec.Spec
	// flat is set for a block of plain attributes only, which evalBody
	// decodes without hcldec; attrs are the block's attributes, sorted.
	flat   bool
	schema *hcl.BodySchema
	attrs  []flatAttr
}

type flatAttr struct {
	name   string
	ty     cty.Type
	nullTy cty.Type // the type of the null that stands for a missing attribute
}

func newBlockInfo(b *plugins.Block) *blockInfo {
	bi := &blockInfo{ty: b.ImpliedType(), spec: b.DecoderSpec()}
	bi.schema = hcldec.ImpliedSchema(bi.spec)
	bi.flat = len(b.BlockTypes) == 0
	for _, name := range b.AttributeNames() {
		t := b.Attributes[name].Type
		if customdecode.CustomExpressionDecoderForType(t) != nil {
			bi.flat = false
		}
		bi.attrs = append(bi.attrs, flatAttr{name: name, ty: t, nullTy: t.WithoutOptionalAttributesDeep()})
	}
	return bi
}

// block returns the derived forms of a schema block. Schemas do not change
// during an operation, and the providers hand out the same block for a
// resource type every time, so one entry per type is kept.
func (p *providers) block(b *plugins.Block) *blockInfo {
	if b == nil {
		b = emptyBlock
	}
	if v, ok := p.blocks.Load(b); ok {
		return v.(*blockInfo)
	}
	v, _ := p.blocks.LoadOrStore(b, newBlockInfo(b))
	return v.(*blockInfo)
}

type bodyKey struct {
	body  hcl.Body
	block *plugins.Block
}

// bodyInfo is what a body means under a schema. It depends only on the
// two, so it is worked out once per resource, not once for the graph and
// again for every instance.
type bodyInfo struct {
	travs []hcl.Traversal
	// flat is set when the body's content under a block of plain
	// attributes is known: a block without dynamic blocks to expand has a
	// content that does not depend on where the body is evaluated. It is
	// not set for other blocks, nor for a body with problems to report.
	flat bool
	// attrs are the body's attributes in the order of blockInfo.attrs, nil
	// where the body does not set one.
	attrs []*hcl.Attribute
}

func (p *providers) body(body hcl.Body, b *plugins.Block) *bodyInfo {
	k := bodyKey{body, b}
	if v, ok := p.bodies.Load(k); ok {
		return v.(*bodyInfo)
	}
	bi := p.block(b)
	info := &bodyInfo{}
	if bi.flat {
		// The content is what hcldec would see: dynamic blocks, which such
		// a block cannot have, are reported by the expanding wrapper.
		content, diags := dynblock.Expand(body, nil).Content(bi.schema)
		if len(diags) == 0 {
			info.flat = true
			info.attrs = make([]*hcl.Attribute, len(bi.attrs))
			for i, a := range bi.attrs {
				info.attrs[i] = content.Attributes[a.name]
			}
			// What dynblock.VariablesHCLDec would find: the attributes'
			// references, there being no blocks.
			for _, a := range content.Attributes {
				info.travs = append(info.travs, a.Expr.Variables()...)
			}
		}
	}
	if !info.flat {
		info.travs = dynblock.VariablesHCLDec(body, bi.spec)
	}
	// Clipped, so that a caller appending to the shared list copies it.
	info.travs = slices.Clip(info.travs)
	v, _ := p.bodies.LoadOrStore(k, info)
	return v.(*bodyInfo)
}

// bodyTraversals lists what a body refers to under a schema, including the
// for_each of dynamic blocks.
func (p *providers) bodyTraversals(body hcl.Body, b *plugins.Block) []hcl.Traversal {
	return p.body(body, b).travs
}

// encodeObject turns a value into a state object.
func (p *providers) encodeObject(schema *plugins.Schema, v cty.Value, sensitive []cty.Path) (*state.Object, error) {
	js, err := ctyjson.Marshal(v, p.block(schema.Block).ty)
	if err != nil {
		return nil, fmt.Errorf("encoding object: %w", err)
	}
	return &state.Object{SchemaVersion: schema.Version, AttrsJSON: json.RawMessage(js), SensitivePaths: sensitive}, nil
}

// decodeObject reads a state object with the current schema.
func (p *providers) decodeObject(schema *plugins.Schema, obj *state.Object) (cty.Value, error) {
	return unmarshalAttrs(obj.AttrsJSON, p.block(schema.Block).ty)
}
