package flow

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"flowsift/extract/decode"
)

// seg is one packet of a scripted conversation between a client (c) and a
// server (s).
type seg struct {
	from  byte // 'c' or 's'
	flags uint16
	seq   uint32
	ack   uint32
	len   int
	at    time.Duration
	win   uint16
}

const (
	S  = decode.SYN
	A  = decode.ACK
	F  = decode.FIN
	R  = decode.RST
	P  = decode.PSH
	SA = decode.SYN | decode.ACK
	PA = decode.PSH | decode.ACK
	FA = decode.FIN | decode.ACK
	RA = decode.RST | decode.ACK
)

// result is what a test checks of an emitted flow.
type result struct {
	Orig      string
	State     string
	History   string
	OrigBytes int64
	RespBytes int64
	OrigPkts  int64
	RespPkts  int64
	Reason    string
	Segment   int32
	Missed    int64
}

type conv struct {
	proto        uint8
	client, serv string
	cport, sport uint16
}

func (c conv) packet(s seg, base int64, p *decode.Packet, m *Meta) {
	src, dst := netip.MustParseAddr(c.client), netip.MustParseAddr(c.serv)
	sp, dp := c.cport, c.sport
	if s.from == 's' {
		src, dst, sp, dp = dst, src, dp, sp
	}
	*p = decode.Packet{}
	p.Version = 4
	a, b := src.As4(), dst.As4()
	copy(p.Src[:], a[:])
	copy(p.Dst[:], b[:])
	p.Proto = c.proto
	p.SrcPort, p.DstPort = sp, dp
	p.HasL4 = true
	p.TTL = 64
	p.HdrLen = 20
	switch c.proto {
	case decode.ProtoTCP:
		p.L4HdrLen = 20
		p.Flags, p.Seq, p.Ack = s.flags, s.seq, s.ack
		p.Window = s.win
		if s.win == 0 && s.flags&decode.RST == 0 {
			p.Window = 65535
		}
		if s.win == 1 { // the script's way of asking for a zero window
			p.Window = 0
		}
		p.WScale = -1
	case decode.ProtoUDP:
		p.L4HdrLen = 8
		p.UDPLen = 8 + s.len
	case decode.ProtoICMP:
		p.L4HdrLen = 8
		p.ICMPType = uint8(s.flags)
	}
	p.PayloadLen = s.len
	p.TotalLen = 20 + p.L4HdrLen + s.len
	*m = Meta{TS: base + int64(s.at), WireLen: 14 + p.TotalLen, CapLen: 14 + p.TotalLen, Ordinal: m.Ordinal + 1}
}

// run feeds the script through a table and returns the flows in the order
// they were emitted. flush ends the input with Flush.
func run(t *testing.T, c conv, segs []seg, cfg Config) []result {
	t.Helper()
	var got []result
	tab, err := NewTable(cfg, func(f *Flow, r EndReason) {
		oh, op := f.OrigAddr()
		got = append(got, result{
			Orig:      netip.AddrPortFrom(AddrOf(oh, 4), op).String(),
			State:     f.ConnState(),
			History:   f.History(),
			OrigBytes: f.OrigSize(),
			RespBytes: f.RespSize(),
			OrigPkts:  f.Orig().Pkts,
			RespPkts:  f.Resp().Pkts,
			Reason:    r.String(),
			Segment:   f.Segment,
			Missed:    f.Missed(),
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()
	var p decode.Packet
	var m Meta
	for _, s := range segs {
		c.packet(s, base, &p, &m)
		tab.Add(&p, &m)
	}
	tab.Flush()
	return got
}

var tcpConv = conv{proto: decode.ProtoTCP, client: "10.0.0.1", serv: "10.0.0.2", cport: 40000, sport: 80}

// handshake is a complete three-way handshake: client ISN 100, server 300.
var handshake = []seg{
	{from: 'c', flags: S, seq: 100},
	{from: 's', flags: SA, seq: 300, ack: 101, at: time.Millisecond},
	{from: 'c', flags: A, seq: 101, ack: 301, at: 2 * time.Millisecond},
}

func script(parts ...[]seg) []seg {
	var out []seg
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// TestZeekTCPStates checks conn_state, history and sizes against what
// Zeek's TCPSessionAdapter and conn_state() decide for each scripted
// exchange (the comments give the Zeek reasoning).
func TestZeekTCPStates(t *testing.T) {
	client := "10.0.0.1:40000"
	tests := []struct {
		name string
		segs []seg
		want []result
	}{
		{
			// The textbook connection: both FINs seen, SF.
			name: "handshake data teardown",
			segs: script(handshake, []seg{
				{from: 'c', flags: PA, seq: 101, ack: 301, len: 10, at: ms(3)},
				{from: 's', flags: A, seq: 301, ack: 111, at: ms(4)},
				{from: 's', flags: PA, seq: 301, ack: 111, len: 20, at: ms(5)},
				{from: 'c', flags: A, seq: 111, ack: 321, at: ms(6)},
				{from: 'c', flags: FA, seq: 111, ack: 321, at: ms(7)},
				{from: 's', flags: FA, seq: 321, ack: 112, at: ms(8)},
				{from: 'c', flags: A, seq: 112, ack: 322, at: ms(9)},
			}),
			want: []result{{Orig: client, State: "SF", History: "ShADadFf", OrigBytes: 10, RespBytes: 20, OrigPkts: 6, RespPkts: 4, Reason: "fin"}},
		},
		{
			// A lone SYN: originator SYN_SENT, responder INACTIVE.
			name: "attempt",
			segs: []seg{{from: 'c', flags: S, seq: 100}},
			want: []result{{Orig: client, State: "S0", History: "S", OrigPkts: 1, Reason: "end_of_input"}},
		},
		{
			// RST answering a SYN: responder RESET, originator SYN_SENT.
			name: "rejected",
			segs: []seg{{from: 'c', flags: S, seq: 100}, {from: 's', flags: RA, seq: 0, ack: 101, at: ms(1)}},
			want: []result{{Orig: client, State: "REJ", History: "Sr", OrigPkts: 1, RespPkts: 1, Reason: "rst"}},
		},
		{
			// SYN then the originator's own RST, no SYN-ACK: history matches ^?S[^HAFGIQ]*R.
			name: "originator aborts attempt",
			segs: []seg{{from: 'c', flags: S, seq: 100}, {from: 'c', flags: R, seq: 101, at: ms(1)}},
			want: []result{{Orig: client, State: "RSTOS0", History: "SR", OrigPkts: 2, Reason: "rst"}},
		},
		{
			name: "originator reset",
			segs: script(handshake, []seg{{from: 'c', flags: RA, seq: 101, ack: 301, at: ms(3)}}),
			want: []result{{Orig: client, State: "RSTO", History: "ShAR", OrigPkts: 3, RespPkts: 1, Reason: "rst"}},
		},
		{
			name: "responder reset",
			segs: script(handshake, []seg{{from: 's', flags: RA, seq: 301, ack: 101, at: ms(3)}}),
			want: []result{{Orig: client, State: "RSTR", History: "ShAr", OrigPkts: 2, RespPkts: 2, Reason: "rst"}},
		},
		{
			// SYN then FIN from the originator, nothing back: half-open SH.
			name: "half-open",
			segs: []seg{{from: 'c', flags: S, seq: 100}, {from: 'c', flags: F, seq: 101, at: ms(1)}},
			want: []result{{Orig: client, State: "SH", History: "SF", OrigPkts: 2, Reason: "fin"}},
		},
		{
			// The first packet is a SYN-ACK from port 80, a likely server
			// port: the roles flip at creation (^), then the responder's
			// FIN with no SYN seen gives SHR.
			name: "syn-ack then fin",
			segs: []seg{{from: 's', flags: SA, seq: 300, ack: 101}, {from: 's', flags: FA, seq: 301, ack: 101, at: ms(1)}},
			want: []result{{Orig: client, State: "SHR", History: "^hf", RespPkts: 2, Reason: "fin"}},
		},
		{
			name: "syn-ack then reset",
			segs: []seg{{from: 's', flags: SA, seq: 300, ack: 101}, {from: 's', flags: R, seq: 301, at: ms(1)}},
			want: []result{{Orig: client, State: "RSTRH", History: "^hr", RespPkts: 2, Reason: "rst"}},
		},
		{
			name: "established, no teardown",
			segs: script(handshake, []seg{{from: 'c', flags: PA, seq: 101, ack: 301, len: 5, at: ms(3)}}),
			want: []result{{Orig: client, State: "S1", History: "ShAD", OrigBytes: 5, OrigPkts: 3, RespPkts: 1, Reason: "end_of_input"}},
		},
		{
			name: "originator closes alone",
			segs: script(handshake, []seg{{from: 'c', flags: FA, seq: 101, ack: 301, at: ms(3)}}),
			want: []result{{Orig: client, State: "S2", History: "ShAF", OrigPkts: 3, RespPkts: 1, Reason: "end_of_input"}},
		},
		{
			name: "responder closes alone",
			segs: script(handshake, []seg{{from: 's', flags: FA, seq: 301, ack: 101, at: ms(3)}}),
			want: []result{{Orig: client, State: "S3", History: "ShAf", OrigPkts: 2, RespPkts: 2, Reason: "end_of_input"}},
		},
		{
			// Mid-stream: no SYN seen; both endpoints PARTIAL.
			name: "mid-stream",
			segs: []seg{
				{from: 'c', flags: PA, seq: 5000, ack: 9000, len: 100},
				{from: 's', flags: A, seq: 9000, ack: 5100, at: ms(1)},
			},
			want: []result{{Orig: client, State: "OTH", History: "Da", OrigBytes: 100, OrigPkts: 1, RespPkts: 1, Reason: "end_of_input"}},
		},
		{
			// Mid-stream teardown without any SYN: Zeek logs SF (its own
			// baselines show history DaFfA with SF). The final pure ACK is
			// the originator's first, hence the trailing A.
			name: "mid-stream teardown",
			segs: []seg{
				{from: 'c', flags: PA, seq: 5000, ack: 9000, len: 100},
				{from: 's', flags: A, seq: 9000, ack: 5100, at: ms(1)},
				{from: 'c', flags: FA, seq: 5100, ack: 9000, at: ms(2)},
				{from: 's', flags: FA, seq: 9000, ack: 5101, at: ms(3)},
				{from: 'c', flags: A, seq: 5101, ack: 9001, at: ms(4)},
			},
			want: []result{{Orig: client, State: "SF", History: "DaFfA", OrigBytes: 100, OrigPkts: 3, RespPkts: 2, Reason: "fin"}},
		},
		{
			name: "retransmitted data",
			segs: script(handshake, []seg{
				{from: 'c', flags: PA, seq: 101, ack: 301, len: 10, at: ms(3)},
				{from: 'c', flags: PA, seq: 101, ack: 301, len: 10, at: ms(300)},
			}),
			want: []result{{Orig: client, State: "S1", History: "ShADT", OrigBytes: 10, OrigPkts: 4, RespPkts: 1, Reason: "end_of_input"}},
		},
		{
			// update_history runs before update_window: the responder's
			// first pure ACK (a) precedes its zero window (w).
			name: "zero window",
			segs: script(handshake, []seg{{from: 's', flags: A, seq: 301, ack: 101, win: 1, at: ms(3)}}),
			want: []result{{Orig: client, State: "S1", History: "ShAaw", OrigPkts: 2, RespPkts: 2, Reason: "end_of_input"}},
		},
		{
			// 10 bytes (111..120) never seen but acknowledged: a content
			// gap of the originator's data.
			name: "content gap",
			segs: script(handshake, []seg{
				{from: 'c', flags: PA, seq: 101, ack: 301, len: 10, at: ms(3)},
				{from: 'c', flags: PA, seq: 121, ack: 301, len: 10, at: ms(4)},
				{from: 's', flags: A, seq: 301, ack: 131, at: ms(5)},
			}),
			want: []result{{Orig: client, State: "S1", History: "ShADaG", OrigBytes: 30, OrigPkts: 4, RespPkts: 2, Reason: "end_of_input", Missed: 10}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tcpConv, tt.segs, DefaultConfig())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("flows (-want, +got):\n%s", diff)
			}
		})
	}
}

// TestSynAckFirstFlip: a connection whose first packet is a SYN-ACK
// between two non-server ports keeps the SYN-ACK sender as originator
// until productive traffic appears; then Zeek flips it and rewrites the
// history to "^h" (TCP_Endpoint::CheckHistory).
func TestSynAckFirstFlip(t *testing.T) {
	c := conv{proto: decode.ProtoTCP, client: "10.0.0.1", serv: "10.0.0.2", cport: 40000, sport: 50000}
	got := run(t, c, []seg{
		{from: 's', flags: SA, seq: 300, ack: 101},
		{from: 'c', flags: A, seq: 101, ack: 301, at: ms(1)},
	}, DefaultConfig())
	want := []result{{Orig: "10.0.0.1:40000", State: "OTH", History: "^hA", OrigPkts: 1, RespPkts: 1, Reason: "end_of_input"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flows (-want, +got):\n%s", diff)
	}
}

func TestReuseAndTimeouts(t *testing.T) {
	closed := script(handshake, []seg{
		{from: 'c', flags: FA, seq: 101, ack: 301, at: ms(3)},
		{from: 's', flags: FA, seq: 301, ack: 102, at: ms(4)},
		{from: 'c', flags: A, seq: 102, ack: 302, at: ms(5)},
	})
	tests := []struct {
		name string
		conv conv
		segs []seg
		cfg  func(*Config)
		want []string // reason/state/segment per emitted flow
	}{
		{
			// A SYN with a new initial sequence number on the same five-tuple
			// is a new connection (TCPSessionAdapter::IsReuse).
			name: "port reuse after close",
			conv: tcpConv,
			segs: script(closed, []seg{{from: 'c', flags: S, seq: 7777, at: ms(10)}}),
			want: []string{"fin SF 0", "end_of_input S0 0"},
		},
		{
			name: "retransmitted syn is the same attempt",
			conv: tcpConv,
			segs: []seg{{from: 'c', flags: S, seq: 100}, {from: 'c', flags: S, seq: 100, at: time.Second}},
			want: []string{"end_of_input S0 0"},
		},
		{
			// An unanswered SYN expires 5 s after it (tcp_attempt_delay);
			// the retransmission at 7 s starts a new attempt.
			name: "attempt timeout",
			conv: tcpConv,
			segs: []seg{{from: 'c', flags: S, seq: 100}, {from: 'c', flags: S, seq: 100, at: 7 * time.Second}},
			want: []string{"attempt_timeout S0 0", "end_of_input S0 0"},
		},
		{
			// Packets after both FINs join the connection during the close
			// grace; after it, a new flow starts.
			name: "close grace",
			conv: tcpConv,
			segs: script(closed, []seg{{from: 's', flags: A, seq: 302, ack: 102, at: 10 * time.Second}}),
			want: []string{"fin SF 0", "end_of_input OTH 0"},
		},
		{
			name: "udp idle timeout",
			conv: conv{proto: decode.ProtoUDP, client: "10.0.0.1", serv: "10.0.0.2", cport: 40000, sport: 9999},
			segs: []seg{{from: 'c', len: 10}, {from: 'c', len: 10, at: 200 * time.Second}},
			want: []string{"idle_timeout S0 0", "end_of_input S0 0"},
		},
		{
			name: "active timeout segments",
			conv: conv{proto: decode.ProtoUDP, client: "10.0.0.1", serv: "10.0.0.2", cport: 40000, sport: 9999},
			segs: []seg{{from: 'c', len: 10}, {from: 's', len: 10, at: 50 * time.Second}, {from: 'c', len: 10, at: 100 * time.Second}, {from: 'c', len: 10, at: 130 * time.Second}},
			cfg:  func(c *Config) { c.ActiveTimeout = 60 * time.Second },
			// The clock advances with packets: the packet at 100 s closes
			// segment 0 (packets at 0 and 50 s) and opens segment 1.
			want: []string{"active_timeout SF 0", "end_of_input S0 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			var got []string
			for _, r := range run(t, tt.conv, tt.segs, cfg) {
				got = append(got, r.Reason+" "+r.State+" "+string(rune('0'+r.Segment)))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("flows (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestUDPAndICMP(t *testing.T) {
	dns := conv{proto: decode.ProtoUDP, client: "10.0.0.1", serv: "10.0.0.53", cport: 40000, sport: 53}
	icmp := conv{proto: decode.ProtoICMP, client: "10.0.0.1", serv: "10.0.0.2"}
	tests := []struct {
		name string
		conv conv
		segs []seg
		want []result
	}{
		{"query only", dns, []seg{{from: 'c', len: 30}},
			[]result{{Orig: "10.0.0.1:40000", State: "S0", History: "D", OrigBytes: 30, OrigPkts: 1, Reason: "end_of_input"}}},
		{"query and answer", dns, []seg{{from: 'c', len: 30}, {from: 's', len: 90, at: ms(2)}},
			[]result{{Orig: "10.0.0.1:40000", State: "SF", History: "Dd", OrigBytes: 30, RespBytes: 90, OrigPkts: 1, RespPkts: 1, Reason: "end_of_input"}}},
		// An answer seen first comes from port 53, a likely server port:
		// the roles flip at creation.
		{"answer only", dns, []seg{{from: 's', len: 90}},
			[]result{{Orig: "10.0.0.1:40000", State: "SHR", History: "^d", RespBytes: 90, RespPkts: 1, Reason: "end_of_input"}}},
		// ICMP "ports" are the type and its counterpart (echo 8, reply 0);
		// Zeek logs ICMP as OTH without history.
		{"echo and reply", icmp, []seg{{from: 'c', flags: 8, len: 56}, {from: 's', flags: 0, len: 56, at: ms(1)}},
			[]result{{Orig: "10.0.0.1:8", State: "OTH", OrigBytes: 56, RespBytes: 56, OrigPkts: 1, RespPkts: 1, Reason: "end_of_input"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.conv, tt.segs, DefaultConfig())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("flows (-want, +got):\n%s", diff)
			}
		})
	}
}

// TestEviction: with room for two flows, a third evicts the one closest
// to expiry, and the eviction is counted.
func TestEviction(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlows = 2
	var reasons []string
	tab, err := NewTable(cfg, func(f *Flow, r EndReason) { reasons = append(reasons, r.String()) })
	if err != nil {
		t.Fatal(err)
	}
	var p decode.Packet
	var m Meta
	for i := range 3 {
		c := conv{proto: decode.ProtoUDP, client: "10.0.0.1", serv: "10.0.0.2", cport: uint16(1000 + i), sport: 9999}
		c.packet(seg{from: 'c', len: 1, at: ms(i)}, 0, &p, &m)
		tab.Add(&p, &m)
	}
	if tab.Live() != 2 {
		t.Errorf("Live() = %d, want 2", tab.Live())
	}
	tab.Flush()
	want := []string{"evicted", "end_of_input", "end_of_input"}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("reasons (-want, +got):\n%s", diff)
	}
	if tab.Stats().Evicted != 1 || tab.Stats().Peak != 2 {
		t.Errorf("Stats() = %+v, want 1 eviction and peak 2", tab.Stats())
	}
}
