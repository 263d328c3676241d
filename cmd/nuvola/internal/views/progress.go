package views

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nuvola-pa/nuvola/engine/plan"
)

// ApplyProgress writes the human progress lines of an apply or destroy:
// "null_resource.a: Creating...", "Still creating... [10s elapsed]" for
// slow ones, and "Creation complete after 0s [id=123]". It is safe for
// concurrent use.
//
// One goroutine reports on slow changes, and only while some change is in
// flight: starting and completing a change is a map update, so thousands
// of fast changes cost no goroutines or timers of their own.
type ApplyProgress struct {
	mu       sync.Mutex
	w        io.Writer
	c        colorizer
	inflight map[string]*inflight
	running  bool

	// period is how often a slow change is reported; tick is how often
	// the reporter looks.
	period, tick time.Duration
	now          func() time.Time
}

type inflight struct {
	addr   string
	action plan.Action
	id     string
	start  time.Time
	next   time.Duration
}

const maxIDLen = 80

// NewApplyProgress returns a progress view writing to w.
func NewApplyProgress(w io.Writer, opts Options) *ApplyProgress {
	return &ApplyProgress{w: w, c: colorizer(opts.Color), inflight: map[string]*inflight{},
		period: 10 * time.Second, tick: time.Second, now: time.Now}
}

// Start reports that the change of addr has begun.
func (p *ApplyProgress) Start(addr string, a plan.Action) { p.StartWithID(addr, a, "") }

// StartWithID is Start for a change to an existing object, whose id is
// shown: "null_resource.a: Destroying... [id=123]".
func (p *ApplyProgress) StartWithID(addr string, a plan.Action, id string) {
	if a == plan.NoOp {
		return
	}
	suffix := ""
	if id != "" {
		suffix = " [id=" + replaceControlChars(id) + "]"
	}
	line := p.c.paint(fmt.Sprintf("%s: %s...%s", replaceControlChars(addr), humanStartVerb(a), suffix), ansiBold)
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, line)
	p.inflight[addr] = &inflight{addr: addr, action: a, id: id, start: p.now(), next: p.period}
	if !p.running {
		p.running = true
		go p.report()
	}
}

// Complete reports that the change of addr succeeded; id is the resulting
// object's id, not shown for a destruction.
func (p *ApplyProgress) Complete(addr string, a plan.Action, id string, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.inflight, addr)
	if a == plan.NoOp {
		return
	}
	suffix := ""
	if id != "" && a != plan.Delete {
		suffix = " [id=" + replaceControlChars(id) + "]"
	}
	fmt.Fprintln(p.w, p.c.paint(fmt.Sprintf("%s: %s complete after %s%s", replaceControlChars(addr), humanActionNoun(a),
		elapsed.Round(time.Second), suffix), ansiBold))
}

// Errored stops reporting on a failed change. Like OpenTofu it prints
// nothing: the error itself is reported with the diagnostics.
func (p *ApplyProgress) Errored(addr string, _ plan.Action, _ time.Duration) {
	p.mu.Lock()
	delete(p.inflight, addr)
	p.mu.Unlock()
}

// Stop forgets every change in flight, so no further progress lines are
// written (for an apply that is being abandoned).
func (p *ApplyProgress) Stop() {
	p.mu.Lock()
	clear(p.inflight)
	p.mu.Unlock()
}

func (p *ApplyProgress) report() {
	t := time.NewTicker(p.tick)
	defer t.Stop()
	for range t.C {
		p.mu.Lock()
		if len(p.inflight) == 0 {
			p.running = false
			p.mu.Unlock()
			return
		}
		now := p.now()
		var due []*inflight
		var elapsed []time.Duration
		for _, f := range p.inflight {
			el := now.Sub(f.start)
			if el >= f.next {
				due = append(due, f)
				f.next = (el/p.period + 1) * p.period
			}
		}
		sort.Slice(due, func(i, j int) bool { return due[i].addr < due[j].addr })
		for _, f := range due {
			elapsed = append(elapsed, now.Sub(f.start).Round(time.Second))
		}
		for i, f := range due {
			idPart := ""
			if f.id != "" {
				idPart = "id=" + replaceControlChars(truncateID(f.id, maxIDLen)) + ", "
			}
			fmt.Fprintln(p.w, p.c.paint(fmt.Sprintf("%s: Still %s... [%s%s elapsed]", replaceControlChars(f.addr),
				humanProgressVerb(f.action), idPart, elapsed[i]), ansiBold))
		}
		p.mu.Unlock()
	}
}

// truncateID shortens a long id around an ellipsis, counting characters
// rather than bytes.
func truncateID(id string, maxLen int) string {
	r := []rune(id)
	if len(r) <= maxLen {
		return id
	}
	maxLen = max(maxLen, 5)
	part := maxLen / 2
	left := r[:part-1]
	rightIdx := len(r) - part - 1
	if overlap := maxLen - (part*2 + 3); overlap < 0 {
		rightIdx -= overlap
	}
	return string(left) + "..." + string(r[rightIdx:])
}

// ApplySummary is the closing line of an apply.
func ApplySummary(added, changed, destroyed, imported int) string {
	s := "Apply complete! Resources: "
	if imported > 0 {
		s += fmt.Sprintf("%d imported, ", imported)
	}
	return s + fmt.Sprintf("%d added, %d changed, %d destroyed.", added, changed, destroyed)
}

// DestroySummary is the closing line of a destroy.
func DestroySummary(destroyed int) string {
	return fmt.Sprintf("Destroy complete! Resources: %d destroyed.", destroyed)
}

// RenderApplySummary writes the closing line of an apply as OpenTofu does,
// after a blank line and in bold green.
func RenderApplySummary(w io.Writer, added, changed, destroyed, imported int, opts Options) error {
	_, err := fmt.Fprintf(w, "\n%s\n", colorizer(opts.Color).paint(ApplySummary(added, changed, destroyed, imported), ansiBold, ansiGreen))
	return err
}

// RenderDestroySummary writes the closing line of a destroy.
func RenderDestroySummary(w io.Writer, destroyed int, opts Options) error {
	_, err := fmt.Fprintf(w, "\n%s\n", colorizer(opts.Color).paint(DestroySummary(destroyed), ansiBold, ansiGreen))
	return err
}

// actionWords are the words progress messages use for an action. OpenTofu's
// JSON messages call a read a refresh; its human lines call it a read.
type actionWords struct{ start, progress, noun string }

func wordsFor(a plan.Action, readVerb string) actionWords {
	switch a {
	case plan.Create:
		return actionWords{"Creating", "creating", "Creation"}
	case plan.Update:
		return actionWords{"Modifying", "modifying", "Modifications"}
	case plan.Delete:
		return actionWords{"Destroying", "destroying", "Destruction"}
	case plan.Read:
		return actionWords{readVerb + "ing", strings.ToLower(readVerb) + "ing", readVerb}
	case plan.CreateThenDelete, plan.DeleteThenCreate:
		return actionWords{"Replacing", "replacing", "Replacement"}
	}
	return actionWords{"Applying", "applying", "Apply"}
}

func startVerb(a plan.Action) string         { return wordsFor(a, "Refresh").start }
func progressVerb(a plan.Action) string      { return wordsFor(a, "Refresh").progress }
func actionNoun(a plan.Action) string        { return wordsFor(a, "Refresh").noun }
func humanStartVerb(a plan.Action) string    { return wordsFor(a, "Read").start }
func humanProgressVerb(a plan.Action) string { return wordsFor(a, "Read").progress }
func humanActionNoun(a plan.Action) string   { return wordsFor(a, "Read").noun }
