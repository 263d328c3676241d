package views

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
)

// RenderDiagnostics writes diagnostics as OpenTofu does: each in a ruled
// box with its summary, the source snippet it points at, the values of the
// variables involved, and the word-wrapped detail.
func RenderDiagnostics(w io.Writer, diags hcl.Diagnostics, sources map[string][]byte, opts Options) error {
	var b strings.Builder
	for _, d := range diags {
		if d == nil {
			continue
		}
		b.WriteString(formatDiagnostic(d, sources, opts))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func formatDiagnostic(d *hcl.Diagnostic, sources map[string][]byte, opts Options) string {
	c := colorizer(opts.Color)
	var body strings.Builder
	var rule string
	switch d.Severity {
	case hcl.DiagError:
		rule = ansiRed
		body.WriteString(c.paint("Error: ", ansiBold, ansiRed))
	case hcl.DiagWarning:
		rule = ansiYellow
		body.WriteString(c.paint("Warning: ", ansiBold, ansiYellow))
	}
	body.WriteString(c.paint(replaceControlChars(d.Summary), ansiBold) + "\n\n")

	writeSnippet(&body, newSnippet(d, sources), c)

	if d.Detail != "" {
		width := opts.width() - 3
		for _, line := range strings.Split(replaceControlChars(d.Detail), "\n") {
			if !strings.HasPrefix(line, " ") {
				line = wrapLine(line, width)
			}
			body.WriteString(line + "\n")
		}
	}

	if rule == "" {
		return body.String()
	}
	var out strings.Builder
	out.WriteString(c.paint("╷", rule) + "\n")
	sc := bufio.NewScanner(strings.NewReader(body.String()))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			out.WriteString(c.paint("│", rule) + "\n")
			continue
		}
		out.WriteString(c.paint("│", rule) + " " + line + "\n")
	}
	out.WriteString(c.paint("╵", rule) + "\n")
	return out.String()
}

// snippet is the part of a diagnostic that points into a source file, in
// the shape OpenTofu's JSON diagnostics use.
type snippet struct {
	rng            hcl.Range
	haveSource     bool
	context        string
	code           string
	startLine      int
	highlightStart int
	highlightEnd   int
	values         []exprValue
}

type exprValue struct {
	Traversal string `json:"traversal"`
	Statement string `json:"statement"`
}

// newSnippet locates a diagnostic's subject in the sources; it copes with
// ranges that are inverted or lie outside the file.
func newSnippet(d *hcl.Diagnostic, sources map[string][]byte) *snippet {
	if d.Subject == nil {
		return nil
	}
	highlight := *d.Subject
	if highlight.End == (hcl.Pos{}) {
		highlight.End = highlight.Start
	}
	if highlight.End.Byte < highlight.Start.Byte {
		highlight.End = highlight.Start
	}
	rng := highlight
	if d.Context != nil && d.Context.Filename == highlight.Filename {
		rng = hcl.RangeOver(*d.Context, highlight)
	}
	if rng.Empty() {
		rng.End.Byte++
		rng.End.Column++
	}
	if highlight.Empty() {
		highlight.End.Byte++
		highlight.End.Column++
	}
	s := &snippet{rng: highlight, startLine: rng.Start.Line}
	src, ok := sources[highlight.Filename]
	if !ok || src == nil {
		return s
	}
	s.haveSource = true
	s.context = contextString(src, highlight)

	codeStart := -1
	var code strings.Builder
	sc := hcl.NewRangeScanner(src, highlight.Filename, bufio.ScanLines)
	for sc.Scan() {
		lr := sc.Range()
		if lr.Overlaps(rng) {
			if codeStart < 0 {
				codeStart = lr.Start.Byte
				s.startLine = lr.Start.Line
			}
			code.Write(lr.SliceBytes(src))
			code.WriteByte('\n')
		}
	}
	if codeStart < 0 {
		// The range lies outside the file (it changed, or the range is
		// wrong): there is nothing to show.
		s.haveSource, s.context = false, ""
		return s
	}
	s.code = strings.TrimSuffix(code.String(), "\n")
	start := highlight.Start.Byte - codeStart
	end := start + (highlight.End.Byte - highlight.Start.Byte)
	s.highlightStart = clamp(start, 0, len(s.code))
	s.highlightEnd = clamp(end, 0, len(s.code))
	s.values = expressionValues(d)
	return s
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// contextString names the block the range is in, e.g.
// resource "null_resource" "a".
func contextString(src []byte, rng hcl.Range) (ctx string) {
	defer func() {
		if recover() != nil {
			ctx = ""
		}
	}()
	var file *hcl.File
	if strings.HasSuffix(rng.Filename, ".json") {
		file, _ = hcljson.Parse(src, rng.Filename)
	} else {
		file, _ = hclsyntax.ParseConfig(src, rng.Filename, hcl.InitialPos)
	}
	if file == nil {
		return ""
	}
	offset := rng.Start.Byte - 1
	if offset < 0 || offset >= len(src) {
		return ""
	}
	return hcled.ContextString(file, offset)
}

func writeSnippet(b *strings.Builder, s *snippet, c colorizer) {
	if s == nil {
		return
	}
	if !s.haveSource {
		fmt.Fprintf(b, "  on %s:%d:%d:\n  (source code not available)\n\n", replaceControlChars(s.rng.Filename), s.rng.Start.Line, s.rng.Start.Column)
		return
	}
	ctx := ""
	if s.context != "" {
		ctx = ", in " + replaceControlChars(s.context)
	}
	fmt.Fprintf(b, "  on %s:%d:%d%s:\n", replaceControlChars(s.rng.Filename), s.rng.Start.Line, s.rng.Start.Column, ctx)
	code := replaceControlChars(s.code[:s.highlightStart]) +
		c.paint(replaceControlChars(s.code[s.highlightStart:s.highlightEnd]), ansiUnderline) +
		replaceControlChars(s.code[s.highlightEnd:])
	for i, line := range strings.Split(code, "\n") {
		fmt.Fprintf(b, "%4d: %s\n", s.startLine+i, line)
		if i == 0 && !bool(c) {
			// Without colour there is no underline: mark the range on
			// its first line with carets.
			b.WriteString(caretLine(s))
		}
	}
	if len(s.values) > 0 {
		b.WriteString("    " + c.paint("├────────────────", ansiDarkGray) + "\n")
		for _, v := range s.values {
			fmt.Fprintf(b, "    %s %s %s\n", c.paint("│", ansiDarkGray), c.paint(v.Traversal, ansiBold), v.Statement)
		}
	}
	b.WriteString("\n")
}

// expressionValues describes the variables the diagnostic's expression
// refers to. Marked values are left out entirely: a mark may mean the
// value is sensitive, and saying anything about it could give it away.
func expressionValues(d *hcl.Diagnostic) (out []exprValue) {
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	if d.Expression == nil || d.EvalContext == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, trav := range d.Expression.Variables() {
		for len(trav) > 1 {
			val, diags := trav.TraverseAbs(d.EvalContext)
			if diags.HasErrors() {
				trav = trav[:len(trav)-1]
				continue
			}
			name := traversalString(trav)
			if seen[name] {
				break
			}
			stmt := valueStatement(val)
			if stmt == "" {
				break
			}
			seen[name] = true
			out = append(out, exprValue{Traversal: name, Statement: stmt})
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Traversal < out[j].Traversal })
	return out
}

func valueStatement(v cty.Value) string {
	if v.ContainsMarked() {
		return ""
	}
	if !v.IsKnown() {
		if v.Type() == cty.DynamicPseudoType {
			return ""
		}
		return "is a " + v.Type().FriendlyName()
	}
	return "is " + compactValue(v)
}

func compactValue(v cty.Value) string {
	ty := v.Type()
	switch {
	case v.IsNull():
		return "null"
	case !v.IsWhollyKnown() && !(ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType()):
		return "(not yet known)"
	case ty == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case ty == cty.Number:
		return v.AsBigFloat().Text('g', 10)
	case ty == cty.String:
		return fmt.Sprintf("%q", v.AsString())
	case ty.IsCollectionType() || ty.IsTupleType():
		switch n := v.LengthInt(); n {
		case 0:
			return "empty " + ty.FriendlyName()
		case 1:
			return ty.FriendlyName() + " with 1 element"
		default:
			return fmt.Sprintf("%s with %d elements", ty.FriendlyName(), n)
		}
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		switch len(atys) {
		case 0:
			return "object with no attributes"
		case 1:
			for k := range atys {
				return fmt.Sprintf("object with 1 attribute %q", k)
			}
		}
		return fmt.Sprintf("object with %d attributes", len(atys))
	}
	return ty.FriendlyName()
}

func traversalString(trav hcl.Traversal) string {
	var b strings.Builder
	for _, step := range trav {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.IsKnown() && !s.Key.IsMarked() && !s.Key.IsNull() {
				switch s.Key.Type() {
				case cty.String:
					fmt.Fprintf(&b, "[%q]", s.Key.AsString())
					continue
				case cty.Number:
					b.WriteString("[" + s.Key.AsBigFloat().Text('f', -1) + "]")
					continue
				}
			}
			b.WriteString("[...]")
		default:
			b.WriteString("...")
		}
	}
	return b.String()
}

// caretLine marks the highlighted part of the snippet's first line.
func caretLine(s *snippet) string {
	first := s.code
	if i := strings.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	start, end := min(s.highlightStart, len(first)), min(s.highlightEnd, len(first))
	if end <= start {
		end = start + 1
	}
	pad := utf8.RuneCountInString(replaceControlChars(first[:start]))
	width := max(1, utf8.RuneCountInString(replaceControlChars(first[start:min(end, len(first))])))
	return "      " + strings.Repeat(" ", pad) + strings.Repeat("^", width) + "\n"
}
