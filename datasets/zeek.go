package datasets

// This file is an independent model of how Zeek 8/9 labels a connection:
// conn_state, history, originator flips and the duration that excludes
// trailing packets. It follows Zeek's TCPSessionAdapter.cc, TCP_Endpoint.cc,
// TCP.cc/UDP.cc (WantConnection) and conn/main.zeek (conn_state), restricted
// to what matters for packets without checksum errors, gaps or
// retransmissions, which the generator never emits.

// zstate is a TCP endpoint state as Zeek names them.
type zstate uint8

const (
	zInactive zstate = iota
	zSynSent
	zSynAckSent
	zPartial
	zEstablished
	zClosed
	zReset
)

// History bits; the responder's bits are shifted left by 16 as in Zeek.
const (
	histSYN   = 1 << 0
	histFIN   = 1 << 1
	histRST   = 1 << 2
	histACK   = 1 << 3
	histDATA  = 1 << 4
	histFINRS = 1 << 5
	histMULTI = 1 << 6
	histUDPD  = 1 << 7
)

type zend struct {
	state, prev zstate
	startSeq    uint32
	lastSYN     int64
	lastFIN     int64
	lastRST     int64
	didClose    bool
	size        int64
}

func (e *zend) set(s zstate) {
	if s != e.state {
		e.prev = e.state
		e.state = s
	}
}

func (e *zend) inactive() bool { return e.state == zInactive || e.state == zPartial }

// zconn follows one connection in Zeek's orientation: end[0] is Zeek's
// originator, which is the generator's responder when swapped: the
// connection was flipped, or its first packet captured came from the
// responder (a connection already running when the capture started).
type zconn struct {
	proto   uint8
	flipped bool // Zeek flipped the roles ("^")
	swapped bool
	noFlip  bool // the first packet goes to 255.255.255.255
	started bool
	end     [2]zend
	seen    uint32
	hist    []byte
	first   int64
	last    int64 // Zeek's last_time: not advanced once both sides closed
}

// likelyServer reports whether Zeek's default likely_server_ports (the
// server ports of the analyzers in scripts/base) contain port for the
// transport; Zeek guesses the responder from it for connections that do not
// start with a bare SYN.
func likelyServer(proto uint8, port uint16) bool {
	switch proto {
	case protoTCP:
		switch port {
		case 21, 22, 25, 79, 80, 81, 88, 135, 139, 143, 389, 443, 445, 465, 502, 514, 563,
			585, 587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434, 1883, 2811,
			3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668,
			6669, 8000, 8080, 8888, 20000:
			return true
		}
	case protoUDP:
		switch port {
		case 53, 67, 88, 123, 137, 161, 162, 389, 443, 514, 784, 853, 1812, 2123, 2152,
			3389, 3544, 4011, 4754, 4789, 5060, 5072, 5353, 5355, 6081, 20000:
			return true
		}
	}
	return false
}

// wantFlip is Zeek's WantConnection decision for the first packet of a
// connection, sent from sport to dport.
func wantFlip(proto uint8, sport, dport uint16, flags uint8) bool {
	switch proto {
	case protoTCP:
		if flags&flagSYN != 0 && flags&flagACK == 0 {
			return false
		}
		if !likelyServer(proto, sport) {
			return false
		}
		if likelyServer(proto, dport) {
			return flags&flagSYN == 0 && sport < dport
		}
		return true
	case protoUDP:
		return likelyServer(proto, sport) && !likelyServer(proto, dport)
	}
	return false
}

func (z *zconn) addHist(c byte) { z.hist = append(z.hist, c) }

// check records code once per direction and reports whether it had been
// seen before (Zeek's Session::CheckHistory returns true then).
func (z *zconn) check(mask uint32, code byte, orig bool) bool {
	if !orig {
		mask <<= 16
		code += 'a' - 'A'
	}
	if z.seen&mask == 0 {
		z.seen |= mask
		z.addHist(code)
		return false
	}
	return true
}

func (z *zconn) add(code byte, orig bool) {
	if !orig {
		code += 'a' - 'A'
	}
	z.addHist(code)
}

// packet feeds one packet. fromInit says whether the generator's initiator
// sent it; the return value says whether Zeek counts it for its originator.
func (z *zconn) packet(ts int64, fromInit bool, sport, dport uint16, flags uint8, seq uint32, n int) (orig bool) {
	if !z.started {
		z.started = true
		z.first = ts
		z.flipped = !z.noFlip && wantFlip(z.proto, sport, dport, flags)
		if z.flipped {
			z.addHist('^')
		}
		// Zeek's originator is the first packet's sender unless it flips.
		z.swapped = z.flipped == fromInit
	}
	orig = fromInit != z.swapped
	switch z.proto {
	case protoTCP:
		z.tcp(ts, orig, flags, seq, n)
	case protoUDP:
		z.check(histUDPD, 'D', orig)
		z.end[side(orig)].state = zEstablished // "UDP_ACTIVE"
		z.end[side(orig)].size += int64(n)
		z.last = ts
	default:
		z.end[side(orig)].size += int64(n)
		z.last = ts
	}
	return orig
}

func side(orig bool) int {
	if orig {
		return 0
	}
	return 1
}

func (z *zconn) tcp(ts int64, orig bool, flags uint8, seq uint32, n int) {
	ep, peer := &z.end[side(orig)], &z.end[side(!orig)]
	syn, fin, rst, ack := flags&flagSYN != 0, flags&flagFIN != 0, flags&flagRST != 0, flags&flagACK != 0

	// init_endpoint
	switch ep.state {
	case zInactive:
		if syn {
			ep.startSeq = seq
		} else {
			ep.startSeq = seq - 1
		}
	case zSynSent, zSynAckSent:
		if syn && seq != ep.startSeq {
			ep.startSeq = seq
		}
	case zEstablished, zPartial:
		if syn {
			ep.startSeq = seq
		}
	}
	rel := int64(int32(seq - ep.startSeq))

	// update_history
	nbits := 0
	for _, b := range []bool{syn, fin, rst} {
		if b {
			nbits++
		}
	}
	switch {
	case nbits > 1:
		if fin && rst {
			z.check(histFINRS, 'I', orig)
		} else {
			z.check(histMULTI, 'Q', orig)
		}
	case nbits == 1:
		if syn {
			code := byte('S')
			if ack {
				code = 'H'
			}
			if z.check(histSYN, code, orig) && rel != ep.lastSYN {
				z.add(code, orig)
			}
			ep.lastSYN = rel
		}
		if fin {
			if z.check(histFIN, 'F', orig) && rel+int64(n) != ep.lastFIN {
				z.add('F', orig)
			}
			ep.lastFIN = rel + int64(n)
		}
		if rst {
			if z.check(histRST, 'R', orig) && rel != ep.lastRST {
				z.add('R', orig)
			}
			ep.lastRST = rel
		}
	default:
		if n > 0 || ack {
			code, mask := byte('A'), uint32(histACK)
			if n > 0 {
				code, mask = 'D', histDATA
			}
			if string(z.hist) == "H" {
				// A connection that began with an unflipped SYN-ACK flips
				// once productive traffic shows up (TCP_Endpoint::CheckHistory).
				z.end[0], z.end[1] = z.end[1], z.end[0]
				z.flipped = !z.flipped
				z.swapped = !z.swapped
				z.hist = append(z.hist[:0], '^', 'h')
				z.seen = histSYN << 16
				orig = !orig
				ep, peer = &z.end[side(orig)], &z.end[side(!orig)]
			}
			z.check(mask, code, orig)
		}
	}

	if !z.end[0].didClose || !z.end[1].didClose {
		z.last = ts
	}
	if !rst && n > 0 {
		ep.size += int64(n)
	}

	// UpdateStateMachine
	doClose := false
	switch ep.state {
	case zInactive:
		if syn {
			if orig {
				if ack {
					ep.set(zSynAckSent)
				} else {
					ep.set(zSynSent)
				}
			} else {
				if peer.state == zSynSent {
					peer.set(zEstablished)
				}
				ep.set(zEstablished)
			}
		}
		if fin {
			ep.set(zClosed)
			doClose = true
		}
		if rst {
			ep.set(zReset)
			doClose = true
		}
		if ep.state == zInactive {
			switch {
			case !orig && n == 0 && z.end[0].state == zSynSent:
			case ack && peer.state == zEstablished:
				ep.set(zEstablished)
			default:
				ep.set(zPartial)
			}
		}
	case zSynSent, zSynAckSent:
		if fin {
			ep.set(zClosed)
			doClose = true
		}
		if rst {
			ep.set(zReset)
			doClose = true
		}
	case zEstablished, zPartial:
		if syn && ep.state == zPartial && peer.state == zInactive && !ack {
			ep.set(zSynSent)
		}
		if fin && !rst {
			ep.set(zClosed)
			if peer.state == zReset && peer.prev == zClosed {
				peer.set(zClosed)
			}
			doClose = true
		}
		if rst {
			ep.set(zReset)
			doClose = true
		}
	case zClosed:
		if rst && peer.state != zClosed {
			ep.set(zReset)
			if !ep.didClose {
				doClose = true
			}
		}
	}
	if doClose {
		ep.didClose = true
	}
}

// size is the endpoint's byte count as Zeek's TCP_Endpoint::Size reports it.
func (z *zconn) size(i int) int64 {
	e, p := &z.end[i], &z.end[1-i]
	if e.prev == zSynSent && e.state == zReset && p.state == zInactive {
		return 0
	}
	return e.size
}

// state is Zeek's conn_state().
func (z *zconn) state() string {
	os, rs := z.end[0].state, z.end[1].state
	oIn, rIn := z.end[0].inactive(), z.end[1].inactive()
	switch z.proto {
	case protoTCP:
		switch {
		case rs == zReset:
			if os == zSynSent || os == zSynAckSent || (os == zReset && z.size(0) == 0 && z.size(1) == 0) {
				return "REJ"
			}
			if oIn {
				return "RSTRH"
			}
			return "RSTR"
		case os == zReset:
			if rIn {
				if rstos0(z.hist) {
					return "RSTOS0"
				}
				return "OTH"
			}
			return "RSTO"
		case rs == zClosed && os == zClosed:
			return "SF"
		case os == zClosed:
			if rIn {
				return "SH"
			}
			return "S2"
		case rs == zClosed:
			if oIn {
				return "SHR"
			}
			return "S3"
		case os == zSynSent && rs == zInactive:
			return "S0"
		case os == zEstablished && rs == zEstablished:
			return "S1"
		}
		return "OTH"
	case protoUDP:
		oa, ra := z.end[0].state != zInactive, z.end[1].state != zInactive
		switch {
		case oa && ra:
			return "SF"
		case oa:
			return "S0"
		case ra:
			return "SHR"
		}
		return "OTH"
	}
	return "OTH"
}

// rstos0 matches history against ^\^?S[^HAFGIQ]*R.*$ without a regexp.
func rstos0(h []byte) bool {
	if len(h) > 0 && h[0] == '^' {
		h = h[1:]
	}
	if len(h) == 0 || h[0] != 'S' {
		return false
	}
	for _, c := range h[1:] {
		switch c {
		case 'R':
			return true
		case 'H', 'A', 'F', 'G', 'I', 'Q':
			return false
		}
	}
	return false
}
