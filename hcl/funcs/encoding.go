package funcs

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

var base64EncodeFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "str", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(b64([]byte(args[0].AsString()))), nil
	},
})

// base64DecodeFunc handles marks itself so that a sensitive argument is not
// echoed back in the error message.
var base64DecodeFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "str", Type: cty.String, AllowMarked: true}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		str, marks := args[0].Unmark()
		s := str.AsString()
		dec, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("failed to decode base64 data %s", redactIfSensitive(s, marks))
		}
		if !utf8.Valid(dec) {
			return cty.UnknownVal(cty.String), errors.New("the result of decoding the provided string is not valid UTF-8")
		}
		return cty.StringVal(string(dec)).WithMarks(marks), nil
	},
})

var base64GzipFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "str", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		if _, err := gz.Write([]byte(args[0].AsString())); err != nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("failed to write gzip raw data: %w", err)
		}
		if err := gz.Close(); err != nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("failed to close gzip writer: %w", err)
		}
		return cty.StringVal(b64(buf.Bytes())), nil
	},
})

// maxGunzipSize bounds decompression so a small crafted argument cannot
// expand into gigabytes of memory.
const maxGunzipSize = 64 << 20

var base64GunzipFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "str", Type: cty.String, AllowMarked: true}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		str, marks := args[0].Unmark()
		s := str.AsString()
		dec, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("failed to decode base64 data %s", redactIfSensitive(s, marks))
		}
		zr, err := gzip.NewReader(bytes.NewReader(dec))
		if err != nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("failed to gunzip bytestream: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxGunzipSize+1))
		if err != nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("failed to read gunzip raw data: %w", err)
		}
		if len(out) > maxGunzipSize {
			return cty.UnknownVal(cty.String), fmt.Errorf("decompressed data exceeds %d bytes", maxGunzipSize)
		}
		if !utf8.Valid(out) {
			return cty.UnknownVal(cty.String), errors.New("the result of decompressing the provided string is not valid UTF-8")
		}
		return cty.StringVal(string(out)).WithMarks(marks), nil
	},
})

var urlEncodeFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "str", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(url.QueryEscape(args[0].AsString())), nil
	},
})

var urlDecodeFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "str", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s := args[0].AsString()
		out, err := url.QueryUnescape(s)
		if err != nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("failed to decode URL '%s': %v", s, err)
		}
		if !utf8.ValidString(out) {
			return cty.UnknownVal(cty.String), errors.New("the result of decoding the provided string is not valid UTF-8")
		}
		return cty.StringVal(out), nil
	},
})

var textEncodeBase64Func = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "string", Type: cty.String},
		{Name: "encoding", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		enc, ok := lookupTextEncoding(args[1].AsString())
		if !ok {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(1, "%q is not a supported IANA encoding name or alias", args[1].AsString())
		}
		out, ok := enc.encode(args[0].AsString())
		if !ok {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "the given string contains characters that cannot be represented in %s", enc.name)
		}
		return cty.StringVal(b64(out)), nil
	},
})

var textDecodeBase64Func = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "source", Type: cty.String},
		{Name: "encoding", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		enc, ok := lookupTextEncoding(args[1].AsString())
		if !ok {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(1, "%q is not a supported IANA encoding name or alias", args[1].AsString())
		}
		raw, err := base64.StdEncoding.DecodeString(args[0].AsString())
		if err != nil {
			var corrupt base64.CorruptInputError
			if errors.As(err, &corrupt) {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "the given value is has an invalid base64 symbol at offset %d", int(corrupt))
			}
			return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "invalid source string: %w", err)
		}
		out, ok := enc.decode(raw)
		if !ok || strings.ContainsRune(out, utf8.RuneError) {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "the given string contains symbols that are not defined for %s", enc.name)
		}
		return cty.StringVal(out), nil
	},
})

// textEncoding covers the Unicode and single-byte encodings that can be
// implemented with the standard library alone.
type textEncoding struct {
	name   string
	encode func(string) ([]byte, bool)
	decode func([]byte) (string, bool)
}

func lookupTextEncoding(name string) (textEncoding, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "utf-8", "utf8", "csutf8":
		return textEncoding{"UTF-8", func(s string) ([]byte, bool) { return []byte(s), true }, func(b []byte) (string, bool) {
			return string(b), utf8.Valid(b)
		}}, true
	case "utf-16", "csutf16":
		return textEncoding{"UTF-16", func(s string) ([]byte, bool) {
			return append([]byte{0xFE, 0xFF}, encodeUTF16(s, binary.BigEndian)...), true
		}, decodeUTF16BOM}, true
	case "utf-16be", "csutf16be":
		return textEncoding{"UTF-16BE", func(s string) ([]byte, bool) { return encodeUTF16(s, binary.BigEndian), true }, func(b []byte) (string, bool) {
			return decodeUTF16(b, binary.BigEndian)
		}}, true
	case "utf-16le", "csutf16le":
		return textEncoding{"UTF-16LE", func(s string) ([]byte, bool) { return encodeUTF16(s, binary.LittleEndian), true }, func(b []byte) (string, bool) {
			return decodeUTF16(b, binary.LittleEndian)
		}}, true
	case "utf-32", "csutf32", "utf-32be", "csutf32be":
		return textEncoding{"UTF-32BE", func(s string) ([]byte, bool) { return encodeUTF32(s, binary.BigEndian), true }, func(b []byte) (string, bool) {
			return decodeUTF32(b, binary.BigEndian)
		}}, true
	case "utf-32le", "csutf32le":
		return textEncoding{"UTF-32LE", func(s string) ([]byte, bool) { return encodeUTF32(s, binary.LittleEndian), true }, func(b []byte) (string, bool) {
			return decodeUTF32(b, binary.LittleEndian)
		}}, true
	case "iso-8859-1", "iso_8859-1", "iso_8859-1:1987", "iso-ir-100", "latin1", "l1", "ibm819", "cp819", "csisolatin1":
		return textEncoding{"ISO-8859-1", func(s string) ([]byte, bool) { return encodeSingleByte(s, 0xFF) }, func(b []byte) (string, bool) {
			return decodeSingleByte(b, 0xFF)
		}}, true
	case "us-ascii", "ascii", "us", "iso646-us", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso_646.irv:1991", "iso-ir-6", "ibm367", "cp367", "csascii":
		return textEncoding{"US-ASCII", func(s string) ([]byte, bool) { return encodeSingleByte(s, 0x7F) }, func(b []byte) (string, bool) {
			return decodeSingleByte(b, 0x7F)
		}}, true
	}
	return textEncoding{}, false
}

func encodeUTF16(s string, order binary.ByteOrder) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 2*len(units))
	for i, u := range units {
		order.PutUint16(out[2*i:], u)
	}
	return out
}

func decodeUTF16(b []byte, order binary.ByteOrder) (string, bool) {
	if len(b)%2 != 0 {
		return "", false
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = order.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units)), true
}

func decodeUTF16BOM(b []byte) (string, bool) {
	switch {
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return decodeUTF16(b[2:], binary.BigEndian)
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return decodeUTF16(b[2:], binary.LittleEndian)
	default:
		return decodeUTF16(b, binary.BigEndian)
	}
}

func encodeUTF32(s string, order binary.ByteOrder) []byte {
	runes := []rune(s)
	out := make([]byte, 4*len(runes))
	for i, r := range runes {
		order.PutUint32(out[4*i:], uint32(r))
	}
	return out
}

func decodeUTF32(b []byte, order binary.ByteOrder) (string, bool) {
	if len(b)%4 != 0 {
		return "", false
	}
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		r := rune(order.Uint32(b[i:]))
		if !utf8.ValidRune(r) {
			return "", false
		}
		sb.WriteRune(r)
	}
	return sb.String(), true
}

func encodeSingleByte(s string, maxRune rune) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > maxRune {
			return nil, false
		}
		out = append(out, byte(r))
	}
	return out, true
}

func decodeSingleByte(b []byte, maxRune rune) (string, bool) {
	var sb strings.Builder
	for _, c := range b {
		if rune(c) > maxRune {
			return "", false
		}
		sb.WriteRune(rune(c))
	}
	return sb.String(), true
}
