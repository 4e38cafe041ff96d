package capture

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// maxFuzzInput caps fuzz inputs: larger ones only slow the search down.
const maxFuzzInput = 256 << 10

// FuzzReadPcap feeds arbitrary bytes, seeded with the classic pcap
// fixtures, through Open and Packets. See checkCapture for the properties.
func FuzzReadPcap(f *testing.F) {
	for _, c := range pcapCases() {
		f.Add(c.file)
	}
	f.Add(streamFiles()["pcap"])
	f.Add(streamFiles()["pcap-modified"])
	f.Add(gzipped(f, pcapCases()[0].file))
	f.Add(zstded(f, pcapCases()[2].file))
	fuzzCapture(f)
}

// FuzzReadPcapng is FuzzReadPcap for pcapng, seeded with the pcapng
// fixtures in both byte orders.
func FuzzReadPcapng(f *testing.F) {
	for _, c := range pcapngCases() {
		f.Add(c.file(le))
		f.Add(c.file(be))
	}
	f.Add(streamFiles()["pcapng"])
	f.Add(streamFiles()["pcapng-damaged"])
	f.Add(gzipped(f, pcapngCases()[1].file(be)))
	f.Add(zstded(f, pcapngCases()[1].file(le)))
	fuzzCapture(f)
}

func fuzzCapture(f *testing.F) {
	// Each fuzzing process runs inputs one at a time, so one file will do.
	path := filepath.Join(f.TempDir(), "input")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			t.Skip("input too large")
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		checkCapture(t, path, data)
	})
}

// checkCapture reads the capture file at path, whose bytes are data, and
// checks what must hold for any input:
//   - Open fails only with ErrNotCapture, and only problems of framing
//     (*FormatError) reach Options.Warn, at most once per file;
//   - Packets yields no error, numbers packets 1, 2, ... and ends;
//   - every packet has len(Data) <= WireLen and len(Data) <= maxRecordLen,
//     and a link type listed in the file's statistics;
//   - the statistics add up to the packets yielded;
//   - an uncompressed file yields what the record reader yields from
//     memory, and the streaming byte source (used for compressed files)
//     yields the same as the memory one.
func checkCapture(t *testing.T, path string, data []byte) {
	var warns []error
	src, err := Open([]string{path}, Options{GapThreshold: time.Second, Warn: func(err error) { warns = append(warns, err) }})
	if err != nil {
		if !errors.Is(err, ErrNotCapture) {
			t.Fatalf("Open() error = %v, want nil or ErrNotCapture", err)
		}
		if format, _, _ := Sniff(path); format != "" {
			t.Fatalf("Open() error = %v, but Sniff() says %q", err, format)
		}
		return
	}
	var (
		got             []pkt
		capBytes, wire  int64
		truncated       int64
		firstTS, lastTS int64
		linksSeen       []LinkType
		maxPkts         = int64(len(data)/12 + 1) // the smallest record is 12 bytes
		compressed      = isCompressedBytes(data)
		count           int64
	)
	for p, err := range src.Packets(t.Context()) {
		if err != nil {
			t.Fatalf("Packets() error = %v", err)
		}
		count++
		if !compressed && count > maxPkts {
			t.Fatalf("more than %d packets from %d bytes", maxPkts, len(data))
		}
		if p.Number != count || p.File != 0 {
			t.Fatalf("packet %d is numbered %d in file %d", count, p.Number, p.File)
		}
		if len(p.Data) > p.WireLen || len(p.Data) > maxRecordLen {
			t.Fatalf("packet %d: %d bytes captured, wire length %d, limit %d", count, len(p.Data), p.WireLen, maxRecordLen)
		}
		if count == 1 || p.Timestamp < firstTS {
			firstTS = p.Timestamp
		}
		if count == 1 || p.Timestamp > lastTS {
			lastTS = p.Timestamp
		}
		capBytes += int64(len(p.Data))
		wire += int64(p.WireLen)
		if len(p.Data) < p.WireLen {
			truncated++
		}
		if !slices.Contains(linksSeen, p.LinkType) {
			linksSeen = append(linksSeen, p.LinkType)
		}
		if !compressed {
			got = append(got, pkt{TS: p.Timestamp, Wire: p.WireLen, Data: slices.Clone(p.Data), Link: p.LinkType, Number: p.Number, Iface: p.Interface})
		}
	}

	st := src.Files()[0]
	type counts struct{ Packets, CapturedBytes, WireBytes, Truncated, FirstTS, LastTS int64 }
	want := counts{count, capBytes, wire, truncated, firstTS, lastTS}
	gotCounts := counts{st.Packets, st.CapturedBytes, st.WireBytes, st.Truncated, st.FirstTS, st.LastTS}
	if diff := cmp.Diff(want, gotCounts); diff != "" {
		t.Errorf("Files()[0] counters disagree with the packets (-packets, +stats):\n%s", diff)
	}
	for _, l := range linksSeen {
		if !slices.Contains(st.LinkTypes, l) {
			t.Errorf("link type %v seen but not in %v", l, st.LinkTypes)
		}
	}
	if (len(st.Errors) == 0) != (st.Error == "") {
		t.Errorf("Errors = %v but Error = %q", st.Errors, st.Error)
	}
	if len(warns) > 1 {
		t.Errorf("%d warnings for one file: %v", len(warns), warns)
	}
	for _, w := range warns {
		var fe *FormatError
		if !errors.As(w, &fe) {
			t.Errorf("Warn(%v): not a *FormatError", w)
		} else if st.Errors[fe.Kind] == 0 {
			t.Errorf("Warn(%v): kind %q not counted in %v", w, fe.Kind, st.Errors)
		}
	}
	if read, total := src.Progress(); read != total {
		t.Errorf("Progress() = %d of %d after the last packet", read, total)
	}

	if compressed {
		return
	}
	// The record reader alone, from memory, then streamed in odd pieces.
	mem := readStream(t, newMemStream(data))
	for i := range mem.pkts {
		mem.pkts[i].Wire = max(mem.pkts[i].Wire, len(mem.pkts[i].Data)) // as Source raises it
	}
	if diff := cmp.Diff(mem.pkts, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Source packets differ from the record reader's (-reader, +source):\n%s", diff)
	}
	sizes := []int{len(data)%13 + 1, 7, 1, 29, 3}
	streamed := readStream(t, streamOf(&chunkReader{b: data, sizes: sizes}))
	for i := range streamed.pkts {
		streamed.pkts[i].Wire = max(streamed.pkts[i].Wire, len(streamed.pkts[i].Data))
	}
	if diff := cmp.Diff(mem, streamed, cmp.AllowUnexported(streamResult{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("streamed read differs from the memory read (-memory, +stream):\n%s", diff)
	}
}

func isCompressedBytes(b []byte) bool {
	return len(b) >= 2 && string(b[:2]) == string(gzipMagic) || len(b) >= 4 && string(b[:4]) == string(zstdMagic)
}
