package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The local backend keeps the audit log (engine/audit) beside the state
// file, as JSON Lines in Path+".audit.jsonl". These methods store lines
// and know nothing of what the lines hold, so that this package stays free
// of the audit package; together they are the audit log store the audit
// package asks of a backend.

// auditMode lets a group of auditors read the log without reading the
// state, which holds secrets.
const auditMode = 0o640

// maxAuditLine bounds a record read back, so that a damaged log cannot make
// a command read an unbounded amount into memory.
const maxAuditLine = 256 << 20

// AuditPath is the audit log beside the state file.
func (l *Local) AuditPath() string { return l.Path + ".audit.jsonl" }

// AppendAuditLine appends line and a newline to the audit log in a single
// write to a file opened for appending, and fsyncs it (and, when it
// created the log, the directory). The caller holds the state lock.
func (l *Local) AppendAuditLine(_ context.Context, line []byte) error {
	if bytes.IndexByte(line, '\n') >= 0 {
		return errors.New("an audit record must be a single line")
	}
	path := l.AuditPath()
	_, statErr := os.Lstat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, auditMode)
	if err != nil {
		return fmt.Errorf("opening the audit log: %w", err)
	}
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	n, err := f.Write(buf)
	if err == nil && n != len(buf) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the audit log %s: %w", path, err)
	}
	if created {
		if err := syncDir(filepath.Dir(path)); err != nil {
			return fmt.Errorf("writing the audit log %s: %w", path, err)
		}
	}
	return nil
}

// LastAuditLine returns the audit log's last line as stored, with its
// newline if it has one, or nil when there is no log or it is empty. It
// reads the file backwards from the end, so its cost does not grow with
// the log.
func (l *Local) LastAuditLine(_ context.Context) ([]byte, error) {
	f, err := os.Open(l.AuditPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	if size == 0 {
		return nil, nil
	}
	// Find where the last line starts, scanning back from the end; the
	// newline that ends the last line does not count.
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil {
		return nil, err
	}
	scanEnd := size
	if last[0] == '\n' {
		scanEnd--
	}
	lineStart := int64(0)
	buf := make([]byte, 64<<10)
	for end := scanEnd; end > 0; {
		start := max(end-int64(len(buf)), 0)
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil && err != io.EOF {
			return nil, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			lineStart = start + int64(i) + 1
			break
		}
		end = start
	}
	if size-lineStart > maxAuditLine {
		return nil, fmt.Errorf("the last line of %s is longer than %d bytes", l.AuditPath(), maxAuditLine)
	}
	line := make([]byte, size-lineStart)
	if _, err := f.ReadAt(line, lineStart); err != nil && err != io.EOF {
		return nil, err
	}
	return line, nil
}

// ReadAudit opens the audit log for reading; a missing log reads as empty.
func (l *Local) ReadAudit(_ context.Context) (io.ReadCloser, error) {
	f, err := os.Open(l.AuditPath())
	if errors.Is(err, fs.ErrNotExist) {
		return io.NopCloser(strings.NewReader("")), nil
	}
	return f, err
}
