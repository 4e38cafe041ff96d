package dns

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// row is the comparable view of a Transaction.
type row struct {
	TS                int64
	TransID           uint16
	RTT               string
	Query, QType      string
	Rcode             string
	AA, TC, RD, RA    bool
	Answers           []string
	TTLs              []uint32
	Rejected          bool
	Opcode            string
	SawQuery, SawResp bool
	Registered        string
}

func toRow(t *Transaction) row {
	r := row{TS: t.TS, TransID: t.TransID, RTT: "-", Query: "-", QType: "-", Rcode: "-",
		AA: t.AA, TC: t.TC, RD: t.RD, RA: t.RA, Answers: t.Answers, TTLs: t.TTLs,
		Rejected: t.Rejected, Opcode: t.OpcodeName, SawQuery: t.SawQuery, SawResp: t.SawResponse, Registered: "-"}
	if t.RTT != nil {
		r.RTT = t.RTT.String()
	}
	if t.Query != nil {
		r.Query = *t.Query
	}
	if t.QTypeName != nil {
		r.QType = *t.QTypeName
	}
	if t.RcodeName != nil {
		r.Rcode = *t.RcodeName
	}
	if t.Metrics != nil {
		r.Registered = t.Metrics.RegisteredDomain
	}
	return r
}

type step struct {
	msg []byte
	ts  int64
}

func run(t *testing.T, cfg Config, steps []step) []row {
	t.Helper()
	var out []row
	p := NewPairer(cfg, func(tx *Transaction) { out = append(out, toRow(tx)) })
	var m Message
	for _, s := range steps {
		if err := Parse(s.msg, &m); err != nil {
			t.Fatalf("Parse() error = %v", err)
		}
		p.Message(&m, s.ts)
	}
	p.Flush()
	return out
}

const ms = int64(time.Millisecond)

func TestPairer(t *testing.T) {
	a := func(ip ...byte) []byte { return record(ptr(12), 1, 1, 60, ip) }
	tests := []struct {
		name  string
		cfg   Config
		steps []step
		want  []row
	}{
		{
			name: "query and response",
			steps: []step{
				{query(1, "www.example.com", 1), 1000 * ms},
				{response(1, 0, "www.example.com", 1, a(192, 0, 2, 1), a(192, 0, 2, 2)), 1020 * ms},
			},
			want: []row{{TS: 1000 * ms, TransID: 1, RTT: "20ms", Query: "www.example.com", QType: "A", Rcode: "NOERROR",
				RD: true, RA: true, Answers: []string{"192.0.2.1", "192.0.2.2"}, TTLs: []uint32{60, 60},
				Opcode: "query", SawQuery: true, SawResp: true, Registered: "example.com"}},
		},
		{
			name: "nxdomain without records is rejected",
			steps: []step{
				{query(2, "nope.example", 28), 0},
				{response(2, 3, "nope.example", 28), 5 * ms},
			},
			want: []row{{TS: 0, TransID: 2, RTT: "5ms", Query: "nope.example", QType: "AAAA", Rcode: "NXDOMAIN",
				RD: true, RA: true, Answers: []string{}, TTLs: []uint32{}, Rejected: true,
				Opcode: "query", SawQuery: true, SawResp: true, Registered: "nope.example"}},
		},
		{
			name: "retransmitted query",
			steps: []step{
				{query(3, "r.example.org", 1), 0},
				{query(3, "r.example.org", 1), 1000 * ms},
				{response(3, 0, "r.example.org", 1, a(10, 0, 0, 1)), 1001 * ms},
			},
			want: []row{
				{TS: 0, TransID: 3, RTT: "1.001s", Query: "r.example.org", QType: "A", Rcode: "NOERROR", RD: true, RA: true,
					Answers: []string{"10.0.0.1"}, TTLs: []uint32{60}, Opcode: "query", SawQuery: true, SawResp: true, Registered: "example.org"},
				{TS: 1000 * ms, TransID: 3, RTT: "-", Query: "r.example.org", QType: "A", Rcode: "-", RD: true,
					Opcode: "query", SawQuery: true, Registered: "example.org"},
			},
		},
		{
			name: "interleaved ids",
			steps: []step{
				{query(10, "a.example.com", 1), 0},
				{query(11, "b.example.com", 1), 1 * ms},
				{response(11, 0, "b.example.com", 1, a(2, 2, 2, 2)), 3 * ms},
				{response(10, 0, "a.example.com", 1, a(1, 1, 1, 1)), 4 * ms},
			},
			want: []row{
				{TS: 1 * ms, TransID: 11, RTT: "2ms", Query: "b.example.com", QType: "A", Rcode: "NOERROR", RD: true, RA: true,
					Answers: []string{"2.2.2.2"}, TTLs: []uint32{60}, Opcode: "query", SawQuery: true, SawResp: true, Registered: "example.com"},
				{TS: 0, TransID: 10, RTT: "4ms", Query: "a.example.com", QType: "A", Rcode: "NOERROR", RD: true, RA: true,
					Answers: []string{"1.1.1.1"}, TTLs: []uint32{60}, Opcode: "query", SawQuery: true, SawResp: true, Registered: "example.com"},
			},
		},
		{
			name: "response captured before query",
			steps: []step{
				{response(4, 0, "x.example.net", 1, a(9, 9, 9, 9)), 10 * ms},
				{query(4, "x.example.net", 1), 11 * ms},
			},
			want: []row{{TS: 11 * ms, TransID: 4, RTT: "-", Query: "x.example.net", QType: "A", Rcode: "NOERROR", RD: true, RA: true,
				Answers: []string{"9.9.9.9"}, TTLs: []uint32{60}, Opcode: "query", SawQuery: true, SawResp: true, Registered: "example.net"}},
		},
		{
			name: "unsolicited response and unanswered query at flush",
			steps: []step{
				{query(5, "q.example.com", 16), 0},
				{response(6, 2, "other.example.com", 16), 1 * ms},
			},
			want: []row{
				{TS: 0, TransID: 5, RTT: "-", Query: "q.example.com", QType: "TXT", Rcode: "-", RD: true,
					Opcode: "query", SawQuery: true, Registered: "example.com"},
				{TS: 1 * ms, TransID: 6, RTT: "-", Query: "other.example.com", QType: "TXT", Rcode: "SERVFAIL", RD: true, RA: true,
					Answers: []string{}, TTLs: []uint32{}, Rejected: true, Opcode: "query", SawResp: true, Registered: "example.com"},
			},
		},
		{
			name: "response without question named after its answer",
			steps: []step{
				{cat(header(7, fQR|fAA, 0, 1, 0, 0), record(wire("Host.Local"), 1, 1, 120, []byte{169, 254, 1, 1})), 0},
			},
			want: []row{{TS: 0, TransID: 7, RTT: "-", Query: "host.local", QType: "-", Rcode: "NOERROR", AA: true,
				Answers: []string{"169.254.1.1"}, TTLs: []uint32{120}, Opcode: "query", SawResp: true, Registered: "host.local"}},
		},
		{
			name: "no pairing for multicast",
			cfg:  Config{NoPairing: true},
			steps: []step{
				{query(0, "printer.local", 255), 0},
				{response(0, 0, "printer.local", 255, a(192, 168, 1, 9)), 1 * ms},
			},
			want: []row{
				{TS: 0, TransID: 0, RTT: "-", Query: "printer.local", QType: "*", Rcode: "-", RD: true,
					Opcode: "query", SawQuery: true, Registered: "printer.local"},
				{TS: 1 * ms, TransID: 0, RTT: "-", Query: "printer.local", QType: "*", Rcode: "NOERROR", RD: true, RA: true,
					Answers: []string{"192.168.1.9"}, TTLs: []uint32{60}, Opcode: "query", SawResp: true, Registered: "printer.local"},
			},
		},
		{
			name: "ignored opcode",
			steps: []step{
				{cat(header(8, 2<<11, 1, 0, 0, 0), question(wire("s.example"), 1, 1)), 0},
			},
		},
		{
			name: "overflow emits the oldest",
			cfg:  Config{MaxPending: 2},
			steps: []step{
				{query(1, "o1.example.com", 1), 1},
				{query(2, "o2.example.com", 1), 2},
				{query(3, "o3.example.com", 1), 3},
				{response(2, 0, "o2.example.com", 1), 4},
			},
			want: []row{
				{TS: 1, TransID: 1, RTT: "-", Query: "o1.example.com", QType: "A", Rcode: "-", RD: true, Opcode: "query", SawQuery: true, Registered: "example.com"},
				{TS: 2, TransID: 2, RTT: "2ns", Query: "o2.example.com", QType: "A", Rcode: "NOERROR", RD: true, RA: true,
					Answers: []string{}, TTLs: []uint32{}, Rejected: true, Opcode: "query", SawQuery: true, SawResp: true, Registered: "example.com"},
				{TS: 3, TransID: 3, RTT: "-", Query: "o3.example.com", QType: "A", Rcode: "-", RD: true, Opcode: "query", SawQuery: true, Registered: "example.com"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.cfg, tt.steps)
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Pairer rows (-got, +want):\n%s", diff)
			}
		})
	}
}

func TestPairerCountsProblems(t *testing.T) {
	p := NewPairer(Config{MaxPending: 1}, func(*Transaction) {})
	var m Message
	for i, msg := range [][]byte{query(1, "a", 1), query(2, "b", 1), cat(header(3, 1<<11, 0, 0, 0, 0))} {
		if err := Parse(msg, &m); err != nil {
			t.Fatalf("Parse(%d) error = %v", i, err)
		}
		p.Message(&m, 0)
	}
	got := map[string]uint64{}
	p.Problems().Each(func(pr Problem, n uint64) { got[pr.String()] = n })
	want := map[string]uint64{"dns_pending_overflow": 1, "dns_opcode_ignored": 1}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Problems() (-got, +want):\n%s", diff)
	}
}

// TestTransactionOwnsItsData checks that a row does not alias the Message
// it was built from.
func TestTransactionOwnsItsData(t *testing.T) {
	var rows []*Transaction
	p := NewPairer(Config{NoPairing: true}, func(tx *Transaction) { rows = append(rows, tx) })
	var m Message
	for _, msg := range [][]byte{
		response(1, 0, "first.example", 16, record(ptr(12), 16, 1, 1, []byte{3, 'o', 'n', 'e'})),
		response(2, 0, "second.example", 16, record(ptr(12), 16, 1, 1, []byte{3, 't', 'w', 'o'})),
	} {
		if err := Parse(msg, &m); err != nil {
			t.Fatalf("Parse() error = %v", err)
		}
		p.Message(&m, 0)
	}
	copied := *rows[0]
	got := []string{*rows[0].Query, rows[0].Answers[0], *rows[1].Query, rows[1].Answers[0], *copied.Query}
	want := []string{"first.example", "TXT 3 one", "second.example", "TXT 3 two", "first.example"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("rows (-got, +want):\n%s", diff)
	}
}
