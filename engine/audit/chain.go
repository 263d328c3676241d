package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Store keeps the lines of one audit log. The local state backend keeps
// them in a file beside the state; a remote backend keeps them next to its
// state, under the same lock.
//
// The caller holds the state lock while it appends, so appends never race.
type Store interface {
	// LastAuditLine returns the log's last line as stored, including its
	// newline when it has one, or nil when the log is empty or absent.
	LastAuditLine(ctx context.Context) ([]byte, error)
	// AppendAuditLine adds line and a newline at the end of the log in one
	// write, and returns once they are durable.
	AppendAuditLine(ctx context.Context, line []byte) error
	// ReadAudit returns the whole log; an absent log reads as empty.
	ReadAudit(ctx context.Context) (io.ReadCloser, error)
}

// ErrIncomplete means the log ends in the middle of a line: the last write
// did not finish, or the file was cut.
var ErrIncomplete = errors.New("the audit log ends with an incomplete record")

// Head returns the log's last record, checked against its own hash, or nil
// for an empty log. Nothing may be appended to a log whose head is damaged:
// the new record could not say what it follows.
func Head(ctx context.Context, s Store) (*Record, error) {
	line, err := s.LastAuditLine(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	if len(line) == 0 {
		return nil, nil
	}
	if line[len(line)-1] != '\n' {
		return nil, ErrIncomplete
	}
	r, err := Decode(line[:len(line)-1])
	if err != nil {
		return nil, fmt.Errorf("the last record of the audit log is damaged: %w", err)
	}
	if err := r.checkLineHash(line[:len(line)-1]); err != nil {
		return nil, fmt.Errorf("the last record of the audit log is damaged: %w", err)
	}
	return r, nil
}

// Append chains rec to the log's head and writes it: it sets Version, Seq,
// Prev and Hash, and Time when it is zero.
func Append(ctx context.Context, s Store, rec *Record) error {
	head, err := Head(ctx, s)
	if err != nil {
		return err
	}
	rec.Version = Version
	rec.Seq, rec.Prev = 1, Genesis
	if head != nil {
		rec.Seq, rec.Prev = head.Seq+1, head.Hash
	}
	if rec.Time.IsZero() {
		rec.Time = time.Now()
	}
	rec.Time = rec.Time.UTC()
	if rec.Args == nil {
		rec.Args = []string{}
	}
	if rec.Resources == nil {
		rec.Resources = []Resource{}
	}
	if rec.Hash, err = rec.ComputeHash(); err != nil {
		return err
	}
	line, err := rec.Encode()
	if err != nil {
		return err
	}
	// What is written must read back as this very record; a value that
	// JSON cannot carry exactly (invalid UTF-8) would otherwise break the
	// chain for good.
	if _, err := Decode(line); err != nil {
		return fmt.Errorf("audit record cannot be stored: %w", err)
	}
	return s.AppendAuditLine(ctx, line)
}
