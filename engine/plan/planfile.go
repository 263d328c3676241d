package plan

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// FileVersion is the plan file format version Write produces and ReadFile
// accepts.
const FileVersion = 1

const (
	magicPrefix  = "nuvola-plan "
	digestPrefix = "sha256:"
	// maxHeaderLen bounds the header line so that a large file without a
	// newline is rejected without reading it all.
	maxHeaderLen = 64
)

// ErrDigestMismatch is returned by ReadFile when the body no longer matches
// the digest written with it.
var ErrDigestMismatch = errors.New("plan file has been modified since it was written (digest mismatch)")

// Write stores the plan as a plan file: the header line, then a JSON
// envelope holding the body and the digest of its exact bytes.
func Write(w io.Writer, p *Plan) error {
	body, err := encodeBody(p)
	if err != nil {
		return err
	}
	// The envelope is assembled by hand so the body bytes on disk are
	// exactly the bytes the digest covers. The body is written as it is
	// rather than copied into a buffer with the envelope: for a large plan
	// it is many megabytes.
	head := magicPrefix + strconv.Itoa(FileVersion) + "\n" + `{"digest":"` + bodyDigest(body) + `","body":`
	for _, part := range [][]byte{[]byte(head), body, []byte("}\n")} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// Digest is the digest Write records for the plan, "sha256:<hex>" over the
// body bytes; signing it signs everything the plan file holds.
func (p *Plan) Digest() (string, error) {
	body, err := encodeBody(p)
	if err != nil {
		return "", err
	}
	return bodyDigest(body), nil
}

func bodyDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return digestPrefix + hex.EncodeToString(sum[:])
}

// ReadFile loads a plan file written by Write. It checks the header, the
// digest and every field, and reports what is wrong rather than panicking,
// since a plan file may come from anywhere. (It is not called Read because
// that name is the read Action.)
func ReadFile(r io.Reader) (*Plan, error) {
	env, err := ReadEnvelope(r)
	if err != nil {
		return nil, err
	}
	return env.Plan()
}

// Envelope is a plan file as stored: the body bytes exactly as they were
// written, their digest, and the signatures over that digest. Signatures
// live beside the body, so adding one changes neither the body nor the
// digest.
type Envelope struct {
	// Digest is "sha256:<hex>" over the body bytes; ReadEnvelope has
	// checked that it matches them.
	Digest string
	// Signatures are kept in the order they were added.
	Signatures []Signature
	body       []byte
}

// ReadEnvelope reads a plan file's header and envelope and checks the
// digest against the body, without decoding the body: Plan does that.
func ReadEnvelope(r io.Reader) (env *Envelope, err error) {
	br := bufio.NewReader(r)
	if err := readHeader(br); err != nil {
		return nil, err
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("reading plan file: %w", err)
	}
	var raw struct {
		Digest     *string          `json:"digest"`
		Body       *json.RawMessage `json:"body"`
		Signatures []signatureJSON  `json:"signatures"`
	}
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, corruptf("invalid JSON: %v", err)
		}
		return nil, corruptf("invalid plan document: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, corruptf("unexpected data after the plan document")
	}
	if raw.Digest == nil {
		return nil, corruptf("missing digest")
	}
	if raw.Body == nil || string(*raw.Body) == "null" {
		return nil, corruptf("missing body")
	}
	want, ok := strings.CutPrefix(*raw.Digest, digestPrefix)
	if !ok || len(want) != sha256.Size*2 || strings.ToLower(want) != want {
		return nil, corruptf("malformed digest %q", *raw.Digest)
	}
	if _, err := hex.DecodeString(want); err != nil {
		return nil, corruptf("malformed digest %q", *raw.Digest)
	}
	if bodyDigest(*raw.Body) != *raw.Digest {
		return nil, ErrDigestMismatch
	}
	sigs, err := decodeSignatures(raw.Signatures)
	if err != nil {
		return nil, corruptf("%v", err)
	}
	return &Envelope{Digest: *raw.Digest, Signatures: sigs, body: *raw.Body}, nil
}

// NewEnvelope encodes p as Write would, without signatures.
func NewEnvelope(p *Plan) (*Envelope, error) {
	body, err := encodeBody(p)
	if err != nil {
		return nil, err
	}
	return &Envelope{Digest: bodyDigest(body), body: body}, nil
}

// Plan decodes the body, checking every field.
func (e *Envelope) Plan() (p *Plan, err error) {
	defer func() {
		// The value decoders are third-party code run on untrusted bytes; a
		// panic there must still come back as an error.
		if rec := recover(); rec != nil {
			p, err = nil, corruptf("%v", rec)
		}
	}()
	return decodeBody(e.body)
}

// Write stores the envelope as a plan file, the body exactly as it was
// read, followed by the signatures.
func (e *Envelope) Write(w io.Writer) error {
	if e.body == nil || bodyDigest(e.body) != e.Digest {
		return errors.New("plan envelope: the digest does not match the body")
	}
	sigs, err := encodeSignatures(e.Signatures)
	if err != nil {
		return err
	}
	head := magicPrefix + strconv.Itoa(FileVersion) + "\n" + `{"digest":"` + e.Digest + `","body":`
	tail := []byte("}\n")
	if len(sigs) > 0 {
		enc, err := json.Marshal(sigs)
		if err != nil {
			return err
		}
		tail = append(append([]byte(`,"signatures":`), enc...), tail...)
	}
	for _, part := range [][]byte{[]byte(head), e.body, tail} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

func readHeader(br *bufio.Reader) error {
	head, err := br.Peek(len(magicPrefix))
	if err != nil && err != io.EOF {
		return fmt.Errorf("reading plan file: %w", err)
	}
	if !bytes.Equal(head, []byte(magicPrefix)) {
		switch {
		case len(head) == 0:
			return errors.New("not a nuvola plan file: the file is empty")
		case bytes.HasPrefix([]byte(magicPrefix), head) && len(head) > len("nuvola"):
			return corruptf("truncated header")
		}
		return errors.New("not a nuvola plan file")
	}
	line, err := br.ReadSlice('\n')
	switch {
	case err == io.EOF:
		return corruptf("truncated header")
	case err == bufio.ErrBufferFull || (err == nil && len(line) > maxHeaderLen):
		return corruptf("malformed header")
	case err != nil:
		return fmt.Errorf("reading plan file: %w", err)
	}
	// A checkout with CRLF line endings must not turn a plan unreadable.
	ver := strings.TrimSuffix(string(line[len(magicPrefix):len(line)-1]), "\r")
	n, perr := strconv.ParseUint(ver, 10, 32)
	if perr != nil || strconv.FormatUint(n, 10) != ver {
		return corruptf("malformed header %q", strings.TrimSuffix(string(line), "\n"))
	}
	if n != FileVersion {
		return fmt.Errorf("unsupported plan file version %d (this build reads version %d)", n, FileVersion)
	}
	return nil
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("corrupt plan file: "+format, args...)
}

// The body: every Plan field. Values are msgpack with dynamic type so that
// unknowns and exact types survive; paths use the OpenTofu state encoding;
// the prior state is the state file itself, so it is checked by the same
// code that checks state files.

type bodyJSON struct {
	Mode               string               `json:"mode"`
	ResourceChanges    []resourceChangeJSON `json:"resource_changes"`
	OutputChanges      []outputChangeJSON   `json:"output_changes"`
	PriorState         json.RawMessage      `json:"prior_state,omitempty"`
	StateLineage       string               `json:"state_lineage"`
	StateSerial        uint64               `json:"state_serial"`
	Variables          map[string]string    `json:"variables"`
	SensitiveVariables []string             `json:"sensitive_variables"`
	Targets            []string             `json:"targets"`
	ForceReplace       []string             `json:"force_replace"`
	Config             map[string][]byte    `json:"config"`
	Errored            bool                 `json:"errored"`
	PolicyResults      []policyResultJSON   `json:"policy_results,omitempty"`
	PolicyInputs       *policyInputsJSON    `json:"policy_inputs,omitempty"`
	Timestamp          string               `json:"timestamp"`
	NuvolaVersion      string               `json:"nuvola_version"`
}

type resourceChangeJSON struct {
	Addr                instanceAddrJSON   `json:"addr"`
	PrevRunAddr         *instanceAddrJSON  `json:"prev_run_addr,omitempty"`
	DeposedKey          string             `json:"deposed_key,omitempty"`
	Provider            string             `json:"provider"`
	Action              string             `json:"action"`
	Reason              string             `json:"reason,omitempty"`
	Before              string             `json:"before,omitempty"`
	After               string             `json:"after,omitempty"`
	BeforeSensitive     []pathJSON         `json:"before_sensitive,omitempty"`
	AfterSensitive      []pathJSON         `json:"after_sensitive,omitempty"`
	RequiredReplace     []pathJSON         `json:"required_replace,omitempty"`
	ConfigSensitive     []pathJSON         `json:"config_sensitive,omitempty"`
	Config              string             `json:"config,omitempty"`
	Private             []byte             `json:"private,omitempty"`
	SchemaVersion       int64              `json:"schema_version"`
	Dependencies        []resourceAddrJSON `json:"dependencies,omitempty"`
	CreateBeforeDestroy bool               `json:"create_before_destroy,omitempty"`
	ImportID            string             `json:"import_id,omitempty"`
}

type outputChangeJSON struct {
	Name      string `json:"name"`
	Action    string `json:"action"`
	Before    string `json:"before,omitempty"`
	After     string `json:"after,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// Addresses are stored structurally rather than as address strings: a
// for_each key may hold characters the address syntax cannot spell.
type moduleStepJSON struct {
	Name string          `json:"name"`
	Key  json.RawMessage `json:"key,omitempty"`
}

type resourceAddrJSON struct {
	Module []moduleStepJSON `json:"module,omitempty"`
	Mode   string           `json:"mode"`
	Type   string           `json:"type"`
	Name   string           `json:"name"`
}

type instanceAddrJSON struct {
	resourceAddrJSON
	Key json.RawMessage `json:"key,omitempty"`
}

type pathStepJSON struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type pathJSON []pathStepJSON

var modeNames = map[Mode]string{
	NormalMode:      "normal",
	DestroyMode:     "destroy",
	RefreshOnlyMode: "refresh-only",
}

var knownReasons = map[Reason]bool{
	ReasonNone:                        true,
	ReasonReplaceBecauseTainted:       true,
	ReasonReplaceByRequest:            true,
	ReasonReplaceBecauseCannotUpdate:  true,
	ReasonReplaceByTriggers:           true,
	ReasonDeleteNoResourceConfig:      true,
	ReasonDeleteWrongRepetition:       true,
	ReasonDeleteCountIndex:            true,
	ReasonDeleteEachKey:               true,
	ReasonDeleteNoModule:              true,
	ReasonDeleteNoMoveTarget:          true,
	ReasonReadBecauseConfigUnknown:    true,
	ReasonReadBecauseDependencyChange: true,
}

func encodeBody(p *Plan) ([]byte, error) {
	if p == nil {
		return nil, errors.New("cannot encode a nil plan")
	}
	mode, ok := modeNames[p.Mode]
	if !ok {
		return nil, fmt.Errorf("invalid plan mode %d", int(p.Mode))
	}
	b := bodyJSON{
		Mode:               mode,
		ResourceChanges:    []resourceChangeJSON{},
		OutputChanges:      []outputChangeJSON{},
		StateLineage:       p.StateLineage,
		StateSerial:        p.StateSerial,
		Variables:          map[string]string{},
		SensitiveVariables: nonNilStrings(p.SensitiveVariables),
		Targets:            nonNilStrings(p.Targets),
		ForceReplace:       nonNilStrings(p.ForceReplace),
		Config:             map[string][]byte{},
		Errored:            p.Errored,
		NuvolaVersion:      p.NuvolaVersion,
	}
	if !p.Timestamp.IsZero() {
		b.Timestamp = p.Timestamp.UTC().Format(time.RFC3339Nano)
	}
	// Write refuses what Read would reject, so a plan that was written can
	// always be read back.
	for what, list := range map[string][]string{"sensitive variables": p.SensitiveVariables, "targets": p.Targets, "force-replace addresses": p.ForceReplace} {
		for _, s := range list {
			if s == "" {
				return nil, fmt.Errorf("empty entry in %s", what)
			}
		}
	}
	seen := map[string]bool{}
	for i, c := range p.Changes {
		if c == nil {
			return nil, fmt.Errorf("resource change %d is nil", i)
		}
		rc, err := encodeResourceChange(c)
		if err != nil {
			return nil, fmt.Errorf("resource change %s: %w", c.Addr, err)
		}
		key := c.Addr.String() + " " + c.DeposedKey
		if seen[key] {
			return nil, fmt.Errorf("resource change %s: duplicate change", c.Addr)
		}
		seen[key] = true
		b.ResourceChanges = append(b.ResourceChanges, rc)
	}
	seenOut := map[string]bool{}
	for i, o := range p.Outputs {
		if o == nil {
			return nil, fmt.Errorf("output change %d is nil", i)
		}
		if o.Name == "" || seenOut[o.Name] {
			return nil, fmt.Errorf("output change %d: missing or duplicate name %q", i, o.Name)
		}
		seenOut[o.Name] = true
		act, err := encodeAction(o.Action)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		oc := outputChangeJSON{Name: o.Name, Action: act, Sensitive: o.Sensitive}
		if oc.Before, err = encodeValue(o.Before); err != nil {
			return nil, fmt.Errorf("output %q: before: %w", o.Name, err)
		}
		if oc.After, err = encodeValue(o.After); err != nil {
			return nil, fmt.Errorf("output %q: after: %w", o.Name, err)
		}
		b.OutputChanges = append(b.OutputChanges, oc)
	}
	if len(p.PolicyResults) > 0 {
		prs, err := encodePolicyResults(p.PolicyResults)
		if err != nil {
			return nil, err
		}
		b.PolicyResults = prs
	}
	if p.PolicyInputs != nil {
		pi, err := encodePolicyInputs(p.PolicyInputs)
		if err != nil {
			return nil, err
		}
		b.PolicyInputs = pi
	}
	if p.PriorState != nil {
		raw, err := state.Encode(p.PriorState)
		if err != nil {
			return nil, fmt.Errorf("prior state: %w", err)
		}
		if !json.Valid(raw) {
			return nil, errors.New("prior state: the state encoding is not JSON")
		}
		b.PriorState = raw
	}
	for name, v := range p.Variables {
		if name == "" || v == cty.NilVal {
			return nil, fmt.Errorf("variable %q has no name or no value", name)
		}
		enc, err := encodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("variable %q: %w", name, err)
		}
		b.Variables[name] = enc
	}
	for name, content := range p.Config {
		if err := checkConfigPath(name); err != nil {
			return nil, err
		}
		if content == nil {
			content = []byte{}
		}
		b.Config[name] = content
	}
	return json.Marshal(b)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func encodeResourceChange(c *ResourceChange) (resourceChangeJSON, error) {
	var rc resourceChangeJSON
	var err error
	if rc.Addr, err = encodeInstanceAddr(c.Addr); err != nil {
		return rc, fmt.Errorf("address: %w", err)
	}
	if c.PrevRunAddr.Resource.Resource != (addrs.Resource{}) || len(c.PrevRunAddr.Module) > 0 {
		prev, err := encodeInstanceAddr(c.PrevRunAddr)
		if err != nil {
			return rc, fmt.Errorf("previous address: %w", err)
		}
		rc.PrevRunAddr = &prev
	}
	rc.DeposedKey = c.DeposedKey
	if c.Provider == "" {
		return rc, errors.New("missing provider")
	}
	rc.Provider = c.Provider
	if c.SchemaVersion < 0 {
		return rc, errors.New("negative schema version")
	}
	if rc.Action, err = encodeAction(c.Action); err != nil {
		return rc, err
	}
	if !knownReasons[c.Reason] {
		return rc, fmt.Errorf("unknown action reason %q", string(c.Reason))
	}
	rc.Reason = string(c.Reason)
	if rc.Before, err = encodeValue(c.Before); err != nil {
		return rc, fmt.Errorf("before: %w", err)
	}
	if rc.After, err = encodeValue(c.After); err != nil {
		return rc, fmt.Errorf("after: %w", err)
	}
	if rc.BeforeSensitive, err = encodePaths(c.BeforeSensitive); err != nil {
		return rc, fmt.Errorf("before_sensitive: %w", err)
	}
	if rc.AfterSensitive, err = encodePaths(c.AfterSensitive); err != nil {
		return rc, fmt.Errorf("after_sensitive: %w", err)
	}
	if rc.RequiredReplace, err = encodePaths(c.RequiredReplace); err != nil {
		return rc, fmt.Errorf("required_replace: %w", err)
	}
	if rc.ConfigSensitive, err = encodePaths(c.ConfigSensitive); err != nil {
		return rc, fmt.Errorf("config_sensitive: %w", err)
	}
	if c.Config != cty.NilVal {
		if rc.Config, err = encodeValue(c.Config); err != nil {
			return rc, fmt.Errorf("config: %w", err)
		}
	}
	rc.Private = c.Private
	rc.SchemaVersion = c.SchemaVersion
	for _, d := range c.Dependencies {
		dj, err := encodeResourceAddr(d)
		if err != nil {
			return rc, fmt.Errorf("dependency: %w", err)
		}
		rc.Dependencies = append(rc.Dependencies, dj)
	}
	rc.CreateBeforeDestroy = c.CreateBeforeDestroy
	rc.ImportID = c.ImportID
	return rc, nil
}

func encodeAction(a Action) (string, error) {
	if a < 0 || int(a) >= len(actionNames) {
		return "", fmt.Errorf("invalid action %d", int(a))
	}
	return a.String(), nil
}

func decodeAction(s string) (Action, error) {
	for i, n := range actionNames {
		if n == s {
			return Action(i), nil
		}
	}
	return 0, fmt.Errorf("unknown action %q", s)
}

// encodeValue leaves cty.NilVal out entirely, so that "no value" and a null
// value stay distinct.
func encodeValue(v cty.Value) (string, error) {
	if v == cty.NilVal {
		return "", nil
	}
	if v.IsMarked() || v.ContainsMarked() {
		return "", errors.New("value is marked; sensitivity must be recorded as paths")
	}
	raw, err := ctymsgpack.Marshal(v, cty.DynamicPseudoType)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

func decodeValue(s string) (cty.Value, error) {
	if s == "" {
		return cty.NilVal, nil
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return cty.NilVal, fmt.Errorf("invalid base64: %v", err)
	}
	if len(raw) == 0 {
		return cty.NilVal, errors.New("empty value")
	}
	if err := checkMsgpack(raw); err != nil {
		return cty.NilVal, err
	}
	v, err := ctymsgpack.Unmarshal(raw, cty.DynamicPseudoType)
	if err != nil {
		return cty.NilVal, err
	}
	return v, nil
}

func encodeKey(k addrs.InstanceKey) (json.RawMessage, error) {
	switch k := k.(type) {
	case nil:
		return nil, nil
	case addrs.IntKey:
		if k < 0 {
			return nil, fmt.Errorf("negative index %d", int(k))
		}
		return json.RawMessage(strconv.Itoa(int(k))), nil
	case addrs.StringKey:
		return json.Marshal(string(k))
	}
	return nil, fmt.Errorf("unsupported instance key %T", k)
}

func decodeKey(raw json.RawMessage) (addrs.InstanceKey, error) {
	if len(raw) == 0 {
		return addrs.NoKey, nil
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("invalid instance key: %v", err)
		}
		return addrs.StringKey(s), nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("invalid instance key %s: must be a string or a non-negative whole number", string(raw))
	}
	return addrs.IntKey(int(n)), nil
}

func encodeResourceAddr(a addrs.AbsResource) (resourceAddrJSON, error) {
	var r resourceAddrJSON
	for _, s := range a.Module {
		if s.Name == "" {
			return r, errors.New("module step without a name")
		}
		k, err := encodeKey(s.Key)
		if err != nil {
			return r, err
		}
		r.Module = append(r.Module, moduleStepJSON{Name: s.Name, Key: k})
	}
	switch a.Resource.Mode {
	case addrs.ManagedResourceMode:
		r.Mode = "managed"
	case addrs.DataResourceMode:
		r.Mode = "data"
	default:
		return r, fmt.Errorf("invalid resource mode %d", int(a.Resource.Mode))
	}
	if a.Resource.Type == "" || a.Resource.Name == "" {
		return r, errors.New("resource type and name are required")
	}
	r.Type, r.Name = a.Resource.Type, a.Resource.Name
	return r, nil
}

func decodeResourceAddr(r resourceAddrJSON) (addrs.AbsResource, error) {
	var a addrs.AbsResource
	mod := addrs.RootModuleInstance
	for _, s := range r.Module {
		if s.Name == "" {
			return a, errors.New("module step without a name")
		}
		k, err := decodeKey(s.Key)
		if err != nil {
			return a, err
		}
		mod = mod.Child(s.Name, k)
	}
	a.Module = mod
	switch r.Mode {
	case "managed":
		a.Resource.Mode = addrs.ManagedResourceMode
	case "data":
		a.Resource.Mode = addrs.DataResourceMode
	default:
		return a, fmt.Errorf("invalid resource mode %q", r.Mode)
	}
	if r.Type == "" || r.Name == "" {
		return a, errors.New("resource type and name are required")
	}
	a.Resource.Type, a.Resource.Name = r.Type, r.Name
	return a, nil
}

func encodeInstanceAddr(a addrs.AbsResourceInstance) (instanceAddrJSON, error) {
	r, err := encodeResourceAddr(a.ContainingResource())
	if err != nil {
		return instanceAddrJSON{}, err
	}
	k, err := encodeKey(a.Resource.Key)
	if err != nil {
		return instanceAddrJSON{}, err
	}
	return instanceAddrJSON{resourceAddrJSON: r, Key: k}, nil
}

func decodeInstanceAddr(j instanceAddrJSON) (addrs.AbsResourceInstance, error) {
	r, err := decodeResourceAddr(j.resourceAddrJSON)
	if err != nil {
		return addrs.AbsResourceInstance{}, err
	}
	k, err := decodeKey(j.Key)
	if err != nil {
		return addrs.AbsResourceInstance{}, err
	}
	return r.Instance(k), nil
}

// encodePath uses the OpenTofu state file encoding of a path: a list of
// {"type":"get_attr","value":NAME} and {"type":"index","value":KEY} steps,
// KEY being a cty JSON value with its type.
func encodePath(p cty.Path) (pathJSON, error) {
	out := make(pathJSON, 0, len(p))
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			v, err := json.Marshal(s.Name)
			if err != nil {
				return nil, err
			}
			out = append(out, pathStepJSON{Type: "get_attr", Value: v})
		case cty.IndexStep:
			if s.Key == cty.NilVal || s.Key.IsNull() || !s.Key.IsWhollyKnown() || s.Key.ContainsMarked() {
				return nil, errors.New("path index key must be known, unmarked and not null")
			}
			v, err := ctyjson.Marshal(s.Key, cty.DynamicPseudoType)
			if err != nil {
				return nil, err
			}
			out = append(out, pathStepJSON{Type: "index", Value: v})
		default:
			return nil, fmt.Errorf("unsupported path step %T", step)
		}
	}
	return out, nil
}

func decodePath(j pathJSON) (cty.Path, error) {
	p := make(cty.Path, 0, len(j))
	for _, s := range j {
		switch s.Type {
		case "get_attr":
			var name string
			if err := json.Unmarshal(s.Value, &name); err != nil {
				return nil, fmt.Errorf("invalid attribute step: %v", err)
			}
			p = append(p, cty.GetAttrStep{Name: name})
		case "index":
			if len(s.Value) == 0 {
				return nil, errors.New("index step without a value")
			}
			k, err := ctyjson.Unmarshal(s.Value, cty.DynamicPseudoType)
			if err != nil {
				return nil, fmt.Errorf("invalid index step: %v", err)
			}
			if k.IsNull() || !k.IsWhollyKnown() {
				return nil, errors.New("invalid index step: key must be known and not null")
			}
			p = append(p, cty.IndexStep{Key: k})
		default:
			return nil, fmt.Errorf("unknown path step type %q", s.Type)
		}
	}
	return p, nil
}

func encodePaths(ps []cty.Path) ([]pathJSON, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	out := make([]pathJSON, 0, len(ps))
	for _, p := range ps {
		j, err := encodePath(p)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func decodePaths(js []pathJSON) ([]cty.Path, error) {
	if len(js) == 0 {
		return nil, nil
	}
	out := make([]cty.Path, 0, len(js))
	for _, j := range js {
		p, err := decodePath(j)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// checkConfigPath keeps the snapshot inside the configuration directory:
// apply may unpack it, so a path must not climb out of it.
func checkConfigPath(name string) error {
	bad := func(why string) error { return fmt.Errorf("invalid configuration snapshot path %q: %s", name, why) }
	switch {
	case name == "":
		return bad("empty")
	case strings.ContainsRune(name, '\\') || strings.ContainsRune(name, 0):
		return bad("must be slash-separated")
	case strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':'):
		return bad("must be relative")
	case path.Clean(name) != name:
		return bad("must be clean")
	case name == ".." || strings.HasPrefix(name, "../"):
		return bad("must stay inside the configuration directory")
	}
	return nil
}

func decodeBody(raw []byte) (*Plan, error) {
	var b struct {
		bodyJSON
		// Pointers to tell a missing required field from a zero value.
		Mode            *string               `json:"mode"`
		ResourceChanges *[]resourceChangeJSON `json:"resource_changes"`
		OutputChanges   *[]outputChangeJSON   `json:"output_changes"`
		Variables       *map[string]string    `json:"variables"`
		Config          *map[string][]byte    `json:"config"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, corruptf("invalid body: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, corruptf("unexpected data after the body")
	}
	switch {
	case b.Mode == nil:
		return nil, corruptf("missing mode")
	case b.ResourceChanges == nil:
		return nil, corruptf("missing resource_changes")
	case b.OutputChanges == nil:
		return nil, corruptf("missing output_changes")
	case b.Variables == nil:
		return nil, corruptf("missing variables")
	case b.Config == nil:
		return nil, corruptf("missing config")
	}
	p := &Plan{
		StateLineage:       b.StateLineage,
		StateSerial:        b.StateSerial,
		SensitiveVariables: b.SensitiveVariables,
		Targets:            b.Targets,
		ForceReplace:       b.ForceReplace,
		Errored:            b.Errored,
		NuvolaVersion:      b.NuvolaVersion,
		Variables:          map[string]cty.Value{},
		Config:             map[string][]byte{},
	}
	found := false
	for m, n := range modeNames {
		if n == *b.Mode {
			p.Mode, found = m, true
		}
	}
	if !found {
		return nil, corruptf("unknown plan mode %q", *b.Mode)
	}
	if b.Timestamp != "" {
		t, err := time.Parse(time.RFC3339Nano, b.Timestamp)
		if err != nil {
			return nil, corruptf("invalid timestamp %q", b.Timestamp)
		}
		p.Timestamp = t
	}
	prs, err := decodePolicyResults(b.PolicyResults)
	if err != nil {
		return nil, corruptf("%v", err)
	}
	p.PolicyResults = prs
	if b.PolicyInputs != nil {
		if p.PolicyInputs, err = decodePolicyInputs(b.PolicyInputs); err != nil {
			return nil, corruptf("%v", err)
		}
	}
	seen := map[string]bool{}
	for i, rc := range *b.ResourceChanges {
		c, err := decodeResourceChange(rc)
		if err != nil {
			return nil, corruptf("resource change %d: %v", i, err)
		}
		key := c.Addr.String() + " " + c.DeposedKey
		if seen[key] {
			return nil, corruptf("resource change %d: duplicate change for %s", i, c.Addr)
		}
		seen[key] = true
		p.Changes = append(p.Changes, c)
	}
	seenOut := map[string]bool{}
	for i, oc := range *b.OutputChanges {
		if oc.Name == "" {
			return nil, corruptf("output change %d: missing name", i)
		}
		if seenOut[oc.Name] {
			return nil, corruptf("output change %d: duplicate output %q", i, oc.Name)
		}
		seenOut[oc.Name] = true
		act, err := decodeAction(oc.Action)
		if err != nil {
			return nil, corruptf("output %q: %v", oc.Name, err)
		}
		o := &OutputChange{Name: oc.Name, Action: act, Sensitive: oc.Sensitive}
		if o.Before, err = decodeValue(oc.Before); err != nil {
			return nil, corruptf("output %q: before: %v", oc.Name, err)
		}
		if o.After, err = decodeValue(oc.After); err != nil {
			return nil, corruptf("output %q: after: %v", oc.Name, err)
		}
		p.Outputs = append(p.Outputs, o)
	}
	if b.PriorState != nil {
		s, err := state.Decode(b.PriorState)
		if err != nil {
			return nil, corruptf("prior state: %v", err)
		}
		if s == nil {
			return nil, corruptf("prior state: empty")
		}
		p.PriorState = s
	}
	names := make([]string, 0, len(*b.Variables))
	for name := range *b.Variables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "" {
			return nil, corruptf("variable without a name")
		}
		v, err := decodeValue((*b.Variables)[name])
		if err != nil {
			return nil, corruptf("variable %q: %v", name, err)
		}
		if v == cty.NilVal {
			return nil, corruptf("variable %q: missing value", name)
		}
		p.Variables[name] = v
	}
	for name, content := range *b.Config {
		if err := checkConfigPath(name); err != nil {
			return nil, corruptf("%v", err)
		}
		if content == nil {
			return nil, corruptf("configuration file %q: missing content", name)
		}
		p.Config[name] = content
	}
	for _, list := range []struct {
		what string
		vals []string
	}{{"sensitive_variables", p.SensitiveVariables}, {"targets", p.Targets}, {"force_replace", p.ForceReplace}} {
		if list.vals == nil {
			return nil, corruptf("missing %s", list.what)
		}
		for _, s := range list.vals {
			if s == "" {
				return nil, corruptf("empty entry in %s", list.what)
			}
		}
	}
	for _, lst := range []*[]string{&p.SensitiveVariables, &p.Targets, &p.ForceReplace} {
		if len(*lst) == 0 {
			*lst = nil
		}
	}
	return p, nil
}

func decodeResourceChange(rc resourceChangeJSON) (*ResourceChange, error) {
	c := &ResourceChange{
		DeposedKey:          rc.DeposedKey,
		Provider:            rc.Provider,
		Reason:              Reason(rc.Reason),
		Private:             rc.Private,
		SchemaVersion:       rc.SchemaVersion,
		CreateBeforeDestroy: rc.CreateBeforeDestroy,
		ImportID:            rc.ImportID,
	}
	var err error
	if c.Addr, err = decodeInstanceAddr(rc.Addr); err != nil {
		return nil, fmt.Errorf("address: %v", err)
	}
	if rc.PrevRunAddr != nil {
		if c.PrevRunAddr, err = decodeInstanceAddr(*rc.PrevRunAddr); err != nil {
			return nil, fmt.Errorf("%s: previous address: %v", c.Addr, err)
		}
	}
	if c.Provider == "" {
		return nil, fmt.Errorf("%s: missing provider", c.Addr)
	}
	if c.Action, err = decodeAction(rc.Action); err != nil {
		return nil, fmt.Errorf("%s: %v", c.Addr, err)
	}
	if !knownReasons[c.Reason] {
		return nil, fmt.Errorf("%s: unknown action reason %q", c.Addr, rc.Reason)
	}
	if c.Before, err = decodeValue(rc.Before); err != nil {
		return nil, fmt.Errorf("%s: before: %v", c.Addr, err)
	}
	if c.After, err = decodeValue(rc.After); err != nil {
		return nil, fmt.Errorf("%s: after: %v", c.Addr, err)
	}
	if c.BeforeSensitive, err = decodePaths(rc.BeforeSensitive); err != nil {
		return nil, fmt.Errorf("%s: before_sensitive: %v", c.Addr, err)
	}
	if c.AfterSensitive, err = decodePaths(rc.AfterSensitive); err != nil {
		return nil, fmt.Errorf("%s: after_sensitive: %v", c.Addr, err)
	}
	if c.RequiredReplace, err = decodePaths(rc.RequiredReplace); err != nil {
		return nil, fmt.Errorf("%s: required_replace: %v", c.Addr, err)
	}
	if c.ConfigSensitive, err = decodePaths(rc.ConfigSensitive); err != nil {
		return nil, fmt.Errorf("%s: config_sensitive: %v", c.Addr, err)
	}
	if rc.Config != "" {
		if c.Config, err = decodeValue(rc.Config); err != nil {
			return nil, fmt.Errorf("%s: config: %v", c.Addr, err)
		}
	}
	if c.SchemaVersion < 0 {
		return nil, fmt.Errorf("%s: negative schema version", c.Addr)
	}
	for _, d := range rc.Dependencies {
		a, err := decodeResourceAddr(d)
		if err != nil {
			return nil, fmt.Errorf("%s: dependency: %v", c.Addr, err)
		}
		c.Dependencies = append(c.Dependencies, a)
	}
	return c, nil
}
