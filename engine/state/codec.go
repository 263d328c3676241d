package state

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

const (
	// FormatName is the "format" of a nuvola state file; it is what tells
	// a nuvola state from any other JSON file, OpenTofu's included.
	FormatName = "nuvola-state"
	// FormatVersion is the state file version this package reads and writes.
	FormatVersion = 1
)

// ErrForeignState is returned (wrapped) by Decode for an OpenTofu or
// Terraform state file; ImportOpenTofu converts one.
var ErrForeignState = errors.New("this is an OpenTofu/Terraform state file, not a nuvola state")

type fileState struct {
	Format        string                `json:"format"`
	Version       int                   `json:"version"`
	Serial        uint64                `json:"serial"`
	Lineage       string                `json:"lineage"`
	NuvolaVersion string                `json:"nuvola_version"`
	Outputs       map[string]fileOutput `json:"outputs"`
	Resources     []fileResource        `json:"resources"`
	// PendingCreates is omitted when empty, which it nearly always is.
	PendingCreates []filePendingCreate `json:"pending_creates,omitempty"`
}

type filePendingCreate struct {
	Addr     string `json:"addr"`
	Provider string `json:"provider"`
}

type fileOutput struct {
	Value     json.RawMessage `json:"value"`
	Type      json.RawMessage `json:"type"`
	Sensitive bool            `json:"sensitive"`
}

type fileResource struct {
	Module    string         `json:"module,omitempty"`
	Mode      string         `json:"mode"`
	Type      string         `json:"type"`
	Name      string         `json:"name"`
	Provider  string         `json:"provider"`
	Each      string         `json:"each,omitempty"`
	Instances []fileInstance `json:"instances"`
}

type fileInstance struct {
	IndexKey json.RawMessage `json:"index_key,omitempty"`
	fileObject
	Deposed string `json:"deposed,omitempty"`
}

type fileObject struct {
	SchemaVersion       int64            `json:"schema_version"`
	Status              string           `json:"status,omitempty"`
	Attributes          json.RawMessage  `json:"attributes"`
	SensitiveAttributes [][]filePathStep `json:"sensitive_attributes,omitempty"`
	Private             string           `json:"private,omitempty"`
	Dependencies        []string         `json:"dependencies,omitempty"`
	CreateBeforeDestroy bool             `json:"create_before_destroy,omitempty"`
	// compact is set when Attributes was read without white space already.
	compact bool
}

// filePathStep is OpenTofu's encoding of a cty path step: an attribute name
// as a JSON string, or an index key as a cty value with its type.
type filePathStep struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

const (
	pathStepGetAttr = "get_attr"
	pathStepIndex   = "index"
)

// Encode renders the state file: indented JSON whose bytes depend only on
// the state, so that unchanged state gives an unchanged file and diffs
// stay small. It refuses a state that Decode would not read back.
func Encode(s *State) ([]byte, error) {
	fs, err := encodeFile(s)
	if err != nil {
		return nil, err
	}
	// Attribute values are data, not HTML, so "<" is not escaped as \u003c:
	// that would only make the file harder to read.
	return appendFileState(make([]byte, 0, fs.encodedSize()), fs), nil
}

// encodeFile checks s and turns it into the file's structure.
func encodeFile(s *State) (*fileState, error) {
	if s == nil {
		return nil, errors.New("cannot encode a nil state")
	}
	if s.Lineage == "" {
		return nil, errors.New("cannot encode a state without a lineage")
	}
	fs := fileState{
		Format:        FormatName,
		Version:       FormatVersion,
		Serial:        s.Serial,
		Lineage:       s.Lineage,
		NuvolaVersion: s.NuvolaVersion,
		Resources:     []fileResource{},
	}
	var err error
	if fs.Outputs, err = encodeOutputs(s.Outputs); err != nil {
		return nil, err
	}
	for _, addr := range sortedStrings(s.PendingCreates) {
		if _, err := parseAbsResourceInstance(addr); err != nil {
			return nil, fmt.Errorf("pending create %q: %w", addr, err)
		}
		if err := checkProviderAddr(s.PendingCreates[addr]); err != nil {
			return nil, fmt.Errorf("pending create %s: %w", addr, err)
		}
		fs.PendingCreates = append(fs.PendingCreates, filePendingCreate{Addr: addr, Provider: s.PendingCreates[addr]})
	}
	for _, r := range s.SortedResources() {
		fr, err := encodeResource(r)
		if err != nil {
			return nil, err
		}
		fs.Resources = append(fs.Resources, fr)
	}
	for k, r := range s.Resources {
		if k != r.Addr.String() {
			return nil, fmt.Errorf("resource %s is stored under the wrong key %q", r.Addr, k)
		}
	}
	return &fs, nil
}

// encodedSize estimates the size of the encoded file, a little high, so
// that the buffer it is written to does not grow while writing.
func (fs *fileState) encodedSize() int {
	size := 512
	for i := range fs.Resources {
		size += 256
		for j := range fs.Resources[i].Instances {
			// Indentation adds up to as much again to the attributes.
			size += 256 + 2*len(fs.Resources[i].Instances[j].Attributes)
		}
	}
	return size
}

func encodeOutputs(outs map[string]*OutputValue) (map[string]fileOutput, error) {
	ret := make(map[string]fileOutput, len(outs))
	for name, o := range outs {
		if o == nil || o.Value == cty.NilVal {
			continue
		}
		if !validIdent(name) {
			return nil, fmt.Errorf("invalid output name %q", name)
		}
		// Sensitivity is recorded in the flag; marks cannot be serialized.
		v, _ := o.Value.UnmarkDeep()
		// An unknown output is only a promise of a value; the next run
		// computes it again, so nothing is stored.
		if !v.IsWhollyKnown() {
			continue
		}
		if err := checkNumbers(v); err != nil {
			return nil, fmt.Errorf("output %q: %w", name, err)
		}
		val, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", name, err)
		}
		ty, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", name, err)
		}
		ret[name] = fileOutput{Value: val, Type: ty, Sensitive: o.Sensitive}
	}
	return ret, nil
}

func encodeResource(r *Resource) (fileResource, error) {
	if err := validateModuleInstance(r.Addr.Module); err != nil {
		return fileResource{}, fmt.Errorf("resource %s: %w", r.Addr, err)
	}
	if err := validateResource(r.Addr.Resource); err != nil {
		return fileResource{}, err
	}
	if err := checkProviderAddr(r.Provider); err != nil {
		return fileResource{}, fmt.Errorf("resource %s: %w", r.Addr, err)
	}
	switch r.EachMode {
	case NoEach, EachList, EachMap:
	default:
		return fileResource{}, fmt.Errorf("resource %s: invalid each mode %q", r.Addr, r.EachMode)
	}
	fr := fileResource{
		Module:    r.Addr.Module.String(),
		Mode:      r.Addr.Resource.Mode.String(),
		Type:      r.Addr.Resource.Type,
		Name:      r.Addr.Resource.Name,
		Provider:  r.Provider,
		Each:      string(r.EachMode),
		Instances: []fileInstance{},
	}
	for _, k := range r.SortedKeys() {
		inst := r.Instances[k]
		if inst == nil {
			continue
		}
		if err := validateKey(k); err != nil {
			return fileResource{}, fmt.Errorf("resource %s: %w", r.Addr, err)
		}
		key, err := encodeKey(k)
		if err != nil {
			return fileResource{}, err
		}
		addr := r.Addr.Instance(k)
		if inst.Current != nil {
			fo, err := encodeObject(inst.Current)
			if err != nil {
				return fileResource{}, fmt.Errorf("%s: %w", addr, err)
			}
			fr.Instances = append(fr.Instances, fileInstance{IndexKey: key, fileObject: fo})
		}
		dkeys := make([]string, 0, len(inst.Deposed))
		for dk := range inst.Deposed {
			dkeys = append(dkeys, dk)
		}
		sort.Strings(dkeys)
		for _, dk := range dkeys {
			obj := inst.Deposed[dk]
			if obj == nil {
				continue
			}
			if dk == "" || !utf8.ValidString(dk) {
				return fileResource{}, fmt.Errorf("%s: invalid deposed key %q", addr, dk)
			}
			fo, err := encodeObject(obj)
			if err != nil {
				return fileResource{}, fmt.Errorf("%s (deposed %s): %w", addr, dk, err)
			}
			fr.Instances = append(fr.Instances, fileInstance{IndexKey: key, fileObject: fo, Deposed: dk})
		}
	}
	return fr, nil
}

func encodeKey(k addrs.InstanceKey) (json.RawMessage, error) {
	switch k := k.(type) {
	case nil:
		return nil, nil
	case addrs.IntKey:
		return json.RawMessage(strconv.Itoa(int(k))), nil
	case addrs.StringKey:
		// JSON would replace invalid bytes, and the key read back would
		// name another instance.
		if !utf8.ValidString(string(k)) {
			return nil, fmt.Errorf("instance key %s is not valid UTF-8", k)
		}
		return json.Marshal(string(k))
	}
	return nil, fmt.Errorf("unsupported instance key type %T", k)
}

func encodeObject(o *Object) (fileObject, error) {
	if !isJSONObject(o.AttrsJSON) {
		return fileObject{}, errors.New("attributes are not a JSON object")
	}
	if o.SchemaVersion < 0 {
		return fileObject{}, fmt.Errorf("negative schema version %d", o.SchemaVersion)
	}
	switch o.Status {
	case ObjectReady, ObjectTainted:
	default:
		return fileObject{}, fmt.Errorf("invalid status %q", o.Status)
	}
	fo := fileObject{
		SchemaVersion:       o.SchemaVersion,
		Status:              string(o.Status),
		Attributes:          o.AttrsJSON,
		CreateBeforeDestroy: o.CreateBeforeDestroy,
	}
	if len(o.Private) > 0 {
		fo.Private = base64.StdEncoding.EncodeToString(o.Private)
	}
	for _, p := range o.SensitivePaths {
		steps, err := encodePath(p)
		if err != nil {
			return fileObject{}, err
		}
		fo.SensitiveAttributes = append(fo.SensitiveAttributes, steps)
	}
	for _, d := range o.Dependencies {
		if err := validateModuleInstance(d.Module); err != nil {
			return fileObject{}, fmt.Errorf("dependency %s: %w", d, err)
		}
		if err := validateResource(d.Resource); err != nil {
			return fileObject{}, fmt.Errorf("dependency: %w", err)
		}
		fo.Dependencies = append(fo.Dependencies, d.String())
	}
	return fo, nil
}

func encodePath(p cty.Path) ([]filePathStep, error) {
	steps := make([]filePathStep, 0, len(p))
	for _, step := range p {
		switch step := step.(type) {
		case cty.GetAttrStep:
			v, err := json.Marshal(step.Name)
			if err != nil {
				return nil, err
			}
			steps = append(steps, filePathStep{Type: pathStepGetAttr, Value: v})
		case cty.IndexStep:
			k := step.Key
			if !validPathKey(k) {
				return nil, fmt.Errorf("sensitive path %s: index keys must be known strings or numbers", fmtPath(p))
			}
			v, err := ctyjson.Marshal(k, cty.DynamicPseudoType)
			if err != nil {
				return nil, fmt.Errorf("sensitive path %s: %w", fmtPath(p), err)
			}
			steps = append(steps, filePathStep{Type: pathStepIndex, Value: v})
		default:
			return nil, fmt.Errorf("sensitive path: unsupported step %T", step)
		}
	}
	return steps, nil
}

func validPathKey(k cty.Value) bool { return checkPathKey(k) == nil }

func checkPathKey(k cty.Value) error {
	if k == cty.NilVal || k.IsMarked() || !k.IsKnown() || k.IsNull() ||
		(k.Type() != cty.String && k.Type() != cty.Number) {
		return errors.New("an index key must be a string or a number")
	}
	if k.Type() == cty.Number {
		return checkNumber(k)
	}
	return nil
}

// maxNumberExp bounds the binary exponent of stored numbers, far beyond
// float64 (about 1e±4932). cty writes numbers in plain decimal notation, so
// a value such as 1e-999999999 would otherwise take a gigabyte to write.
const maxNumberExp = 1 << 14

func checkNumber(v cty.Value) error {
	bf := v.AsBigFloat()
	if bf.IsInf() {
		return errors.New("infinite numbers cannot be stored")
	}
	if exp := bf.MantExp(nil); exp > maxNumberExp || exp < -maxNumberExp {
		// Formatting the number would be as slow as writing it.
		return fmt.Errorf("a number is too large or too small to store (binary exponent %d)", exp)
	}
	return nil
}

// checkNumbers applies checkNumber to every number inside v.
func checkNumbers(v cty.Value) error {
	return cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if v.Type() == cty.Number && v.IsKnown() && !v.IsNull() {
			return false, checkNumber(v)
		}
		return true, nil
	})
}

func fmtPath(p cty.Path) string {
	var b bytes.Buffer
	for _, step := range p {
		switch step := step.(type) {
		case cty.GetAttrStep:
			b.WriteString("." + step.Name)
		case cty.IndexStep:
			if validPathKey(step.Key) && step.Key.Type() == cty.String {
				b.WriteString("[" + strconv.Quote(step.Key.AsString()) + "]")
			} else if validPathKey(step.Key) {
				b.WriteString("[" + step.Key.AsBigFloat().Text('f', -1) + "]")
			} else {
				b.WriteString("[?]")
			}
		}
	}
	return b.String()
}

func isJSONObject(raw []byte) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{' && json.Valid(raw)
}

// Decode reads a state file. It checks everything a later step relies on
// and reports the first problem; corrupt or foreign input is an error,
// never a panic or a silently partial state.
func Decode(data []byte) (*State, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the state file is empty")
	}
	var fs fileState
	var err error
	if !fastDecodeFile(data, &fs) {
		fs = fileState{}
		dec := json.NewDecoder(bytes.NewReader(data))
		// A field this version does not know is corruption or a newer
		// writer that forgot to bump the version; dropping it silently
		// would lose data at the next write.
		dec.DisallowUnknownFields()
		err = dec.Decode(&fs)
		if err == nil && len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
			err = errors.New("unexpected data after the state")
		}
	}
	if err != nil || fs.Format != FormatName || fs.Version != FormatVersion {
		// Only now is it worth a second pass to find out what the file is,
		// which explains most failures better than the decoder's error.
		if ferr := probeFormat(data); ferr != nil {
			return nil, ferr
		}
		if err == nil {
			err = errors.New("unexpected format or version")
		}
		return nil, fmt.Errorf("invalid state file: %v", err)
	}
	if fs.Lineage == "" {
		return nil, errors.New("invalid state file: the lineage is missing")
	}
	s := &State{
		Serial:        fs.Serial,
		Lineage:       fs.Lineage,
		NuvolaVersion: fs.NuvolaVersion,
		Resources:     make(map[string]*Resource, len(fs.Resources)),
	}
	if s.Outputs, err = decodeOutputs(fs.Outputs); err != nil {
		return nil, fmt.Errorf("invalid state file: %w", err)
	}
	if err := decodeResources(s, fs.Resources, parseModuleInstance, parseAbsResource); err != nil {
		return nil, fmt.Errorf("invalid state file: %w", err)
	}
	for _, pc := range fs.PendingCreates {
		if _, err := parseAbsResourceInstance(pc.Addr); err != nil {
			return nil, fmt.Errorf("invalid state file: pending create %q: %v", pc.Addr, err)
		}
		if err := checkProviderAddr(pc.Provider); err != nil {
			return nil, fmt.Errorf("invalid state file: pending create %s: %v", pc.Addr, err)
		}
		s.AddPendingCreate(pc.Addr, pc.Provider)
	}
	return s, nil
}

func sortedStrings(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// formatProbe holds the fields that say what a file is. Absent fields stay
// nil; the raw values are checked by hand so that a wrong type gets a
// message about that field.
type formatProbe struct {
	Format           json.RawMessage `json:"format"`
	Version          json.RawMessage `json:"version"`
	TerraformVersion json.RawMessage `json:"terraform_version"`
	Lineage          json.RawMessage `json:"lineage"`
}

// probeFormat explains why data is not a nuvola state of this version: not
// JSON, foreign, or from a newer nuvola. It returns nil if it cannot tell.
func probeFormat(data []byte) error {
	var top formatProbe
	if err := json.Unmarshal(data, &top); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field == "" {
			return errors.New("the state file is not a JSON object")
		}
		return fmt.Errorf("the state file is not valid JSON (truncated or corrupt?): %v", err)
	}
	return checkFormat(&top)
}

// checkFormat tells a nuvola state from foreign or future files.
func checkFormat(top *formatProbe) error {
	if top.Format == nil {
		if v := foreignVersion(top); v != "" {
			var version int
			_ = json.Unmarshal(top.Version, &version)
			return fmt.Errorf("%w (format version %d, written by %s); it can be imported, but not read as it is",
				ErrForeignState, version, v)
		}
		return errors.New(`this is not a nuvola state file: it has no "format" field`)
	}
	var format string
	if err := json.Unmarshal(top.Format, &format); err != nil {
		return errors.New(`invalid state file: "format" is not a string`)
	}
	if format != FormatName {
		return fmt.Errorf("this is not a nuvola state file: its format is %q, not %q", format, FormatName)
	}
	if top.Version == nil {
		return errors.New(`invalid state file: the "version" field is missing`)
	}
	var version int
	if err := json.Unmarshal(top.Version, &version); err != nil {
		return fmt.Errorf(`invalid state file: "version" is not a whole number: %s`, top.Version)
	}
	if version > FormatVersion {
		return fmt.Errorf("unsupported nuvola state version %d: it was written by a newer nuvola; this one reads version %d", version, FormatVersion)
	}
	if version != FormatVersion {
		return fmt.Errorf("unsupported nuvola state version %d; this nuvola reads version %d", version, FormatVersion)
	}
	return nil
}

// foreignVersion returns what an OpenTofu/Terraform state says wrote it, or
// "" when the file does not look like one.
func foreignVersion(top *formatProbe) string {
	if top.TerraformVersion != nil {
		var v string
		if json.Unmarshal(top.TerraformVersion, &v) == nil && v != "" {
			return v
		}
		return "an unknown version"
	}
	var version int
	if top.Version != nil && top.Lineage != nil && json.Unmarshal(top.Version, &version) == nil && version >= 1 && version <= 4 {
		return "an unknown version"
	}
	return ""
}

func decodeOutputs(fos map[string]fileOutput) (map[string]*OutputValue, error) {
	ret := make(map[string]*OutputValue, len(fos))
	for name, fo := range fos {
		if !validIdent(name) {
			return nil, fmt.Errorf("invalid output name %q", name)
		}
		if len(fo.Type) == 0 || len(fo.Value) == 0 {
			return nil, fmt.Errorf("output %q: the value or its type is missing", name)
		}
		ty, err := ctyjson.UnmarshalType(fo.Type)
		if err != nil {
			return nil, fmt.Errorf("output %q: invalid type: %v", name, err)
		}
		v, err := unmarshalValue(fo.Value, ty)
		if err != nil {
			return nil, fmt.Errorf("output %q: invalid value: %v", name, err)
		}
		if err := checkNumbers(v); err != nil {
			return nil, fmt.Errorf("output %q: %w", name, err)
		}
		ret[name] = &OutputValue{Value: v, Sensitive: fo.Sensitive}
	}
	return ret, nil
}

// unmarshalValue guards ctyjson, whose type walk trusts its input further
// than a corrupt file deserves.
func unmarshalValue(raw []byte, ty cty.Type) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, fmt.Errorf("cannot decode value: %v", r)
		}
	}()
	return ctyjson.Unmarshal(raw, ty)
}

// decodeResources fills s.Resources; the address parsers are parameters
// because an imported OpenTofu state quotes keys in HCL's way.
func decodeResources(s *State, frs []fileResource,
	parseModule func(string) (addrs.ModuleInstance, error),
	parseDep func(string) (addrs.AbsResource, error)) error {
	for i, fr := range frs {
		where := "resources[" + strconv.Itoa(i) + "]"
		module, err := parseModule(fr.Module)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		var mode addrs.ResourceMode
		switch fr.Mode {
		case "managed":
			mode = addrs.ManagedResourceMode
		case "data":
			mode = addrs.DataResourceMode
		default:
			return fmt.Errorf("%s: invalid mode %q (want \"managed\" or \"data\")", where, fr.Mode)
		}
		res := addrs.Resource{Mode: mode, Type: fr.Type, Name: fr.Name}
		if err := validateResource(res); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		addr := res.Absolute(module)
		where = addr.String()
		if _, dup := s.Resources[where]; dup {
			return fmt.Errorf("duplicate resource %s", where)
		}
		if err := checkProviderAddr(fr.Provider); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		r := &Resource{Addr: addr, Provider: fr.Provider, Instances: make(map[addrs.InstanceKey]*Instance, len(fr.Instances))}
		switch EachMode(fr.Each) {
		case NoEach, EachList, EachMap:
			r.EachMode = EachMode(fr.Each)
		default:
			return fmt.Errorf("%s: invalid each %q (want \"count\" or \"for_each\")", where, fr.Each)
		}
		for j, fi := range fr.Instances {
			key, err := decodeKey(fi.IndexKey)
			if err != nil {
				return fmt.Errorf("%s: instances[%d]: %w", where, j, err)
			}
			// Only errors name the instance; printing every address would
			// cost more than the rest of the loop.
			iaddr := func() string { return addr.Instance(key).String() }
			obj, err := decodeObject(&fi.fileObject, parseDep)
			if err != nil {
				return fmt.Errorf("%s: %w", iaddr(), err)
			}
			inst := r.Instances[key]
			if inst == nil {
				inst = &Instance{}
				r.Instances[key] = inst
			}
			if fi.Deposed == "" {
				if inst.Current != nil {
					return fmt.Errorf("duplicate instance %s", iaddr())
				}
				inst.Current = obj
				continue
			}
			if inst.Deposed == nil {
				inst.Deposed = map[string]*Object{}
			}
			if _, dup := inst.Deposed[fi.Deposed]; dup {
				return fmt.Errorf("duplicate deposed object %s of %s", fi.Deposed, iaddr())
			}
			inst.Deposed[fi.Deposed] = obj
		}
		s.Resources[where] = r
	}
	return nil
}

func decodeKey(raw json.RawMessage) (addrs.InstanceKey, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return addrs.NoKey, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("invalid index_key %s", raw)
		}
		return addrs.StringKey(s), nil
	}
	n, err := parseIndex(string(raw))
	if err != nil {
		return nil, fmt.Errorf("invalid index_key %s: want a whole number or a string", raw)
	}
	return addrs.IntKey(n), nil
}

func decodeObject(fo *fileObject, parseDep func(string) (addrs.AbsResource, error)) (*Object, error) {
	if len(fo.Attributes) == 0 {
		return nil, errors.New("the attributes are missing")
	}
	// The decoder has already checked that this is valid JSON.
	if trimmed := bytes.TrimLeft(fo.Attributes, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("the attributes are not a JSON object")
	}
	if fo.SchemaVersion < 0 {
		return nil, fmt.Errorf("negative schema_version %d", fo.SchemaVersion)
	}
	obj := &Object{SchemaVersion: fo.SchemaVersion, CreateBeforeDestroy: fo.CreateBeforeDestroy}
	if fo.compact {
		obj.AttrsJSON = fo.Attributes
	} else {
		var attrs bytes.Buffer
		attrs.Grow(len(fo.Attributes))
		// The file is indented for people; in memory the attributes are
		// kept compact so that a round trip gives back the same bytes.
		if err := json.Compact(&attrs, fo.Attributes); err != nil {
			return nil, fmt.Errorf("invalid attributes: %v", err)
		}
		obj.AttrsJSON = attrs.Bytes()
	}
	switch ObjectStatus(fo.Status) {
	case ObjectReady, ObjectTainted:
		obj.Status = ObjectStatus(fo.Status)
	default:
		return nil, fmt.Errorf("invalid status %q", fo.Status)
	}
	if fo.Private != "" {
		p, err := base64.StdEncoding.DecodeString(fo.Private)
		if err != nil {
			return nil, fmt.Errorf("private data is not valid base64: %v", err)
		}
		obj.Private = p
	}
	for i, steps := range fo.SensitiveAttributes {
		p, err := decodePath(steps)
		if err != nil {
			return nil, fmt.Errorf("sensitive_attributes[%d]: %w", i, err)
		}
		obj.SensitivePaths = append(obj.SensitivePaths, p)
	}
	for _, d := range fo.Dependencies {
		a, err := parseDep(d)
		if err != nil {
			return nil, fmt.Errorf("dependencies: %w", err)
		}
		obj.Dependencies = append(obj.Dependencies, a)
	}
	return obj, nil
}

func decodePath(steps []filePathStep) (cty.Path, error) {
	p := make(cty.Path, 0, len(steps))
	for i, step := range steps {
		switch step.Type {
		case pathStepGetAttr:
			var name string
			if err := json.Unmarshal(step.Value, &name); err != nil {
				return nil, fmt.Errorf("step %d: get_attr needs a string value", i)
			}
			p = append(p, cty.GetAttrStep{Name: name})
		case pathStepIndex:
			if len(step.Value) == 0 {
				return nil, fmt.Errorf("step %d: index needs a value", i)
			}
			k, err := unmarshalValue(step.Value, cty.DynamicPseudoType)
			if err != nil {
				return nil, fmt.Errorf("step %d: invalid index: %v", i, err)
			}
			if err := checkPathKey(k); err != nil {
				return nil, fmt.Errorf("step %d: %w", i, err)
			}
			p = append(p, cty.IndexStep{Key: k})
		default:
			return nil, fmt.Errorf("step %d: unknown step type %q", i, step.Type)
		}
	}
	return p, nil
}
