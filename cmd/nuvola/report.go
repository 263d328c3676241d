package main

import (
	"flag"
	"os"

	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/engine/plan/report"
)

// htmlFlags are the flags of the HTML plan report: -html and -lang.
type htmlFlags struct {
	html bool
	lang string
}

func (h *htmlFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&h.html, "html", false, "")
	fs.StringVar(&h.lang, "lang", "", "")
}

// checkHTMLFlags rejects what -html cannot be combined with. With -html
// the page has stdout to itself, so warnings go to stderr.
func (m *meta) checkHTMLFlags(h *htmlFlags, jsonOut bool) bool {
	if !h.html {
		if h.lang != "" {
			m.errorf("Invalid option", "-lang chooses the language of the -html report; it needs -html.")
			return false
		}
		return true
	}
	if jsonOut {
		m.errorf("Incompatible options", "-html and -json both write to stdout; choose one.")
		return false
	}
	if h.lang != "" {
		if _, err := report.ParseLang(h.lang); err != nil {
			m.errorf("Invalid -lang", "%s", err)
			return false
		}
	}
	m.diagsToStderr = true
	return true
}

// writeHTMLReport writes the report of p to stdout, in the language of
// -lang or else of the locale (LC_ALL, LC_MESSAGES, LANG).
func (m *meta) writeHTMLReport(p *plan.Plan, h *htmlFlags, schemas plan.SchemaSource) int {
	lang := report.LangFromEnv(os.Getenv)
	if h.lang != "" {
		lang, _ = report.ParseLang(h.lang)
	}
	if err := report.Render(m.stdout, p, report.Options{Lang: lang, Schemas: schemas, Version: engine.Version}); err != nil {
		m.errorf("Failed to write the plan report", "%s", err)
		return exitError
	}
	return exitOK
}
