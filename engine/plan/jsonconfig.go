package plan

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

type jsonConfig struct {
	ProviderConfigs map[string]jsonProviderConfig `json:"provider_config,omitempty"`
	RootModule      jsonConfigModule              `json:"root_module"`
}

type jsonProviderConfig struct {
	Name              string         `json:"name,omitempty"`
	FullName          string         `json:"full_name,omitempty"`
	Alias             string         `json:"alias,omitempty"`
	VersionConstraint string         `json:"version_constraint,omitempty"`
	ModuleAddress     string         `json:"module_address,omitempty"`
	Expressions       map[string]any `json:"expressions,omitempty"`
}

type jsonConfigModule struct {
	Outputs     map[string]jsonConfigOutput   `json:"outputs,omitempty"`
	Resources   []jsonConfigResource          `json:"resources,omitempty"`
	ModuleCalls map[string]jsonModuleCall     `json:"module_calls,omitempty"`
	Variables   map[string]jsonConfigVariable `json:"variables,omitempty"`
}

type jsonModuleCall struct {
	Source            string            `json:"source,omitempty"`
	Expressions       map[string]any    `json:"expressions,omitempty"`
	CountExpression   *jsonExpression   `json:"count_expression,omitempty"`
	ForEachExpression *jsonExpression   `json:"for_each_expression,omitempty"`
	Module            *jsonConfigModule `json:"module,omitempty"`
	DependsOn         []string          `json:"depends_on,omitempty"`
}

type jsonConfigVariable struct {
	Type        json.RawMessage `json:"type,omitempty"`
	Default     json.RawMessage `json:"default,omitempty"`
	Description string          `json:"description,omitempty"`
	Required    bool            `json:"required,omitempty"`
	Sensitive   bool            `json:"sensitive,omitempty"`
}

type jsonConfigResource struct {
	Address           string          `json:"address,omitempty"`
	Mode              string          `json:"mode,omitempty"`
	Type              string          `json:"type,omitempty"`
	Name              string          `json:"name,omitempty"`
	ProviderConfigKey string          `json:"provider_config_key,omitempty"`
	Expressions       map[string]any  `json:"expressions,omitempty"`
	SchemaVersion     *uint64         `json:"schema_version,omitempty"`
	CountExpression   *jsonExpression `json:"count_expression,omitempty"`
	ForEachExpression *jsonExpression `json:"for_each_expression,omitempty"`
	DependsOn         []string        `json:"depends_on,omitempty"`
}

type jsonConfigOutput struct {
	Sensitive   bool            `json:"sensitive,omitempty"`
	Expression  *jsonExpression `json:"expression,omitempty"`
	DependsOn   []string        `json:"depends_on,omitempty"`
	Description string          `json:"description,omitempty"`
}

// jsonExpression is an expression as OpenTofu shows it: its value when it
// is a constant, else the references it makes.
type jsonExpression struct {
	ConstantValue json.RawMessage `json:"constant_value,omitempty"`
	References    []string        `json:"references,omitempty"`
}

func (e jsonExpression) empty() bool { return e.ConstantValue == nil && e.References == nil }

func (m *jsonMarshaler) configuration(root *configs.Config) *jsonConfig {
	jc := &jsonConfig{ProviderConfigs: map[string]jsonProviderConfig{}}
	jc.RootModule = m.configModule(root, jc.ProviderConfigs)
	if len(jc.ProviderConfigs) == 0 {
		jc.ProviderConfigs = nil
	}
	return jc
}

// providerAddr is the provider configuration address schema lookups take;
// the schema depends only on the provider, so the default configuration's
// address serves for every configuration of it.
func providerAddr(source string) string { return "provider[" + strconv.Quote(source) + "]" }

func opaqueProviderKey(key, moduleAddr string) string {
	if moduleAddr == "" {
		return key
	}
	return moduleAddr + ":" + key
}

// resolveProviderKey finds the provider configuration a module's provider
// reference ends up at: one in the module itself, one passed in by the
// module call, or a default configuration inherited from an ancestor
// (ancestors are rendered first, so theirs are already in pcs). A reference
// that leads nowhere stays with the module, as OpenTofu does for a
// provider with an empty configuration.
func resolveProviderKey(c *configs.Config, key string, pcs map[string]jsonProviderConfig) string {
	cur, curKey := c, key
	for cur != nil && cur.Module != nil {
		if _, ok := pcs[opaqueProviderKey(curKey, cur.PathString())]; ok {
			return opaqueProviderKey(curKey, cur.PathString())
		}
		parent := cur.Parent
		if parent == nil || parent.Module == nil || len(cur.Path) == 0 {
			break
		}
		next := ""
		if mc := parent.Module.ModuleCalls[cur.Path[len(cur.Path)-1]]; mc != nil {
			for _, pp := range mc.Providers {
				if pp.InChild.String() == curKey {
					next = pp.InParent.String()
				}
			}
		}
		if next == "" {
			if strings.Contains(curKey, ".") {
				break
			}
			next = curKey
		}
		cur, curKey = parent, next
	}
	return opaqueProviderKey(key, c.PathString())
}

func (m *jsonMarshaler) configModule(c *configs.Config, pcs map[string]jsonProviderConfig) jsonConfigModule {
	var jm jsonConfigModule
	mod := c.Module
	path := c.PathString()

	for _, key := range sortedMapKeys(mod.ProviderConfigs) {
		pc := mod.ProviderConfigs[key]
		if pc == nil {
			continue
		}
		src := mod.ProviderSource(pc.Name)
		jp := jsonProviderConfig{
			Name:          pc.Name,
			FullName:      src,
			Alias:         pc.Alias,
			ModuleAddress: path,
			Expressions:   m.expressions(pc.Config, m.providerSchema(providerAddr(src))),
		}
		if rp := mod.RequiredProviders[pc.Name]; rp != nil {
			jp.VersionConstraint = rp.RequirementStr
		}
		pcs[opaqueProviderKey(key, path)] = jp
	}
	// Providers that are required or used but have no block of their own
	// still get an entry, as in OpenTofu, unless an ancestor's applies.
	implied := func(key, localName string) string {
		resolved := resolveProviderKey(c, key, pcs)
		if _, ok := pcs[resolved]; !ok {
			jp := jsonProviderConfig{Name: localName, FullName: mod.ProviderSource(localName), ModuleAddress: path}
			if i := strings.IndexByte(key, '.'); i >= 0 {
				jp.Alias = key[i+1:]
			}
			if rp := mod.RequiredProviders[localName]; rp != nil {
				jp.VersionConstraint = rp.RequirementStr
			}
			pcs[resolved] = jp
		}
		return resolved
	}
	for _, name := range sortedMapKeys(mod.RequiredProviders) {
		implied(name, name)
	}

	for _, set := range []map[string]*configs.Resource{mod.ManagedResources, mod.DataResources} {
		for _, key := range sortedMapKeys(set) {
			r := set[key]
			if r == nil {
				continue
			}
			jm.Resources = append(jm.Resources, m.configResource(c, r, implied(r.ProviderConfigKey(), r.ProviderLocalName())))
		}
	}
	sort.SliceStable(jm.Resources, func(i, j int) bool { return jm.Resources[i].Address < jm.Resources[j].Address })

	for name, o := range mod.Outputs {
		if o == nil {
			continue
		}
		jo := jsonConfigOutput{Sensitive: o.Sensitive, DependsOn: dependsOn(o.DependsOn), Description: o.Description}
		expr := marshalExpression(o.Expr, o.Sensitive)
		jo.Expression = &expr
		if jm.Outputs == nil {
			jm.Outputs = map[string]jsonConfigOutput{}
		}
		jm.Outputs[name] = jo
	}

	for name, mc := range mod.ModuleCalls {
		if mc == nil {
			continue
		}
		if jm.ModuleCalls == nil {
			jm.ModuleCalls = map[string]jsonModuleCall{}
		}
		jm.ModuleCalls[name] = m.moduleCall(c.Children[name], mc, pcs)
	}

	for name, v := range mod.Variables {
		if v == nil {
			continue
		}
		jv := jsonConfigVariable{Description: v.Description, Required: v.Required(), Sensitive: v.Sensitive}
		ty := v.ConstraintType
		if ty == cty.NilType {
			ty = v.Type
		}
		// "any" is shown by leaving the type out, as OpenTofu does.
		if ty != cty.NilType && !ty.Equals(cty.DynamicPseudoType) {
			if raw, err := ctyjson.MarshalType(ty); err == nil {
				jv.Type = raw
			}
		}
		if v.Default != cty.NilVal {
			var sens *pathTrie
			if v.Sensitive {
				sens = newPathTrie([]cty.Path{nil})
			}
			if raw, err := jsonOf(v.Default, sens); err == nil {
				jv.Default = raw
			}
		}
		if jm.Variables == nil {
			jm.Variables = map[string]jsonConfigVariable{}
		}
		jm.Variables[name] = jv
	}
	return jm
}

func (m *jsonMarshaler) configResource(c *configs.Config, r *configs.Resource, providerKey string) jsonConfigResource {
	mode := addrs.ManagedResourceMode
	if r.Mode == configs.DataResourceMode {
		mode = addrs.DataResourceMode
	}
	jr := jsonConfigResource{
		Address:           r.Key(),
		Mode:              modeString(mode),
		Type:              r.Type,
		Name:              r.Name,
		ProviderConfigKey: providerKey,
		DependsOn:         dependsOn(r.DependsOn),
	}
	if e := marshalExpression(r.Count, false); !e.empty() {
		jr.CountExpression = &e
	} else if e := marshalExpression(r.ForEach, false); !e.empty() {
		jr.ForEachExpression = &e
	}
	var block *plugins.Block
	if s := m.schema(providerAddr(c.Module.ProviderSource(r.ProviderLocalName())), mode, r.Type); s != nil {
		v := uint64(max(s.Version, 0))
		jr.SchemaVersion = &v
		block = s.Block
	}
	jr.Expressions = m.expressions(r.Config, block)
	return jr
}

func (m *jsonMarshaler) moduleCall(child *configs.Config, mc *configs.ModuleCall, pcs map[string]jsonProviderConfig) jsonModuleCall {
	jc := jsonModuleCall{Source: mc.SourceAddr, DependsOn: dependsOn(mc.DependsOn)}
	if e := marshalExpression(mc.Count, false); !e.empty() {
		jc.CountExpression = &e
	} else if e := marshalExpression(mc.ForEach, false); !e.empty() {
		jc.ForEachExpression = &e
	}
	var block *plugins.Block
	if child != nil && child.Module != nil {
		// The child's variables are the call's schema, which also says
		// which arguments are sensitive.
		block = &plugins.Block{Attributes: map[string]*plugins.Attribute{}}
		for name, v := range child.Module.Variables {
			if v == nil {
				continue
			}
			block.Attributes[name] = &plugins.Attribute{Type: cty.DynamicPseudoType, Optional: !v.Required(), Required: v.Required(), Sensitive: v.Sensitive}
		}
		sub := m.configModule(child, pcs)
		jc.Module = &sub
	}
	jc.Expressions = m.expressions(mc.Config, block)
	return jc
}

func dependsOn(travs []hcl.Traversal) []string {
	var out []string
	for _, t := range travs {
		ref, diags := addrs.ParseRef(t)
		if diags.HasErrors() || ref == nil {
			continue
		}
		out = append(out, ref.Subject.String())
	}
	return out
}

// expressions renders a body's arguments; with a schema nested blocks are
// rendered too and sensitive arguments hidden, without one only the
// attributes can be found.
func (m *jsonMarshaler) expressions(body hcl.Body, block *plugins.Block) map[string]any {
	if body == nil {
		return nil
	}
	ret := map[string]any{}
	if block == nil {
		attrs, _ := body.JustAttributes()
		for name, attr := range attrs {
			ret[name] = marshalExpression(attr.Expr, false)
		}
		if len(ret) == 0 {
			return nil
		}
		return ret
	}
	// Dynamic blocks and anything the schema does not know are left out,
	// as OpenTofu leaves them out.
	content, _, _ := body.PartialContent(hcldec.ImpliedSchema(block.DecoderSpec()))
	if content == nil {
		return nil
	}
	for name, attr := range content.Attributes {
		sensitive := false
		if a := block.Attributes[name]; a != nil {
			sensitive = a.Sensitive
		}
		ret[name] = marshalExpression(attr.Expr, sensitive)
	}
	for _, b := range content.Blocks {
		nb := block.BlockTypes[b.Type]
		if nb == nil {
			continue
		}
		inner := m.expressions(b.Body, &nb.Block)
		if inner == nil {
			inner = map[string]any{}
		}
		switch nb.Nesting {
		case plugins.NestingSingle:
			ret[b.Type] = inner
		case plugins.NestingList, plugins.NestingSet:
			list, _ := ret[b.Type].([]map[string]any)
			ret[b.Type] = append(list, inner)
		case plugins.NestingMap:
			mp, _ := ret[b.Type].(map[string]map[string]any)
			if mp == nil {
				mp = map[string]map[string]any{}
			}
			if len(b.Labels) > 0 {
				mp[b.Labels[0]] = inner
			}
			ret[b.Type] = mp
		}
	}
	if len(ret) == 0 {
		return nil
	}
	return ret
}

// marshalExpression follows OpenTofu: each reference is listed with every
// shorter prefix of its traversal down to the referenced object, plus the
// object without its instance key.
func marshalExpression(expr hcl.Expression, sensitive bool) jsonExpression {
	var ret jsonExpression
	if expr == nil {
		return ret
	}
	travs := expr.Variables()
	if len(travs) == 0 {
		val, diags := expr.Value(nil)
		if !diags.HasErrors() && val != cty.NilVal && val.IsWhollyKnown() {
			var sens *pathTrie
			if sensitive {
				sens = newPathTrie([]cty.Path{nil})
			}
			if raw, err := jsonOf(val, sens); err == nil {
				ret.ConstantValue = raw
			}
		}
		return ret
	}
	for _, t := range travs {
		ref, diags := addrs.ParseRef(t)
		if diags.HasErrors() || ref == nil {
			continue
		}
		subject := ref.Subject.String()
		remain := ref.Remaining
		for len(remain) > 0 {
			if s, ok := traversalString(remain); ok {
				ret.References = append(ret.References, subject+s)
			}
			remain = remain[:len(remain)-1]
		}
		ret.References = append(ret.References, subject)
		switch s := ref.Subject.(type) {
		case addrs.ResourceInstance:
			if s.Key != addrs.NoKey {
				ret.References = append(ret.References, s.Resource.String())
			}
		case addrs.ModuleCallOutput:
			if s.Output != "" {
				call := addrs.ModuleCallOutput{Call: s.Call, Key: s.Key, HasKey: s.HasKey}
				ret.References = append(ret.References, call.String())
			} else if s.HasKey {
				ret.References = append(ret.References, addrs.ModuleCallOutput{Call: s.Call}.String())
			}
		}
	}
	return ret
}

func traversalString(t hcl.Traversal) (string, bool) {
	var b strings.Builder
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			k := s.Key
			if k.IsNull() || !k.IsKnown() {
				return "", false
			}
			switch k.Type() {
			case cty.String:
				b.WriteString("[" + quoteHCLString(k.AsString()) + "]")
			case cty.Number:
				b.WriteString("[" + k.AsBigFloat().Text('f', -1) + "]")
			default:
				return "", false
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		default:
			return "", false
		}
	}
	return b.String(), true
}

func quoteHCLString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
