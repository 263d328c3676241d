package views

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// FormatValue writes v in the configuration language's syntax, with the
// type conversion functions where the literal alone would not say what
// type it is (as `tofu console` and `tofu output` do). indent is the
// column the value starts at, for multi-line values. Any marked value is
// shown as (sensitive value).
func FormatValue(v cty.Value, indent int) string {
	if v == cty.NilVal {
		return "null"
	}
	if v.IsMarked() {
		return "(sensitive value)"
	}
	if !v.IsKnown() {
		return "(known after apply)"
	}
	ty := v.Type()
	if v.IsNull() {
		switch {
		case ty == cty.DynamicPseudoType:
			return "null"
		case ty == cty.String:
			return "tostring(null)"
		case ty == cty.Number:
			return "tonumber(null)"
		case ty == cty.Bool:
			return "tobool(null)"
		case ty.IsListType():
			return fmt.Sprintf("tolist(null) /* of %s */", ty.ElementType().FriendlyName())
		case ty.IsSetType():
			return fmt.Sprintf("toset(null) /* of %s */", ty.ElementType().FriendlyName())
		case ty.IsMapType():
			return fmt.Sprintf("tomap(null) /* of %s */", ty.ElementType().FriendlyName())
		}
		return fmt.Sprintf("null /* %s */", ty.FriendlyName())
	}
	switch {
	case ty == cty.String:
		if s, ok := formatMultilineString(v.AsString(), indent); ok {
			return s
		}
		return strconv.Quote(v.AsString())
	case ty == cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case ty == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case ty.IsObjectType():
		return formatMapping(v, indent)
	case ty.IsTupleType():
		return formatSequence(v, indent)
	case ty.IsListType():
		return "tolist(" + formatSequence(v, indent) + ")"
	case ty.IsSetType():
		return "toset(" + formatSequence(v, indent) + ")"
	case ty.IsMapType():
		return "tomap(" + formatMapping(v, indent) + ")"
	}
	return ty.FriendlyName()
}

func formatMultilineString(s string, indent int) (string, bool) {
	lines := strings.Split(s, "\n")
	if len(lines) < 2 {
		return "", false
	}
	op := "<<"
	if indent > 0 {
		op = "<<-"
	}
	delim := "EOT"
outer:
	for {
		for _, l := range lines {
			if strings.TrimSpace(l) == delim {
				delim += "_"
				continue outer
			}
		}
		break
	}
	var b strings.Builder
	b.WriteString(op + delim)
	for _, l := range lines {
		b.WriteString("\n" + strings.Repeat(" ", indent) + l)
	}
	b.WriteString("\n" + strings.Repeat(" ", indent) + delim)
	return b.String(), true
}

func formatMapping(v cty.Value, indent int) string {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		n++
		b.WriteString("\n" + strings.Repeat(" ", indent+2) + FormatValue(k, indent+2) + " = " + FormatValue(ev, indent+2))
	}
	if n > 0 {
		b.WriteString("\n" + strings.Repeat(" ", indent))
	}
	b.WriteByte('}')
	return b.String()
}

func formatSequence(v cty.Value, indent int) string {
	var b strings.Builder
	b.WriteByte('[')
	n := 0
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		n++
		b.WriteString("\n" + strings.Repeat(" ", indent+2) + FormatValue(ev, indent+2) + ",")
	}
	if n > 0 {
		b.WriteString("\n" + strings.Repeat(" ", indent))
	}
	b.WriteByte(']')
	return b.String()
}

// RenderOutputs writes root module outputs as `nuvola output` shows them:
// one `name = value` per output in name order, sensitive ones as
// <sensitive>. It writes nothing for no outputs; the caller warns.
func RenderOutputs(w io.Writer, outputs map[string]*state.OutputValue) error {
	if len(outputs) == 0 {
		return nil
	}
	names := make([]string, 0, len(outputs))
	for name := range outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		ov := outputs[name]
		if ov == nil {
			continue
		}
		if ov.Sensitive {
			fmt.Fprintf(&b, "%s = <sensitive>\n", name)
			continue
		}
		fmt.Fprintf(&b, "%s = %s\n", name, FormatValue(ov.Value, 0))
	}
	_, err := io.WriteString(w, strings.TrimSpace(b.String())+"\n")
	return err
}

// RenderApplyOutputs writes the outputs at the end of an apply: a green
// "Outputs:" heading, then the outputs as RenderOutputs writes them.
func RenderApplyOutputs(w io.Writer, outputs map[string]*state.OutputValue, opts Options) error {
	if len(outputs) == 0 {
		return nil
	}
	if _, err := fmt.Fprintf(w, "\n%s\n\n", colorizer(opts.Color).paint("Outputs:", ansiBold, ansiGreen)); err != nil {
		return err
	}
	return RenderOutputs(w, outputs)
}
