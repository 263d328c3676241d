package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nuvola-pa/nuvola/engine/audit"
	"github.com/nuvola-pa/nuvola/engine/state"
)

func cmdAudit(m *meta, args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(m.stderr, "Usage: nuvola audit <subcommand> [options]\n\nSubcommands:\n    log       Show the audit log of the state\n    verify    Check the audit log's hash chain and that it accounts for the current state\n")
		return exitError
	}
	switch args[0] {
	case "log":
		return auditLog(m, args[1:])
	case "verify":
		return auditVerify(m, args[1:])
	}
	m.errorf("Unknown audit subcommand", "nuvola audit has no subcommand %q; use log or verify.", args[0])
	return exitError
}

// auditBackend is the backend whose audit log the audit commands read:
// the configuration's, or -state's.
func (m *meta) auditBackend() (*state.Local, bool) {
	b, bd := m.backend(loadConfigQuiet())
	if bd.HasErrors() {
		m.showDiags(bd)
		return nil, false
	}
	return b, true
}

// parseWhen reads -since and -until: RFC 3339, or a date, which means the
// whole day in the local time zone (from its start for -since, to its end
// for -until).
func parseWhen(s string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date (2025-05-02) nor an RFC 3339 time (2025-05-02T08:00:00Z)", s)
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return d, nil
}

func auditLog(m *meta, args []string) int {
	fs := m.flags("audit log")
	fs.StringVar(&m.stateFlag, "state", "", "")
	jsonOut := fs.Bool("json", false, "")
	var f audit.Filter
	fs.StringVar(&f.Ente, "ente", "", "")
	fs.StringVar(&f.Resource, "resource", "", "")
	since := fs.String("since", "", "")
	until := fs.String("until", "", "")
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() > 0 {
		m.errorf("Unexpected argument", "Usage: nuvola audit log [-json] [-ente=CODE] [-resource=ADDRESS] [-since=TIME] [-until=TIME] [-state=PATH]")
		return exitError
	}
	var err error
	if *since != "" {
		if f.Since, err = parseWhen(*since, false); err != nil {
			m.errorf("Invalid -since", "%s.", err)
			return exitError
		}
	}
	if *until != "" {
		if f.Until, err = parseWhen(*until, true); err != nil {
			m.errorf("Invalid -until", "%s.", err)
			return exitError
		}
	}
	b, ok := m.auditBackend()
	if !ok {
		return exitError
	}
	rc, ok := m.readAuditLog(b)
	if !ok {
		return exitError
	}
	defer rc.Close()

	var table *tabwriter.Writer
	if !*jsonOut {
		table = tabwriter.NewWriter(m.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(table, "SEQ\tTIME (UTC)\tWHO\tCOMMAND\tRESOURCE\tACTION\tENTE\tOUTCOME\tPLAN")
	}
	badLines, firstBad := 0, ""
	shown := 0
	br := bufio.NewReaderSize(rc, 64<<10)
	for lineNo := 1; ; lineNo++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			m.errorf("Failed to read the audit log", "%s", rerr)
			return exitError
		}
		if len(line) == 0 {
			break
		}
		rec, derr := audit.Decode([]byte(strings.TrimSuffix(string(line), "\n")))
		switch {
		case derr != nil:
			if badLines++; firstBad == "" {
				firstBad = fmt.Sprintf("line %d: %s", lineNo, oneLineClip(strings.ToValidUTF8(derr.Error(), "?"), 200))
			}
		case !f.Match(rec):
		case *jsonOut:
			// The line as stored, so that its hash can be checked.
			enc, _ := rec.Encode()
			fmt.Fprintf(m.stdout, "%s\n", enc)
			shown++
		default:
			writeRecordRows(table, rec, f)
			shown++
		}
		if rerr == io.EOF {
			break
		}
	}
	if table != nil {
		_ = table.Flush()
		if shown == 0 {
			fmt.Fprintln(m.stdout, "No records.")
		}
	}
	if badLines > 0 {
		m.errorf("Unreadable audit records", "%s holds %d line(s) that are not records, the first at %s. Run \"nuvola audit verify\".", b.AuditPath(), badLines, firstBad)
		return exitError
	}
	return exitOK
}

// writeRecordRows writes a record as one row per resource it selects (one
// row when it has none).
func writeRecordRows(w io.Writer, r *audit.Record, f audit.Filter) {
	who := r.Who.User + "@" + r.Who.Host
	if id := r.Who.OpenStack; id != nil && (id.User != "" || id.Project != "") {
		who += " (" + strings.Trim(id.User+"/"+id.Project, "/") + ")"
	}
	planCol := "-"
	if p := r.Plan; p != nil {
		planCol = shortDigest(p.Digest)
		var signers []string
		for _, s := range p.Signatures {
			switch s.Status {
			case "valid":
				signers = append(signers, s.Identity)
			case "":
				signers = append(signers, s.Identity+" (not checked)")
			}
		}
		if len(signers) > 0 {
			planCol += " signed by " + strings.Join(signers, ", ")
		}
	}
	outcome := func(o, msg string) string {
		if msg == "" {
			return o
		}
		return o + ": " + oneLineClip(msg, 80)
	}
	type row struct{ addr, action, ente, outcome string }
	var rows []row
	for _, res := range r.Resources {
		if f.ResourceFilter() && !f.MatchResource(res) {
			continue
		}
		addr := res.Addr
		if res.Deposed != "" {
			addr += " (deposed " + res.Deposed + ")"
		}
		if res.To != "" {
			addr += " -> " + res.To
		}
		rows = append(rows, row{addr, res.Action, dash(res.Ente), outcome(res.Outcome, res.Error)})
	}
	if len(rows) == 0 {
		rows = append(rows, row{"-", "-", "-", outcome(r.Outcome, firstNonEmpty(r.Error, r.Note))})
	}
	for i, rw := range rows {
		if i == 0 {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.Time.UTC().Format("2006-01-02 15:04:05"), who, r.Command, rw.addr, rw.action, rw.ente, rw.outcome, planCol)
			continue
		}
		fmt.Fprintf(w, "\t\t\t\t%s\t%s\t%s\t%s\t\n", rw.addr, rw.action, rw.ente, rw.outcome)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return dash(d)
}

func oneLineClip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func auditVerify(m *meta, args []string) int {
	fs := m.flags("audit verify")
	fs.StringVar(&m.stateFlag, "state", "", "")
	head := fs.String("head", "", "")
	lock := fs.Bool("lock", false, "")
	fs.DurationVar(&m.lockTimeout, "lock-timeout", 0, "")
	if !m.parse(fs, args) {
		return exitError
	}
	if fs.NArg() > 0 {
		m.errorf("Unexpected argument", "Usage: nuvola audit verify [-head=HASH] [-lock] [-state=PATH]")
		return exitError
	}
	b, ok := m.auditBackend()
	if !ok {
		return exitError
	}
	if *lock {
		// Without the lock a run in progress may show as a state that the
		// log does not account for yet.
		m.lock = true
		unlock, ok := m.lockState(b, "OperationTypeAuditVerify")
		if !ok {
			return exitError
		}
		defer unlock()
	}
	rc, ok := m.readAuditLog(b)
	if !ok {
		return exitError
	}
	rep, err := audit.Verify(rc)
	rc.Close()
	if err != nil {
		m.errorf("Failed to read the audit log", "%s", err)
		return exitError
	}
	logName := b.AuditPath()
	if p := rep.Problem; p != nil {
		summary := "The audit log has been tampered with or damaged"
		if p.StateGap {
			summary = "The state was changed outside nuvola"
		}
		m.errorf(summary, "%s, line %d: %s.\n\nThe %d record(s) before it are intact.", logName, p.Line, strings.ToValidUTF8(p.Reason, "?"), rep.Records)
		return exitError
	}
	cur, err := stateRef(b.Path)
	if err != nil {
		m.errorf("Failed to read the state", "%s", err)
		return exitError
	}
	if rep.Last == nil {
		if cur.Digest != "" {
			m.errorf("The audit log does not account for the state",
				"%s has no records, but the state file %s exists (%s): it was written by a nuvola without the audit log, or the log was removed.", logName, b.Path, cur)
			return exitError
		}
		fmt.Fprintf(m.stdout, "The audit log %s is empty and there is no state.\n", logName)
		return exitOK
	}
	last := rep.Last
	if !cur.Same(last.StateAfter) {
		m.errorf("The state was changed outside nuvola",
			"The last record of %s (record %d, line %d, %s by %s@%s) left the state at %s, but the state file %s is now at %s: it was edited, replaced or restored (from a backup?) behind the log's back, or a run was interrupted before it could record what it did.",
			logName, last.Seq, rep.Records, last.Command, last.Who.User, last.Who.Host, last.StateAfter, b.Path, cur)
		return exitError
	}
	if *head != "" && !rep.Contains(*head) {
		m.errorf("The audit log was rewritten",
			"No record of %s has the hash %s, which was its head when it was checked before: records were removed or the log was rebuilt.", logName, *head)
		return exitError
	}
	fmt.Fprintf(m.stdout, "The audit log %s is intact: %d record(s), the last (%s by %s@%s) at %s.\nIt accounts for the current state: %s.\n\nHead: %s\nKeep the head elsewhere and check later that the log still holds it: nuvola audit verify -head=%s\n",
		logName, rep.Records, last.Command, last.Who.User, last.Who.Host, last.Time.UTC().Format(time.RFC3339), cur, rep.Head, rep.Head)
	return exitOK
}
