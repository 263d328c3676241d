package plugins

import (
	"errors"
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins/internal/convert"
	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// The conversions between this package's types and their wire form live
// here, not in plugins/internal/convert, because convert cannot import this
// package (this package imports it). convert supplies the cty pieces.

// schemasOf records the implied type of every schema in resp, once, so that
// calls do not recompute them.
func schemasOf(resp GetSchemaResponse) *convert.Schemas {
	rts := make(map[string]cty.Type, len(resp.ResourceTypes))
	for name, s := range resp.ResourceTypes {
		rts[name] = s.Block.ImpliedType()
	}
	dss := make(map[string]cty.Type, len(resp.DataSources))
	for name, s := range resp.DataSources {
		dss[name] = s.Block.ImpliedType()
	}
	return convert.NewSchemas(resp.Provider.Block.ImpliedType(), rts, dss)
}

// schemaToProto encodes a schema. It fails only for a schema that cannot be
// expressed, such as an attribute default that does not fit the attribute's
// type.
func schemaToProto(s Schema) (*proto.Schema, error) {
	b, err := blockToProto(s.Block, "")
	if err != nil {
		return nil, err
	}
	return &proto.Schema{Version: s.Version, Block: b}, nil
}

// schemaFromProto decodes a schema.
func schemaFromProto(s *proto.Schema) (Schema, error) {
	if s == nil {
		return Schema{}, nil
	}
	b, err := blockFromProto(s.GetBlock(), "")
	if err != nil {
		return Schema{}, err
	}
	return Schema{Version: s.GetVersion(), Block: b}, nil
}

// prefix is the dotted name of the enclosing block, for error messages.
func blockToProto(b *Block, prefix string) (*proto.Block, error) {
	if b == nil {
		return nil, nil
	}
	ret := &proto.Block{Description: b.Description, Deprecated: b.Deprecated}
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		if a == nil {
			continue
		}
		pa, err := attributeToProto(name, a)
		if err != nil {
			return nil, fmt.Errorf("attribute %s%s: %w", prefix, name, err)
		}
		ret.Attributes = append(ret.Attributes, pa)
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		nb := b.BlockTypes[name]
		if nb == nil {
			continue
		}
		inner, err := blockToProto(&nb.Block, prefix+name+".")
		if err != nil {
			return nil, err
		}
		ret.BlockTypes = append(ret.BlockTypes, &proto.NestedBlock{
			TypeName: name,
			Block:    inner,
			Nesting:  nestingToProto(nb.Nesting),
			MinItems: int64(nb.MinItems),
			MaxItems: int64(nb.MaxItems),
		})
	}
	return ret, nil
}

func attributeToProto(name string, a *Attribute) (*proto.Attribute, error) {
	ret := &proto.Attribute{
		Name:        name,
		Description: a.Description,
		Required:    a.Required,
		Optional:    a.Optional,
		Computed:    a.Computed,
		Sensitive:   a.Sensitive,
		ForceNew:    a.ForceNew,
		Deprecated:  a.Deprecated,
	}
	ty, err := convert.TypeToProto(a.Type)
	if err != nil {
		return nil, fmt.Errorf("type: %w", err)
	}
	ret.Type = ty
	def, err := convert.ValueToProto(a.Default, typeOrDynamic(a.Type))
	if err != nil {
		return nil, fmt.Errorf("default: %w", err)
	}
	ret.DefaultValue = def
	return ret, nil
}

func blockFromProto(b *proto.Block, prefix string) (*Block, error) {
	if b == nil {
		return nil, nil
	}
	ret := &Block{Description: b.GetDescription(), Deprecated: b.GetDeprecated()}
	if attrs := b.GetAttributes(); len(attrs) > 0 {
		ret.Attributes = make(map[string]*Attribute, len(attrs))
		for _, pa := range attrs {
			if pa == nil {
				continue
			}
			a, err := attributeFromProto(pa)
			if err != nil {
				return nil, fmt.Errorf("attribute %s%s: %w", prefix, pa.GetName(), err)
			}
			ret.Attributes[pa.GetName()] = a
		}
	}
	if nbs := b.GetBlockTypes(); len(nbs) > 0 {
		ret.BlockTypes = make(map[string]*NestedBlock, len(nbs))
		for _, pnb := range nbs {
			if pnb == nil {
				continue
			}
			inner, err := blockFromProto(pnb.GetBlock(), prefix+pnb.GetTypeName()+".")
			if err != nil {
				return nil, err
			}
			nb := &NestedBlock{
				Nesting:  nestingFromProto(pnb.GetNesting()),
				MinItems: int(pnb.GetMinItems()),
				MaxItems: int(pnb.GetMaxItems()),
			}
			if inner != nil {
				nb.Block = *inner
			}
			ret.BlockTypes[pnb.GetTypeName()] = nb
		}
	}
	return ret, nil
}

func attributeFromProto(pa *proto.Attribute) (*Attribute, error) {
	a := &Attribute{
		Description: pa.GetDescription(),
		Required:    pa.GetRequired(),
		Optional:    pa.GetOptional(),
		Computed:    pa.GetComputed(),
		Sensitive:   pa.GetSensitive(),
		ForceNew:    pa.GetForceNew(),
		Deprecated:  pa.GetDeprecated(),
	}
	ty, err := convert.TypeFromProto(pa.GetType())
	if err != nil {
		return nil, fmt.Errorf("type: %w", err)
	}
	a.Type = ty
	def, err := convert.ValueFromProto(pa.GetDefaultValue(), typeOrDynamic(a.Type))
	if err != nil {
		return nil, fmt.Errorf("default: %w", err)
	}
	a.Default = def
	return a, nil
}

func typeOrDynamic(ty cty.Type) cty.Type {
	if ty == cty.NilType {
		return cty.DynamicPseudoType
	}
	return ty
}

func nestingToProto(m NestingMode) proto.NestedBlock_NestingMode {
	switch m {
	case NestingSingle:
		return proto.NestedBlock_NESTING_MODE_SINGLE
	case NestingList:
		return proto.NestedBlock_NESTING_MODE_LIST
	case NestingSet:
		return proto.NestedBlock_NESTING_MODE_SET
	case NestingMap:
		return proto.NestedBlock_NESTING_MODE_MAP
	default:
		return proto.NestedBlock_NESTING_MODE_UNSPECIFIED
	}
}

func nestingFromProto(m proto.NestedBlock_NestingMode) NestingMode {
	switch m {
	case proto.NestedBlock_NESTING_MODE_SINGLE:
		return NestingSingle
	case proto.NestedBlock_NESTING_MODE_LIST:
		return NestingList
	case proto.NestedBlock_NESTING_MODE_SET:
		return NestingSet
	case proto.NestedBlock_NESTING_MODE_MAP:
		return NestingMap
	default:
		return 0
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// diagnosticsToProto encodes diagnostics.
func diagnosticsToProto(diags Diagnostics) []*proto.Diagnostic {
	if len(diags) == 0 {
		return nil
	}
	ret := make([]*proto.Diagnostic, len(diags))
	for i, d := range diags {
		ret[i] = &proto.Diagnostic{
			Severity:  severityToProto(d.Severity),
			Summary:   d.Summary,
			Detail:    d.Detail,
			Attribute: convert.PathToProto(d.Attribute),
		}
	}
	return ret
}

// diagnosticsFromProto decodes diagnostics. Nil entries are skipped.
func diagnosticsFromProto(diags []*proto.Diagnostic) Diagnostics {
	if len(diags) == 0 {
		return nil
	}
	ret := make(Diagnostics, 0, len(diags))
	for _, d := range diags {
		if d == nil {
			continue
		}
		ret = append(ret, Diagnostic{
			Severity:  severityFromProto(d.GetSeverity()),
			Summary:   d.GetSummary(),
			Detail:    d.GetDetail(),
			Attribute: convert.PathFromProto(d.GetAttribute()),
		})
	}
	return ret
}

// severityToProto keeps an unset severity unset rather than guessing, so
// the host sees exactly what the provider said.
func severityToProto(s Severity) proto.Diagnostic_Severity {
	switch s {
	case Error:
		return proto.Diagnostic_SEVERITY_ERROR
	case Warning:
		return proto.Diagnostic_SEVERITY_WARNING
	default:
		return proto.Diagnostic_SEVERITY_UNSPECIFIED
	}
}

func severityFromProto(s proto.Diagnostic_Severity) Severity {
	switch s {
	case proto.Diagnostic_SEVERITY_ERROR:
		return Error
	case proto.Diagnostic_SEVERITY_WARNING:
		return Warning
	default:
		return 0
	}
}

// errorDiagnostic turns a conversion error into an error diagnostic. When the
// error comes from inside a value, its attribute path goes with it, so the
// host can point at the offending attribute.
func errorDiagnostic(summary string, err error) Diagnostic {
	d := Diagnostic{Severity: Error, Summary: summary, Detail: err.Error()}
	var pe cty.PathError
	if errors.As(err, &pe) {
		d.Attribute = pe.Path
	}
	return d
}
