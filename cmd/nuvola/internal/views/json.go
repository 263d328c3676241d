package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/state"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// JSONUIVersion is the version of the machine-readable UI message schema,
// which follows OpenTofu's.
const JSONUIVersion = "1.2"

// JSONView writes the machine-readable UI of -json: one JSON object per
// line, in OpenTofu's message shapes. It is safe for concurrent use.
type JSONView struct {
	mu      sync.Mutex
	w       io.Writer
	sources map[string][]byte
	now     func() time.Time
}

// NewJSONView returns a view writing to w.
func NewJSONView(w io.Writer) *JSONView {
	return &JSONView{w: w, now: time.Now}
}

// SetSources gives the configuration sources diagnostics point into, so
// that their messages carry snippets.
func (v *JSONView) SetSources(sources map[string][]byte) {
	v.mu.Lock()
	v.sources = sources
	v.mu.Unlock()
}

func (v *JSONView) emit(level, msg, typ string, kv ...any) {
	m := map[string]any{
		"@level":     level,
		"@message":   msg,
		"@module":    "nuvola.ui",
		"@timestamp": v.now().Format("2006-01-02T15:04:05.000000Z07:00"),
		"type":       typ,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		buf.Reset()
		enc.Encode(map[string]any{"@level": "error", "@message": "cannot encode UI message: " + err.Error(), "@module": "nuvola.ui", "type": "log"})
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.w.Write(buf.Bytes())
}

// Version announces the nuvola version and the UI schema version.
func (v *JSONView) Version(version string) {
	v.emit("info", "nuvola "+version, "version", "nuvola", version, "ui", JSONUIVersion)
}

// Log writes a free-form message.
func (v *JSONView) Log(msg string) { v.emit("info", msg, "log") }

type jsonResourceAddr struct {
	Addr            string          `json:"addr"`
	Module          string          `json:"module"`
	Resource        string          `json:"resource"`
	ImpliedProvider string          `json:"implied_provider"`
	ResourceType    string          `json:"resource_type"`
	ResourceName    string          `json:"resource_name"`
	ResourceKey     json.RawMessage `json:"resource_key"`
}

func newJSONResourceAddr(addr addrs.AbsResourceInstance) jsonResourceAddr {
	key := json.RawMessage("null")
	switch k := addr.Resource.Key.(type) {
	case addrs.IntKey:
		key = json.RawMessage(fmt.Sprint(int(k)))
	case addrs.StringKey:
		if b, err := json.Marshal(string(k)); err == nil {
			key = b
		}
	}
	typ := addr.Resource.Resource.Type
	implied := typ
	if i := strings.IndexByte(typ, '_'); i > 0 {
		implied = typ[:i]
	}
	return jsonResourceAddr{
		Addr: addr.String(), Module: addr.Module.String(), Resource: addr.Resource.String(),
		ImpliedProvider: implied, ResourceType: typ, ResourceName: addr.Resource.Resource.Name, ResourceKey: key,
	}
}

// parseJSONResourceAddr reads an instance address as the progress calls
// give it; an address that does not parse is passed on as it is.
func parseJSONResourceAddr(s string) jsonResourceAddr {
	addr, diags := addrs.ParseAbsResourceInstanceStr(s)
	if diags.HasErrors() {
		return jsonResourceAddr{Addr: s, ResourceKey: json.RawMessage("null")}
	}
	return newJSONResourceAddr(addr)
}

// jsonChangeAction is the single word OpenTofu's UI messages use.
func jsonChangeAction(a plan.Action) string {
	switch a {
	case plan.Create:
		return "create"
	case plan.Read:
		return "read"
	case plan.Update:
		return "update"
	case plan.DeleteThenCreate, plan.CreateThenDelete:
		return "replace"
	case plan.Delete:
		return "delete"
	case plan.Forget:
		return "forget"
	}
	return "noop"
}

func jsonChangeReason(r plan.Reason) string {
	switch r {
	case plan.ReasonReplaceBecauseTainted:
		return "tainted"
	case plan.ReasonReplaceByRequest:
		return "requested"
	case plan.ReasonReplaceBecauseCannotUpdate:
		return "cannot_update"
	case plan.ReasonReplaceByTriggers:
		return "replace_triggered_by"
	}
	return string(r)
}

type jsonResourceChange struct {
	Resource         jsonResourceAddr  `json:"resource"`
	PreviousResource *jsonResourceAddr `json:"previous_resource,omitempty"`
	Action           string            `json:"action"`
	Reason           string            `json:"reason,omitempty"`
	Importing        *jsonImporting    `json:"importing,omitempty"`
	// Ente and Classification, nuvola's additions, are the object's tags
	// of those names.
	Ente           string `json:"ente,omitempty"`
	Classification string `json:"classification,omitempty"`
}

type jsonImporting struct {
	ID string `json:"id,omitempty"`
}

// PlannedChange reports one planned resource instance change.
func (v *JSONView) PlannedChange(c *plan.ResourceChange) {
	if c == nil {
		return
	}
	jc := newJSONResourceChange(c)
	v.emit("info", fmt.Sprintf("%s: Plan to %s", jc.Resource.Addr, jc.Action), "planned_change", "change", jc)
}

// ResourceDrift reports one object that changed outside nuvola.
func (v *JSONView) ResourceDrift(c *plan.ResourceChange) {
	if c == nil {
		return
	}
	jc := newJSONResourceChange(c)
	v.emit("info", fmt.Sprintf("%s: Drift detected (%s)", jc.Resource.Addr, jc.Action), "resource_drift", "change", jc)
}

func newJSONResourceChange(c *plan.ResourceChange) jsonResourceChange {
	jc := jsonResourceChange{Resource: newJSONResourceAddr(c.Addr), Action: jsonChangeAction(c.Action), Reason: jsonChangeReason(c.Reason)}
	jc.Ente, jc.Classification = c.Labels()
	if moved(c) {
		if jc.Action == "noop" {
			jc.Action = "move"
		}
		prev := newJSONResourceAddr(c.PrevRunAddr)
		jc.PreviousResource = &prev
	}
	if c.ImportID != "" {
		if jc.Action == "noop" {
			jc.Action = "import"
		}
		jc.Importing = &jsonImporting{ID: c.ImportID}
	}
	return jc
}

type jsonChangeSummary struct {
	Add       int    `json:"add"`
	Change    int    `json:"change"`
	Import    int    `json:"import"`
	Remove    int    `json:"remove"`
	Forget    int    `json:"forget"`
	Operation string `json:"operation"`
}

// ChangeSummary reports the totals of an operation: "plan", "apply" or
// "destroy".
func (v *JSONView) ChangeSummary(add, change, remove, imp int, operation string) {
	cs := jsonChangeSummary{Add: add, Change: change, Import: imp, Remove: remove, Operation: operation}
	var msg string
	switch operation {
	case "apply":
		msg = ApplySummary(add, change, remove, imp)
	case "destroy":
		msg = DestroySummary(remove)
	case "plan":
		msg = "Plan: "
		if imp > 0 {
			msg += fmt.Sprintf("%d to import, ", imp)
		}
		msg += fmt.Sprintf("%d to add, %d to change, %d to destroy.", add, change, remove)
	default:
		msg = fmt.Sprintf("%s: %d add, %d change, %d destroy", operation, add, change, remove)
	}
	v.emit("info", msg, "change_summary", "changes", cs)
}

type jsonHook struct {
	Resource jsonResourceAddr `json:"resource"`
	Action   string           `json:"action"`
	IDKey    string           `json:"id_key,omitempty"`
	IDValue  string           `json:"id_value,omitempty"`
	Elapsed  *float64         `json:"elapsed_seconds,omitempty"`
}

func elapsedSeconds(d time.Duration) *float64 {
	s := d.Round(time.Second).Seconds()
	return &s
}

// ApplyStart reports that a change of addr has begun.
func (v *JSONView) ApplyStart(addr string, a plan.Action) { v.ApplyStartWithID(addr, a, "") }

// ApplyStartWithID is ApplyStart for a change to an existing object with
// the given id.
func (v *JSONView) ApplyStartWithID(addr string, a plan.Action, id string) {
	h := jsonHook{Resource: parseJSONResourceAddr(addr), Action: jsonChangeAction(a)}
	suffix := ""
	if id != "" {
		h.IDKey, h.IDValue = "id", id
		suffix = fmt.Sprintf(" [id=%s]", id)
	}
	v.emit("info", fmt.Sprintf("%s: %s...%s", h.Resource.Addr, startVerb(a), suffix), "apply_start", "hook", h)
}

// ApplyProgress reports that a change of addr is still running.
func (v *JSONView) ApplyProgress(addr string, a plan.Action, elapsed time.Duration) {
	h := jsonHook{Resource: parseJSONResourceAddr(addr), Action: jsonChangeAction(a), Elapsed: elapsedSeconds(elapsed)}
	v.emit("info", fmt.Sprintf("%s: Still %s... [%s elapsed]", h.Resource.Addr, progressVerb(a), elapsed.Round(time.Second)),
		"apply_progress", "hook", h)
}

// ApplyComplete reports that a change of addr succeeded; id is the new
// object's id, if it has one.
func (v *JSONView) ApplyComplete(addr string, a plan.Action, id string, elapsed time.Duration) {
	h := jsonHook{Resource: parseJSONResourceAddr(addr), Action: jsonChangeAction(a), Elapsed: elapsedSeconds(elapsed)}
	suffix := ""
	if id != "" {
		h.IDKey, h.IDValue = "id", id
		suffix = fmt.Sprintf(" [id=%s]", id)
	}
	v.emit("info", fmt.Sprintf("%s: %s complete after %s%s", h.Resource.Addr, actionNoun(a), elapsed.Round(time.Second), suffix),
		"apply_complete", "hook", h)
}

// ApplyErrored reports that a change of addr failed; the diagnostics
// follow separately.
func (v *JSONView) ApplyErrored(addr string, a plan.Action, elapsed time.Duration) {
	h := jsonHook{Resource: parseJSONResourceAddr(addr), Action: jsonChangeAction(a), Elapsed: elapsedSeconds(elapsed)}
	v.emit("info", fmt.Sprintf("%s: %s errored after %s", h.Resource.Addr, actionNoun(a), elapsed.Round(time.Second)),
		"apply_errored", "hook", h)
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonSnippet struct {
	Context              *string     `json:"context"`
	Code                 string      `json:"code"`
	StartLine            int         `json:"start_line"`
	HighlightStartOffset int         `json:"highlight_start_offset"`
	HighlightEndOffset   int         `json:"highlight_end_offset"`
	Values               []exprValue `json:"values"`
}

type jsonDiagnostic struct {
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail"`
	Range    *jsonRange   `json:"range,omitempty"`
	Snippet  *jsonSnippet `json:"snippet,omitempty"`
}

func newJSONDiagnostic(d *hcl.Diagnostic, sources map[string][]byte) jsonDiagnostic {
	jd := jsonDiagnostic{Severity: "unknown", Summary: d.Summary, Detail: d.Detail}
	switch d.Severity {
	case hcl.DiagError:
		jd.Severity = "error"
	case hcl.DiagWarning:
		jd.Severity = "warning"
	}
	s := newSnippet(d, sources)
	if s == nil {
		return jd
	}
	pos := func(p hcl.Pos) jsonPos { return jsonPos{Line: p.Line, Column: p.Column, Byte: p.Byte} }
	jd.Range = &jsonRange{Filename: s.rng.Filename, Start: pos(s.rng.Start), End: pos(s.rng.End)}
	if !s.haveSource {
		return jd
	}
	js := &jsonSnippet{Code: s.code, StartLine: s.startLine, HighlightStartOffset: s.highlightStart,
		HighlightEndOffset: s.highlightEnd, Values: s.values}
	if js.Values == nil {
		js.Values = []exprValue{}
	}
	if s.context != "" {
		ctx := s.context
		js.Context = &ctx
	}
	jd.Snippet = js
	return jd
}

// Diagnostics reports each diagnostic as its own message.
func (v *JSONView) Diagnostics(diags hcl.Diagnostics) {
	v.mu.Lock()
	sources := v.sources
	v.mu.Unlock()
	for _, d := range diags {
		if d == nil {
			continue
		}
		jd := newJSONDiagnostic(d, sources)
		if d.Severity == hcl.DiagWarning {
			v.emit("warn", "Warning: "+d.Summary, "diagnostic", "diagnostic", jd)
		} else {
			v.emit("error", "Error: "+d.Summary, "diagnostic", "diagnostic", jd)
		}
	}
}

type jsonOutput struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type,omitempty"`
	Value     json.RawMessage `json:"value,omitempty"`
}

// Outputs reports the root module outputs after an apply; the values of
// sensitive outputs are left out.
func (v *JSONView) Outputs(outputs map[string]*state.OutputValue) {
	out := make(map[string]jsonOutput, len(outputs))
	for name, ov := range outputs {
		if ov == nil {
			continue
		}
		val, marks := ov.Value.UnmarkDeepWithPaths()
		sensitive := ov.Sensitive || len(marks) > 0
		jo := jsonOutput{Sensitive: sensitive}
		if t, err := ctyjson.MarshalType(val.Type()); err == nil {
			jo.Type = t
		}
		if !sensitive && val.IsWhollyKnown() {
			if b, err := ctyjson.Marshal(val, val.Type()); err == nil {
				jo.Value = b
			}
		}
		out[name] = jo
	}
	v.emit("info", fmt.Sprintf("Outputs: %d", len(out)), "outputs", "outputs", out)
}

// ProviderMetrics reports a provider's counters at the end of an
// operation: {"type": "provider_metrics", "provider": ..., "api_requests":
// {"network": 12, ...}, "total": 12}.
func (v *JSONView) ProviderMetrics(provider, msg string, counters map[string]int64, total int64) {
	v.emit("info", msg, "provider_metrics", "provider", provider, "api_requests", counters, "total", total)
}
