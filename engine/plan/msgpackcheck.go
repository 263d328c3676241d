package plan

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The cty msgpack decoder sizes its slices from the lengths an input
// declares and recurses as deep as the types it reads. A plan file is
// untrusted, so its values are checked first: every declared length must
// fit in the bytes that remain, and nesting is bounded, which keeps the
// decoder's memory and stack proportional to the input.

const (
	maxValueDepth    = 256
	maxTypeJSONDepth = 512
)

var errTruncated = errors.New("truncated value")

type msgpackChecker struct {
	b   []byte
	pos int
}

func checkMsgpack(b []byte) error {
	c := &msgpackChecker{b: b}
	if err := c.item(0); err != nil {
		return err
	}
	if c.pos != len(c.b) {
		return fmt.Errorf("%d bytes of trailing data after the value", len(c.b)-c.pos)
	}
	return nil
}

func (c *msgpackChecker) remaining() int { return len(c.b) - c.pos }

func (c *msgpackChecker) take(n int) ([]byte, error) {
	if n < 0 || n > c.remaining() {
		return nil, errTruncated
	}
	out := c.b[c.pos : c.pos+n]
	c.pos += n
	return out, nil
}

func (c *msgpackChecker) uint(size int) (int, error) {
	raw, err := c.take(size)
	if err != nil {
		return 0, err
	}
	var n uint64
	switch size {
	case 1:
		n = uint64(raw[0])
	case 2:
		n = uint64(binary.BigEndian.Uint16(raw))
	case 4:
		n = uint64(binary.BigEndian.Uint32(raw))
	}
	if n > uint64(c.remaining()) {
		// Every declared length, of bytes or of items, needs at least that
		// many bytes still to come.
		return 0, errTruncated
	}
	return int(n), nil
}

func (c *msgpackChecker) items(n, depth int) error {
	for i := 0; i < n; i++ {
		if err := c.item(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

func (c *msgpackChecker) item(depth int) error {
	if depth > maxValueDepth {
		return errors.New("value is nested too deeply")
	}
	hdr, err := c.take(1)
	if err != nil {
		return err
	}
	b := hdr[0]
	switch {
	case b <= 0x7f, b >= 0xe0, b == 0xc0, b == 0xc2, b == 0xc3:
		return nil
	case b >= 0x80 && b <= 0x8f:
		n := int(b & 0x0f)
		return c.items(2*n, depth)
	case b >= 0x90 && b <= 0x9f:
		return c.items(int(b&0x0f), depth)
	case b >= 0xa0 && b <= 0xbf:
		_, err := c.take(int(b & 0x1f))
		return err
	}
	switch b {
	case 0xc4, 0xc5, 0xc6: // bin: cty uses it only for type JSON
		n, err := c.uint(1 << (b - 0xc4))
		if err != nil {
			return err
		}
		raw, err := c.take(n)
		if err != nil {
			return err
		}
		return checkJSONDepth(raw)
	case 0xc7, 0xc8, 0xc9: // ext
		n, err := c.uint(1 << (b - 0xc7))
		if err != nil {
			return err
		}
		_, err = c.take(n + 1)
		return err
	case 0xca:
		_, err := c.take(4)
		return err
	case 0xcb:
		_, err := c.take(8)
		return err
	case 0xcc, 0xd0:
		_, err := c.take(1)
		return err
	case 0xcd, 0xd1:
		_, err := c.take(2)
		return err
	case 0xce, 0xd2:
		_, err := c.take(4)
		return err
	case 0xcf, 0xd3:
		_, err := c.take(8)
		return err
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16
		_, err := c.take(1 + 1<<(b-0xd4))
		return err
	case 0xd9, 0xda, 0xdb: // str
		n, err := c.uint(1 << (b - 0xd9))
		if err != nil {
			return err
		}
		_, err = c.take(n)
		return err
	case 0xdc, 0xdd: // array
		n, err := c.uint(2 << (b - 0xdc))
		if err != nil {
			return err
		}
		return c.items(n, depth)
	case 0xde, 0xdf: // map
		n, err := c.uint(2 << (b - 0xde))
		if err != nil {
			return err
		}
		if 2*n > c.remaining() {
			return errTruncated
		}
		return c.items(2*n, depth)
	}
	return fmt.Errorf("invalid msgpack code 0x%02x", b)
}

// checkJSONDepth bounds the bracket nesting of a type description, which
// the type decoder follows recursively.
func checkJSONDepth(raw []byte) error {
	depth := 0
	inString, escaped := false, false
	for _, ch := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '[' || ch == '{':
			depth++
			if depth > maxTypeJSONDepth {
				return errors.New("type is nested too deeply")
			}
		case ch == ']' || ch == '}':
			depth--
		}
	}
	return nil
}
