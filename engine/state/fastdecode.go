package state

import (
	"encoding/json"
	"github.com/nuvola-pa/nuvola/engine/internal/jsonscan"
	"strconv"
)

// fastDecodeFile reads a state file written the way Encode writes one. It
// is what encoding/json would decode, several times faster: the reflection
// decoder scans the whole file twice, copies every attributes object and
// then compacts each copy, and on a 10,000-instance state that was a good
// part of every plan.
//
// It accepts only input whose meaning is plain: exactly the field names
// Encode writes, each at most once, with values of the expected kinds and
// strictly well-formed JSON. For anything else (a misspelt or differently
// cased field, a null, a fraction where an integer belongs, trailing data,
// corruption) it reports false and Decode falls back to encoding/json, so
// lenient readings and error messages stay exactly as they were.
func fastDecodeFile(data []byte, fs *fileState) bool {
	d := &fastDec{b: data}
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "format":
			return d.str(&fs.Format)
		case "version":
			return d.int(func(s string) bool {
				n, err := strconv.ParseInt(s, 10, 0)
				fs.Version = int(n)
				return err == nil
			})
		case "serial":
			return d.int(func(s string) bool {
				n, err := strconv.ParseUint(s, 10, 64)
				fs.Serial = n
				return err == nil
			})
		case "lineage":
			return d.str(&fs.Lineage)
		case "nuvola_version":
			return d.str(&fs.NuvolaVersion)
		case "outputs":
			return d.outputs(fs)
		case "resources":
			return d.resources(fs)
		}
		return false
	})
	if !ok {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

type fastDec struct {
	b []byte
	i int
}

func (d *fastDec) ws() { d.i = jsonscan.SkipSpace(d.b, d.i) }

func (d *fastDec) next() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// object calls member for each key, which must consume the value; a key
// seen twice is refused, as encoding/json would keep only the last. The key
// is only valid during the call.
func (d *fastDec) object(member func(key []byte) bool) bool {
	if d.next() != '{' {
		return false
	}
	d.i++
	if d.next() == '}' {
		d.i++
		return true
	}
	var seenArr [16][]byte
	seen := seenArr[:0]
	for {
		if d.next() != '"' {
			return false
		}
		start, end, plain, ok := d.scanStr()
		if !ok || !plain {
			return false
		}
		key := d.b[start+1 : end-1]
		for _, k := range seen {
			if string(k) == string(key) {
				return false
			}
		}
		seen = append(seen, key)
		if d.next() != ':' {
			return false
		}
		d.i++
		if !member(key) {
			return false
		}
		switch d.next() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// mapObject is object for a JSON object decoded into a Go map, whose keys
// are data rather than field names.
func (d *fastDec) mapObject(member func(key string) bool) bool {
	if d.next() != '{' {
		return false
	}
	d.i++
	if d.next() == '}' {
		d.i++
		return true
	}
	seen := map[string]bool{}
	for {
		var key string
		if d.next() != '"' || !d.str(&key) || seen[key] {
			return false
		}
		seen[key] = true
		if d.next() != ':' {
			return false
		}
		d.i++
		if !member(key) {
			return false
		}
		switch d.next() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

func (d *fastDec) array(elem func() bool) bool {
	if d.next() != '[' {
		return false
	}
	d.i++
	if d.next() == ']' {
		d.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch d.next() {
		case ',':
			d.i++
		case ']':
			d.i++
			return true
		default:
			return false
		}
	}
}

// scanStr passes over a string token, checking its escapes. plain reports
// that it has no escapes and only ASCII, so that its bytes are its value.
func (d *fastDec) scanStr() (start, end int, plain, ok bool) {
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return 0, 0, false, false
	}
	plain = true
	for i := d.i + 1; i < len(d.b); i++ {
		c := d.b[i]
		switch {
		case c == '"':
			start, end = d.i, i+1
			d.i = i + 1
			return start, end, plain, true
		case c == '\\':
			plain = false
			i++
			if i >= len(d.b) {
				return 0, 0, false, false
			}
			switch d.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d.b) {
					return 0, 0, false, false
				}
				for _, h := range d.b[i+1 : i+5] {
					if !isHex(h) {
						return 0, 0, false, false
					}
				}
				i += 4
			default:
				return 0, 0, false, false
			}
		case c < 0x20:
			return 0, 0, false, false
		case c >= 0x80:
			plain = false
		}
	}
	return 0, 0, false, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// str reads a string token into s, unquoting it as encoding/json does.
func (d *fastDec) str(s *string) bool {
	start, end, plain, ok := d.scanStr()
	if !ok {
		return false
	}
	if plain {
		*s = string(d.b[start+1 : end-1])
		return true
	}
	return json.Unmarshal(d.b[start:end], s) == nil
}

func (d *fastDec) boolean(v *bool) bool {
	d.ws()
	switch {
	case d.lit("true"):
		*v = true
	case d.lit("false"):
		*v = false
	default:
		return false
	}
	return true
}

func (d *fastDec) lit(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

// int reads a number token that is a plain integer and hands its text to
// parse; encoding/json refuses fractions and exponents for integer fields.
func (d *fastDec) int(parse func(string) bool) bool {
	d.ws()
	start := d.i
	if !d.num() {
		return false
	}
	for _, c := range d.b[start:d.i] {
		if c != '-' && (c < '0' || c > '9') {
			return false
		}
	}
	return parse(string(d.b[start:d.i]))
}

// num passes over a number token with JSON's grammar.
func (d *fastDec) num() bool {
	end, ok := jsonscan.NumberEnd(d.b, d.i)
	if ok {
		d.i = end
	}
	return ok
}

// skip passes over one well-formed value of any kind.
func (d *fastDec) skip() bool {
	switch d.next() {
	case '"':
		_, _, _, ok := d.scanStr()
		return ok
	case 't':
		return d.lit("true")
	case 'f':
		return d.lit("false")
	case 'n':
		return d.lit("null")
	case '[':
		return d.array(d.skip)
	case '{':
		d.i++
		if d.next() == '}' {
			d.i++
			return true
		}
		for {
			if d.next() != '"' {
				return false
			}
			if _, _, _, ok := d.scanStr(); !ok {
				return false
			}
			if d.next() != ':' {
				return false
			}
			d.i++
			if !d.skip() {
				return false
			}
			switch d.next() {
			case ',':
				d.i++
			case '}':
				d.i++
				return true
			default:
				return false
			}
		}
	default:
		return d.num()
	}
}

// raw reads any non-null value as the bytes of a json.RawMessage, which
// encoding/json copies verbatim.
func (d *fastDec) raw(m *json.RawMessage) bool {
	if c := d.next(); c == 'n' || c == 0 {
		return false
	}
	start := d.i
	if !d.skip() {
		return false
	}
	*m = append(json.RawMessage(nil), d.b[start:d.i]...)
	return true
}

// compactObject reads an object value and returns it without insignificant
// white space, as json.Compact would.
func (d *fastDec) compactObject() ([]byte, bool) {
	if d.next() != '{' {
		return nil, false
	}
	start := d.i
	if !d.skip() {
		return nil, false
	}
	src := d.b[start:d.i]
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			j := i + 1
			for src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, src[i:j+1]...)
			i = j
			continue
		}
		out = append(out, c)
	}
	return out, true
}

func (d *fastDec) outputs(fs *fileState) bool {
	fs.Outputs = map[string]fileOutput{}
	return d.mapObject(func(name string) bool {
		var o fileOutput
		ok := d.object(func(key []byte) bool {
			switch string(key) {
			case "value":
				return d.raw(&o.Value)
			case "type":
				return d.raw(&o.Type)
			case "sensitive":
				return d.boolean(&o.Sensitive)
			}
			return false
		})
		fs.Outputs[name] = o
		return ok
	})
}

func (d *fastDec) resources(fs *fileState) bool {
	fs.Resources = []fileResource{}
	return d.array(func() bool {
		var r fileResource
		ok := d.object(func(key []byte) bool {
			switch string(key) {
			case "module":
				return d.str(&r.Module)
			case "mode":
				return d.str(&r.Mode)
			case "type":
				return d.str(&r.Type)
			case "name":
				return d.str(&r.Name)
			case "provider":
				return d.str(&r.Provider)
			case "each":
				return d.str(&r.Each)
			case "instances":
				r.Instances = []fileInstance{}
				return d.array(func() bool {
					var fi fileInstance
					ok := d.instance(&fi)
					r.Instances = append(r.Instances, fi)
					return ok
				})
			}
			return false
		})
		fs.Resources = append(fs.Resources, r)
		return ok
	})
}

func (d *fastDec) instance(fi *fileInstance) bool {
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "index_key":
			return d.raw(&fi.IndexKey)
		case "deposed":
			return d.str(&fi.Deposed)
		case "schema_version":
			return d.int(func(s string) bool {
				n, err := strconv.ParseInt(s, 10, 64)
				fi.SchemaVersion = n
				return err == nil
			})
		case "status":
			return d.str(&fi.Status)
		case "attributes":
			attrs, ok := d.compactObject()
			fi.Attributes, fi.compact = attrs, true
			return ok
		case "sensitive_attributes":
			fi.SensitiveAttributes = [][]filePathStep{}
			return d.array(func() bool {
				steps := []filePathStep{}
				ok := d.array(func() bool {
					var st filePathStep
					ok := d.object(func(key []byte) bool {
						switch string(key) {
						case "type":
							return d.str(&st.Type)
						case "value":
							return d.raw(&st.Value)
						}
						return false
					})
					steps = append(steps, st)
					return ok
				})
				fi.SensitiveAttributes = append(fi.SensitiveAttributes, steps)
				return ok
			})
		case "private":
			return d.str(&fi.Private)
		case "dependencies":
			fi.Dependencies = []string{}
			return d.array(func() bool {
				var s string
				ok := d.str(&s)
				fi.Dependencies = append(fi.Dependencies, s)
				return ok
			})
		case "create_before_destroy":
			return d.boolean(&fi.CreateBeforeDestroy)
		}
		return false
	})
}
