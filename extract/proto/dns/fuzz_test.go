package dns

import (
	"bytes"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"flowsift/extract/proto/internal/pcaptest"
)

// seedMessages are hand-built messages covering every decoder path; the
// corpus adds real ones when it is present.
func seedMessages() [][]byte {
	q := ptr(12)
	return [][]byte{
		query(0x1234, "www.example.com", 1),
		response(1, 0, "www.example.com", 1, record(q, 5, 1, 300, cat([]byte{3, 'c', 'd', 'n'}, ptr(16))),
			record(ptr(33), 1, 1, 60, []byte{192, 0, 2, 7})),
		response(2, 0, "t.example", 16, record(q, 16, 1, 9, cat([]byte{5}, []byte("hello"), []byte{3, 'a', 0, 'b'}))),
		response(3, 0, "n.example", 35, record(q, 35, 1, 1, cat(u16(100), u16(10), []byte{1, 'U'}, []byte{7},
			[]byte("E2U+sip"), []byte{3, '!', 'x', '!'}, wire("")))),
		response(4, 0, "example", 46, record(q, 46, 1, 1, cat(u16(1), []byte{8, 1}, u32(0), u32(0), u32(0), u16(0), q))),
		response(5, 3, "nope.example", 28),
		cat(header(6, 0x2800, 1, 1, 1, 0), question(wire("example.com"), 6, 1),
			record(wire("h.example.com"), 255, 255, 0, nil), record(wire("h.example.com"), 1, 1, 300, []byte{10, 1, 2, 3})),
		cat(header(7, 0, 1, 0, 0, 0), ptr(12), u16(1), u16(1)),
		{0, 1},
	}
}

func corpusMessages(tb testing.TB, dir string) [][]byte {
	var out [][]byte
	for _, f := range []string{"dns.pcap", "dns-exf.pcap", "dns-invalid-chars.pcap", "dns_doh.pcap", "bad-dns-traffic.pcap"} {
		for _, d := range pcaptest.Datagrams(tb, filepath.Join(dir, f)) {
			if d.Src.Port() == 53 || d.Dst.Port() == 53 || d.Src.Port() == 5353 {
				out = append(out, d.Payload)
			}
		}
	}
	return out
}

func FuzzParseDNS(f *testing.F) {
	for _, m := range seedMessages() {
		f.Add(m)
	}
	if dir, ok := pcaptest.Find("ndpi"); ok {
		for _, m := range corpusMessages(f, dir) {
			f.Add(m)
		}
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var m, again Message
		err := Parse(msg, &m)
		if err != nil {
			if _, ok := err.(Problem); !ok {
				t.Fatalf("Parse() error %T %v is not a Problem", err, err)
			}
		}
		if !utf8.Valid(m.Query) || len(m.RawQuery) > MaxNameLen {
			t.Fatalf("Parse() query %q (raw %d bytes)", m.Query, len(m.RawQuery))
		}
		for _, a := range m.Answers {
			if !utf8.Valid(a.Name) || !utf8.Valid(a.Text) {
				t.Fatalf("Parse() answer %q %q is not valid UTF-8", a.Name, a.Text)
			}
		}
		if len(m.Answers) > len(msg)/11 {
			t.Fatalf("Parse() returned %d answers from %d bytes", len(m.Answers), len(msg))
		}
		// A reused Message must give the same result as a fresh one.
		_ = Parse(seedMessages()[1], &again)
		err2 := Parse(msg, &again)
		if err2 != err || !bytes.Equal(again.Query, m.Query) || len(again.Answers) != len(m.Answers) {
			t.Fatalf("reparse differs: %v/%v %q/%q", err, err2, m.Query, again.Query)
		}
		p := NewPairer(Config{MaxPending: 4}, func(tx *Transaction) {
			for _, s := range tx.Answers {
				if !utf8.ValidString(s) {
					t.Fatalf("answer %q is not valid UTF-8", s)
				}
			}
		})
		p.Message(&m, 1)
		p.Flush()
	})
}

func FuzzSplitter(f *testing.F) {
	for _, m := range seedMessages() {
		f.Add(frame(m, m), uint8(3), uint8(0), uint8(0))
	}
	f.Fuzz(func(t *testing.T, stream []byte, chunk, gapAt, gapLen uint8) {
		var whole []string
		var s1 Splitter
		s1.Write(stream, func(m []byte) { whole = append(whole, string(m)) })

		// Chunking must not change the messages.
		var parts []string
		var s2 Splitter
		size := int(chunk%17) + 1
		for i := 0; i < len(stream); i += size {
			s2.Write(stream[i:min(i+size, len(stream))], func(m []byte) { parts = append(parts, string(m)) })
		}
		if len(parts) != len(whole) {
			t.Fatalf("chunked split gave %d messages, whole gave %d", len(parts), len(whole))
		}
		for i := range parts {
			if parts[i] != whole[i] {
				t.Fatalf("message %d differs when chunked", i)
			}
		}

		// A gap never yields more bytes than the stream holds, nor panics.
		var s3 Splitter
		at := min(int(gapAt), len(stream))
		total := 0
		s3.Write(stream[:at], func(m []byte) { total += len(m) + 2 })
		s3.Gap(int(gapLen))
		rest := min(at+int(gapLen), len(stream))
		s3.Write(stream[rest:], func(m []byte) { total += len(m) + 2 })
		if total > len(stream) {
			t.Fatalf("split %d bytes of messages out of a %d-byte stream", total, len(stream))
		}
	})
}

// TestCorpusSeeds runs the fuzz properties over real messages.
func TestCorpusSeeds(t *testing.T) {
	msgs := corpusMessages(t, pcaptest.Dir(t, "ndpi"))
	if len(msgs) == 0 {
		t.Fatal("no DNS messages found in the corpus")
	}
	var m Message
	parsed := 0
	for _, msg := range msgs {
		if Parse(msg, &m) == nil {
			parsed++
		}
		if !utf8.Valid(m.Query) {
			t.Errorf("Parse() query %q is not valid UTF-8", m.Query)
		}
	}
	t.Logf("%d of %d corpus messages parsed without a problem", parsed, len(msgs))
	if parsed*10 < len(msgs)*9 {
		t.Errorf("only %d of %d corpus messages parsed cleanly", parsed, len(msgs))
	}
}
