package state

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
)

// BenchmarkJournalAppendParallel measures the journal as the engine uses
// it: one op is 1,000 records appended by 10 concurrent goroutines, each
// waiting for its record to be durable.
func BenchmarkJournalAppendParallel(b *testing.B) {
	const workers, perWorker = 10, 100
	l, s := persistedLocal(b)
	j, err := l.OpenJournal(s)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	recs := make([][]Record, workers)
	for w := range recs {
		for i := 0; i < perWorker; i++ {
			recs[w] = append(recs[w], putRec(fmt.Sprintf("null_resource.w%d[%d]", w, i), fmt.Sprintf(`{"id":"%d-%d","triggers":{"a":"b"}}`, w, i)))
		}
	}
	b.ResetTimer()
	start := time.Now()
	for n := 0; n < b.N; n++ {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for _, r := range recs[w] {
					if err := j.Append(r); err != nil {
						b.Error(err)
						return
					}
				}
			}(w)
		}
		wg.Wait()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	st := j.Stats()
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(st.Records), "ns/record")
	b.ReportMetric(float64(st.Syncs)/float64(b.N), "fsyncs/op")
	b.ReportMetric(float64(st.Records)/float64(st.Syncs), "records/fsync")
}

// state10k has 10,000 instances with small attributes: 100 counted
// resources of 100 instances each.
func state10k(b testing.TB) *State {
	s := New()
	s.Serial = 42
	dep := []addrs.AbsResource{mustRes(b, "null_resource.base")}
	for r := 0; r < 100; r++ {
		for i := 0; i < 100; i++ {
			addr := mustInst(b, fmt.Sprintf(`module.m["k%d"].null_resource.r%d[%d]`, r%10, r, i))
			s.SetCurrent(addr, &Object{
				AttrsJSON:    []byte(fmt.Sprintf(`{"id":"%d-%d","triggers":{"a":"b","n":"%d"}}`, r, i, i)),
				Dependencies: dep,
			}, nullProvider)
		}
	}
	return s
}

func BenchmarkEncode10k(b *testing.B) {
	s := state10k(b)
	data, err := Encode(s)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := Encode(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode10k(b *testing.B) {
	data, err := Encode(state10k(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		s, err := Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		if s.InstanceCount() != 10000 {
			b.Fatal("instances lost")
		}
	}
}
