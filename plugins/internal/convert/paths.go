package convert

import (
	"math/big"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// PathToProto encodes an attribute path. Index steps keyed by a string or by
// a whole number that fits in int64 travel as such, any other known key (a
// set element, keyed by its value as cty does) with its type; the path ends
// before a key that is null or not wholly known, so the host still points at
// the enclosing attribute. An empty path is nil.
func PathToProto(p cty.Path) *proto.AttributePath {
	if len(p) == 0 {
		return nil
	}
	steps := make([]*proto.AttributePath_Step, 0, len(p))
	for _, step := range p {
		s := stepToProto(step)
		if s == nil {
			break
		}
		steps = append(steps, s)
	}
	if len(steps) == 0 {
		return nil
	}
	return &proto.AttributePath{Steps: steps}
}

func stepToProto(step cty.PathStep) *proto.AttributePath_Step {
	switch s := step.(type) {
	case cty.GetAttrStep:
		return &proto.AttributePath_Step{Selector: &proto.AttributePath_Step_AttributeName{AttributeName: s.Name}}
	case cty.IndexStep:
		if s.Key == cty.NilVal {
			return nil
		}
		k, _ := s.Key.UnmarkDeep()
		if k.IsNull() || !k.IsWhollyKnown() {
			return nil
		}
		switch k.Type() {
		case cty.String:
			return &proto.AttributePath_Step{Selector: &proto.AttributePath_Step_ElementKeyString{ElementKeyString: k.AsString()}}
		case cty.Number:
			if i, acc := k.AsBigFloat().Int64(); acc == big.Exact {
				return &proto.AttributePath_Step{Selector: &proto.AttributePath_Step_ElementKeyInt{ElementKeyInt: i}}
			}
		}
		b, _, err := Encode(k, Dynamic)
		if err != nil {
			return nil
		}
		return &proto.AttributePath_Step{Selector: &proto.AttributePath_Step_ElementKeyValue{ElementKeyValue: &proto.DynamicValue{Msgpack: b}}}
	}
	return nil
}

// PathFromProto decodes an attribute path, ending it at the first step that
// has no selector (which a newer peer might send). An empty path is nil.
func PathFromProto(p *proto.AttributePath) cty.Path {
	steps := p.GetSteps()
	if len(steps) == 0 {
		return nil
	}
	ret := make(cty.Path, 0, len(steps))
	for _, s := range steps {
		switch sel := s.GetSelector().(type) {
		case *proto.AttributePath_Step_AttributeName:
			ret = append(ret, cty.GetAttrStep{Name: sel.AttributeName})
		case *proto.AttributePath_Step_ElementKeyString:
			ret = append(ret, cty.IndexStep{Key: cty.StringVal(sel.ElementKeyString)})
		case *proto.AttributePath_Step_ElementKeyInt:
			ret = append(ret, cty.IndexStep{Key: cty.NumberIntVal(sel.ElementKeyInt)})
		case *proto.AttributePath_Step_ElementKeyValue:
			k, err := Dynamic.Decode(sel.ElementKeyValue.GetMsgpack())
			if err != nil || k.IsNull() || !k.IsWhollyKnown() {
				return nilIfEmpty(ret)
			}
			ret = append(ret, cty.IndexStep{Key: k})
		default:
			return nilIfEmpty(ret)
		}
	}
	return ret
}

func nilIfEmpty(p cty.Path) cty.Path {
	if len(p) == 0 {
		return nil
	}
	return p
}

// PathsToProto encodes a list of paths, such as RequiresReplace.
func PathsToProto(ps []cty.Path) []*proto.AttributePath {
	if len(ps) == 0 {
		return nil
	}
	ret := make([]*proto.AttributePath, len(ps))
	for i, p := range ps {
		ret[i] = PathToProto(p)
	}
	return ret
}

// PathsFromProto decodes a list of paths.
func PathsFromProto(ps []*proto.AttributePath) []cty.Path {
	if len(ps) == 0 {
		return nil
	}
	ret := make([]cty.Path, len(ps))
	for i, p := range ps {
		ret[i] = PathFromProto(p)
	}
	return ret
}
