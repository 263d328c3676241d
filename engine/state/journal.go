package state

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// Journal record operations.
const (
	// OpPut stores an instance's current object.
	OpPut = "put"
	// OpDelete removes an instance's current object.
	OpDelete = "delete"
	// OpPutDeposed stores a deposed object.
	OpPutDeposed = "put_deposed"
	// OpDeleteDeposed removes a deposed object.
	OpDeleteDeposed = "delete_deposed"
	// OpOutputs replaces all root module outputs.
	OpOutputs = "outputs"
	// OpCreating records that a create request for Addr is about to be
	// sent; the put that follows resolves it. Written and made durable
	// before the request leaves, so after a crash the next command knows
	// which addresses may have objects in the cloud that state has not seen.
	OpCreating = "creating"
)

// Record is one change to the state, as the journal keeps it. Every
// operation sets its target to a value rather than changing it, so
// replaying a record that the state file already holds does no harm.
type Record struct {
	// Op is one of the Op constants.
	Op string
	// Addr is the resource instance (AbsResourceInstance.String()); unused
	// by OpOutputs.
	Addr string
	// Deposed is the deposed object's key, for OpPutDeposed and
	// OpDeleteDeposed.
	Deposed string
	// Provider is the resource's provider configuration address; required
	// by the put operations, since they may create the resource.
	Provider string
	// Object is what the put operations store.
	Object *Object
	// Outputs is the complete new set of outputs for OpOutputs.
	Outputs map[string]*OutputValue
}

type fileRecord struct {
	Op       string                `json:"op"`
	Addr     string                `json:"addr,omitempty"`
	Deposed  string                `json:"deposed,omitempty"`
	Provider string                `json:"provider,omitempty"`
	Object   *fileObject           `json:"object,omitempty"`
	Outputs  map[string]fileOutput `json:"outputs,omitempty"`
}

type journalHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
}

const journalFormat = "nuvola-journal"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ErrJournalClosed is returned by Append after Close.
var ErrJournalClosed = errors.New("the journal is closed")

// ApplyRecord makes the change a record describes.
func (s *State) ApplyRecord(rec Record) error {
	if rec.Op == OpOutputs {
		outs := make(map[string]*OutputValue, len(rec.Outputs))
		for k, v := range rec.Outputs {
			if v != nil {
				c := *v
				outs[k] = &c
			}
		}
		s.Outputs = outs
		return nil
	}
	if err := checkRecord(&rec); err != nil {
		return err
	}
	addr, err := parseAbsResourceInstance(rec.Addr)
	if err != nil {
		return err
	}
	switch rec.Op {
	case OpCreating:
		s.AddPendingCreate(rec.Addr, rec.Provider)
	case OpPut:
		s.SetCurrent(addr, rec.Object, rec.Provider)
		delete(s.PendingCreates, rec.Addr)
	case OpDelete:
		s.SetCurrent(addr, nil, "")
	case OpPutDeposed:
		s.SetDeposed(addr, rec.Deposed, rec.Object, rec.Provider)
	case OpDeleteDeposed:
		s.SetDeposed(addr, rec.Deposed, nil, "")
	}
	return nil
}

// checkRecord rejects records that ApplyRecord could not apply, before
// they reach the journal.
func checkRecord(rec *Record) error {
	switch rec.Op {
	case OpOutputs:
		return nil
	case OpPut, OpPutDeposed:
		if rec.Object == nil {
			return fmt.Errorf("journal record %s %s: the object is missing", rec.Op, rec.Addr)
		}
		if err := checkProviderAddr(rec.Provider); err != nil {
			return fmt.Errorf("journal record %s %s: %w", rec.Op, rec.Addr, err)
		}
	case OpCreating:
		if err := checkProviderAddr(rec.Provider); err != nil {
			return fmt.Errorf("journal record %s %s: %w", rec.Op, rec.Addr, err)
		}
	case OpDelete, OpDeleteDeposed:
	default:
		return fmt.Errorf("journal record: unknown operation %q", rec.Op)
	}
	if (rec.Op == OpPutDeposed || rec.Op == OpDeleteDeposed) && rec.Deposed == "" {
		return fmt.Errorf("journal record %s %s: the deposed key is missing", rec.Op, rec.Addr)
	}
	return nil
}

// encodeRecordLine renders "<crc32c hex> <json>\n".
func encodeRecordLine(rec *Record) ([]byte, error) {
	if err := checkRecord(rec); err != nil {
		return nil, err
	}
	fr := fileRecord{Op: rec.Op, Addr: rec.Addr, Deposed: rec.Deposed, Provider: rec.Provider}
	if rec.Op != OpOutputs {
		addr, err := parseAbsResourceInstance(rec.Addr)
		if err != nil {
			return nil, fmt.Errorf("journal record %s: %w", rec.Op, err)
		}
		if err := validateModuleInstance(addr.Module); err != nil {
			return nil, fmt.Errorf("journal record %s %s: %w", rec.Op, rec.Addr, err)
		}
	}
	if rec.Object != nil && (rec.Op == OpPut || rec.Op == OpPutDeposed) {
		fo, err := encodeObject(rec.Object)
		if err != nil {
			return nil, fmt.Errorf("journal record %s %s: %w", rec.Op, rec.Addr, err)
		}
		fr.Object = &fo
	}
	if rec.Op == OpOutputs {
		outs, err := encodeOutputs(rec.Outputs)
		if err != nil {
			return nil, fmt.Errorf("journal record outputs: %w", err)
		}
		fr.Outputs = outs
	}
	data, err := json.Marshal(fr)
	if err != nil {
		return nil, fmt.Errorf("journal record %s %s: %w", rec.Op, rec.Addr, err)
	}
	return frameLine(data), nil
}

func frameLine(data []byte) []byte {
	line := make([]byte, 0, 8+1+len(data)+1)
	var sum [4]byte
	c := crc32.Checksum(data, crcTable)
	sum[0], sum[1], sum[2], sum[3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
	line = hex.AppendEncode(line, sum[:])
	line = append(line, ' ')
	line = append(line, data...)
	return append(line, '\n')
}

// unframeLine checks a line (without its newline) and returns its JSON.
func unframeLine(line []byte) ([]byte, error) {
	if len(line) < 10 || line[8] != ' ' {
		return nil, errors.New("malformed line")
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], line[:8]); err != nil {
		return nil, errors.New("malformed checksum")
	}
	data := line[9:]
	want := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	if crc32.Checksum(data, crcTable) != want {
		return nil, errors.New("checksum mismatch")
	}
	return data, nil
}

func decodeRecord(data []byte) (Record, error) {
	var fr fileRecord
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fr); err != nil {
		return Record{}, err
	}
	rec := Record{Op: fr.Op, Addr: fr.Addr, Deposed: fr.Deposed, Provider: fr.Provider}
	if fr.Object != nil {
		obj, err := decodeObject(fr.Object, parseAbsResource)
		if err != nil {
			return Record{}, err
		}
		rec.Object = obj
	}
	if fr.Op == OpOutputs {
		outs, err := decodeOutputs(fr.Outputs)
		if err != nil {
			return Record{}, err
		}
		rec.Outputs = outs
	}
	if err := checkRecord(&rec); err != nil {
		return Record{}, err
	}
	if rec.Op != OpOutputs {
		if _, err := parseAbsResourceInstance(rec.Addr); err != nil {
			return Record{}, err
		}
	}
	return rec, nil
}

// journalScan is what a journal file holds: the header, the valid records
// in order, and where the valid part ends.
type journalScan struct {
	header   journalHeader
	headerOK bool
	records  []Record
	// end is the offset just past the last valid record; anything after
	// it is never replayed, so it is cut off before appending.
	end  int64
	note string
}

func scanJournal(data []byte) journalScan {
	var sc journalScan
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		return sc
	}
	hdrJSON, err := unframeLine(data[:nl])
	if err != nil || json.Unmarshal(hdrJSON, &sc.header) != nil ||
		sc.header.Format != journalFormat || sc.header.Version != 1 || sc.header.Lineage == "" {
		return sc
	}
	sc.headerOK = true
	pos := nl + 1
	sc.end = int64(pos)
	lineNo := 1
	for pos < len(data) {
		lineNo++
		nl := bytes.IndexByte(data[pos:], '\n')
		if nl < 0 {
			sc.note = fmt.Sprintf("ignored an incomplete last record (line %d), cut short by the interruption", lineNo)
			return sc
		}
		line := data[pos : pos+nl]
		next := pos + nl + 1
		recJSON, err := unframeLine(line)
		var rec Record
		if err == nil {
			rec, err = decodeRecord(recJSON)
		}
		if err != nil {
			if next == len(data) {
				sc.note = fmt.Sprintf("ignored a damaged last record (line %d: %v), cut short by the interruption", lineNo, err)
			} else {
				later := bytes.Count(data[next:], []byte{'\n'})
				sc.note = fmt.Sprintf("journal line %d is corrupt (%v); replay stopped there and %d later line(s) were ignored", lineNo, err, later)
			}
			return sc
		}
		sc.records = append(sc.records, rec)
		pos = next
		sc.end = int64(pos)
	}
	return sc
}

func headerLine(lineage string, serial uint64) []byte {
	data, _ := json.Marshal(journalHeader{Format: journalFormat, Version: 1, Lineage: lineage, Serial: serial})
	return frameLine(data)
}

// recoverJournal replays a leftover journal onto s, which was just read
// from the state file (or is new, when exists is false).
func (l *Local) recoverJournal(s *State, exists bool) (*Recovery, error) {
	path := l.journalPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the journal: %w", err)
	}
	sc := scanJournal(data)
	if sc.headerOK && !exists && sc.header.Serial == 0 {
		// The interrupted run never persisted: the journal is all there
		// is, and its lineage is the state's.
		s.Lineage = sc.header.Lineage
	}
	if !sc.headerOK || sc.header.Lineage != s.Lineage || sc.header.Serial != s.Serial {
		// Either the run died before the header was durable, or the state
		// was persisted past this journal and it holds nothing new.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("removing a stale journal: %w", err)
		}
		return nil, nil
	}
	for i, rec := range sc.records {
		if err := s.ApplyRecord(rec); err != nil {
			// scanJournal checked every record, so this is a bug, not
			// corruption.
			return nil, fmt.Errorf("replaying journal record %d: %w", i+1, err)
		}
	}
	if len(sc.records) == 0 && sc.note == "" {
		return nil, nil
	}
	note := fmt.Sprintf("replayed %d record(s) from %s, written by a run that did not finish", len(sc.records), path)
	if sc.note != "" {
		note += "; " + sc.note
	}
	return &Recovery{Records: len(sc.records), Note: note}, nil
}

// Journal appends state changes to Path+".journal" so each finished
// resource is durable at once, at a cost that does not grow with the
// state. Append is safe for concurrent use: concurrent records are written
// and fsync'd together (group commit).
type Journal struct {
	local *Local

	// wmu serializes use of f between the writer and restart.
	wmu sync.Mutex
	f   *os.File

	mu      sync.Mutex
	buf     []byte
	pending int
	cur     *batch
	closed  bool
	err     error // sticky: after a failed write or fsync the file's tail is unknown
	kick    chan struct{}
	stopped chan struct{}

	records atomic.Uint64
	syncs   atomic.Uint64
}

// batch is the group of records that one fsync makes durable.
type batch struct {
	done chan struct{}
	err  error
}

// JournalStats counts the work done by a journal.
type JournalStats struct {
	// Records is the number of records written.
	Records uint64
	// Syncs is the number of fsyncs, one per group of records.
	Syncs uint64
}

// OpenJournal opens the journal for changes made on top of base, which
// must be the state as last loaded or persisted. A journal already there
// for the same base (one that Load replayed) is continued rather than
// truncated, so the changes it recovered stay durable until the next
// Persist; any other is replaced.
func (l *Local) OpenJournal(base *State) (*Journal, error) {
	if base == nil || base.Lineage == "" {
		return nil, errors.New("the journal needs a base state with a lineage")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.journal != nil {
		return nil, errors.New("a journal is already open for this state")
	}
	path := l.journalPath()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	fail := func(err error) (*Journal, error) {
		f.Close()
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fail(err)
	}
	sc := scanJournal(data)
	if sc.headerOK && sc.header.Lineage == base.Lineage && sc.header.Serial == base.Serial {
		// A torn or corrupt tail would sit between the old records and new
		// ones and stop every later replay, so it goes.
		if sc.end < int64(len(data)) {
			if err := f.Truncate(sc.end); err != nil {
				return fail(err)
			}
		}
	} else {
		if err := f.Truncate(0); err != nil {
			return fail(err)
		}
		if _, err := f.Write(headerLine(base.Lineage, base.Serial)); err != nil {
			return fail(err)
		}
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fail(err)
	}
	j := &Journal{
		local:   l,
		f:       f,
		cur:     &batch{done: make(chan struct{})},
		kick:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
	}
	go j.run()
	l.journal = j
	return j, nil
}

// Append writes rec and returns once it is on stable storage.
func (j *Journal) Append(rec Record) error {
	return j.Enqueue(rec)()
}

// Enqueue queues rec behind every record queued before it and returns a
// function that waits until rec is on stable storage. Records become
// durable in the order they were queued, so a record is never durable
// without the ones queued before it.
func (j *Journal) Enqueue(rec Record) (wait func() error) {
	line, err := encodeRecordLine(&rec)
	if err != nil {
		return func() error { return err }
	}
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return func() error { return ErrJournalClosed }
	}
	if j.err != nil {
		err := j.err
		j.mu.Unlock()
		return func() error { return err }
	}
	j.buf = append(j.buf, line...)
	j.pending++
	b := j.cur
	select {
	case j.kick <- struct{}{}:
	default: // the writer is already due to run and will take this record
	}
	j.mu.Unlock()
	return func() error {
		<-b.done
		return b.err
	}
}

// run is the single writer: it takes whatever has queued up while the
// previous fsync ran, so under load one fsync covers many records.
func (j *Journal) run() {
	defer close(j.stopped)
	var spare []byte
	for range j.kick {
		spare = j.flush(spare)
	}
	j.flush(spare)
}

func (j *Journal) flush(spare []byte) []byte {
	j.mu.Lock()
	if len(j.buf) == 0 {
		j.mu.Unlock()
		return spare
	}
	buf, n, b, err := j.buf, j.pending, j.cur, j.err
	j.buf, j.pending, j.cur = spare[:0], 0, &batch{done: make(chan struct{})}
	j.mu.Unlock()

	if err == nil {
		j.wmu.Lock()
		if _, err = j.f.Write(buf); err == nil {
			err = j.f.Sync()
			j.syncs.Add(1)
		}
		j.wmu.Unlock()
		if err == nil {
			j.records.Add(uint64(n))
		} else {
			err = fmt.Errorf("writing the journal: %w", err)
			j.mu.Lock()
			if j.err == nil {
				j.err = err
			}
			j.mu.Unlock()
		}
	}
	b.err = err
	close(b.done)
	return buf
}

// restart empties the journal for a newly persisted base. A crash midway
// leaves a journal without a valid header or with the old serial; both are
// ignored by Load, which is right since the state file already holds
// everything.
func (j *Journal) restart(lineage string, serial uint64) error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	err := j.f.Truncate(0)
	if err == nil {
		_, err = j.f.Write(headerLine(lineage, serial))
	}
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		err = fmt.Errorf("restarting the journal: %w", err)
		j.mu.Lock()
		if j.err == nil {
			j.err = err
		}
		j.mu.Unlock()
	}
	return err
}

// Stats reports the records written and fsyncs done so far.
func (j *Journal) Stats() JournalStats {
	return JournalStats{Records: j.records.Load(), Syncs: j.syncs.Load()}
}

// Close waits for queued records and closes the file. The file stays: it
// is removed (or restarted) by Persist once the state file holds its
// records.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	close(j.kick)
	j.mu.Unlock()
	<-j.stopped
	err := j.f.Close()
	j.local.mu.Lock()
	if j.local.journal == j {
		j.local.journal = nil
	}
	j.local.mu.Unlock()
	return err
}
