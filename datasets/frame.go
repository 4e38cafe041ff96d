package datasets

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// IP protocol numbers.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// TCP flag bits as they sit in the header's flags byte.
const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagPSH = 0x08
	flagACK = 0x10
)

const (
	ethHdrLen = 14
	ip4HdrLen = 20
	ip6HdrLen = 40
	// minFrame is the smallest Ethernet frame without FCS; shorter frames
	// are zero-padded on the wire, and a SPAN port or tap records the padding.
	minFrame = 60
	// maxFrame bounds every frame the generator builds (jumbo frames are not
	// generated; the largest IP packet is 1500 bytes).
	maxFrame = ethHdrLen + 1500
)

// ipHdr holds the link and network fields of one packet.
type ipHdr struct {
	srcMAC, dstMAC [6]byte
	src, dst       netip.Addr
	ttl            uint8 // hop limit for IPv6
	id             uint16
	df             bool
	label          uint32 // IPv6 flow label
}

// builder assembles frames in one reusable buffer: a frame is valid until
// the next call.
type builder struct {
	buf [maxFrame + minFrame]byte
}

// start writes the Ethernet and IP headers for an IP payload of l4len bytes
// and returns the whole frame and its transport part.
func (b *builder) start(h *ipHdr, proto uint8, l4len int) (frame, l4 []byte) {
	f := b.buf[:]
	copy(f[0:6], h.dstMAC[:])
	copy(f[6:12], h.srcMAC[:])
	if h.src.Is4() {
		binary.BigEndian.PutUint16(f[12:], 0x0800)
		ip := f[ethHdrLen : ethHdrLen+ip4HdrLen]
		ip[0] = 0x45
		ip[1] = 0
		binary.BigEndian.PutUint16(ip[2:], uint16(ip4HdrLen+l4len))
		binary.BigEndian.PutUint16(ip[4:], h.id)
		if h.df {
			binary.BigEndian.PutUint16(ip[6:], 0x4000)
		} else {
			binary.BigEndian.PutUint16(ip[6:], 0)
		}
		ip[8] = h.ttl
		ip[9] = proto
		ip[10], ip[11] = 0, 0
		s, d := h.src.As4(), h.dst.As4()
		copy(ip[12:16], s[:])
		copy(ip[16:20], d[:])
		binary.BigEndian.PutUint16(ip[10:], ^fold(sum(ip, 0)))
		n := ethHdrLen + ip4HdrLen + l4len
		return f[:n], f[ethHdrLen+ip4HdrLen : n]
	}
	binary.BigEndian.PutUint16(f[12:], 0x86dd)
	ip := f[ethHdrLen : ethHdrLen+ip6HdrLen]
	binary.BigEndian.PutUint32(ip[0:], 6<<28|h.label&0xfffff)
	binary.BigEndian.PutUint16(ip[4:], uint16(l4len))
	ip[6] = proto
	ip[7] = h.ttl
	s, d := h.src.As16(), h.dst.As16()
	copy(ip[8:24], s[:])
	copy(ip[24:40], d[:])
	n := ethHdrLen + ip6HdrLen + l4len
	return f[:n], f[ethHdrLen+ip6HdrLen : n]
}

// seal computes the transport checksum of a frame built by start and
// returns the frame padded to the Ethernet minimum.
func (b *builder) seal(frame []byte, proto uint8) []byte {
	var l4 []byte
	var s uint64
	if binary.BigEndian.Uint16(frame[12:]) == 0x0800 {
		ip := frame[ethHdrLen:]
		l4 = frame[ethHdrLen+ip4HdrLen:]
		if proto != protoICMP {
			s = pseudo4(ip[12:20], proto, len(l4))
		}
	} else {
		ip := frame[ethHdrLen:]
		l4 = frame[ethHdrLen+ip6HdrLen:]
		s = pseudo6(ip[8:40], proto, len(l4))
	}
	var off int
	switch proto {
	case protoTCP:
		off = 16
	case protoUDP:
		off = 6
	default: // ICMP, ICMPv6
		off = 2
	}
	l4[off], l4[off+1] = 0, 0
	c := ^fold(sum(l4, s))
	if proto == protoUDP && c == 0 {
		c = 0xffff // zero means "no checksum" in UDP
	}
	binary.BigEndian.PutUint16(l4[off:], c)
	if n := len(frame); n < minFrame {
		clear(b.buf[n:minFrame])
		frame = b.buf[:minFrame]
	}
	return frame
}

func pseudo4(addrs []byte, proto uint8, l4len int) uint64 {
	s := sum(addrs, 0)
	return s + uint64(proto) + uint64(l4len)
}

func pseudo6(addrs []byte, proto uint8, l4len int) uint64 {
	s := sum(addrs, 0)
	return s + uint64(proto) + uint64(l4len)
}

// sum adds b to the running one's-complement sum s, eight bytes at a time:
// 2^64-1 is a multiple of 2^16-1, so an end-around-carry sum of 64-bit
// words folds to the same 16-bit result as the RFC 1071 word sum.
func sum(b []byte, s uint64) uint64 {
	var c uint64
	for len(b) >= 8 {
		s, c = bits.Add64(s, binary.BigEndian.Uint64(b), 0)
		s += c
		b = b[8:]
	}
	if len(b) >= 4 {
		s, c = bits.Add64(s, uint64(binary.BigEndian.Uint32(b)), 0)
		s += c
		b = b[4:]
	}
	if len(b) >= 2 {
		s, c = bits.Add64(s, uint64(binary.BigEndian.Uint16(b)), 0)
		s += c
		b = b[2:]
	}
	if len(b) == 1 {
		s, c = bits.Add64(s, uint64(b[0])<<8, 0)
		s += c
	}
	return s
}

func fold(s uint64) uint16 {
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint16(s)
}

// tcpHdr is the transport header of one TCP segment; opts is already
// padded to a multiple of four bytes.
type tcpHdr struct {
	sport, dport uint16
	seq, ack     uint32
	flags        uint8
	win          uint16
	opts         []byte
}

// tcp starts a TCP frame with room for n payload bytes and returns the
// frame and the payload slice to fill before seal.
func (b *builder) tcp(h *ipHdr, t *tcpHdr, n int) (frame, payload []byte) {
	hl := 20 + len(t.opts)
	frame, l4 := b.start(h, protoTCP, hl+n)
	binary.BigEndian.PutUint16(l4[0:], t.sport)
	binary.BigEndian.PutUint16(l4[2:], t.dport)
	binary.BigEndian.PutUint32(l4[4:], t.seq)
	binary.BigEndian.PutUint32(l4[8:], t.ack)
	l4[12] = byte(hl/4) << 4
	l4[13] = t.flags
	binary.BigEndian.PutUint16(l4[14:], t.win)
	l4[16], l4[17], l4[18], l4[19] = 0, 0, 0, 0
	copy(l4[20:], t.opts)
	return frame, l4[hl:]
}

// udp starts a UDP frame with n payload bytes.
func (b *builder) udp(h *ipHdr, sport, dport uint16, n int) (frame, payload []byte) {
	frame, l4 := b.start(h, protoUDP, 8+n)
	binary.BigEndian.PutUint16(l4[0:], sport)
	binary.BigEndian.PutUint16(l4[2:], dport)
	binary.BigEndian.PutUint16(l4[4:], uint16(8+n))
	return frame, l4[8:]
}

// icmp starts an ICMP (or ICMPv6, by address family) frame whose 8-byte
// header carries type, code and the 32-bit rest-of-header field.
func (b *builder) icmp(h *ipHdr, typ, code uint8, rest uint32, n int) (frame, payload []byte, proto uint8) {
	proto = protoICMP
	if !h.src.Is4() {
		proto = protoICMPv6
	}
	frame, l4 := b.start(h, proto, 8+n)
	l4[0], l4[1] = typ, code
	binary.BigEndian.PutUint32(l4[4:], rest)
	return frame, l4[8:], proto
}
