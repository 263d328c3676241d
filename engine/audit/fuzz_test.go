package audit

import (
	"bytes"
	"testing"
)

// FuzzVerify feeds Verify arbitrary logs: it must never panic, whatever it
// accepts must be a chain it can extend, and a record it accepts must
// re-encode to the very line it read.
func FuzzVerify(f *testing.F) {
	good := sampleLog(f, 3).buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)-7])
	f.Add(bytes.Replace(good, []byte(`"seq":2`), []byte(`"seq":3`), 1))
	f.Add([]byte("{}\n"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Verify(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("reading from memory failed: %v", err)
		}
		if rep.Problem != nil {
			return
		}
		if rep.Last != nil {
			enc, err := rep.Last.Encode()
			if err != nil || !bytes.HasSuffix(data, append(enc, '\n')) {
				t.Fatalf("accepted a record that does not re-encode to its line")
			}
		}
		s := &memStore{}
		s.buf.Write(data)
		rec := &Record{Command: "apply", Outcome: OutcomeOK}
		if len(data) > 0 && rep.Last != nil {
			rec.StateBefore = rep.Last.StateAfter
		}
		if err := Append(t.Context(), s, rec); err != nil {
			t.Fatalf("cannot extend an accepted log: %v", err)
		}
		rep2, err := Verify(bytes.NewReader(s.buf.Bytes()))
		if err != nil || rep2.Problem != nil || rep2.Records != rep.Records+1 {
			t.Fatalf("extended log does not verify: %v %v", err, rep2.Problem)
		}
	})
}
