package capture

import (
	"bufio"
	"errors"
	"io"
	"sync/atomic"
)

// byteStream hands out slices of a buffered reader without copying. A slice
// returned by take is valid until the next call to take or skip.
type byteStream struct {
	r   *bufio.Reader
	mem []byte // the whole input, when it is a mapped file
	off int64
	big []byte // records longer than the bufio buffer are copied here
	// progress mirrors off for readers on other goroutines (mapped files).
	progress atomic.Int64
}

func newMemStream(mem []byte) *byteStream { return &byteStream{mem: mem} }

// peek returns up to n bytes without consuming them.
func (s *byteStream) peek(n int) []byte {
	if s.mem != nil {
		return s.mem[s.off:min(int64(len(s.mem)), s.off+int64(n))]
	}
	b, _ := s.r.Peek(n)
	return b
}

const streamBufSize = 1 << 20

func newByteStream(r io.Reader) *byteStream {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < streamBufSize {
		br = bufio.NewReaderSize(r, streamBufSize)
	}
	return &byteStream{r: br}
}

// take returns the next n bytes. At a clean end of input it returns io.EOF;
// when fewer than n bytes remain it returns io.ErrUnexpectedEOF.
func (s *byteStream) take(n int) ([]byte, error) {
	if s.mem != nil {
		left := int64(len(s.mem)) - s.off
		if int64(n) > left {
			s.off = int64(len(s.mem))
			return nil, shortRead(int(left), nil)
		}
		b := s.mem[s.off : s.off+int64(n) : s.off+int64(n)]
		s.off += int64(n)
		if s.off&(1<<16-1) < int64(n) { // publish progress about every 64 KiB
			s.progress.Store(s.off)
		}
		return b, nil
	}
	if n <= s.r.Size() {
		b, err := s.r.Peek(n)
		if len(b) < n {
			return nil, shortRead(len(b), err)
		}
		_, _ = s.r.Discard(n)
		s.off += int64(n)
		return b, nil
	}
	if cap(s.big) < n {
		s.big = make([]byte, n)
	}
	b := s.big[:n]
	m, err := io.ReadFull(s.r, b)
	s.off += int64(m)
	if m < n {
		return nil, shortRead(m, err)
	}
	return b, nil
}

// skip discards n bytes.
func (s *byteStream) skip(n int) error {
	if s.mem != nil {
		_, err := s.take(n)
		return err
	}
	m, err := s.r.Discard(n)
	s.off += int64(m)
	if m < n {
		return shortRead(m, err)
	}
	return nil
}

func shortRead(got int, err error) error {
	if got == 0 && (err == nil || errors.Is(err, io.EOF)) {
		return io.EOF
	}
	if err == nil || errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
