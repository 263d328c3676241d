package audit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Problem is the first thing wrong with a log.
type Problem struct {
	// Line is the 1-based line of the offending record.
	Line int
	// Reason says what is wrong, for people.
	Reason string
	// StateGap is set when the records are intact but one found another
	// state than the one before it left: the log is sound, the state was
	// changed outside it.
	StateGap bool
}

func (p *Problem) Error() string { return fmt.Sprintf("line %d: %s", p.Line, p.Reason) }

// Report is what Verify found.
type Report struct {
	// Records is the number of records checked and found sound, up to the
	// first problem.
	Records int
	// Head is the hash of the last sound record, Genesis for an empty log.
	Head string
	// Last is the last sound record, nil for an empty log.
	Last *Record
	// Problem is the first problem, nil when the whole log is sound.
	Problem *Problem
	// hashes are every sound record's hash, for Contains.
	hashes map[string]bool
}

// Contains reports whether a sound record of the log has the hash: a head
// hash kept elsewhere must still be found, or the log was rewritten.
func (r *Report) Contains(hash string) bool { return r.hashes[hash] }

// Verify reads a whole log and checks every record: its encoding, its
// hash, its place in the chain (prev and seq), and that it found the state
// the record before it left. It stops at the first problem. The error is
// for failures to read; what is wrong with the log is in Report.Problem.
func Verify(r io.Reader) (*Report, error) {
	rep := &Report{Head: Genesis, hashes: map[string]bool{}}
	br := bufio.NewReaderSize(r, 64<<10)
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		if len(line) == 0 && err == io.EOF {
			return rep, nil
		}
		fail := func(format string, args ...any) (*Report, error) {
			rep.Problem = &Problem{Line: lineNo, Reason: fmt.Sprintf(format, args...)}
			return rep, nil
		}
		if line[len(line)-1] != '\n' {
			return fail("%v: the last write did not finish, or the file was cut", ErrIncomplete)
		}
		line = line[:len(line)-1]
		if len(bytes.TrimSpace(line)) == 0 {
			return fail("empty line where a record should be")
		}
		rec, derr := Decode(line)
		if derr != nil {
			if errors.Is(derr, ErrNotCanonical) {
				return fail("record changed: %v", derr)
			}
			return fail("%v", derr)
		}
		if err := rec.checkLineHash(line); err != nil {
			return fail("record %d changed: %v", rec.Seq, err)
		}
		prev := rep.Last
		wantSeq := uint64(1)
		if prev != nil {
			wantSeq = prev.Seq + 1
		}
		switch {
		case rec.Prev != rep.Head && prev == nil:
			return fail("record %d does not start the chain: a record before it is missing, or it was moved here", rec.Seq)
		case rec.Prev != rep.Head && rec.Seq > wantSeq:
			return fail("record %d follows record %d: the record(s) between them are missing or were moved", rec.Seq, prev.Seq)
		case rec.Prev != rep.Head:
			return fail("record %d does not follow record %d: records were reordered, inserted or replaced", rec.Seq, prev.Seq)
		case rec.Seq != wantSeq:
			return fail("record numbered %d where %d was expected", rec.Seq, wantSeq)
		case prev != nil && !rec.StateBefore.Same(prev.StateAfter):
			fail("record %d found %s, but record %d left %s: the state was changed, replaced or restored outside nuvola in between (or a run was interrupted before it could record what it did)",
				rec.Seq, rec.StateBefore, prev.Seq, prev.StateAfter)
			rep.Problem.StateGap = true
			return rep, nil
		}
		rep.Records++
		rep.Head, rep.Last = rec.Hash, rec
		rep.hashes[rec.Hash] = true
		if err == io.EOF {
			return rep, nil
		}
	}
}
