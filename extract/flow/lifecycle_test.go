package flow

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"flowsift/extract/decode"
)

// record is what the lifecycle tests keep of an emitted flow.
type record struct {
	Flow      string // "<orig port>-><resp port>/<proto>"
	Reason    string
	Segment   int32
	Pkts      int64
	Ordinal   int64
	ParentOrd int64
	Duration  time.Duration
}

// recorder collects emitted records.
type recorder struct{ got []record }

func (r *recorder) emit(f *Flow, reason EndReason) {
	_, op := f.OrigAddr()
	_, rp := f.RespAddr()
	r.got = append(r.got, record{
		Flow:      portsName(op, rp, f.Key.Proto),
		Reason:    reason.String(),
		Segment:   f.Segment,
		Pkts:      f.Orig().Pkts + f.Resp().Pkts,
		Ordinal:   f.Ordinal,
		ParentOrd: f.ParentOrdinal,
		Duration:  time.Duration(f.Duration()),
	})
}

func portsName(op, rp uint16, proto uint8) string {
	name := map[uint8]string{decode.ProtoTCP: "tcp", decode.ProtoUDP: "udp"}[proto]
	return strconv.Itoa(int(op)) + "->" + strconv.Itoa(int(rp)) + "/" + name
}

// TestMarkDNSTimeout: a UDP flow marked as DNS after Add returned (as the
// protocol parsers do) expires after DNSIdleTimeout even when no further
// packet reschedules it. Zeek's DNS analyzer removes the connection
// dns_session_timeout (10 s) after its last packet (DNS_Analyzer::
// ExpireTimer), so an unanswered query must not wait for the 2 min UDP
// timeout behind older UDP flows.
func TestMarkDNSTimeout(t *testing.T) {
	var rec recorder
	tab, err := NewTable(DefaultConfig(), rec.emit)
	if err != nil {
		t.Fatal(err)
	}
	other := conv{proto: decode.ProtoUDP, client: "10.0.0.1", serv: "10.0.0.2", cport: 5000, sport: 9999}
	dns := conv{proto: decode.ProtoUDP, client: "10.0.0.1", serv: "10.0.0.53", cport: 40000, sport: 53}
	later := conv{proto: decode.ProtoUDP, client: "10.0.0.3", serv: "10.0.0.2", cport: 5001, sport: 9999}
	var p decode.Packet
	var m Meta
	other.packet(seg{from: 'c', len: 10}, genBase, &p, &m)
	tab.Add(&p, &m)
	dns.packet(seg{from: 'c', len: 30, at: time.Second}, genBase, &p, &m)
	tab.Add(&p, &m).Flow.MarkDNS()
	later.packet(seg{from: 'c', len: 10, at: 12 * time.Second}, genBase, &p, &m)
	tab.Add(&p, &m)
	want := []record{{Flow: "40000->53/udp", Reason: "idle_timeout", Pkts: 1, Ordinal: 2 * headersPerPacket, ParentOrd: -1}}
	if diff := cmp.Diff(want, rec.got); diff != "" {
		t.Errorf("records after 12 s (-want, +got):\n%s", diff)
	}
}

// TestTunnelParentEvicted: when creating a tunnelled packet's inner flow
// evicts the outer (parent) flow, the inner flow still names the evicted
// parent's record, not whatever reuses its slot.
func TestTunnelParentEvicted(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlows = 2
	cfg.UDPIdleTimeout = time.Minute // the tunnel expires before the TCP flow
	var rec recorder
	tab, err := NewTable(cfg, rec.emit)
	if err != nil {
		t.Fatal(err)
	}
	tcp := conv{proto: decode.ProtoTCP, client: "10.0.0.1", serv: "10.0.0.2", cport: 40000, sport: 80}
	udp := conv{proto: decode.ProtoUDP, client: "10.0.0.1", serv: "10.0.0.2", cport: 50000, sport: 60000}
	var p decode.Packet
	var m Meta
	tunnelled := func() {
		o := &p.Outer[0]
		*o = decode.IPHeader{Version: 4, Src: v4(192, 168, 0, 1), Dst: v4(192, 168, 0, 2), Proto: decode.ProtoUDP,
			TTL: 64, HdrLen: 20, L4HdrLen: 8, HasL4: true, SrcPort: 49152, DstPort: 4789,
			PayloadLen: 8 + 14 + p.TotalLen, TotalLen: 20 + 8 + 8 + 14 + p.TotalLen}
		p.NumOuter, p.Tunnel[0] = 1, decode.TunnelVXLAN
	}
	// 1: a TCP flow, not tunnelled.
	tcp.packet(seg{from: 'c', flags: PA, seq: 1000, ack: 2000, len: 10}, genBase, &p, &m)
	tab.Add(&p, &m)
	// 2: the same TCP flow through a VXLAN tunnel: the tunnel flow starts.
	tcp.packet(seg{from: 'c', flags: PA, seq: 1010, ack: 2000, len: 10, at: ms(1)}, genBase, &p, &m)
	tunnelled()
	tab.Add(&p, &m)
	// 3: a new inner flow through the tunnel: the table is full and the
	// tunnel flow expires first, so it is evicted.
	udp.packet(seg{from: 'c', len: 20, at: ms(2)}, genBase, &p, &m)
	tunnelled()
	tab.Add(&p, &m)
	tab.Flush()
	want := []record{
		// The tunnel's outer UDP flow is header 1 of packet 2; the inner
		// flow, header 0 of packet 1.
		{Flow: "49152->4789/udp", Reason: "evicted", Pkts: 2, Ordinal: 2*headersPerPacket + 1, ParentOrd: -1, Duration: time.Millisecond},
		{Flow: "40000->80/tcp", Reason: "end_of_input", Pkts: 2, Ordinal: 1 * headersPerPacket, ParentOrd: 2*headersPerPacket + 1, Duration: time.Millisecond},
		{Flow: "50000->60000/udp", Reason: "end_of_input", Pkts: 1, Ordinal: 3 * headersPerPacket, ParentOrd: 2*headersPerPacket + 1},
	}
	if diff := cmp.Diff(want, rec.got); diff != "" {
		t.Errorf("records (-want, +got):\n%s", diff)
	}
}

// TestEmptySegments: an active-timeout cut with no packet since the last
// one produces no record and does not advance the segment number; the
// table's counters agree with the records.
func TestEmptySegments(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ActiveTimeout = 30 * time.Second
	var rec recorder
	tab, err := NewTable(cfg, rec.emit)
	if err != nil {
		t.Fatal(err)
	}
	x := conv{proto: decode.ProtoUDP, client: "10.0.0.1", serv: "10.0.0.2", cport: 5000, sport: 9999}
	y := conv{proto: decode.ProtoUDP, client: "10.0.0.3", serv: "10.0.0.2", cport: 5000, sport: 9999}
	var p decode.Packet
	var m Meta
	for _, s := range []struct {
		c  conv
		at time.Duration
	}{{x, 0}, {y, 31 * time.Second}, {y, 62 * time.Second}, {x, 70 * time.Second}} {
		s.c.packet(seg{from: 'c', len: 10, at: s.at}, genBase, &p, &m)
		tab.Add(&p, &m)
	}
	tab.Flush()
	var got []record
	for _, r := range rec.got {
		if r.Flow == "5000->9999/udp" && r.Ordinal == 1*headersPerPacket {
			got = append(got, record{Reason: r.Reason, Segment: r.Segment, Pkts: r.Pkts})
		}
	}
	// x: cut at 30 s (clock 31 s) with its packet, cut again at 61 s
	// (clock 62 s) with none, then one packet at 70 s.
	want := []record{{Reason: "active_timeout", Segment: 0, Pkts: 1}, {Reason: "end_of_input", Segment: 1, Pkts: 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records of x (-want, +got):\n%s", diff)
	}
	active := 0
	for _, r := range rec.got {
		if r.Reason == "active_timeout" {
			active++
		}
	}
	if st := tab.Stats(); st.Segments != int64(active) {
		t.Errorf("Stats().Segments = %d, %d records end at the active timeout", st.Segments, active)
	}
}

// TestDurationBackwardsTimestamp: a TCP packet whose timestamp is earlier
// than the flow's first packet (merged or reordered captures) does not
// make the duration negative; it keeps the latest productive time, as
// the UDP and ICMP paths do.
func TestDurationBackwardsTimestamp(t *testing.T) {
	var rec recorder
	tab, err := NewTable(DefaultConfig(), rec.emit)
	if err != nil {
		t.Fatal(err)
	}
	var p decode.Packet
	var m Meta
	for _, s := range script(handshake, []seg{
		{from: 'c', flags: PA, seq: 101, ack: 301, len: 10, at: ms(3)},
		{from: 's', flags: A, seq: 301, ack: 111, at: -3 * time.Second},
	}) {
		tcpConv.packet(s, genBase+int64(5*time.Second), &p, &m)
		tab.Add(&p, &m)
	}
	tab.Flush()
	if len(rec.got) != 1 || rec.got[0].Duration != ms(3) {
		t.Errorf("records %+v, want one with duration 3ms", rec.got)
	}
}

// TestSegmentSizes: orig_bytes of an active-timeout segment is the growth
// of Zeek's sequence-number size during the segment; it restarts with the
// sequence space and is never negative when Zeek's size shrinks.
func TestSegmentSizes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ActiveTimeout = 30 * time.Second
	tests := []struct {
		name string
		segs []seg
		want []result
	}{
		{
			// The originator's SYN-ACK in a mid-stream connection
			// restarts its sequence space (init_endpoint): the second
			// segment counts from there. (Zeek's update_last_seq then
			// sees no advance and logs a retransmission, T.)
			name: "sequence space restarts",
			segs: []seg{
				{from: 'c', flags: PA, seq: 5000, ack: 9000, len: 48},
				{from: 'c', flags: SA, seq: 7000, ack: 9000, len: 10, at: 31 * time.Second},
			},
			want: []result{
				{Orig: "10.0.0.1:40000", State: "OTH", History: "D", OrigBytes: 48, OrigPkts: 1, Reason: "active_timeout"},
				{Orig: "10.0.0.1:40000", State: "OTH", History: "HT", OrigBytes: 10, OrigPkts: 1, Reason: "end_of_input", Segment: 1},
			},
		},
		{
			// A FIN below the last sequence number: Zeek's size drops by
			// the FIN's byte, one less than at the cut.
			name: "size shrinks",
			segs: script(handshake, []seg{
				{from: 'c', flags: PA, seq: 101, ack: 301, len: 10, at: ms(3)},
				{from: 'c', flags: FA, seq: 101, ack: 301, at: 31 * time.Second},
			}),
			want: []result{
				{Orig: "10.0.0.1:40000", State: "S1", History: "ShAD", OrigBytes: 10, OrigPkts: 3, RespPkts: 1, Reason: "active_timeout"},
				{Orig: "10.0.0.1:40000", State: "S2", History: "F", OrigPkts: 1, Reason: "end_of_input", Segment: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tcpConv, tt.segs, cfg)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("flows (-want, +got):\n%s", diff)
			}
		})
	}
}
