package datasets

import "math/rand/v2"

// noiseLen is the size of the table that stands in for ciphertext and
// compressed content. Payload bytes are slices of it at seeded offsets:
// every packet still looks uniformly random (a 1,448-byte segment never
// repeats itself), but a whole capture compresses well because recent
// packets cover the table many times over inside gzip's 32 KiB window,
// which is what keeps the committed demo capture small.
const noiseLen = 1 << 12

var noise = func() (t [noiseLen]byte) {
	r := rand.NewChaCha8([32]byte{'f', 'l', 'o', 'w', 's', 'i', 'f', 't'})
	_, _ = r.Read(t[:])
	return t
}()

// noiseFill fills dst with the table starting at pos.
func noiseFill(dst []byte, pos uint64) {
	p := int(pos % noiseLen)
	for len(dst) > 0 {
		n := copy(dst, noise[p:])
		dst = dst[n:]
		p = 0
	}
}

// noiseBytes returns n table bytes from a random offset, for large
// ciphertext-like blobs (key shares, encrypted handshake records,
// signatures); small random fields use truly random bytes.
func noiseBytes(r interface{ Uint64() uint64 }, n int) []byte {
	b := make([]byte, n)
	noiseFill(b, r.Uint64())
	return b
}
