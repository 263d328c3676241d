package views

import (
	"strings"
	"unicode/utf8"
)

// Options controls human-readable rendering.
type Options struct {
	// Color enables ANSI colors and bold text.
	Color bool
	// Width is the column count prose is wrapped to; 0 means 78, the width
	// OpenTofu assumes when the output is not a terminal.
	Width int
}

const defaultWidth = 78

func (o Options) width() int {
	if o.Width <= 0 {
		return defaultWidth
	}
	return o.Width
}

const (
	ansiReset     = "\x1b[0m"
	ansiBold      = "\x1b[1m"
	ansiUnderline = "\x1b[4m"
	ansiRed       = "\x1b[31m"
	ansiGreen     = "\x1b[32m"
	ansiYellow    = "\x1b[33m"
	ansiCyan      = "\x1b[36m"
	ansiDarkGray  = "\x1b[90m"
)

// colorizer wraps fixed text in ANSI codes. It is only ever applied to text
// this package writes or to whole already-escaped values, never parsed for
// markup, so a value that happens to contain "[red]" stays literal.
type colorizer bool

func (c colorizer) paint(s string, codes ...string) string {
	if !c || s == "" {
		return s
	}
	return strings.Join(codes, "") + s + ansiReset
}

// symbol is OpenTofu's three-cell action marker.
func (c colorizer) symbol(a action) string {
	switch a {
	case actDeleteThenCreate:
		return c.paint("-", ansiRed) + "/" + c.paint("+", ansiGreen)
	case actCreateThenDelete:
		return c.paint("+", ansiGreen) + "/" + c.paint("-", ansiRed)
	case actCreate:
		return "  " + c.paint("+", ansiGreen)
	case actDelete:
		return "  " + c.paint("-", ansiRed)
	case actRead:
		return " " + c.paint("<=", ansiCyan)
	case actUpdate:
		return "  " + c.paint("~", ansiYellow)
	case actNoOp:
		return "   "
	case actForget:
		return "  " + c.paint(".", ansiBold)
	}
	return "  ?"
}

// wordWrap wraps each line of str to width-1 columns, leaving lines that
// start with a space (literal snippets) alone, as OpenTofu's WordWrap does.
func wordWrap(str string, width int) string {
	if width <= 1 {
		return str
	}
	lines := strings.Split(str, "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, " ") {
			lines[i] = wrapLine(line, width-1)
		}
	}
	return strings.Join(lines, "\n")
}

// wrapLine breaks a line at spaces so no piece is longer than limit runes,
// except single words that are longer on their own.
func wrapLine(line string, limit int) string {
	if utf8.RuneCountInString(line) <= limit {
		return line
	}
	words := strings.Split(line, " ")
	var b strings.Builder
	cur := 0
	for i, w := range words {
		wl := utf8.RuneCountInString(w)
		switch {
		case i == 0:
		case cur+1+wl > limit && cur > 0:
			b.WriteByte('\n')
			cur = 0
		default:
			b.WriteByte(' ')
			cur++
		}
		b.WriteString(w)
		cur += wl
	}
	return b.String()
}

// replaceControlChars keeps terminal control sequences in configuration
// text or provider messages from reaching the terminal.
func replaceControlChars(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
}
