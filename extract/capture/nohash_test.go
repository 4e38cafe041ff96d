package capture

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// TestNoHash reads a plain (memory-mapped) and a compressed (streamed)
// capture with and without hashing: the packets are the same, and only the
// hashing run records the file's SHA-256.
func TestNoHash(t *testing.T) {
	o := binary.LittleEndian
	raw := pcapHeader(o, 0xa1b2c3d4, 65535, 1)
	for i := range 50 {
		raw = append(raw, pcapRec(o, uint32(i), 0, frame(byte(i), 60), 60)...)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
	}{{"plain.pcap", raw}, {"c.pcap.gz", gzipped(t, raw)}} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, tc.name, tc.data)
			sum := sha256.Sum256(tc.data)
			for _, noHash := range []bool{false, true} {
				src, err := Open([]string{path}, Options{NoHash: noHash})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, err := range src.Packets(context.Background()) {
					if err != nil {
						t.Fatal(err)
					}
					n++
				}
				want := hex.EncodeToString(sum[:])
				if noHash {
					want = ""
				}
				if got := src.Files()[0].SHA256; n != 50 || got != want {
					t.Errorf("NoHash %v: %d packets, sha256 %q; want 50 and %q", noHash, n, got, want)
				}
			}
		})
	}
}
