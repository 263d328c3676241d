package plugins

import (
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Severity of a provider diagnostic.
type Severity int

const (
	// Error diagnostics stop the operation they belong to.
	Error Severity = iota + 1
	// Warning diagnostics are shown but do not stop anything.
	Warning
)

// Diagnostic is a problem reported by a provider. Attribute, when set, names
// the attribute of the resource configuration that caused it, so the host can
// point at the source line that set it.
type Diagnostic struct {
	Severity  Severity
	Summary   string
	Detail    string
	Attribute cty.Path
}

// Diagnostics is a list of provider diagnostics.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (d Diagnostics) HasErrors() bool {
	for _, x := range d {
		if x.Severity == Error {
			return true
		}
	}
	return false
}

// Errorf appends an error diagnostic.
func (d Diagnostics) Errorf(path cty.Path, summary, detailFmt string, args ...any) Diagnostics {
	return append(d, Diagnostic{Severity: Error, Summary: summary, Detail: fmt.Sprintf(detailFmt, args...), Attribute: path})
}

// FromErr turns a Go error into an error diagnostic. A nil error adds nothing.
func (d Diagnostics) FromErr(err error, path cty.Path) Diagnostics {
	if err == nil {
		return d
	}
	return append(d, Diagnostic{Severity: Error, Summary: err.Error(), Attribute: path})
}

// Err returns the errors as one Go error, or nil.
func (d Diagnostics) Err() error {
	var msgs []string
	for _, x := range d {
		if x.Severity != Error {
			continue
		}
		m := x.Summary
		if x.Detail != "" {
			m += ": " + x.Detail
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}
