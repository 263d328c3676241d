package state

import (
	"bytes"
	"testing"
)

// FuzzDecode checks that Decode never panics, and that whatever it accepts
// it can write back and read again to the very same bytes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(validDoc))
	f.Add([]byte(tofuV4Doc))
	f.Add([]byte(`{"format":"nuvola-state","version":1,"serial":0,"lineage":"x","nuvola_version":"","outputs":{},"resources":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data)
		if err != nil {
			if s != nil {
				t.Fatal("a state and an error")
			}
			return
		}
		enc, err := Encode(s)
		if err != nil {
			t.Fatalf("Decode accepted what Encode refuses: %v", err)
		}
		s2, err := Decode(enc)
		if err != nil {
			t.Fatalf("cannot read back what was written: %v\n%s", err, enc)
		}
		enc2, err := Encode(s2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the file:\n%s\n---\n%s", enc, enc2)
		}
	})
}

// FuzzJournalReplay checks that any journal bytes are either replayed or
// refused, never a panic, and that the valid prefix is stable: reading
// only that prefix again gives the same records.
func FuzzJournalReplay(f *testing.F) {
	var j bytes.Buffer
	j.Write(headerLine("lineage", 1))
	j.Write(frameLine([]byte(`{"op":"put","addr":"null_resource.a[0]","provider":"provider[\"x\"]","object":{"schema_version":0,"attributes":{"id":"a"}}}`)))
	j.Write(frameLine([]byte(`{"op":"delete","addr":"module.m[\"k\"].null_resource.b"}`)))
	j.Write(frameLine([]byte(`{"op":"outputs","outputs":{"o":{"value":1,"type":"number","sensitive":true}}}`)))
	f.Add(j.Bytes())
	f.Add(j.Bytes()[:j.Len()-7])
	f.Add(headerLine("lineage", 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := scanJournal(data)
		if !sc.headerOK {
			return
		}
		s := New()
		for _, rec := range sc.records {
			if err := s.ApplyRecord(rec); err != nil {
				t.Fatalf("a scanned record does not apply: %v", err)
			}
		}
		again := scanJournal(data[:sc.end])
		if len(again.records) != len(sc.records) || again.end != sc.end || again.note != "" {
			t.Fatalf("the valid prefix does not scan the same: %d/%d records, end %d/%d, note %q",
				len(again.records), len(sc.records), again.end, sc.end, again.note)
		}
	})
}
