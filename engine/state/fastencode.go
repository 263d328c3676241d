package state

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strconv"
)

// appendFileState writes fs exactly as a json.Encoder with SetEscapeHTML
// (false) and SetIndent("", "  ") does, trailing newline included.
//
// The encoder reflects over every field, validates and compacts every raw
// attributes object, and then indents the whole file byte by byte through
// its scanner, growing the buffer several times over; for 10,000 instances
// that took longer than the rest of persisting the state. Here the file is
// written once, indented as it goes. Every raw value in fs comes from
// json.Marshal, ctyjson or an attributes object that encodeObject has
// checked with json.Valid, so only valid JSON is re-indented.
func appendFileState(dst []byte, fs *fileState) []byte {
	w := stateWriter{b: dst}
	w.file(fs)
	return w.b
}

// writeFileState is appendFileState writing to out as it goes, holding
// only a small buffer rather than the whole file.
func writeFileState(out io.Writer, fs *fileState) error {
	w := stateWriter{b: make([]byte, 0, 2*flushSize), out: out}
	w.file(fs)
	w.flush(true)
	return w.err
}

const flushSize = 64 << 10

func (w *stateWriter) file(fs *fileState) {
	w.b = append(w.b, '{')
	w.key(1, "format", true)
	w.str(fs.Format)
	w.key(1, "version", false)
	w.b = strconv.AppendInt(w.b, int64(fs.Version), 10)
	w.key(1, "serial", false)
	w.b = strconv.AppendUint(w.b, fs.Serial, 10)
	w.key(1, "lineage", false)
	w.str(fs.Lineage)
	w.key(1, "nuvola_version", false)
	w.str(fs.NuvolaVersion)
	w.key(1, "outputs", false)
	w.outputs(2, fs.Outputs)
	if len(fs.PendingCreates) > 0 {
		w.key(1, "pending_creates", false)
		w.b = append(w.b, '[')
		for i, pc := range fs.PendingCreates {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.nl(2)
			w.b = append(w.b, '{')
			w.key(3, "addr", true)
			w.str(pc.Addr)
			w.key(3, "provider", false)
			w.str(pc.Provider)
			w.nl(2)
			w.b = append(w.b, '}')
		}
		w.nl(1)
		w.b = append(w.b, ']')
	}
	w.key(1, "resources", false)
	if fs.Resources == nil {
		w.b = append(w.b, "null"...)
	} else if len(fs.Resources) == 0 {
		w.b = append(w.b, "[]"...)
	} else {
		w.b = append(w.b, '[')
		for i := range fs.Resources {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.nl(2)
			w.resource(2, &fs.Resources[i])
			w.flush(false)
		}
		w.nl(1)
		w.b = append(w.b, ']')
	}
	w.nl(0)
	w.b = append(w.b, '}', '\n')
}

type stateWriter struct {
	b   []byte
	out io.Writer // nil: everything stays in b
	err error
}

// flush hands what has been written to out, once there is enough of it or
// at the end.
func (w *stateWriter) flush(final bool) {
	if w.out == nil || w.err != nil || len(w.b) < flushSize && !final {
		return
	}
	_, w.err = w.out.Write(w.b)
	w.b = w.b[:0]
}

func (w *stateWriter) nl(depth int) {
	w.b = append(w.b, '\n')
	for range depth {
		w.b = append(w.b, ' ', ' ')
	}
}

// key starts an object member at depth; first says it opens the object's
// member list, which the caller has already begun with '{'.
func (w *stateWriter) key(depth int, name string, first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.nl(depth)
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':', ' ')
}

// str writes a string as encoding/json does without HTML escaping. Text
// that needs no escaping, nearly all of a state, is copied as it is;
// anything else goes through encoding/json itself.
func (w *stateWriter) str(s string) {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		w.b = append(w.b, '"')
		w.b = append(w.b, s...)
		w.b = append(w.b, '"')
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	w.b = append(w.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

func (w *stateWriter) boolean(v bool) {
	if v {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
}

// raw writes a valid JSON value, dropping its insignificant white space
// and indenting it as json.Indent does from the given depth: an empty
// object or array stays on one line.
func (w *stateWriter) raw(depth int, src []byte) {
	if src == nil {
		w.b = append(w.b, "null"...)
		return
	}
	needIndent := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			w.nl(depth)
		}
		switch c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(src))
			w.b = append(w.b, src[i:end]...)
			i = end - 1
		case '{', '[':
			needIndent = true
			w.b = append(w.b, c)
		case ',':
			w.b = append(w.b, c)
			w.nl(depth)
		case ':':
			w.b = append(w.b, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false
			} else {
				depth--
				w.nl(depth)
			}
			w.b = append(w.b, c)
		default:
			w.b = append(w.b, c)
		}
	}
}

func (w *stateWriter) outputs(depth int, outs map[string]fileOutput) {
	if outs == nil {
		w.b = append(w.b, "null"...)
		return
	}
	if len(outs) == 0 {
		w.b = append(w.b, "{}"...)
		return
	}
	names := make([]string, 0, len(outs))
	for name := range outs {
		names = append(names, name)
	}
	sort.Strings(names)
	w.b = append(w.b, '{')
	for i, name := range names {
		o := outs[name]
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.nl(depth)
		w.str(name)
		w.b = append(w.b, ':', ' ', '{')
		w.key(depth+1, "value", true)
		w.raw(depth+1, o.Value)
		w.key(depth+1, "type", false)
		w.raw(depth+1, o.Type)
		w.key(depth+1, "sensitive", false)
		w.boolean(o.Sensitive)
		w.nl(depth)
		w.b = append(w.b, '}')
	}
	w.nl(depth - 1)
	w.b = append(w.b, '}')
}

func (w *stateWriter) resource(depth int, r *fileResource) {
	w.b = append(w.b, '{')
	first := true
	field := func(name string) {
		w.key(depth+1, name, first)
		first = false
	}
	if r.Module != "" {
		field("module")
		w.str(r.Module)
	}
	field("mode")
	w.str(r.Mode)
	field("type")
	w.str(r.Type)
	field("name")
	w.str(r.Name)
	field("provider")
	w.str(r.Provider)
	if r.Each != "" {
		field("each")
		w.str(r.Each)
	}
	field("instances")
	if r.Instances == nil {
		w.b = append(w.b, "null"...)
	} else if len(r.Instances) == 0 {
		w.b = append(w.b, "[]"...)
	} else {
		w.b = append(w.b, '[')
		for i := range r.Instances {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.nl(depth + 2)
			w.instance(depth+2, &r.Instances[i])
		}
		w.nl(depth + 1)
		w.b = append(w.b, ']')
	}
	w.nl(depth)
	w.b = append(w.b, '}')
}

func (w *stateWriter) instance(depth int, fi *fileInstance) {
	w.b = append(w.b, '{')
	first := true
	field := func(name string) {
		w.key(depth+1, name, first)
		first = false
	}
	if len(fi.IndexKey) > 0 {
		field("index_key")
		w.raw(depth+1, fi.IndexKey)
	}
	field("schema_version")
	w.b = strconv.AppendInt(w.b, fi.SchemaVersion, 10)
	if fi.Status != "" {
		field("status")
		w.str(fi.Status)
	}
	field("attributes")
	w.raw(depth+1, fi.Attributes)
	if len(fi.SensitiveAttributes) > 0 {
		field("sensitive_attributes")
		w.b = append(w.b, '[')
		for i, steps := range fi.SensitiveAttributes {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.nl(depth + 2)
			if steps == nil {
				w.b = append(w.b, "null"...)
				continue
			}
			if len(steps) == 0 {
				w.b = append(w.b, "[]"...)
				continue
			}
			w.b = append(w.b, '[')
			for j, st := range steps {
				if j > 0 {
					w.b = append(w.b, ',')
				}
				w.nl(depth + 3)
				w.b = append(w.b, '{')
				w.key(depth+4, "type", true)
				w.str(st.Type)
				w.key(depth+4, "value", false)
				w.raw(depth+4, st.Value)
				w.nl(depth + 3)
				w.b = append(w.b, '}')
			}
			w.nl(depth + 2)
			w.b = append(w.b, ']')
		}
		w.nl(depth + 1)
		w.b = append(w.b, ']')
	}
	if fi.Private != "" {
		field("private")
		w.str(fi.Private)
	}
	if len(fi.Dependencies) > 0 {
		field("dependencies")
		w.b = append(w.b, '[')
		for i, d := range fi.Dependencies {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.nl(depth + 2)
			w.str(d)
		}
		w.nl(depth + 1)
		w.b = append(w.b, ']')
	}
	if fi.CreateBeforeDestroy {
		field("create_before_destroy")
		w.boolean(true)
	}
	if fi.Deposed != "" {
		field("deposed")
		w.str(fi.Deposed)
	}
	w.nl(depth)
	w.b = append(w.b, '}')
}
