package extract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a stream that writes what it receives as text.
type recorder struct{ b strings.Builder }

func (r *recorder) Data(_ bool, b []byte, _ int64) { r.b.Write(b) }
func (r *recorder) Gap(_ bool, n int)              { fmt.Fprintf(&r.b, "<gap %d>", n) }

func TestReassembler(t *testing.T) {
	type seg struct {
		seq  uint64
		data string
	}
	tests := []struct {
		name string
		segs []seg
		want string
	}{
		{"in order", []seg{{1, "GET / "}, {7, "HTTP/1.1"}}, "GET / HTTP/1.1"},
		{"retransmission", []seg{{1, "GET / "}, {1, "GET / "}, {7, "HTTP"}}, "GET / HTTP"},
		{"overlap", []seg{{1, "GET /a"}, {5, "/abc"}}, "GET /abc"},
		{"out of order", []seg{{1, "GE"}, {4, " /"}, {3, "T"}}, "GET /"},
		{"early segment waits", []seg{{4, "lo"}, {1, "hel"}}, "lo"}, // the first segment fixes the start
		{"hole at the end", []seg{{1, "ab"}, {10, "xy"}}, "ab<gap 7>xy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r reassembler
			var out recorder
			for _, s := range tt.segs {
				r.add(s.seq, []byte(s.data), 0, true, &out)
			}
			r.flush(true, &out)
			if diff := cmp.Diff(tt.want, out.b.String()); diff != "" {
				t.Errorf("stream (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestReassemblerBoundsBuffer(t *testing.T) {
	var r reassembler
	var out recorder
	r.add(1, []byte("a"), 0, true, &out)
	// Segments beyond a hole that never fills: the buffer bound forces a gap.
	for i := range maxPendingSegments + 1 {
		r.add(uint64(100+i), []byte("x"), 0, true, &out)
	}
	if !strings.Contains(out.b.String(), "<gap 98>") {
		t.Errorf("stream = %q, want a gap of 98 bytes once the buffer is full", out.b.String())
	}
	if len(r.pending) != 0 || r.bytes != 0 {
		t.Errorf("pending = %d segments, %d bytes after the gap, want none", len(r.pending), r.bytes)
	}
}
