package capture

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

const benchPackets = 100_000

// benchFrameLens is the mix of frame lengths in the benchmark captures
// (mean 352 bytes): handshakes and ACKs, DNS-sized, mid-sized and full
// Ethernet frames.
var benchFrameLens = []int{60, 66, 74, 120, 342, 590, 1514, 54}

// benchCapture writes a capture of benchPackets packets as "pcap",
// "pcapng", "pcap.gz" or "pcap.zst" into a temporary directory and returns
// its path and the size of the uncompressed pcap. With b.Loop the
// benchmark body, and so this, runs once.
func benchCapture(b *testing.B, variant string) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	path := filepath.Join(dir, "bench.pcap")
	writeBenchPcap(b, path)
	plain, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	switch variant {
	case "pcap":
		return path, int64(len(plain))
	case "pcapng":
		return writeFile(b, dir, "bench.pcapng", pcapToPcapng(b, plain)), int64(len(plain))
	case "pcap.gz":
		return writeFile(b, dir, "bench.pcap.gz", gzipped(b, plain)), int64(len(plain))
	case "pcap.zst":
		return writeFile(b, dir, "bench.pcap.zst", zstded(b, plain)), int64(len(plain))
	}
	b.Fatalf("unknown benchmark capture %q", variant)
	return "", 0
}

// writeBenchPcap writes benchPackets frames with PcapWriter, one every
// 50 µs: each starts with one of 32 fixed 54-byte headers and continues
// with random bytes, so that it compresses about as badly as real traffic,
// which is mostly encrypted.
func writeBenchPcap(b *testing.B, path string) {
	b.Helper()
	w, err := CreatePcap(path, LinkEthernet, DefaultSnapLen)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(p []byte) {
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
	}
	headers := make([][]byte, 32)
	for i := range headers {
		headers[i] = make([]byte, 54)
		fill(headers[i])
	}
	buf := make([]byte, slices.Max(benchFrameLens))
	ts := int64(sec0) * 1e9
	for i := range benchPackets {
		n := benchFrameLens[i%len(benchFrameLens)]
		fill(buf[:n])
		copy(buf, headers[rng.IntN(len(headers))])
		ts += 50_000
		if err := w.WritePacket(ts, buf[:n], n); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		b.Fatal(err)
	}
}

// pcapToPcapng rewrites a nanosecond pcap as pcapng, one EPB a record.
func pcapToPcapng(b *testing.B, pcap []byte) []byte {
	b.Helper()
	out := cat(ngSHB(le), ngIDB(le, uint16(LinkEthernet), 0, tsResol(le, 9)))
	for rest := pcap[pcapHeaderLen:]; len(rest) > 0; {
		sec, nsec := le.Uint32(rest), le.Uint32(rest[4:])
		capLen, wireLen := le.Uint32(rest[8:]), le.Uint32(rest[12:])
		data := rest[pcapRecordLen : pcapRecordLen+capLen]
		out = append(out, ngEPB(le, 0, uint64(sec)*1e9+uint64(nsec), data, wireLen)...)
		rest = rest[pcapRecordLen+capLen:]
	}
	return out
}

// BenchmarkReadPcap measures the raw reader: open, read every record and
// hash the file, without decoding. MB/s counts the uncompressed pcap.
func BenchmarkReadPcap(b *testing.B) {
	for _, variant := range []string{"pcap", "pcapng", "pcap.gz", "pcap.zst"} {
		b.Run(variant, func(b *testing.B) {
			path, size := benchCapture(b, variant)
			b.SetBytes(size)
			b.ReportAllocs()
			var n int
			for b.Loop() {
				src, err := Open([]string{path}, Options{})
				if err != nil {
					b.Fatal(err)
				}
				n = 0
				for _, err := range src.Packets(b.Context()) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != benchPackets {
					b.Fatalf("read %d packets, want %d", n, benchPackets)
				}
			}
			b.ReportMetric(float64(benchPackets)*float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
		})
	}
}
