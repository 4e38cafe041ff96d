package flow

import (
	"flowsift/extract/decode"
)

// SPLTLen is the number of early packets whose size, direction and timing
// each flow keeps (the splt_* columns).
const SPLTLen = 16

// histCap bounds a flow's history string, like Zeek's analyzer limits.
const histCap = 64

// Endpoint is one side of a flow: Zeek's TCP endpoint state and the
// per-direction counters. Endpoints never move inside a flow; a role flip
// only changes which of the two is the originator.
type Endpoint struct {
	tcpState
	Counters
}

// tcpState is Zeek's TCP endpoint (TCP_Endpoint.h) with content-gap
// tracking. It carries over into the next segment of a flow split by the
// active timeout.
type tcpState struct {
	state, prevState    uint8
	startSeq            int64
	lastSeq, ackSeq     uint32
	seqWraps, ackWraps  uint32
	finCnt, rstCnt      uint32
	finSeq              uint64
	didClose            bool
	histLastSYN         uint64
	histLastFIN         uint64
	histLastRST         uint64
	rxmtCnt, rxmtThresh uint32
	win0Cnt, win0Thresh uint32
	gapCnt, gapThresh   uint32
	contig              uint64 // relative sequence number one past the contiguous data seen
	holes               holeSet
	ackedTo             uint64    // highest acknowledgement processed for gap accounting
	sizeBase            int64     // TCP size at the start of this segment
	recentHdr           [2]uint64 // fingerprints of the last two packets' headers
}

// Counters are the per-direction counters of one flow segment.
type Counters struct {
	missed          int64 // bytes acknowledged by the peer but never seen
	udpActive       bool
	size            int64 // Zeek endpoint size for UDP and ICMP
	Pkts            int64
	L2Bytes         int64
	IPBytes         int64
	PayloadBytes    int64
	L4HdrBytes      int64
	L4HdrMin        int32
	DataPkts        int64
	FlagPkts        [8]int64 // FIN SYN RST PSH ACK URG ECE CWR
	InitWin         int32    // -1 until the first TCP packet
	WScale, MSS     int32    // -1 when absent
	RetransPkts     int64
	ZeroWinPkts     int64
	TTLMin, TTLMax  int32
	FirstTS, LastTS int64
	PS, PL, IAT     welford
	Bulk            bulk
	MAC             [6]byte
	HasMAC          bool
}

// Flow is the state of one bidirectional flow.
type Flow struct {
	Key     Key
	ep      [2]Endpoint // indexed by key side: 0 = A, 1 = B
	origIdx uint8       // which key side is the originator

	// Lifecycle and provenance.
	// Ordinal identifies the flow's first packet and header: the packet's
	// batch ordinal times MaxTunnelDepth+1, plus 0 for the packet's own
	// header or i+1 for its i-th tunnel header (outermost first). It is
	// unique per flow and orders flows by their first packet.
	Ordinal    int64
	File       int   // capture file of the first packet
	FirstPktNo int64 // frame number of the first packet in File
	Segment    int32
	StartTS    int64 // first packet of this segment
	LastTS     int64 // last packet
	zeekLast   int64 // Zeek's last_time: not advanced by packets after both sides closed
	ICMPType   int16 // -1 when not ICMP
	ICMPCode   int16
	VLAN       uint16
	InnerVLAN  uint16
	NumVLANs   uint8
	Tunnel     decode.TunnelType
	TunnelOrig decode.Addr // outermost tunnel endpoints
	TunnelResp decode.Addr
	TunnelVer  uint8
	// ParentOrdinal and ParentSegment identify the UDP flow that carried
	// this one through a tunnel (ParentOrdinal -1: none).
	ParentOrdinal int64
	ParentSegment int32

	// Zeek connection state.
	hist     [histCap]byte
	histLen  uint8
	histSeen uint32
	firstIdx uint8 // key side of the first packet's sender
	dns      bool  // carries DNS: a shorter idle timeout over UDP
	// SCTPPorts are the SCTP ports by key side (the key itself has none).
	SCTPPorts [2]uint16
	closedAt  int64 // clock time when the close became complete (TCP)
	partialAt int64
	synAt     int64 // clock time of the originator's first SYN

	// Statistics over both directions.
	PS, PL, IAT welford
	Act         activity
	Subflows    int32
	SPLTLen     int
	SPLTSize    [SPLTLen]int32
	SPLTIAT     [SPLTLen]int64
	spltFromB   uint16 // bit i: packet i was sent by key side B
	synTS       int64
	synAckTS    int64
	ackTS       int64
	DupPkts     int64
	TruncPkts   int64
	FragPkts    int64

	// Ext is the extract stage's per-flow state (protocol parsers).
	Ext any

	// Table bookkeeping.
	idx        int32
	class      uint8
	prev, next int32
	agePrev    int32
	ageNext    int32
	ageStart   int64
	lastClock  int64
}

// OrigSide returns the key side (0 = A, 1 = B) of the originator.
func (f *Flow) OrigSide() uint8 { return f.origIdx }

// Orig returns the originator endpoint.
func (f *Flow) Orig() *Endpoint { return &f.ep[f.origIdx] }

// Resp returns the responder endpoint.
func (f *Flow) Resp() *Endpoint { return &f.ep[f.origIdx^1] }

// OrigAddr returns the originator's address and port.
func (f *Flow) OrigAddr() (*decode.Addr, uint16) {
	if f.origIdx == 0 {
		return &f.Key.A, f.Key.PA
	}
	return &f.Key.B, f.Key.PB
}

// RespAddr returns the responder's address and port.
func (f *Flow) RespAddr() (*decode.Addr, uint16) {
	if f.origIdx == 0 {
		return &f.Key.B, f.Key.PB
	}
	return &f.Key.A, f.Key.PA
}

// History returns the Zeek history string.
func (f *Flow) History() string { return string(f.hist[:f.histLen]) }

// Flipped reports whether the originator is not the first packet's sender.
func (f *Flow) Flipped() bool { return f.origIdx != f.firstIdx }

// SPLTDir returns the direction of early packet i: 0 originator to
// responder, 1 the other way.
func (f *Flow) SPLTDir(i int) int32 {
	fromB := f.spltFromB&(1<<i) != 0
	if fromB == (f.origIdx == 1) {
		return 0
	}
	return 1
}

// SYNAckRTT returns SYN to SYN-ACK and SYN-ACK to ACK times in ns (0 when
// not observed).
func (f *Flow) SYNAckRTT() (synAck, ack int64) {
	if f.synTS != 0 && f.synAckTS >= f.synTS {
		synAck = f.synAckTS - f.synTS
	}
	if f.synAckTS != 0 && f.ackTS >= f.synAckTS {
		ack = f.ackTS - f.synAckTS
	}
	return synAck, ack
}

// Duration returns Zeek's duration in nanoseconds: from the first packet to
// the last one that counted (packets after both sides closed do not).
func (f *Flow) Duration() int64 { return f.zeekLast - f.StartTS }

// Missed returns Zeek's missed_bytes: content gaps in both directions.
func (f *Flow) Missed() int64 { return f.ep[0].missed + f.ep[1].missed }

// addHistory appends a letter, upper case for the originator.
func (f *Flow) addHistory(code byte, fromOrig bool) {
	if !fromOrig && code >= 'A' && code <= 'Z' {
		code += 'a' - 'A'
	}
	if int(f.histLen) < histCap {
		f.hist[f.histLen] = code
		f.histLen++
	}
}

// checkHistory records code the first time mask is seen (Zeek's
// Connection::CheckHistory); it returns true when mask had been seen.
func (f *Flow) checkHistory(mask uint32, code byte, fromOrig bool) bool {
	if !fromOrig {
		mask <<= 16
	}
	if f.histSeen&mask == 0 {
		f.histSeen |= mask
		f.addHistory(code, fromOrig)
		return false
	}
	return true
}

// scaledHistory is Zeek's ScaledHistoryEntry: the letter is recorded at the
// 1st, 10th, 100th, ... occurrence.
func (f *Flow) scaledHistory(code byte, fromOrig bool, counter, threshold *uint32) {
	*counter++
	if *counter == *threshold {
		f.addHistory(code, fromOrig)
		if next := *threshold * 10; next > *threshold {
			*threshold = next
		} else {
			*counter = 0
		}
	}
}

// Flip swaps originator and responder (Zeek's Connection::FlipRoles). The
// protocol parsers call it where Zeek's analyzers do: a DNS connection
// whose first message is a response, an NTP server message from the
// originator.
func (f *Flow) Flip() { f.flip() }

// RespMulticast reports whether the responder address is multicast.
func (f *Flow) RespMulticast() bool {
	a, _ := f.RespAddr()
	return AddrOf(a, f.Key.Version).IsMulticast()
}

// MarkDNS records that the flow carries DNS; over UDP it then expires
// after Config.DNSIdleTimeout, like a Zeek DNS session. Call it on the
// flow of the packet just added, before the next Table.Add, which files
// the flow under the shorter timeout.
func (f *Flow) MarkDNS() { f.dns = true }

func (f *Flow) flip() {
	f.origIdx ^= 1
	f.addHistory('^', true)
}

// isOrigSide reports whether key side s is the originator.
func (f *Flow) isOrigSide(s uint8) bool { return s == f.origIdx }
