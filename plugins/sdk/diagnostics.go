package sdk

import (
	"errors"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// AttrError is an error about one attribute of the configuration; the host
// shows it at the line that set the attribute.
func AttrError(path cty.Path, summary, detail string) plugins.Diagnostic {
	return plugins.Diagnostic{Severity: plugins.Error, Summary: summary, Detail: detail, Attribute: path}
}

// AttrWarning is a warning about one attribute of the configuration.
func AttrWarning(path cty.Path, summary, detail string) plugins.Diagnostic {
	return plugins.Diagnostic{Severity: plugins.Warning, Summary: summary, Detail: detail, Attribute: path}
}

// Error is an error about the whole resource, data source or provider.
func Error(summary, detail string) plugins.Diagnostic {
	return plugins.Diagnostic{Severity: plugins.Error, Summary: summary, Detail: detail}
}

// Warning is a warning about the whole resource, data source or provider.
func Warning(summary, detail string) plugins.Diagnostic {
	return plugins.Diagnostic{Severity: plugins.Warning, Summary: summary, Detail: detail}
}

// FromErr turns a Go error into error diagnostics: none for nil. An error
// from cty that carries an attribute path (cty.PathError, as conversions
// and value walks return) keeps that path, so the host can point at it.
func FromErr(err error) plugins.Diagnostics {
	if err == nil {
		return nil
	}
	var pe cty.PathError
	if errors.As(err, &pe) && len(pe.Path) > 0 {
		return plugins.Diagnostics{AttrError(pe.Path, err.Error(), "")}
	}
	return plugins.Diagnostics{Error(err.Error(), "")}
}
