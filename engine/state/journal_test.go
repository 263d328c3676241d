package state

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// persistedLocal returns a backend whose state file exists (serial 1).
func persistedLocal(t testing.TB) (*Local, *State) {
	t.Helper()
	l := NewLocal(filepath.Join(t.TempDir(), "nuvola.tfstate"))
	s, _, err := l.Load()
	require.NoError(t, err)
	require.NoError(t, l.Persist(s))
	return l, s
}

func putRec(addr, attrs string) Record {
	return Record{Op: OpPut, Addr: addr, Provider: nullProvider, Object: obj(attrs)}
}

func sampleRecords(t *testing.T) []Record {
	full := sampleState(t).Instance(mustInst(t, "null_resource.a")).Current
	return []Record{
		{Op: OpPut, Addr: "null_resource.a", Provider: nullProvider, Object: full},
		putRec("null_resource.count[0]", `{"id":"0"}`),
		putRec("null_resource.count[1]", `{"id":"1"}`),
		{Op: OpPutDeposed, Addr: "null_resource.a", Deposed: "d1", Provider: nullProvider, Object: obj(`{"id":"old"}`)},
		{Op: OpDelete, Addr: "null_resource.count[1]"},
		putRec(`module.m["a.b"].null_resource.x["q\"k"]`, `{"id":"m"}`),
		{Op: OpPutDeposed, Addr: "null_resource.b", Deposed: "d2", Provider: nullProvider, Object: obj(`{"id":"b"}`)},
		{Op: OpDeleteDeposed, Addr: "null_resource.b", Deposed: "d2"},
		{Op: OpOutputs, Outputs: map[string]*OutputValue{
			"ip":  {Value: cty.StringVal("10.0.0.1")},
			"pw":  {Value: cty.StringVal("s"), Sensitive: true},
			"tbd": {Value: cty.UnknownVal(cty.String)},
		}},
	}
}

// appendAll appends records to a new journal and applies them to s as the
// engine would, then closes the journal without persisting: a crash.
func appendAll(t *testing.T, l *Local, s *State, recs []Record) {
	t.Helper()
	j, err := l.OpenJournal(s)
	require.NoError(t, err)
	for _, r := range recs {
		require.NoError(t, j.Append(r))
		require.NoError(t, s.ApplyRecord(r))
	}
	require.NoError(t, j.Close())
}

func TestJournalReplayAfterCrash(t *testing.T) {
	l, s := persistedLocal(t)
	recs := sampleRecords(t)
	appendAll(t, l, s, recs)
	delete(s.Outputs, "tbd") // unknown outputs are not kept

	got, rec, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.NotNil(t, rec)
	require.Equal(t, len(recs), rec.Records)
	require.Contains(t, rec.Note, fmt.Sprintf("replayed %d record(s)", len(recs)))
	requireStatesEqual(t, s, got)
	require.Nil(t, got.Resources["null_resource.b"], "deleted again")
	require.Nil(t, got.Instance(mustInst(t, "null_resource.count[1]")))

	// Loading does not consume the journal: until a Persist holds its
	// records, it is their only durable copy.
	again, rec, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.Equal(t, len(recs), rec.Records)
	requireStatesEqual(t, s, again)
}

func TestJournalDamage(t *testing.T) {
	frame := func(s string) string { return string(frameLine([]byte(s))) }
	tests := []struct {
		name string
		// damage rewrites the journal's lines (the header first).
		damage func(t *testing.T, lines []string, state *State) []string
		// records is how many records are replayed; -1 means the journal
		// was ignored as stale and removed.
		records int
		note    string
	}{
		{"intact", func(t *testing.T, l []string, _ *State) []string { return l }, 4, ""},
		{"torn last line", func(t *testing.T, l []string, _ *State) []string {
			return append(l, `0badf00d {"op":"put","addr":"null_res`)
		}, 4, "incomplete last record (line 6)"},
		{"zeroed tail", func(t *testing.T, l []string, _ *State) []string {
			return append(l, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
		}, 4, "incomplete last record"},
		{"damaged last line", func(t *testing.T, l []string, _ *State) []string {
			last := []byte(l[len(l)-1])
			last[len(last)-3] ^= 1
			l[len(l)-1] = string(last)
			return l
		}, 3, "damaged last record (line 5: checksum mismatch)"},
		{"corrupt middle line", func(t *testing.T, l []string, _ *State) []string {
			l[2] = l[2][:20] + "X" + l[2][21:]
			return l
		}, 1, "journal line 3 is corrupt (checksum mismatch); replay stopped there and 2 later line(s) were ignored"},
		{"valid checksum, invalid record", func(t *testing.T, l []string, _ *State) []string {
			l[3] = frame(`{"op":"explode"}`)
			return l
		}, 2, `journal line 4 is corrupt (journal record: unknown operation "explode")`},
		{"bad address", func(t *testing.T, l []string, _ *State) []string {
			l[1] = frame(`{"op":"delete","addr":"module.x"}`)
			return l
		}, 0, "journal line 2 is corrupt"},
		{"stale serial", func(t *testing.T, l []string, s *State) []string {
			l[0] = string(headerLine(s.Lineage, s.Serial-1))
			return l
		}, -1, ""},
		{"other lineage", func(t *testing.T, l []string, s *State) []string {
			l[0] = string(headerLine(NewLineage(), s.Serial))
			return l
		}, -1, ""},
		{"torn header", func(t *testing.T, l []string, _ *State) []string {
			return []string{l[0][:12]}
		}, -1, ""},
		{"corrupt header", func(t *testing.T, l []string, _ *State) []string {
			l[0] = frame(`{"format":"something else"}`)
			return l
		}, -1, ""},
		{"empty", func(t *testing.T, l []string, _ *State) []string { return nil }, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, s := persistedLocal(t)
			base := s.DeepCopy()
			recs := []Record{
				putRec("null_resource.r[0]", `{"id":"0"}`),
				putRec("null_resource.r[1]", `{"id":"1"}`),
				putRec("null_resource.r[2]", `{"id":"2"}`),
				putRec("null_resource.r[3]", `{"id":"3"}`),
			}
			appendAll(t, l, s, recs)

			data, err := os.ReadFile(l.journalPath())
			require.NoError(t, err)
			lines := bytes.SplitAfter(data, []byte("\n"))
			lines = lines[:len(lines)-1] // after the final newline
			var text []string
			for _, ln := range lines {
				text = append(text, string(ln))
			}
			damaged := tt.damage(t, text, base)
			var out bytes.Buffer
			for _, ln := range damaged {
				out.WriteString(ln)
			}
			require.NoError(t, os.WriteFile(l.journalPath(), out.Bytes(), 0o600))

			got, rec, err := NewLocal(l.Path).Load()
			require.NoError(t, err)
			if tt.records < 0 {
				require.Nil(t, rec)
				require.True(t, got.Empty())
				require.NoFileExists(t, l.journalPath(), "a stale journal is removed")
				return
			}
			want := base.DeepCopy()
			for _, r := range recs[:tt.records] {
				require.NoError(t, want.ApplyRecord(r))
			}
			requireStatesEqual(t, want, got)
			if tt.records == 0 && tt.note == "" {
				require.Nil(t, rec)
				return
			}
			require.NotNil(t, rec)
			require.Equal(t, tt.records, rec.Records)
			if tt.note != "" {
				require.Contains(t, rec.Note, tt.note)
			}
		})
	}
}

func TestJournalBeforeFirstPersist(t *testing.T) {
	l := NewLocal(filepath.Join(t.TempDir(), "nuvola.tfstate"))
	s, _, err := l.Load()
	require.NoError(t, err)
	appendAll(t, l, s, []Record{putRec("null_resource.a", `{"id":"a"}`)})
	require.NoFileExists(t, l.Path)

	got, rec, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.Equal(t, 1, rec.Records)
	require.Equal(t, s.Lineage, got.Lineage, "the journal's lineage is the state's")
	requireStatesEqual(t, s, got)
}

func TestJournalContinuesAfterRecovery(t *testing.T) {
	l, s := persistedLocal(t)
	appendAll(t, l, s, []Record{putRec("null_resource.a", `{"id":"a"}`), putRec("null_resource.b", `{"id":"b"}`)})
	f, err := os.OpenFile(l.journalPath(), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("0badf00d {\"op\":")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	l2 := NewLocal(l.Path)
	s2, rec, err := l2.Load()
	require.NoError(t, err)
	require.Equal(t, 2, rec.Records)
	// The second run crashes too; what the first recovered must survive it.
	appendAll(t, l2, s2, []Record{putRec("null_resource.c", `{"id":"c"}`)})

	s3, rec, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.Equal(t, 3, rec.Records)
	require.NotContains(t, rec.Note, "incomplete", "the torn tail was cut before appending")
	requireStatesEqual(t, s2, s3)
}

func TestPersistWithOpenJournal(t *testing.T) {
	l, s := persistedLocal(t)
	j, err := l.OpenJournal(s)
	require.NoError(t, err)
	a := putRec("null_resource.a", `{"id":"a"}`)
	require.NoError(t, j.Append(a))
	require.NoError(t, s.ApplyRecord(a))

	require.NoError(t, l.Persist(s))
	require.Equal(t, uint64(2), s.Serial)
	mid, rec, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.Nil(t, rec, "the journal restarted empty against the new serial")
	requireStatesEqual(t, s, mid)

	b := putRec("null_resource.b", `{"id":"b"}`)
	require.NoError(t, j.Append(b))
	require.NoError(t, s.ApplyRecord(b))
	require.NoError(t, j.Close())

	got, rec, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.Equal(t, 1, rec.Records)
	requireStatesEqual(t, s, got)

	require.NoError(t, l.Persist(s))
	require.NoFileExists(t, l.journalPath(), "a closed journal is removed once persisted")
	got, rec, err = NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.Nil(t, rec)
	requireStatesEqual(t, s, got)
}

func TestJournalGroupCommit(t *testing.T) {
	const workers, perWorker = 10, 100
	l, s := persistedLocal(t)
	j, err := l.OpenJournal(s)
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				errs <- j.Append(putRec(fmt.Sprintf("null_resource.w%d[%d]", w, i), fmt.Sprintf(`{"id":"%d-%d"}`, w, i)))
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	st := j.Stats()
	require.Equal(t, uint64(workers*perWorker), st.Records)
	require.LessOrEqual(t, st.Syncs, st.Records)
	t.Logf("%d records, %d fsyncs (%.1f records per fsync)", st.Records, st.Syncs, float64(st.Records)/float64(st.Syncs))
	require.NoError(t, j.Close())

	got, rec, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.Equal(t, workers*perWorker, rec.Records)
	require.Equal(t, workers*perWorker, got.InstanceCount())
	for w := 0; w < workers; w++ {
		for i := 0; i < perWorker; i++ {
			inst := got.Instance(mustInst(t, fmt.Sprintf("null_resource.w%d[%d]", w, i)))
			require.NotNil(t, inst)
			require.Equal(t, fmt.Sprintf(`{"id":"%d-%d"}`, w, i), string(inst.Current.AttrsJSON))
		}
	}
}

func TestJournalAppendRejectsBadRecords(t *testing.T) {
	l, s := persistedLocal(t)
	j, err := l.OpenJournal(s)
	require.NoError(t, err)
	tests := []struct {
		name string
		rec  Record
		want string
	}{
		{"unknown op", Record{Op: "upsert", Addr: "a.b"}, `unknown operation "upsert"`},
		{"put without object", Record{Op: OpPut, Addr: "a.b", Provider: nullProvider}, "the object is missing"},
		{"put without provider", Record{Op: OpPut, Addr: "a.b", Object: obj(`{}`)}, "invalid provider address"},
		{"deposed without key", Record{Op: OpDeleteDeposed, Addr: "a.b"}, "the deposed key is missing"},
		{"bad address", Record{Op: OpDelete, Addr: "a"}, `invalid address "a"`},
		{"attributes not an object", putRec("a.b", `"x"`), "attributes are not a JSON object"},
		{"bad output", Record{Op: OpOutputs, Outputs: map[string]*OutputValue{"1x": {Value: cty.True}}}, "invalid output name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorContains(t, j.Append(tt.rec), tt.want)
		})
	}
	require.NoError(t, j.Append(putRec("a.b", `{}`)), "the journal stays usable")
	require.NoError(t, j.Close())
	require.NoError(t, j.Close())
	require.ErrorIs(t, j.Append(putRec("a.b", `{}`)), ErrJournalClosed)
}

func TestApplyRecordErrors(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		want string
	}{
		{"unknown op", Record{Op: "x"}, "unknown operation"},
		{"put without object", Record{Op: OpPut, Addr: "a.b", Provider: nullProvider}, "the object is missing"},
		{"bad address", Record{Op: OpDelete, Addr: "a.b.c"}, "invalid address"},
		{"deposed without key", Record{Op: OpPutDeposed, Addr: "a.b", Provider: nullProvider, Object: obj(`{}`)}, "deposed key is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorContains(t, New().ApplyRecord(tt.rec), tt.want)
		})
	}
}

func TestOpenJournalTwice(t *testing.T) {
	l, s := persistedLocal(t)
	j, err := l.OpenJournal(s)
	require.NoError(t, err)
	_, err = l.OpenJournal(s)
	require.ErrorContains(t, err, "already open")
	require.NoError(t, j.Close())
	j, err = l.OpenJournal(s)
	require.NoError(t, err)
	require.NoError(t, j.Close())
	_, err = l.OpenJournal(&State{})
	require.Error(t, err)
}

func TestJournalWriteFailureIsSticky(t *testing.T) {
	l, s := persistedLocal(t)
	j, err := l.OpenJournal(s)
	require.NoError(t, err)
	require.NoError(t, j.f.Close()) // any later write fails
	err = j.Append(putRec("a.b", `{}`))
	require.ErrorContains(t, err, "writing the journal")
	assert.ErrorContains(t, j.Append(putRec("a.c", `{}`)), "writing the journal", "the tail of the file is unknown now")
	_ = j.Close()
}

func TestJournalPendingCreates(t *testing.T) {
	l, s := persistedLocal(t)
	appendAll(t, l, s, []Record{
		{Op: OpCreating, Addr: "null_resource.done", Provider: nullProvider},
		putRec("null_resource.done", `{"id":"1"}`),
		{Op: OpCreating, Addr: `module.m["x"].null_resource.lost[2]`, Provider: nullProvider},
	})
	got, rec, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	require.Equal(t, 3, rec.Records)
	// The create that finished is resolved; the one in flight is pending.
	require.Equal(t, map[string]string{`module.m["x"].null_resource.lost[2]`: nullProvider}, got.PendingCreates)
	requireStatesEqual(t, s, got)

	// Persisted, the pending create survives in the state file until a
	// plan resolves it.
	require.NoError(t, l.Persist(got))
	again, _, err := NewLocal(l.Path).Load()
	require.NoError(t, err)
	requireStatesEqual(t, got, again)
	raw, err := os.ReadFile(l.Path)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"pending_creates"`)
	require.False(t, again.Empty())
	cp := again.DeepCopy()
	delete(cp.PendingCreates, `module.m["x"].null_resource.lost[2]`)
	require.Len(t, again.PendingCreates, 1, "DeepCopy copies the pending creates")

	// A state without pending creates does not mention them.
	l2, s2 := persistedLocal(t)
	require.NoError(t, l2.Persist(s2))
	raw, err = os.ReadFile(l2.Path)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "pending_creates")

	// Bad records are refused before they reach the journal.
	j, err := l2.OpenJournal(s2)
	require.NoError(t, err)
	defer j.Close()
	require.Error(t, j.Append(Record{Op: OpCreating, Addr: "null_resource.x"}), "no provider")
	require.Error(t, j.Append(Record{Op: OpCreating, Addr: "not an address", Provider: nullProvider}))
}

func TestDecodePendingCreatesErrors(t *testing.T) {
	s := New()
	s.Lineage = "3f1e2d4c-0000-4000-8000-000000000001"
	s.AddPendingCreate("null_resource.a", nullProvider)
	raw, err := Encode(s)
	require.NoError(t, err)
	got, err := Decode(raw)
	require.NoError(t, err)
	require.Equal(t, s.PendingCreates, got.PendingCreates)
	for name, bad := range map[string]string{
		"address":  strings.Replace(string(raw), `"addr": "null_resource.a"`, `"addr": "null_resource"`, 1),
		"provider": strings.Replace(string(raw), `"provider": "`+strings.ReplaceAll(nullProvider, `"`, `\"`)+`"`, `"provider": "x"`, 1),
	} {
		require.NotEqual(t, string(raw), bad, name)
		_, err := Decode([]byte(bad))
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "pending create", name)
	}
	s.AddPendingCreate("bad address", nullProvider)
	_, err = Encode(s)
	require.Error(t, err)
}
