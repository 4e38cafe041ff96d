package extract

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
)

// captureID fingerprints a batch of input files from their names, sizes
// and first MiB. It is known before any packet is read, so flow uids can be
// assigned as flows start; the full SHA-256 of every file is in the
// manifest.
func captureID(paths []string) (string, uint64, error) {
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return "", 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return "", 0, err
		}
		n, err := io.ReadFull(f, buf)
		f.Close()
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return "", 0, err
		}
		var hdr [8]byte
		binary.BigEndian.PutUint64(hdr[:], uint64(fi.Size()))
		h.Write([]byte(filepath.Base(p)))
		h.Write([]byte{0})
		h.Write(hdr[:])
		h.Write(buf[:n])
	}
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:16]), binary.BigEndian.Uint64(sum[16:24]), nil
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// uid derives a Zeek-style connection uid ("C" + 17 base62 characters) from
// the batch key, the flow's first packet ordinal and its segment. The
// mixing is a bijection of (ordinal, segment), so uids within a batch never
// collide.
func uid(key uint64, ordinal int64, segment int32) string {
	x := uint64(ordinal)<<16 ^ uint64(uint16(segment)) ^ key
	a := mix64(x)
	b := mix64(a ^ 0x9e3779b97f4a7c15)
	var out [18]byte
	out[0] = 'C'
	for i := 1; i < 18; i++ {
		if i <= 11 { // eleven base62 digits hold all 64 bits of a
			out[i] = base62[a%62]
			a /= 62
		} else {
			out[i] = base62[b%62]
			b /= 62
		}
	}
	return string(out[:])
}

// mix64 is the splitmix64 finaliser, an invertible 64-bit mixing function.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
