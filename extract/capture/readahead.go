package capture

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"sync"
	"sync/atomic"
)

// readAhead reads a file in large chunks on its own goroutine and hashes the
// raw bytes there, so that I/O and SHA-256 overlap with decoding.
type readAhead struct {
	chunks chan chunk
	free   chan []byte
	cur    []byte
	curBuf []byte
	err    error
	done   chan struct{}
	once   sync.Once
	sum    hash.Hash
	raw    atomic.Int64 // raw bytes read from the file so far (progress)
	wg     sync.WaitGroup
}

type chunk struct {
	b   []byte
	err error
}

const (
	readAheadChunk = 1 << 20
	readAheadDepth = 4
)

func newReadAhead(r io.Reader, hash bool) *readAhead {
	ra := &readAhead{
		chunks: make(chan chunk, readAheadDepth),
		free:   make(chan []byte, readAheadDepth+2),
		done:   make(chan struct{}),
	}
	if hash {
		ra.sum = sha256.New()
	}
	for range readAheadDepth + 2 {
		ra.free <- make([]byte, readAheadChunk)
	}
	ra.wg.Add(1)
	go ra.fill(r)
	return ra
}

func (ra *readAhead) fill(r io.Reader) {
	defer ra.wg.Done()
	defer close(ra.chunks)
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if ra.sum != nil {
				ra.sum.Write(buf[:n])
			}
			ra.raw.Add(int64(n))
		}
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case ra.chunks <- chunk{b: buf[:n], err: err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.curBuf != nil {
			ra.free <- ra.curBuf[:cap(ra.curBuf)]
			ra.curBuf = nil
		}
		c, ok := <-ra.chunks
		if !ok {
			ra.err = io.EOF
			return 0, io.EOF
		}
		ra.cur, ra.curBuf, ra.err = c.b, c.b, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// SHA256 reads whatever the consumer left unread (a file whose framing was
// lost still hashes whole) and returns the hex digest of the file, or ""
// when it was opened without hashing.
func (ra *readAhead) SHA256() string {
	if ra.sum == nil {
		ra.Close()
		return ""
	}
	for ra.err == nil {
		if ra.curBuf != nil {
			ra.free <- ra.curBuf[:cap(ra.curBuf)]
			ra.curBuf = nil
		}
		c, ok := <-ra.chunks
		if !ok {
			break
		}
		ra.curBuf, ra.err = c.b, c.err
	}
	ra.cur = nil
	ra.Close()
	return hex.EncodeToString(ra.sum.Sum(nil))
}

// Close stops the reading goroutine.
func (ra *readAhead) Close() {
	ra.once.Do(func() { close(ra.done) })
	ra.wg.Wait()
}
