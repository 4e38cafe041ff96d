package capture

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type record struct {
	TS   int64
	Data []byte
	Wire int
}

// readRecords reads a capture back with the package's own reader.
func readRecords(t testing.TB, path string) ([]record, FileStats) {
	t.Helper()
	src, err := Open([]string{path}, Options{Warn: func(err error) { t.Errorf("read %s: %v", path, err) }})
	if err != nil {
		t.Fatalf("Open(%s) error = %v", path, err)
	}
	var out []record
	for p, err := range src.Packets(t.Context()) {
		if err != nil {
			t.Fatalf("Packets() error = %v", err)
		}
		out = append(out, record{TS: p.Timestamp, Data: bytes.Clone(p.Data), Wire: p.WireLen})
	}
	return out, src.Files()[0]
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestPcapWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.pcap")
	w, err := CreatePcap(path, LinkEthernet, 64)
	if err != nil {
		t.Fatalf("CreatePcap() error = %v", err)
	}
	long := bytes.Repeat([]byte{0xab}, 100)
	in := []record{
		{TS: 1_700_000_000_123_456_789, Data: []byte("sixty bytes or so of a frame, more or less, as it happens.."), Wire: 60},
		{TS: 1_700_000_001_000_000_001, Data: long, Wire: 100},
		{TS: 0, Data: []byte{1, 2, 3}, Wire: 1},
	}
	for _, r := range in {
		if err := w.WritePacket(r.TS, r.Data, r.Wire); err != nil {
			t.Fatalf("WritePacket() error = %v", err)
		}
	}
	names := dirNames(t, dir)
	if len(names) != 1 || !strings.HasPrefix(names[0], ".out.pcap.") || !strings.HasSuffix(names[0], ".partial") {
		t.Errorf("before Commit the directory holds %q, want one hidden .partial file", names)
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit() error = %v", err)
	}
	if got := dirNames(t, dir); !cmp.Equal(got, []string{"out.pcap"}) {
		t.Errorf("after Commit the directory holds %q, want only out.pcap", got)
	}
	got, st := readRecords(t, path)
	want := []record{
		in[0],
		{TS: in[1].TS, Data: long[:64], Wire: 100}, // cut to the snap length
		{TS: 0, Data: []byte{1, 2, 3}, Wire: 3},    // wire length raised to the captured length
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want, +got):\n%s", diff)
	}
	if st.Format != "pcap-nsec" || st.SnapLen != 64 || !cmp.Equal(st.LinkTypes, []LinkType{LinkEthernet}) {
		t.Errorf("file is %s, snaplen %d, link types %v; want pcap-nsec, 64, [EN10MB]", st.Format, st.SnapLen, st.LinkTypes)
	}
}

func TestPcapWriterNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "evidence.pcap")
	if err := os.WriteFile(path, []byte("earlier evidence"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := CreatePcap(path, LinkEthernet, 100); !errors.Is(err, ErrOutputExists) {
		t.Errorf("CreatePcap(existing) error = %v, want ErrOutputExists", err)
	}

	// A file that appears while the capture runs survives Commit too.
	late := filepath.Join(dir, "late.pcap")
	w, err := CreatePcap(late, LinkEthernet, 100)
	if err != nil {
		t.Fatalf("CreatePcap() error = %v", err)
	}
	if err := w.WritePacket(1, []byte{1}, 1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(late, []byte("someone else's"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = w.Commit()
	if !errors.Is(err, ErrOutputExists) {
		t.Fatalf("Commit() error = %v, want ErrOutputExists", err)
	}
	if b, _ := os.ReadFile(late); string(b) != "someone else's" {
		t.Errorf("existing file now holds %q, want it untouched", b)
	}
	var partial string
	for _, n := range dirNames(t, dir) {
		if strings.HasSuffix(n, ".partial") {
			partial = filepath.Join(dir, n)
		}
	}
	if partial == "" || !strings.Contains(err.Error(), partial) {
		t.Fatalf("Commit() error = %q; want it to name the kept partial file (found %q)", err, partial)
	}
	if got, _ := readRecords(t, partial); len(got) != 1 {
		t.Errorf("kept partial file holds %d packets, want 1", len(got))
	}
}

func TestPcapWriterErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		run  func(t *testing.T) error
	}{
		{"snap length 0", func(t *testing.T) error {
			_, err := CreatePcap(filepath.Join(dir, "a.pcap"), LinkEthernet, 0)
			return err
		}},
		{"missing directory", func(t *testing.T) error {
			_, err := CreatePcap(filepath.Join(dir, "no", "such", "b.pcap"), LinkEthernet, 10)
			return err
		}},
		{"negative timestamp", func(t *testing.T) error {
			w, err := CreatePcap(filepath.Join(dir, "c.pcap"), LinkEthernet, 10)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Commit()
			return w.WritePacket(-1, []byte{1}, 1)
		}},
		{"timestamp after 2106", func(t *testing.T) error {
			w, err := CreatePcap(filepath.Join(dir, "d.pcap"), LinkEthernet, 10)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Commit()
			return w.WritePacket(1<<32*1e9, []byte{1}, 1)
		}},
		{"write after commit", func(t *testing.T) error {
			w, err := CreatePcap(filepath.Join(dir, "e.pcap"), LinkEthernet, 10)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			return w.WritePacket(1, []byte{1}, 1)
		}},
		{"commit twice", func(t *testing.T) error {
			w, err := CreatePcap(filepath.Join(dir, "f.pcap"), LinkEthernet, 10)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			return w.Commit()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(t); err == nil {
				t.Error("error = nil, want an error")
			}
		})
	}
}

func BenchmarkPcapWriter(b *testing.B) {
	w, err := CreatePcap(filepath.Join(b.TempDir(), "bench.pcap"), LinkEthernet, DefaultSnapLen)
	if err != nil {
		b.Fatal(err)
	}
	frame := make([]byte, 1514)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	ts := int64(1_700_000_000_000_000_000)
	for b.Loop() {
		ts += 1000
		if err := w.WritePacket(ts, frame, len(frame)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
	if err := w.Commit(); err != nil {
		b.Fatal(err)
	}
}
