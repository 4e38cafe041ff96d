package dns

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func frame(msgs ...[]byte) []byte {
	var b []byte
	for _, m := range msgs {
		b = append(b, byte(len(m)>>8), byte(len(m)))
		b = append(b, m...)
	}
	return b
}

func split(s *Splitter, chunks ...[]byte) []string {
	var out []string
	for _, c := range chunks {
		s.Write(c, func(m []byte) { out = append(out, string(m)) })
	}
	return out
}

func TestSplitterChunking(t *testing.T) {
	m1, m2, m3 := query(1, "a.example", 1), []byte{}, response(2, 0, "b.example", 1, record(ptr(12), 1, 1, 1, []byte{1, 2, 3, 4}))
	stream := frame(m1, m2, m3)
	want := []string{string(m1), "", string(m3)}
	for _, size := range []int{1, 2, 3, 7, len(stream)} {
		var s Splitter
		var chunks [][]byte
		for i := 0; i < len(stream); i += size {
			chunks = append(chunks, stream[i:min(i+size, len(stream))])
		}
		if diff := cmp.Diff(split(&s, chunks...), want); diff != "" {
			t.Errorf("chunks of %d (-got, +want):\n%s", size, diff)
		}
	}
}

func TestSplitterGaps(t *testing.T) {
	m1, m2, m3 := query(1, "one.example", 1), query(2, "two.example", 1), query(3, "three.example", 1)
	stream := frame(m1, m2, m3)
	start2 := 2 + len(m1)
	start3 := start2 + 2 + len(m2)
	tests := []struct {
		name     string
		gapAt    int
		gapLen   int
		want     []string
		wantSync bool
	}{
		{"inside second message", start2 + 5, 4, []string{string(m1), string(m3)}, true},
		{"rest of second message", start2 + 2, len(m2), []string{string(m1), string(m3)}, true},
		{"over a length prefix", start2 + 5, start3 - start2, []string{string(m1)}, false},
		{"on a prefix", start2, 1, []string{string(m1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Splitter
			got := split(&s, stream[:tt.gapAt])
			sync := s.Gap(tt.gapLen)
			got = append(got, split(&s, stream[tt.gapAt+tt.gapLen:])...)
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("messages (-got, +want):\n%s", diff)
			}
			if sync != tt.wantSync || s.Desynced() == tt.wantSync {
				t.Errorf("Gap() = %v, Desynced() = %v, want in sync %v", sync, s.Desynced(), tt.wantSync)
			}
		})
	}
}

func TestSplitterBuffersAtMostOneMessage(t *testing.T) {
	var s Splitter
	big := make([]byte, 65535)
	stream := frame(big, big)
	n := 0
	for i := 0; i < len(stream); i += 1000 {
		s.Write(stream[i:min(i+1000, len(stream))], func(m []byte) {
			if len(m) != 65535 {
				t.Errorf("message length %d, want 65535", len(m))
			}
			n++
		})
		if cap(s.buf) > 2*65535 {
			t.Fatalf("buffer grew to %d bytes", cap(s.buf))
		}
	}
	if n != 2 {
		t.Errorf("got %d messages, want 2", n)
	}
}
