package dns

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parsed is the comparable view of a Message.
type parsed struct {
	ID                 uint16
	QR, AA, TC, RD, RA bool
	Opcode, Z, Rcode   uint8
	HasQuestion        bool
	Query, RawQuery    string
	QType, QClass      uint16
	Names, Texts       []string
	Types              []uint16
	TTLs               []uint32
}

func view(m *Message) parsed {
	v := parsed{
		ID: m.ID, QR: m.QR, AA: m.AA, TC: m.TC, RD: m.RD, RA: m.RA,
		Opcode: m.Opcode, Z: m.Z, Rcode: m.Rcode,
		HasQuestion: m.HasQuestion, Query: string(m.Query), RawQuery: string(m.RawQuery),
		QType: m.QType, QClass: m.QClass,
	}
	for _, a := range m.Answers {
		v.Names = append(v.Names, string(a.Name))
		v.Texts = append(v.Texts, string(a.Text))
		v.Types = append(v.Types, a.Type)
		v.TTLs = append(v.TTLs, a.TTL)
	}
	return v
}

// long8 is eight 63-octet labels: the longest prefix of a nine-label name
// that fits MaxNameLen.
var long8 = strings.TrimSuffix(strings.Repeat(strings.Repeat("a", 63)+".", 8), ".")

func TestParse(t *testing.T) {
	q := ptr(12) // the question name in every response below
	aaaa := []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	mapped := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}
	tests := []struct {
		name    string
		msg     []byte
		want    parsed
		wantErr error
	}{
		{
			name: "query lower-cased",
			msg:  query(0x1234, "WWW.Example.COM", 1),
			want: parsed{ID: 0x1234, RD: true, HasQuestion: true, Query: "www.example.com",
				RawQuery: "www.example.com", QType: 1, QClass: 1},
		},
		{
			name: "root query",
			msg:  query(7, "", 2),
			want: parsed{ID: 7, RD: true, HasQuestion: true, QType: 2, QClass: 1},
		},
		{
			name: "header bits",
			msg:  cat(header(1, fQR|fAA|fTC|0x0070|0x2800|5, 0, 0, 0, 0)),
			want: parsed{ID: 1, QR: true, AA: true, TC: true, Z: 7, Opcode: 5, Rcode: 5},
		},
		{
			name: "cname chain with compression",
			msg: response(2, 0, "www.example.com", 1,
				record(q, 5, 1, 300, cat([]byte{3, 'c', 'd', 'n'}, ptr(16))),
				record(ptr(12+17+4+12), 1, 1, 60, []byte{192, 0, 2, 7})),
			want: parsed{ID: 2, QR: true, RD: true, RA: true, HasQuestion: true,
				Query: "www.example.com", RawQuery: "www.example.com", QType: 1, QClass: 1,
				Names: []string{"www.example.com", "cdn.example.com"},
				Texts: []string{"cdn.example.com", "192.0.2.7"}, Types: []uint16{5, 1}, TTLs: []uint32{300, 60}},
		},
		{
			name: "aaaa and mapped",
			msg:  response(3, 0, "a.example", 28, record(q, 28, 1, 1, aaaa), record(q, 28, 1, 2, mapped)),
			want: parsed{ID: 3, QR: true, RD: true, RA: true, HasQuestion: true, Query: "a.example",
				RawQuery: "a.example", QType: 28, QClass: 1,
				Names: []string{"a.example", "a.example"}, Texts: []string{"2001:db8::1", "::ffff:192.0.2.1"},
				Types: []uint16{28, 28}, TTLs: []uint32{1, 2}},
		},
		{
			name: "mx srv ns ptr soa",
			msg: response(4, 0, "example.org", 255,
				record(q, 15, 1, 1, cat(u16(10), wire("Mail.example.org"))),
				record(q, 33, 1, 1, cat(u16(1), u16(2), u16(5060), wire("sip.example.org"))),
				record(q, 2, 1, 1, cat([]byte{3, 'n', 's', '1'}, q)),
				record(q, 12, 1, 1, wire("host.example.org")),
				record(q, 6, 1, 1, cat(wire("ns.example.org"), wire("hostmaster.example.org"), make([]byte, 20)))),
			want: parsed{ID: 4, QR: true, RD: true, RA: true, HasQuestion: true, Query: "example.org",
				RawQuery: "example.org", QType: 255, QClass: 1,
				Names: []string{"example.org", "example.org", "example.org", "example.org", "example.org"},
				Texts: []string{"mail.example.org", "sip.example.org", "ns1.example.org", "host.example.org", "ns.example.org"},
				Types: []uint16{15, 33, 2, 12, 6}, TTLs: []uint32{1, 1, 1, 1, 1}},
		},
		{
			name: "txt strings escaped",
			msg: response(5, 0, "t.example", 16,
				record(q, 16, 1, 9, cat([]byte{5}, []byte("hello"), []byte{3, 'a', 0, 'b'})),
				record(q, 99, 1, 9, cat([]byte{6}, []byte("v=spf1"))),
				record(q, 16, 1, 9, nil)),
			want: parsed{ID: 5, QR: true, RD: true, RA: true, HasQuestion: true, Query: "t.example",
				RawQuery: "t.example", QType: 16, QClass: 1,
				Names: []string{"t.example", "t.example", "t.example"},
				Texts: []string{`TXT 5 hello TXT 3 a\x00b`, "SPF 6 v=spf1", ""},
				Types: []uint16{16, 99, 16}, TTLs: []uint32{9, 9, 9}},
		},
		{
			name: "naptr",
			msg: response(6, 0, "n.example", 35,
				record(q, 35, 1, 1, cat(u16(100), u16(10), []byte{1, 'U'}, []byte{7}, []byte("E2U+sip"),
					[]byte{3, '!', 'x', '!'}, wire(""))),
				record(q, 35, 1, 1, cat(u16(1), u16(2), []byte{1, 'S'}, []byte{0}, []byte{0}, wire("_SIP._udp.Example")))),
			want: parsed{ID: 6, QR: true, RD: true, RA: true, HasQuestion: true, Query: "n.example",
				RawQuery: "n.example", QType: 35, QClass: 1,
				Names: []string{"n.example", "n.example"},
				Texts: []string{"NAPTR 100 10 U E2U+sip !x!", "NAPTR 1 2 S  _SIP._udp.Example"},
				Types: []uint16{35, 35}, TTLs: []uint32{1, 1}},
		},
		{
			name: "dnssec summaries",
			msg: response(7, 0, "example", 48,
				record(q, 46, 1, 1, cat(u16(1), []byte{8, 1}, u32(0), u32(0), u32(0), u16(0), wire(""), []byte{1, 2})),
				record(q, 46, 1, 1, cat(u16(48), []byte{13, 1}, u32(0), u32(0), u32(0), u16(0), q, []byte{1})),
				record(q, 48, 1, 1, cat(u16(257), []byte{3, 13}, []byte{9, 9})),
				record(q, 43, 1, 1, cat(u16(7), []byte{8, 2}, []byte{0xab})),
				record(q, 47, 1, 1, cat(wire("z.example"), []byte{0, 1, 0x40})),
				record(q, 50, 1, 1, []byte{1, 0, 0, 1, 0, 0}),
				record(q, 51, 1, 1, []byte{1, 0, 0, 1, 0}),
				record(q, 44, 1, 1, []byte{1, 2, 0xAB, 0x01}),
				record(q, 65534, 1, 1, []byte{8, 1, 2, 0, 1})),
			want: parsed{ID: 7, QR: true, RD: true, RA: true, HasQuestion: true, Query: "example",
				RawQuery: "example", QType: 48, QClass: 1,
				Names: []string{"example", "example", "example", "example", "example", "example", "example", "example", "example"},
				Texts: []string{"RRSIG 1 <Root>", "RRSIG 48 example", "DNSKEY 13", "DS 8 2", "NSEC example z.example",
					"NSEC3", "NSEC3PARAM", "SSHFP: ab01", "BIND9 signing signal"},
				Types: []uint16{46, 46, 48, 43, 47, 50, 51, 44, 65534}, TTLs: []uint32{1, 1, 1, 1, 1, 1, 1, 1, 1}},
		},
		{
			name: "loc silent and unknown types",
			msg: response(8, 0, "x.example", 255,
				record(q, 29, 1, 1, []byte{0, 0x12, 0x16, 0x13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
				record(q, 13, 1, 1, []byte{1, 'x', 1, 'y'}),
				record(q, 257, 1, 1, []byte{0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a'}),
				record(q, 65, 1, 1, []byte{0, 1, 0}),
				record(q, 10, 1, 1, []byte("raw\x00null")),
				record(q, 24, 1, 1, []byte{1})),
			want: parsed{ID: 8, QR: true, RD: true, RA: true, HasQuestion: true, Query: "x.example",
				RawQuery: "x.example", QType: 255, QClass: 1,
				Names: []string{"x.example", "x.example", "x.example", "x.example", "x.example", "x.example"},
				Texts: []string{"LOC:  18 22 19", "", "", "", "<unknown type=10>", "<unknown type=24>"},
				Types: []uint16{29, 13, 257, 65, 10, 24}, TTLs: []uint32{1, 1, 1, 1, 1, 1}},
		},
		{
			name: "non-printable label",
			msg:  query(9, "a\x01\xffb.Example", 10),
			want: parsed{ID: 9, RD: true, HasQuestion: true, Query: `a\x01\xffb.example`,
				RawQuery: "a\x01\xffb.example", QType: 10, QClass: 1},
		},
		{
			name: "bad a record skipped",
			msg: response(10, 0, "b.example", 1,
				record(q, 1, 1, 5, []byte{1, 2, 3, 4, 5}),
				record(q, 1, 1, 6, []byte{10, 0, 0, 1})),
			want: parsed{ID: 10, QR: true, RD: true, RA: true, HasQuestion: true, Query: "b.example",
				RawQuery: "b.example", QType: 1, QClass: 1,
				Names: []string{"b.example", "b.example"}, Texts: []string{"", "10.0.0.1"},
				Types: []uint16{1, 1}, TTLs: []uint32{5, 6}},
			wantErr: ErrBadRData,
		},
		{
			name: "rdata name past rdlength",
			msg: response(11, 0, "c.example", 5,
				record(q, 5, 1, 1, []byte{3, 'a', 'b'}),
				record(q, 1, 1, 2, []byte{10, 0, 0, 2})),
			want: parsed{ID: 11, QR: true, RD: true, RA: true, HasQuestion: true, Query: "c.example",
				RawQuery: "c.example", QType: 5, QClass: 1,
				Names: []string{"c.example", "c.example"}, Texts: []string{"", "10.0.0.2"},
				Types: []uint16{5, 1}, TTLs: []uint32{1, 2}},
			wantErr: ErrBadRData,
		},
		{
			name:    "short header",
			msg:     []byte{0, 1, 2},
			wantErr: ErrShort,
		},
		{
			name:    "truncated question",
			msg:     cat(header(12, 0, 1, 0, 0, 0), wire("abc"), []byte{0}),
			want:    parsed{ID: 12},
			wantErr: ErrTruncated,
		},
		{
			name:    "label past end",
			msg:     cat(header(13, 0, 1, 0, 0, 0), []byte{9, 'a'}),
			want:    parsed{ID: 13},
			wantErr: ErrTruncated,
		},
		{
			// The name's extent is known, so the rest stays readable; the
			// name keeps what was decoded before the bad pointer.
			name:    "self pointer",
			msg:     cat(header(14, 0, 1, 0, 0, 0), ptr(12), u16(1), u16(1)),
			want:    parsed{ID: 14, HasQuestion: true, QType: 1, QClass: 1},
			wantErr: ErrBadPointer,
		},
		{
			name:    "forward pointer",
			msg:     cat(header(15, 0, 1, 0, 0, 0), ptr(20), u16(1), u16(1), wire("x")),
			want:    parsed{ID: 15, HasQuestion: true, QType: 1, QClass: 1},
			wantErr: ErrBadPointer,
		},
		{
			name: "pointer loop through labels",
			// The answer's owner points at a label that points back at it.
			msg: cat(header(16, fQR, 1, 1, 0, 0), question(wire("a"), 1, 1),
				[]byte{1, 'b'}, ptr(12+7), u16(1), u16(1), u32(0), u16(4), []byte{1, 2, 3, 4}),
			want: parsed{ID: 16, QR: true, HasQuestion: true, Query: "a", RawQuery: "a", QType: 1, QClass: 1,
				Names: []string{"b"}, Texts: []string{"1.2.3.4"}, Types: []uint16{1}, TTLs: []uint32{0}},
			wantErr: ErrBadPointer,
		},
		{
			name: "pointer beyond message",
			msg: cat(header(17, fQR, 1, 1, 0, 0), question(wire("a"), 1, 1),
				ptr(0x3fff), u16(1), u16(1), u32(0), u16(4), []byte{1, 2, 3, 4}),
			want: parsed{ID: 17, QR: true, HasQuestion: true, Query: "a", RawQuery: "a", QType: 1, QClass: 1,
				Names: []string{""}, Texts: []string{"1.2.3.4"}, Types: []uint16{1}, TTLs: []uint32{0}},
			wantErr: ErrBadPointer,
		},
		{
			name:    "loop before the name's extent is known",
			msg:     cat(header(24, 0, 1, 0, 0, 0), []byte{1, 'a', 0x41}),
			want:    parsed{ID: 24},
			wantErr: ErrBadLabel,
		},
		{
			name:    "extended label type",
			msg:     cat(header(18, 0, 1, 0, 0, 0), []byte{0x41, 0}, u16(1), u16(1)),
			want:    parsed{ID: 18},
			wantErr: ErrBadLabel,
		},
		{
			name: "name too long",
			// The name is cut at MaxNameLen and the message stays readable.
			msg: cat(header(19, fQR, 1, 1, 0, 0), []byte(strings.Repeat("\x3f"+strings.Repeat("a", 63), 9)), []byte{0}, u16(1), u16(1),
				record(wire("x"), 1, 1, 5, []byte{1, 2, 3, 4})),
			want: parsed{ID: 19, QR: true, HasQuestion: true, Query: long8, RawQuery: long8, QType: 1, QClass: 1,
				Names: []string{"x"}, Texts: []string{"1.2.3.4"}, Types: []uint16{1}, TTLs: []uint32{5}},
			wantErr: ErrNameTooLong,
		},
		{
			name: "answer count beyond data",
			msg:  cat(header(20, fQR, 1, 2, 0, 0), question(wire("d"), 1, 1), record(ptr(12), 1, 1, 3, []byte{1, 1, 1, 1})),
			want: parsed{ID: 20, QR: true, HasQuestion: true, Query: "d", RawQuery: "d", QType: 1, QClass: 1,
				Names: []string{"d"}, Texts: []string{"1.1.1.1"}, Types: []uint16{1}, TTLs: []uint32{3}},
			wantErr: ErrTruncated,
		},
		{
			name:    "rdlength beyond data",
			msg:     cat(header(21, fQR, 1, 1, 0, 0), question(wire("e"), 1, 1), ptr(12), u16(1), u16(1), u32(0), u16(40), []byte{1}),
			want:    parsed{ID: 21, QR: true, HasQuestion: true, Query: "e", RawQuery: "e", QType: 1, QClass: 1},
			wantErr: ErrTruncated,
		},
		{
			name: "second question skipped",
			msg: cat(header(22, fQR, 2, 1, 0, 0), question(wire("f.example"), 1, 1), question(wire("g.example"), 28, 1),
				record(ptr(12), 1, 1, 3, []byte{1, 1, 1, 2})),
			want: parsed{ID: 22, QR: true, HasQuestion: true, Query: "f.example", RawQuery: "f.example", QType: 1, QClass: 1,
				Names: []string{"f.example"}, Texts: []string{"1.1.1.2"}, Types: []uint16{1}, TTLs: []uint32{3}},
		},
		{
			name: "dynamic update sections",
			// Zone example.com SOA IN; a prerequisite "name in use"; an
			// addition, an RRset deletion and a whole-name deletion.
			msg: cat(header(23, 0x2800, 1, 1, 3, 0), question(wire("example.com"), 6, 1),
				record(wire("h.example.com"), 255, 255, 0, nil),
				record(wire("h.example.com"), 1, 1, 300, []byte{10, 1, 2, 3}),
				record(wire("h.example.com"), 28, 255, 0, nil),
				record(wire("old.example.com"), 255, 255, 0, nil)),
			want: parsed{ID: 23, Opcode: 5, HasQuestion: true, Query: "example.com", RawQuery: "example.com", QType: 6, QClass: 1,
				Names: []string{"h.example.com", "h.example.com", "h.example.com", "old.example.com"},
				Texts: []string{"pre: NameInUse h.example.com", "add: A h.example.com 10.1.2.3",
					"del: RRSet AAAA", "del: RRSet * old.example.com"},
				Types: []uint16{255, 1, 28, 255}, TTLs: []uint32{0, 300, 0, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			err := Parse(tt.msg, &m)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Parse() error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(view(&m), tt.want); diff != "" {
				t.Errorf("Parse() (-got, +want):\n%s", diff)
			}
		})
	}
}

// TestParseReuse checks that a Message reused for a smaller message keeps
// nothing of the larger one and that steady-state parsing does not allocate.
func TestParseReuse(t *testing.T) {
	big := response(1, 0, "big.example", 16, record(ptr(12), 16, 1, 1, cat([]byte{200}, make([]byte, 200))))
	small := query(2, "s.example", 1)
	var m Message
	if err := Parse(big, &m); err != nil {
		t.Fatalf("Parse(big) error = %v", err)
	}
	if err := Parse(small, &m); err != nil {
		t.Fatalf("Parse(small) error = %v", err)
	}
	want := parsed{ID: 2, RD: true, HasQuestion: true, Query: "s.example", RawQuery: "s.example", QType: 1, QClass: 1}
	if diff := cmp.Diff(view(&m), want); diff != "" {
		t.Errorf("Parse() after reuse (-got, +want):\n%s", diff)
	}
	allocs := testing.AllocsPerRun(100, func() {
		_ = Parse(big, &m)
		_ = Parse(small, &m)
	})
	if allocs != 0 {
		t.Errorf("Parse() allocates %v times per run after warm-up, want 0", allocs)
	}
}

func TestProblemNames(t *testing.T) {
	seen := map[string]bool{}
	for p := Problem(1); p < numProblems; p++ {
		s := p.String()
		if s == "" || seen[s] || !strings.HasPrefix(s, "dns_") {
			t.Errorf("Problem(%d).String() = %q, want a unique dns_ name", p, s)
		}
		seen[s] = true
		if got := p.Error(); got != "dns: "+s {
			t.Errorf("Problem(%d).Error() = %q, want %q", p, got, "dns: "+s)
		}
	}
	if got := Problem(200).String(); got != "dns_unknown_problem" {
		t.Errorf("Problem(200).String() = %q, want dns_unknown_problem", got)
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{QTypeName(1), "A"}, {QTypeName(10), "NULL"}, {QTypeName(16), "TXT"}, {QTypeName(255), "*"},
		{QTypeName(65), "HTTPS"}, {QTypeName(1234), "query-1234"},
		{QClassName(1), "C_INTERNET"}, {QClassName(255), "C_ANY"}, {QClassName(9), "qclass-9"},
		{RcodeName(0), "NOERROR"}, {RcodeName(3), "NXDOMAIN"}, {RcodeName(8), "NXRRSet"},
		{RcodeName(12), "unassigned-12"}, {RcodeName(3842), "BADSIG"}, {RcodeName(99), "rcode-99"},
		{OpcodeName(0), "query"}, {OpcodeName(3), "opcode-3"}, {OpcodeName(5), "dynamic-update"}, {OpcodeName(15), "opcode-15"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
