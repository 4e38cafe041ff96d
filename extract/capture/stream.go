package capture

import (
	"bufio"
	"errors"
	"io"
)

// byteStream hands out slices of a buffered reader without copying. A slice
// returned by take is valid until the next call to take or skip.
type byteStream struct {
	r   *bufio.Reader
	off int64
	big []byte // records longer than the bufio buffer are copied here
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
