package plan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// JSONFormatVersion is the format_version of the plan JSON; it follows
// OpenTofu's, since tools written for `tofu show -json` read it.
const JSONFormatVersion = "1.2"

// stateJSONFormatVersion is the format_version of prior_state.
const stateJSONFormatVersion = "1.0"

// SchemaSource gives resource type schemas to MarshalJSON, which uses them
// for the attributes a provider declares sensitive and to read resource
// configuration bodies. provider is a provider configuration address as
// plans and state record it, such as
// provider["registry.opentofu.org/hashicorp/null"]. It may return nil; the
// JSON then relies on the sensitive paths recorded in the plan and state.
type SchemaSource interface {
	ResourceTypeSchema(provider string, mode addrs.ResourceMode, typ string) *plugins.Schema
}

// ProviderSchemaSource is optionally implemented by a SchemaSource that
// also knows provider configuration schemas (provider as for SchemaSource);
// with it, provider blocks are read by schema and their sensitive
// arguments hidden.
type ProviderSchemaSource interface {
	ProviderSchema(provider string) *plugins.Schema
}

// MarshalJSON renders the plan in the shape of `tofu show -json PLANFILE`
// (format 1.2), except that sensitive values are replaced by
// SensitiveValue wherever they would appear, and that each resource change
// also carries its object's ente and classification tags. The changes of a
// refresh-only plan, objects changed outside nuvola, are listed under
// "resource_drift", as OpenTofu lists drift. cfg may be nil, which leaves
// out "configuration"; schemas may be nil.
func MarshalJSON(p *Plan, cfg *configs.Config, schemas SchemaSource) ([]byte, error) {
	if p == nil {
		return nil, fmt.Errorf("cannot render a nil plan")
	}
	m := &jsonMarshaler{schemas: schemas}
	out := jsonPlan{
		FormatVersion:    JSONFormatVersion,
		TerraformVersion: p.NuvolaVersion,
		Applyable:        !p.Errored && p.HasChanges() && !p.PolicyBlocked(),
		Complete:         !p.Errored && len(p.Targets) == 0,
		Errored:          p.Errored,
	}
	if !p.Timestamp.IsZero() {
		out.Timestamp = p.Timestamp.UTC().Format(time.RFC3339)
	}
	var err error
	if out.Variables, err = m.variables(p, cfg); err != nil {
		return nil, fmt.Errorf("variables: %w", err)
	}
	changes := p.Changes
	if p.Mode == RefreshOnlyMode {
		// A refresh-only plan's changes are what changed outside nuvola:
		// as in OpenTofu they are drift, and the plan changes no resource.
		if out.ResourceDrift, err = m.resourceChanges(p.Changes); err != nil {
			return nil, fmt.Errorf("resource drift: %w", err)
		}
		changes = nil
	}
	if out.PlannedValues, err = m.plannedValues(p.Outputs, changes); err != nil {
		return nil, fmt.Errorf("planned values: %w", err)
	}
	if out.ResourceChanges, err = m.resourceChanges(changes); err != nil {
		return nil, fmt.Errorf("resource changes: %w", err)
	}
	if out.OutputChanges, err = m.outputChanges(p.Outputs); err != nil {
		return nil, fmt.Errorf("output changes: %w", err)
	}
	if !p.PriorState.Empty() {
		if out.PriorState, err = m.priorState(p.PriorState, p.NuvolaVersion); err != nil {
			return nil, fmt.Errorf("prior state: %w", err)
		}
	}
	if cfg != nil && cfg.Module != nil {
		out.Configuration = m.configuration(cfg)
	}
	if len(p.PolicyResults) > 0 {
		out.PolicyResults = policyResultsJSON(p.PolicyResults)
	}
	return json.Marshal(out)
}

type jsonMarshaler struct {
	schemas SchemaSource
}

func (m *jsonMarshaler) schema(provider string, mode addrs.ResourceMode, typ string) *plugins.Schema {
	if m.schemas == nil {
		return nil
	}
	s := m.schemas.ResourceTypeSchema(provider, mode, typ)
	if s == nil || s.Block == nil {
		return nil
	}
	return s
}

func (m *jsonMarshaler) providerSchema(provider string) *plugins.Block {
	ps, ok := m.schemas.(ProviderSchemaSource)
	if !ok || ps == nil {
		return nil
	}
	s := ps.ProviderSchema(provider)
	if s == nil {
		return nil
	}
	return s.Block
}

type jsonPlan struct {
	FormatVersion    string                  `json:"format_version"`
	TerraformVersion string                  `json:"terraform_version,omitempty"`
	Variables        map[string]jsonVariable `json:"variables,omitempty"`
	PlannedValues    jsonStateValues         `json:"planned_values"`
	ResourceDrift    []jsonResourceChange    `json:"resource_drift,omitempty"`
	ResourceChanges  []jsonResourceChange    `json:"resource_changes,omitempty"`
	OutputChanges    map[string]jsonChange   `json:"output_changes,omitempty"`
	PriorState       *jsonState              `json:"prior_state,omitempty"`
	Configuration    *jsonConfig             `json:"configuration,omitempty"`
	Timestamp        string                  `json:"timestamp,omitempty"`
	Applyable        bool                    `json:"applyable"`
	Complete         bool                    `json:"complete"`
	Errored          bool                    `json:"errored"`
	PolicyResults    []jsonPolicyResult      `json:"policy_results,omitempty"`
}

type jsonVariable struct {
	Value json.RawMessage `json:"value,omitempty"`
}

type jsonStateValues struct {
	Outputs    map[string]jsonOutput `json:"outputs,omitempty"`
	RootModule jsonModule            `json:"root_module"`
}

type jsonOutput struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type,omitempty"`
	Value     json.RawMessage `json:"value,omitempty"`
}

type jsonModule struct {
	Resources    []jsonResource `json:"resources,omitempty"`
	Address      string         `json:"address,omitempty"`
	ChildModules []jsonModule   `json:"child_modules,omitempty"`
}

type jsonResource struct {
	Address         string                     `json:"address,omitempty"`
	Mode            string                     `json:"mode,omitempty"`
	Type            string                     `json:"type,omitempty"`
	Name            string                     `json:"name,omitempty"`
	Index           json.RawMessage            `json:"index,omitempty"`
	ProviderName    string                     `json:"provider_name,omitempty"`
	SchemaVersion   uint64                     `json:"schema_version"`
	AttributeValues map[string]json.RawMessage `json:"values,omitempty"`
	SensitiveValues json.RawMessage            `json:"sensitive_values,omitempty"`
	DependsOn       []string                   `json:"depends_on,omitempty"`
	Tainted         bool                       `json:"tainted,omitempty"`
	DeposedKey      string                     `json:"deposed_key,omitempty"`
}

type jsonResourceChange struct {
	Address         string          `json:"address,omitempty"`
	PreviousAddress string          `json:"previous_address,omitempty"`
	ModuleAddress   string          `json:"module_address,omitempty"`
	Mode            string          `json:"mode,omitempty"`
	Type            string          `json:"type,omitempty"`
	Name            string          `json:"name,omitempty"`
	Index           json.RawMessage `json:"index,omitempty"`
	ProviderName    string          `json:"provider_name,omitempty"`
	Deposed         string          `json:"deposed,omitempty"`
	Change          jsonChange      `json:"change"`
	ActionReason    string          `json:"action_reason,omitempty"`
	// Ente and Classification, nuvola's additions, are the object's tags
	// of those names.
	Ente           string `json:"ente,omitempty"`
	Classification string `json:"classification,omitempty"`
}

type jsonChange struct {
	Actions         []string        `json:"actions,omitempty"`
	Before          json.RawMessage `json:"before"`
	After           json.RawMessage `json:"after"`
	AfterUnknown    json.RawMessage `json:"after_unknown,omitempty"`
	BeforeSensitive json.RawMessage `json:"before_sensitive,omitempty"`
	AfterSensitive  json.RawMessage `json:"after_sensitive,omitempty"`
	ReplacePaths    json.RawMessage `json:"replace_paths,omitempty"`
	Importing       *jsonImporting  `json:"importing,omitempty"`
}

type jsonImporting struct {
	ID string `json:"id,omitempty"`
}

type jsonState struct {
	FormatVersion    string           `json:"format_version"`
	TerraformVersion string           `json:"terraform_version,omitempty"`
	Values           *jsonStateValues `json:"values,omitempty"`
}

func modeString(m addrs.ResourceMode) string {
	if m == addrs.DataResourceMode {
		return "data"
	}
	return "managed"
}

func keyJSON(k addrs.InstanceKey) json.RawMessage {
	switch k := k.(type) {
	case addrs.IntKey:
		return json.RawMessage(strconv.Itoa(int(k)))
	case addrs.StringKey:
		return mustJSON(string(k))
	}
	return nil
}

// ProviderSource extracts the provider source address from a provider
// configuration address such as
// module.a.provider["registry.opentofu.org/hashicorp/null"].alias; an
// address it cannot read is returned unchanged.
func ProviderSource(providerAddr string) string {
	i := strings.Index(providerAddr, `provider[`)
	if i < 0 {
		return providerAddr
	}
	rest := providerAddr[i+len(`provider[`):]
	quoted, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return providerAddr
	}
	src, err := strconv.Unquote(quoted)
	if err != nil || src == "" {
		return providerAddr
	}
	return src
}

func (m *jsonMarshaler) variables(p *Plan, cfg *configs.Config) (map[string]jsonVariable, error) {
	sensitive := map[string]bool{}
	for _, n := range p.SensitiveVariables {
		sensitive[n] = true
	}
	var decls map[string]*configs.Variable
	if cfg != nil && cfg.Module != nil {
		decls = cfg.Module.Variables
	}
	for n, d := range decls {
		if d != nil && d.Sensitive {
			sensitive[n] = true
		}
	}
	out := map[string]jsonVariable{}
	add := func(name string, v cty.Value) error {
		var sens *pathTrie
		if sensitive[name] {
			sens = newPathTrie([]cty.Path{nil})
		}
		raw, err := jsonOf(v, sens)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		out[name] = jsonVariable{Value: raw}
		return nil
	}
	for name, v := range p.Variables {
		if err := add(name, v); err != nil {
			return nil, err
		}
	}
	// As in OpenTofu, declared defaults show up even though the plan only
	// records the values that were set.
	for name, d := range decls {
		if _, ok := out[name]; ok || d == nil || d.Default == cty.NilVal {
			continue
		}
		if err := add(name, d.Default); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// resourceValues renders one side of a change with its sensitive and
// unknown shapes. paths are the plan's sensitive paths; the schema adds
// the attributes the provider declares sensitive.
func (m *jsonMarshaler) resourceValues(v cty.Value, paths []cty.Path, schema *plugins.Schema) (val, sens json.RawMessage, err error) {
	trie := newPathTrie(paths)
	if schema != nil && v != cty.NilVal {
		for _, p := range schema.Block.SensitivePaths(v, nil) {
			trie.add(p)
		}
	}
	if val, err = jsonOf(v, trie); err != nil {
		return nil, nil, err
	}
	return val, mustJSON(sensitiveTree(v, trie)), nil
}

func (m *jsonMarshaler) resourceChanges(changes []*ResourceChange) ([]jsonResourceChange, error) {
	sorted := make([]*ResourceChange, 0, len(changes))
	for _, c := range changes {
		if c != nil {
			sorted = append(sorted, c)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if !a.Addr.Equal(b.Addr) {
			return a.Addr.Less(b.Addr)
		}
		return a.DeposedKey < b.DeposedKey
	})
	var out []jsonResourceChange
	for _, c := range sorted {
		res := c.Addr.Resource.Resource
		// Data resources get delete changes only to clean up state, which
		// OpenTofu does not show either.
		if res.Mode == addrs.DataResourceMode && c.Action == Delete {
			continue
		}
		provider := ProviderSource(c.Provider)
		schema := m.schema(c.Provider, res.Mode, res.Type)
		rc := jsonResourceChange{
			Address:       c.Addr.String(),
			ModuleAddress: c.Addr.Module.String(),
			Mode:          modeString(res.Mode),
			Type:          res.Type,
			Name:          res.Name,
			Index:         keyJSON(c.Addr.Resource.Key),
			ProviderName:  provider,
			Deposed:       c.DeposedKey,
			ActionReason:  string(c.Reason),
		}
		rc.Ente, rc.Classification = c.Labels()
		if prev := c.PrevRunAddr; prev.Resource.Resource.Type != "" && !prev.Equal(c.Addr) {
			rc.PreviousAddress = prev.String()
		}
		ch := jsonChange{Actions: c.Action.Actions()}
		var err error
		if ch.Before, ch.BeforeSensitive, err = m.resourceValues(c.Before, c.BeforeSensitive, schema); err != nil {
			return nil, fmt.Errorf("%s: before: %w", rc.Address, err)
		}
		if ch.After, ch.AfterSensitive, err = m.resourceValues(c.After, c.AfterSensitive, schema); err != nil {
			return nil, fmt.Errorf("%s: after: %w", rc.Address, err)
		}
		if c.After == cty.NilVal || c.After.IsWhollyKnown() {
			ch.AfterUnknown = json.RawMessage("{}")
		} else {
			ch.AfterUnknown = mustJSON(unknownTree(c.After))
		}
		if ch.ReplacePaths, err = encodeJSONPaths(c.RequiredReplace); err != nil {
			return nil, fmt.Errorf("%s: replace paths: %w", rc.Address, err)
		}
		if c.ImportID != "" {
			ch.Importing = &jsonImporting{ID: c.ImportID}
		}
		rc.Change = ch
		out = append(out, rc)
	}
	return out, nil
}

func (m *jsonMarshaler) outputChanges(outputs []*OutputChange) (map[string]jsonChange, error) {
	if len(outputs) == 0 {
		return nil, nil
	}
	out := make(map[string]jsonChange, len(outputs))
	for _, o := range outputs {
		if o == nil {
			continue
		}
		var sens *pathTrie
		if o.Sensitive {
			sens = newPathTrie([]cty.Path{nil})
		}
		ch := jsonChange{Actions: o.Action.Actions()}
		var err error
		if ch.Before, err = jsonOf(o.Before, sens); err != nil {
			return nil, fmt.Errorf("%s: before: %w", o.Name, err)
		}
		if ch.After, err = jsonOf(o.After, sens); err != nil {
			return nil, fmt.Errorf("%s: after: %w", o.Name, err)
		}
		if o.After == cty.NilVal || o.After.IsWhollyKnown() {
			ch.AfterUnknown = json.RawMessage("false")
		} else {
			ch.AfterUnknown = mustJSON(unknownTree(o.After))
		}
		// The plan knows sensitivity only for the output as a whole, as
		// OpenTofu's does.
		ch.BeforeSensitive = mustJSON(o.Sensitive)
		ch.AfterSensitive = ch.BeforeSensitive
		out[o.Name] = ch
	}
	return out, nil
}

func (m *jsonMarshaler) plannedValues(outputs []*OutputChange, changes []*ResourceChange) (jsonStateValues, error) {
	var sv jsonStateValues
	for _, o := range outputs {
		if o == nil || o.Action == Delete {
			continue
		}
		if sv.Outputs == nil {
			sv.Outputs = map[string]jsonOutput{}
		}
		jo := jsonOutput{Sensitive: o.Sensitive}
		if o.After != cty.NilVal && o.After.IsWhollyKnown() {
			v, _ := o.After.UnmarkDeep()
			if o.Sensitive {
				jo.Value = mustJSON(SensitiveValue)
			} else {
				var err error
				if jo.Value, err = jsonOf(v, nil); err != nil {
					return sv, fmt.Errorf("output %s: %w", o.Name, err)
				}
				if jo.Type, err = ctyjson.MarshalType(v.Type()); err != nil {
					return sv, fmt.Errorf("output %s: %w", o.Name, err)
				}
			}
		}
		sv.Outputs[o.Name] = jo
	}

	byModule := map[string][]jsonResource{}
	var modules []addrs.ModuleInstance
	for _, c := range changes {
		// Deposed objects are on their way out, and deletions leave
		// nothing behind.
		if c == nil || c.DeposedKey != "" || c.Action == Delete {
			continue
		}
		res := c.Addr.Resource.Resource
		provider := ProviderSource(c.Provider)
		schema := m.schema(c.Provider, res.Mode, res.Type)
		jr := jsonResource{
			Address:       c.Addr.String(),
			Mode:          modeString(res.Mode),
			Type:          res.Type,
			Name:          res.Name,
			Index:         keyJSON(c.Addr.Resource.Key),
			ProviderName:  provider,
			SchemaVersion: uint64(max(c.SchemaVersion, 0)),
		}
		vals, sens, err := m.resourceValues(c.After, c.AfterSensitive, schema)
		if err != nil {
			return sv, fmt.Errorf("%s: %w", jr.Address, err)
		}
		jr.AttributeValues = attributeValues(vals)
		jr.SensitiveValues = sens
		mod := c.Addr.Module.String()
		if _, seen := byModule[mod]; !seen {
			modules = append(modules, c.Addr.Module)
		}
		byModule[mod] = append(byModule[mod], jr)
	}
	sv.RootModule = buildModuleTree(modules, byModule)
	return sv, nil
}

// attributeValues splits an object's JSON into its attributes, as the
// "values" of a resource are.
func attributeValues(raw json.RawMessage) map[string]json.RawMessage {
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(raw, &attrs); err != nil || len(attrs) == 0 {
		return nil
	}
	return attrs
}

// buildModuleTree nests the modules that hold resources under their
// parents, adding the ancestors that hold none.
func buildModuleTree(modules []addrs.ModuleInstance, resources map[string][]jsonResource) jsonModule {
	children := map[string]map[string]addrs.ModuleInstance{}
	for _, mod := range modules {
		for cur := mod; !cur.IsRoot(); cur = cur.Parent() {
			parent := cur.Parent().String()
			if children[parent] == nil {
				children[parent] = map[string]addrs.ModuleInstance{}
			}
			children[parent][cur.String()] = cur
		}
	}
	var build func(addr string) jsonModule
	build = func(addr string) jsonModule {
		jm := jsonModule{Address: addr, Resources: resources[addr]}
		sort.SliceStable(jm.Resources, func(i, j int) bool { return jm.Resources[i].Address < jm.Resources[j].Address })
		for child := range children[addr] {
			jm.ChildModules = append(jm.ChildModules, build(child))
		}
		sort.Slice(jm.ChildModules, func(i, j int) bool { return jm.ChildModules[i].Address < jm.ChildModules[j].Address })
		return jm
	}
	return build("")
}

func (m *jsonMarshaler) priorState(s *state.State, version string) (*jsonState, error) {
	js := &jsonState{FormatVersion: stateJSONFormatVersion, TerraformVersion: s.NuvolaVersion}
	if js.TerraformVersion == "" {
		js.TerraformVersion = version
	}
	sv := &jsonStateValues{}
	names := make([]string, 0, len(s.Outputs))
	for n := range s.Outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := s.Outputs[n]
		if o == nil {
			continue
		}
		if sv.Outputs == nil {
			sv.Outputs = map[string]jsonOutput{}
		}
		jo := jsonOutput{Sensitive: o.Sensitive}
		if o.Sensitive {
			jo.Value = mustJSON(SensitiveValue)
		} else if o.Value != cty.NilVal {
			v, sens := unmarkInto(o.Value, nil)
			var err error
			if jo.Value, err = jsonOf(v, sens); err != nil {
				return nil, fmt.Errorf("output %s: %w", n, err)
			}
			if sens == nil {
				if jo.Type, err = ctyjson.MarshalType(v.Type()); err != nil {
					return nil, fmt.Errorf("output %s: %w", n, err)
				}
			}
		}
		sv.Outputs[n] = jo
	}

	byModule := map[string][]jsonResource{}
	var modules []addrs.ModuleInstance
	for _, r := range s.SortedResources() {
		provider := ProviderSource(r.Provider)
		schema := m.schema(r.Provider, r.Addr.Resource.Mode, r.Addr.Resource.Type)
		for _, k := range r.SortedKeys() {
			inst := r.Instances[k]
			if inst == nil {
				continue
			}
			addr := r.Addr.Instance(k)
			base := jsonResource{
				Address:      addr.String(),
				Mode:         modeString(r.Addr.Resource.Mode),
				Type:         r.Addr.Resource.Type,
				Name:         r.Addr.Resource.Name,
				Index:        keyJSON(k),
				ProviderName: provider,
			}
			var objs []jsonResource
			if inst.Current != nil {
				jr, err := m.stateObject(base, inst.Current, schema)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", base.Address, err)
				}
				objs = append(objs, jr)
			}
			deposed := make([]string, 0, len(inst.Deposed))
			for dk := range inst.Deposed {
				deposed = append(deposed, dk)
			}
			sort.Strings(deposed)
			for _, dk := range deposed {
				if inst.Deposed[dk] == nil {
					continue
				}
				jr, err := m.stateObject(base, inst.Deposed[dk], schema)
				if err != nil {
					return nil, fmt.Errorf("%s (deposed %s): %w", base.Address, dk, err)
				}
				jr.DeposedKey = dk
				objs = append(objs, jr)
			}
			if len(objs) == 0 {
				continue
			}
			mod := r.Addr.Module.String()
			if _, seen := byModule[mod]; !seen {
				modules = append(modules, r.Addr.Module)
			}
			byModule[mod] = append(byModule[mod], objs...)
		}
	}
	// State resources keep state order (by resource, then key, current
	// before deposed) rather than the string order of planned values.
	root := buildModuleTreeOrdered(modules, byModule)
	sv.RootModule = root
	js.Values = sv
	return js, nil
}

func buildModuleTreeOrdered(modules []addrs.ModuleInstance, resources map[string][]jsonResource) jsonModule {
	tree := buildModuleTree(modules, nil)
	var fill func(m *jsonModule)
	fill = func(m *jsonModule) {
		m.Resources = resources[m.Address]
		for i := range m.ChildModules {
			fill(&m.ChildModules[i])
		}
	}
	fill(&tree)
	return tree
}

func (m *jsonMarshaler) stateObject(base jsonResource, obj *state.Object, schema *plugins.Schema) (jsonResource, error) {
	jr := base
	jr.SchemaVersion = uint64(max(obj.SchemaVersion, 0))
	jr.Tainted = obj.Status == state.ObjectTainted
	for _, d := range obj.Dependencies {
		jr.DependsOn = append(jr.DependsOn, d.String())
	}
	v, err := decodeStateAttrs(obj.AttrsJSON, schema)
	if err != nil {
		return jr, err
	}
	vals, sens, err := m.resourceValues(v, obj.SensitivePaths, schema)
	if err != nil {
		return jr, err
	}
	jr.AttributeValues = attributeValues(vals)
	jr.SensitiveValues = sens
	return jr, nil
}

// decodeStateAttrs reads a stored object by its schema when there is one
// and by the shape of its JSON otherwise; both give the same JSON back,
// but only a value can be checked against sensitive paths.
func decodeStateAttrs(raw json.RawMessage, schema *plugins.Schema) (cty.Value, error) {
	if len(raw) == 0 {
		return cty.NilVal, nil
	}
	if schema != nil {
		if v, err := ctyjson.Unmarshal(raw, schema.Block.ImpliedType()); err == nil {
			return v, nil
		}
	}
	ty, err := ctyjson.ImpliedType(raw)
	if err != nil {
		return cty.NilVal, fmt.Errorf("stored attributes: %w", err)
	}
	v, err := ctyjson.Unmarshal(raw, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("stored attributes: %w", err)
	}
	return v, nil
}
