package plugins

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

const (
	// tailKeep is how many lines of a provider's output are kept for the
	// diagnostic that reports its crash.
	tailKeep = 200
	// tailShow is how many of them the diagnostic quotes.
	tailShow = 25
	// maxLine bounds a line without a newline, so a provider writing
	// binary noise cannot grow the buffer without end.
	maxLine = 64 << 10
)

// outputTail copies a provider's output, line by line, to the host's log and
// keeps the last lines for the crash diagnostic. Its writers are fed by
// different go-plugin goroutines (process stderr, synced stdout and stderr),
// so whole lines are written under one lock and never interleave.
type outputTail struct {
	mu    sync.Mutex
	out   io.Writer
	lines []string // ring of tailKeep lines; next is the oldest once full
	next  int
	full  bool
}

func newOutputTail(out io.Writer) *outputTail {
	if out == nil {
		out = io.Discard
	}
	return &outputTail{out: out, lines: make([]string, tailKeep)}
}

// writer returns a writer for one source of output.
func (t *outputTail) writer() io.Writer {
	return &lineWriter{t: t}
}

func (t *outputTail) line(l []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = t.out.Write(l)
	s := strings.TrimRight(string(l), "\r\n")
	// go-plugin's own JSON log lines say nothing about a crash.
	if strings.HasPrefix(s, `{"@level":`) {
		return
	}
	t.lines[t.next] = s
	t.next = (t.next + 1) % len(t.lines)
	if t.next == 0 {
		t.full = true
	}
}

func (t *outputTail) snapshot() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.full {
		return append([]string(nil), t.lines[:t.next]...)
	}
	return append(append([]string(nil), t.lines[t.next:]...), t.lines[:t.next]...)
}

// excerpt is the part of the output that explains a crash: from the Go
// runtime's "panic:" or "fatal error:" line when there is one (the goroutine
// dump after it is long, and its first lines are the useful ones), else
// the last lines.
func (t *outputTail) excerpt() string {
	lines := t.snapshot()
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	start := max(0, len(lines)-tailShow)
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "panic: ") || strings.HasPrefix(lines[i], "fatal error: ") {
			start = i
			break
		}
	}
	end := min(len(lines), start+tailShow)
	return strings.Join(lines[start:end], "\n")
}

type lineWriter struct {
	t   *outputTail
	mu  sync.Mutex
	buf []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.t.line(w.buf[:i+1])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > maxLine {
		w.t.line(append(w.buf, '\n'))
		w.buf = nil
	}
	if len(w.buf) == 0 {
		w.buf = nil
	}
	return len(p), nil
}
