package dns

// Splitter cuts one direction of a DNS-over-TCP stream into messages at
// their two-byte length prefixes (RFC 1035 section 4.2.2, RFC 7766). It
// buffers at most one message (65535 bytes), and copies nothing when a
// message arrives whole in one chunk. The zero value is ready to use.
type Splitter struct {
	buf   []byte
	msg   int // length of the message being read; -1 while reading the prefix
	pre   [2]byte
	npre  int
	skip  int // bytes of a message lost in a gap still to discard
	dead  bool
	begun bool
}

// Desynced reports whether a gap destroyed the framing, after which the rest
// of the direction is ignored.
func (s *Splitter) Desynced() bool { return s.dead }

// Write feeds the next in-order bytes of the stream. fn is called once per
// complete message; its argument is valid only during the call.
func (s *Splitter) Write(b []byte, fn func(msg []byte)) {
	if !s.begun {
		s.begun, s.msg = true, -1
	}
	for len(b) > 0 && !s.dead {
		if s.skip > 0 {
			n := min(s.skip, len(b))
			s.skip -= n
			b = b[n:]
			continue
		}
		if s.msg < 0 {
			s.pre[s.npre] = b[0]
			s.npre++
			b = b[1:]
			if s.npre == 2 {
				s.msg = int(s.pre[0])<<8 | int(s.pre[1])
				s.npre = 0
				if s.msg == 0 {
					fn(nil)
					s.msg = -1
				}
			}
			continue
		}
		if len(s.buf) == 0 && len(b) >= s.msg {
			fn(b[:s.msg])
			b = b[s.msg:]
			s.msg = -1
			continue
		}
		n := min(s.msg-len(s.buf), len(b))
		s.buf = append(s.buf, b[:n]...)
		b = b[n:]
		if len(s.buf) == s.msg {
			fn(s.buf)
			s.buf = s.buf[:0]
			s.msg = -1
		}
	}
}

// Gap reports n bytes missing from the stream at this point. A gap that
// falls inside one message loses that message only; one that swallows a
// length prefix loses the framing for good, and Gap returns false.
func (s *Splitter) Gap(n int) bool {
	if !s.begun {
		s.begun, s.msg = true, -1
	}
	if s.dead || n <= 0 {
		return !s.dead
	}
	if s.skip > 0 {
		k := min(s.skip, n)
		s.skip -= k
		n -= k
		if n == 0 {
			return true
		}
	}
	if s.msg < 0 {
		s.dead = true
		s.buf = nil
		return false
	}
	rem := s.msg - len(s.buf)
	s.buf = s.buf[:0]
	s.msg = -1
	switch {
	case n < rem:
		s.skip = rem - n
	case n > rem:
		s.dead = true
		s.buf = nil
		return false
	}
	return true
}
