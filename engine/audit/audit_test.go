package audit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// memStore keeps a log in memory.
type memStore struct{ buf bytes.Buffer }

func (m *memStore) LastAuditLine(context.Context) ([]byte, error) {
	b := m.buf.Bytes()
	if len(b) == 0 {
		return nil, nil
	}
	end := len(b)
	if b[end-1] == '\n' {
		end--
	}
	start := bytes.LastIndexByte(b[:end], '\n') + 1
	return append([]byte(nil), b[start:]...), nil
}

func (m *memStore) AppendAuditLine(_ context.Context, line []byte) error {
	m.buf.Write(line)
	m.buf.WriteByte('\n')
	return nil
}

func (m *memStore) ReadAudit(context.Context) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m.buf.Bytes())), nil
}

var t0 = time.Date(2025, 5, 2, 8, 0, 0, 0, time.UTC)

func stateN(n uint64) StateRef {
	if n == 0 {
		return StateRef{}
	}
	return StateRef{Lineage: "lin", Serial: n, Digest: DigestBytes([]byte(fmt.Sprint("state", n)))}
}

// sampleLog writes n records, each moving the state one serial on.
func sampleLog(t testing.TB, n int) *memStore {
	s := &memStore{}
	for i := 0; i < n; i++ {
		rec := &Record{
			Time: t0.Add(time.Duration(i) * time.Hour), Who: Who{User: "mrossi", Host: "ops1"},
			Command: "apply", Args: []string{"-auto-approve"}, Outcome: OutcomeOK,
			Plan: &PlanRef{Digest: DigestBytes([]byte{byte(i)}), Mode: "normal", Saved: true,
				Signatures: []SignatureRef{{Identity: "dpo@regione", KeyFingerprint: "SHA256:x", Time: t0, Status: "valid"}}},
			Resources: []Resource{
				{Addr: fmt.Sprintf("module.c_a662.openstack_networking_network_v2.net[%d]", i), Action: "create", Ente: "c_a662", Outcome: OutcomeOK},
				{Addr: fmt.Sprintf("openstack_blockstorage_volume_v3.v%d", i), Action: "update", Ente: "c_l378", Outcome: OutcomeError, Error: "409 Conflict"},
			},
			StateBefore: stateN(uint64(i)), StateAfter: stateN(uint64(i + 1)),
		}
		require.NoError(t, Append(context.Background(), s, rec))
	}
	return s
}

func lines(s *memStore) []string {
	ls := strings.SplitAfter(s.buf.String(), "\n")
	return ls[:len(ls)-1]
}

func verifyLines(t *testing.T, ls []string) *Report {
	t.Helper()
	rep, err := Verify(strings.NewReader(strings.Join(ls, "")))
	require.NoError(t, err)
	return rep
}

func TestAppendChainsRecords(t *testing.T) {
	s := sampleLog(t, 3)
	ls := lines(s)
	require.Len(t, ls, 3)
	r1, err := Decode([]byte(strings.TrimSuffix(ls[0], "\n")))
	require.NoError(t, err)
	r2, err := Decode([]byte(strings.TrimSuffix(ls[1], "\n")))
	require.NoError(t, err)
	assert.Equal(t, uint64(1), r1.Seq)
	assert.Equal(t, Genesis, r1.Prev)
	assert.Equal(t, r1.Hash, r2.Prev)
	assert.True(t, strings.HasPrefix(ls[0], `{"v":1,"seq":1,"time":"2025-05-02T08:00:00Z","who":{"user":"mrossi","host":"ops1"}`), ls[0])

	rep := verifyLines(t, ls)
	assert.Nil(t, rep.Problem)
	assert.Equal(t, 3, rep.Records)
	head, err := Head(context.Background(), s)
	require.NoError(t, err)
	assert.Equal(t, head.Hash, rep.Head)
	assert.True(t, rep.Contains(r1.Hash))
	assert.False(t, rep.Contains(Genesis))

	empty, err := Verify(strings.NewReader(""))
	require.NoError(t, err)
	assert.Nil(t, empty.Problem)
	assert.Equal(t, Genesis, empty.Head)
}

func TestVerifyFindsTampering(t *testing.T) {
	ls := lines(sampleLog(t, 5))
	edit := func(i int, from, to string) []string {
		out := append([]string(nil), ls...)
		require.Contains(t, out[i], from)
		out[i] = strings.Replace(out[i], from, to, 1)
		return out
	}
	without := func(i int) []string { return append(append([]string(nil), ls[:i]...), ls[i+1:]...) }
	swap := func(i, j int) []string {
		out := append([]string(nil), ls...)
		out[i], out[j] = out[j], out[i]
		return out
	}
	// A record forged with a correct hash of its own, pointing at the
	// record before it, still breaks the chain at the next record.
	forged := func() []string {
		r, err := Decode([]byte(strings.TrimSuffix(ls[2], "\n")))
		require.NoError(t, err)
		r.Resources[0].Action = "delete"
		r.Hash, err = r.ComputeHash()
		require.NoError(t, err)
		enc, err := r.Encode()
		require.NoError(t, err)
		out := append([]string(nil), ls...)
		out[2] = string(enc) + "\n"
		return out
	}
	inserted := func() []string {
		out := append([]string(nil), ls[:3]...)
		out = append(out, ls[1])
		return append(out, ls[3:]...)
	}
	tests := map[string]struct {
		lines []string
		line  int
		want  string
	}{
		"edited action":         {edit(2, `"action":"create"`, `"action":"delete"`), 3, "record 3 changed"},
		"edited user":           {edit(0, `"user":"mrossi"`, `"user":"admin0"`), 1, "record 1 changed"},
		"reformatted":           {edit(1, `"seq":2,`, `"seq": 2,`), 2, "record changed: the record is not in the form nuvola writes"},
		"unknown field":         {edit(1, `{"v":1,`, `{"x":0,"v":1,`), 2, "unknown field"},
		"deleted middle":        {without(2), 3, "record 4 follows record 2: the record(s) between them are missing"},
		"deleted first":         {without(0), 1, "record 2 does not start the chain"},
		"reordered":             {swap(1, 2), 2, "record 3 follows record 1"},
		"forged with own hash":  {forged(), 4, "record 4 does not follow record 3"},
		"inserted copy":         {inserted(), 4, "record 2 does not follow record 3"},
		"truncated last line":   {append(append([]string(nil), ls[:4]...), ls[4][:40]), 5, "incomplete record"},
		"empty line":            {append(append([]string(nil), ls[:2]...), append([]string{"\n"}, ls[2:]...)...), 3, "empty line"},
		"garbage":               {append([]string{"hello\n"}, ls...), 1, "not a valid record"},
		"future version":        {edit(0, `{"v":1,`, `{"v":2,`), 1, "unsupported record version 2"},
		"state swapped between": {edit(3, `"state_before":{"lineage":"lin","serial":3`, `"state_before":{"lineage":"lin","serial":9`), 4, "record 4 changed"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rep := verifyLines(t, tc.lines)
			require.NotNil(t, rep.Problem, "tampering not found")
			assert.Equal(t, tc.line, rep.Problem.Line, rep.Problem.Reason)
			assert.Contains(t, rep.Problem.Error(), tc.want)
			assert.Equal(t, tc.line-1, rep.Records)
			assert.False(t, rep.Problem.StateGap)
		})
	}
}

func TestVerifyFindsStateChangedBetweenRecords(t *testing.T) {
	s := sampleLog(t, 2)
	// A third record that found another state than the second one left:
	// correctly chained, so only the state references give it away.
	require.NoError(t, Append(context.Background(), s, &Record{Command: "state rm", Outcome: OutcomeOK,
		StateBefore: stateN(1), StateAfter: stateN(3)}))
	rep := verifyLines(t, lines(s))
	require.NotNil(t, rep.Problem)
	assert.Equal(t, 3, rep.Problem.Line)
	assert.Contains(t, rep.Problem.Reason, "record 3 found serial 1")
	assert.Contains(t, rep.Problem.Reason, "record 2 left serial 2")
	assert.Contains(t, rep.Problem.Reason, "outside nuvola")
	assert.True(t, rep.Problem.StateGap)
}

func TestHeadRefusesDamagedLog(t *testing.T) {
	ctx := context.Background()
	s := sampleLog(t, 2)
	s.buf.Truncate(s.buf.Len() - 10)
	_, err := Head(ctx, s)
	assert.ErrorIs(t, err, ErrIncomplete)
	assert.ErrorIs(t, Append(ctx, s, &Record{}), ErrIncomplete)

	s = sampleLog(t, 2)
	b := bytes.Replace(s.buf.Bytes(), []byte(`"seq":2,`), []byte(`"seq":7,`), 1)
	s.buf.Reset()
	s.buf.Write(b)
	_, err = Head(ctx, s)
	assert.ErrorContains(t, err, "last record of the audit log is damaged")
}

func TestFilter(t *testing.T) {
	rec := &Record{Time: t0, Resources: []Resource{
		{Addr: `module.c_a662["prod"].openstack_compute_instance_v2.app[0]`, Ente: "c_a662"},
		{Addr: "openstack_networking_network_v2.net", Ente: "c_l378", To: "module.shared.openstack_networking_network_v2.net"},
	}}
	tests := map[string]struct {
		f    Filter
		want bool
	}{
		"no filter":                 {Filter{}, true},
		"ente":                      {Filter{Ente: "c_a662"}, true},
		"ente case":                 {Filter{Ente: "C_A662"}, true},
		"other ente":                {Filter{Ente: "c_h501"}, false},
		"module prefix":             {Filter{Resource: "module.c_a662"}, true},
		"module instance prefix":    {Filter{Resource: `module.c_a662["prod"]`}, true},
		"resource prefix":           {Filter{Resource: `module.c_a662["prod"].openstack_compute_instance_v2.app`}, true},
		"not a name prefix":         {Filter{Resource: "module.c_a66"}, false},
		"moved to":                  {Filter{Resource: "module.shared"}, true},
		"ente and resource differ":  {Filter{Ente: "c_a662", Resource: "openstack_networking_network_v2.net"}, false},
		"since":                     {Filter{Since: t0}, true},
		"since after":               {Filter{Since: t0.Add(time.Second)}, false},
		"until":                     {Filter{Until: t0}, true},
		"until before":              {Filter{Until: t0.Add(-time.Second)}, false},
		"window and ente":           {Filter{Since: t0.Add(-time.Hour), Until: t0.Add(time.Hour), Ente: "c_l378"}, true},
		"resource filter, no match": {Filter{Resource: "openstack_compute_instance_v2.app"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { assert.Equal(t, tc.want, tc.f.Match(rec)) })
	}
	assert.False(t, Filter{Ente: "x"}.Match(&Record{Time: t0}), "a record without resources has no ente")
}

func TestEnte(t *testing.T) {
	str := cty.StringVal
	tests := map[string]struct {
		v         cty.Value
		sensitive []cty.Path
		want      string
	}{
		"tag set": {cty.ObjectVal(map[string]cty.Value{"tags": cty.SetVal([]cty.Value{str("classification=critico"), str("ente=c_a662")})}), nil, "c_a662"},
		"all_tags before tags": {cty.ObjectVal(map[string]cty.Value{
			"tags":     cty.SetVal([]cty.Value{str("ente=own")}),
			"all_tags": cty.SetVal([]cty.Value{str("ente=c_l378")}),
		}), nil, "c_l378"},
		"unknown all_tags falls back to tags": {cty.ObjectVal(map[string]cty.Value{
			"tags":     cty.ListVal([]cty.Value{str("ente=c_a662")}),
			"all_tags": cty.UnknownVal(cty.Set(cty.String)),
		}), nil, "c_a662"},
		"metadata":       {cty.ObjectVal(map[string]cty.Value{"metadata": cty.MapVal(map[string]cty.Value{"ente": str("c_h501")})}), nil, "c_h501"},
		"tag map":        {cty.ObjectVal(map[string]cty.Value{"tags": cty.MapVal(map[string]cty.Value{"ente": str("c_h501")})}), nil, "c_h501"},
		"no ente":        {cty.ObjectVal(map[string]cty.Value{"tags": cty.SetVal([]cty.Value{str("x=y")}), "name": str("ente=nope")}), nil, ""},
		"null tags":      {cty.ObjectVal(map[string]cty.Value{"tags": cty.NullVal(cty.Set(cty.String))}), nil, ""},
		"unknown object": {cty.UnknownVal(cty.EmptyObject), nil, ""},
		"not an object":  {str("ente=x"), nil, ""},
		"nil":            {cty.NilVal, nil, ""},
		"sensitive metadata": {cty.ObjectVal(map[string]cty.Value{"metadata": cty.MapVal(map[string]cty.Value{"ente": str("c_h501")})}),
			[]cty.Path{cty.GetAttrPath("metadata").IndexString("ente")}, ""},
		"marked element": {cty.ObjectVal(map[string]cty.Value{"tags": cty.ListVal([]cty.Value{str("ente=c_a662").Mark("sensitive")})}), nil, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { assert.Equal(t, tc.want, EnteOfValue(tc.v, tc.sensitive)) })
	}
	assert.Equal(t, "c_a662", EnteOfJSON([]byte(`{"id":"x","all_tags":["a=b","ente=c_a662"]}`), nil))
	assert.Equal(t, "c_h501", EnteOfJSON([]byte(`{"metadata":{"ente":"c_h501"},"tags":null}`), nil))
	assert.Equal(t, "", EnteOfJSON([]byte(`{"metadata":{"ente":"c_h501"}}`), []cty.Path{cty.GetAttrPath("metadata")}))
	assert.Equal(t, "", EnteOfJSON([]byte(`not json`), nil))
}

// BenchmarkAppend is the cost of one record on a log of 10,000, without
// the store's own write cost (a memory store).
func BenchmarkAppend(b *testing.B) {
	s := sampleLog(b, 10000)
	rec := Record{Command: "apply", Outcome: OutcomeOK, Resources: []Resource{{Addr: "a.b", Action: "create", Outcome: OutcomeOK}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := rec
		if err := Append(context.Background(), s, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify10k checks a log of 10,000 records, each with two
// resources and a signed plan.
func BenchmarkVerify10k(b *testing.B) {
	data := sampleLog(b, 10000).buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := Verify(bytes.NewReader(data))
		if err != nil || rep.Problem != nil || rep.Records != 10000 {
			b.Fatal(err, rep.Problem)
		}
	}
}
