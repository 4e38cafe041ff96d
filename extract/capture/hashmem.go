package capture

import (
	"crypto/sha256"
	"encoding/hex"
)

// memHash computes the SHA-256 of a mapped file on its own goroutine, so
// that hashing overlaps decoding.
type memHash struct {
	done chan struct{}
	sum  string
}

func newMemHash(mem []byte) *memHash {
	h := &memHash{done: make(chan struct{})}
	go func() {
		s := sha256.Sum256(mem)
		h.sum = hex.EncodeToString(s[:])
		close(h.done)
	}()
	return h
}

// wait returns the digest once the hash is complete; it may be called
// any number of times.
func (h *memHash) wait() string {
	<-h.done
	return h.sum
}
