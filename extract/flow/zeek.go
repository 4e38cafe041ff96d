package flow

// likelyServerPorts is Zeek's default likely_server_ports: the server ports
// that the analyzers loaded by a default Zeek install register
// (scripts/base/protocols/*/main.zeek and scripts/base/packet-protocols/,
// Analyzer::register_for_ports adds its server ports to the set). Zeek uses
// it to pick the originator when a connection does not start with a SYN.
var likelyServerTCP, likelyServerUDP [65536 / 64]uint64

func init() {
	tcp := []uint16{
		21, 22, 25, 53, 79, 80, 81, 88, 135, 139, 143, 389, 443, 445, 465, 502,
		514, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434,
		1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666,
		6667, 6668, 6669, 8000, 8080, 8888, 20000,
	}
	udp := []uint16{
		53, 67, 88, 123, 137, 161, 162, 389, 443, 514, 1812, 2123, 2152, 3389,
		3544, 4011, 4754, 4789, 5060, 5072, 5353, 5355, 6081, 20000,
	}
	for _, p := range tcp {
		likelyServerTCP[p/64] |= 1 << (p % 64)
	}
	for _, p := range udp {
		likelyServerUDP[p/64] |= 1 << (p % 64)
	}
}

func likelyServer(proto uint8, port uint16) bool {
	switch proto {
	case 6:
		return likelyServerTCP[port/64]&(1<<(port%64)) != 0
	case 17:
		return likelyServerUDP[port/64]&(1<<(port%64)) != 0
	}
	return false
}

// Zeek TCP endpoint states (TCP_Endpoint.h).
const (
	tcpInactive uint8 = iota
	tcpSynSent
	tcpSynAckSent
	tcpPartial
	tcpEstablished
	tcpClosed
	tcpReset
)

// History mask bits (TCP_Endpoint.h, UDP.cc); responder bits are shifted
// left by 16.
const (
	histSYN      = 0x1
	histFIN      = 0x2
	histRST      = 0x4
	histFINRST   = 0x8
	histData     = 0x10
	histACK      = 0x20
	histMulti    = 0x40
	histUDPOrig  = 0x1
	histUDPResp  = 0x2
	tooLargeSeqD = 1048576 // TOO_LARGE_SEQ_DELTA in TCPSessionAdapter.cc
)

func seqDelta(a, b uint32) int32 { return int32(a - b) }

// OrigSize and RespSize are Zeek's endpoint sizes (orig_bytes and
// resp_bytes): for TCP from sequence numbers, for UDP the UDP lengths,
// for ICMP the bytes after the ICMP header.
func (f *Flow) OrigSize() int64 { return f.size(f.origIdx) }

// RespSize: see OrigSize.
func (f *Flow) RespSize() int64 { return f.size(f.origIdx ^ 1) }

func (f *Flow) size(s uint8) int64 {
	e := &f.ep[s]
	if f.Key.Proto == 6 {
		// Zeek's size can shrink (a FIN below the last sequence number
		// makes it one less; a SYN then RST with no reply sizes as 0):
		// a segment's share is never negative.
		return max(e.tcpSize(&f.ep[s^1])-e.sizeBase, 0)
	}
	return e.size
}

// ConnState is Zeek's conn_state() (scripts/base/protocols/conn/main.zeek).
func (f *Flow) ConnState() string {
	o, r := f.Orig(), f.Resp()
	switch f.Key.Proto {
	case 6:
		os, rs := o.state, r.state
		oInactive := os == tcpInactive || os == tcpPartial
		rInactive := rs == tcpInactive || rs == tcpPartial
		switch {
		case rs == tcpReset:
			if os == tcpSynSent || os == tcpSynAckSent || (os == tcpReset && f.OrigSize() == 0 && f.RespSize() == 0) {
				return "REJ"
			}
			if oInactive {
				return "RSTRH"
			}
			return "RSTR"
		case os == tcpReset:
			if rInactive {
				if rstos0(f.History()) {
					return "RSTOS0"
				}
				return "OTH"
			}
			return "RSTO"
		case rs == tcpClosed && os == tcpClosed:
			return "SF"
		case os == tcpClosed:
			if rInactive {
				return "SH"
			}
			return "S2"
		case rs == tcpClosed:
			if oInactive {
				return "SHR"
			}
			return "S3"
		case os == tcpSynSent && rs == tcpInactive:
			return "S0"
		case os == tcpEstablished && rs == tcpEstablished:
			return "S1"
		}
		return "OTH"
	case 17:
		switch {
		case o.udpActive && r.udpActive:
			return "SF"
		case o.udpActive:
			return "S0"
		case r.udpActive:
			return "SHR"
		}
	}
	return "OTH"
}

// rstos0 matches Zeek's /\^?S[^HAFGIQ]*R.*/ against the whole history.
func rstos0(h string) bool {
	if len(h) > 0 && h[0] == '^' {
		h = h[1:]
	}
	if len(h) == 0 || h[0] != 'S' {
		return false
	}
	for i := 1; i < len(h); i++ {
		switch h[i] {
		case 'R':
			return true
		case 'H', 'A', 'F', 'G', 'I', 'Q':
			return false
		}
	}
	return false
}
