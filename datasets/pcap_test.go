package datasets

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// pkt is one packet of a capture as the tests see it, decoded with
// gopacket, independently of the generator's own bookkeeping.
type pkt struct {
	ts       time.Time
	frameLen int
	src, dst netip.Addr
	proto    string
	sport    uint16 // ICMP: type
	dport    uint16 // ICMP: code
	ipLen    int
	payload  int
	flags    uint8 // TCP
	data     []byte
}

// readCapture decodes every packet of a pcap and fails the test on any
// decoding or checksum error in the Ethernet, IP and transport layers.
func readCapture(t testing.TB, capture []byte) []pkt {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(capture))
	if err != nil {
		t.Fatalf("pcapgo.NewReader() error = %v", err)
	}
	if r.LinkType() != layers.LinkTypeEthernet {
		t.Fatalf("LinkType() = %v, want Ethernet", r.LinkType())
	}
	if r.Resolution().ToDuration() != time.Nanosecond {
		t.Fatalf("Resolution() = %v, want 1ns", r.Resolution())
	}
	var out []pkt
	var prev time.Time
	for i := 1; ; i++ {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("packet %d: ReadPacketData() error = %v", i, err)
		}
		if ci.Timestamp.Before(prev) {
			t.Fatalf("packet %d: timestamp %v before previous %v", i, ci.Timestamp, prev)
		}
		prev = ci.Timestamp
		p, err := decode(data)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		p.ts = ci.Timestamp
		out = append(out, p)
	}
	return out
}

func decode(data []byte) (pkt, error) {
	p := pkt{frameLen: len(data)}
	if len(data) < minFrame {
		return p, fmt.Errorf("frame of %d bytes is shorter than the Ethernet minimum", len(data))
	}
	pk := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.DecodeOptions{Lazy: false, NoCopy: true})
	var nl gopacket.NetworkLayer
	switch l := pk.NetworkLayer().(type) {
	case *layers.IPv4:
		nl = l
		p.src, _ = netip.AddrFromSlice(l.SrcIP.To4())
		p.dst, _ = netip.AddrFromSlice(l.DstIP.To4())
		p.ipLen = int(l.Length)
		if err, res := l.VerifyChecksum(); err != nil || !res.Valid {
			return p, fmt.Errorf("bad IPv4 header checksum (%v)", err)
		}
		if l.Flags&layers.IPv4MoreFragments != 0 || l.FragOffset != 0 {
			return p, fmt.Errorf("unexpected IP fragment")
		}
	case *layers.IPv6:
		nl = l
		p.src, _ = netip.AddrFromSlice(l.SrcIP)
		p.dst, _ = netip.AddrFromSlice(l.DstIP)
		p.ipLen = 40 + int(l.Length)
	default:
		return p, fmt.Errorf("no IP layer (%v)", pk.Layers())
	}
	var ck interface {
		VerifyChecksum() (error, gopacket.ChecksumVerificationResult)
	}
	switch l := pk.TransportLayer().(type) {
	case *layers.TCP:
		_ = l.SetNetworkLayerForChecksum(nl)
		ck = l
		p.proto, p.sport, p.dport = "tcp", uint16(l.SrcPort), uint16(l.DstPort)
		p.payload = len(l.Payload)
		p.data = l.Payload
		for _, f := range []struct {
			set bool
			bit uint8
		}{{l.FIN, flagFIN}, {l.SYN, flagSYN}, {l.RST, flagRST}, {l.PSH, flagPSH}, {l.ACK, flagACK}} {
			if f.set {
				p.flags |= f.bit
			}
		}
	case *layers.UDP:
		_ = l.SetNetworkLayerForChecksum(nl)
		ck = l
		p.proto, p.sport, p.dport = "udp", uint16(l.SrcPort), uint16(l.DstPort)
		p.payload = len(l.Payload)
		p.data = l.Payload
		if int(l.Length) != 8+p.payload {
			return p, fmt.Errorf("UDP length %d for %d payload bytes", l.Length, p.payload)
		}
	default:
		if l := pk.Layer(layers.LayerTypeICMPv4); l != nil {
			ic := l.(*layers.ICMPv4)
			ck = ic
			p.proto, p.sport, p.dport = "icmp", uint16(ic.TypeCode.Type()), uint16(ic.TypeCode.Code())
			p.payload = len(ic.Payload)
			p.data = ic.Payload
		} else if l := pk.Layer(layers.LayerTypeICMPv6); l != nil {
			ic := l.(*layers.ICMPv6)
			_ = ic.SetNetworkLayerForChecksum(nl)
			ck = ic
			p.proto, p.sport, p.dport = "icmp", uint16(ic.TypeCode.Type()), uint16(ic.TypeCode.Code())
			// gopacket keeps the echo identifier and sequence in the
			// ICMPv6 payload; Zeek counts bytes after the 8-byte header.
			p.payload = p.ipLen - 40 - 8
			p.data = ic.Payload
		} else {
			return p, fmt.Errorf("no transport layer (%v)", pk.Layers())
		}
	}
	if err, res := ck.VerifyChecksum(); err != nil || !res.Valid {
		return p, fmt.Errorf("bad %s checksum: %v %+v", p.proto, err, res)
	}
	return p, nil
}

// flowKey identifies a connection the way a flow meter keys it; a and b
// are ordered so both directions map to the same key. One-way ICMP types
// keep their direction.
type flowKey struct {
	proto  string
	a, b   netip.Addr
	ap, bp uint16
}

// icmpPair is Zeek's ICMP4_counterpart and ICMP6_counterpart (the ICMPv4
// and ICMPv6 types share no number the generator uses).
var icmpPair = map[uint16]uint16{8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17,
	128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130, 139: 140, 140: 139, 144: 145, 145: 144}

func keyOf(p *pkt) (k flowKey, fwd bool) {
	if p.proto == "icmp" {
		c, ok := icmpPair[p.sport]
		if !ok {
			return flowKey{p.proto, p.src, p.dst, p.sport, p.dport}, true
		}
		// Both directions of a request/reply pair share a key, with the
		// type as each side's "port".
		if x := p.src.Compare(p.dst); x < 0 || x == 0 && p.sport <= c {
			return flowKey{p.proto, p.src, p.dst, p.sport, c}, true
		}
		return flowKey{p.proto, p.dst, p.src, c, p.sport}, false
	}
	if c := p.src.Compare(p.dst); c < 0 || c == 0 && p.sport <= p.dport {
		return flowKey{p.proto, p.src, p.dst, p.sport, p.dport}, true
	}
	return flowKey{p.proto, p.dst, p.src, p.dport, p.sport}, false
}

// truthKey is the key of a truth record, and whether its originator is the
// key's a side.
func truthKey(f *FlowTruth) (flowKey, bool) {
	o, r := netip.MustParseAddr(f.OrigH), netip.MustParseAddr(f.RespH)
	if _, pair := icmpPair[uint16(f.OrigP)]; f.Proto == "icmp" && !pair {
		return flowKey{f.Proto, o, r, uint16(f.OrigP), uint16(f.RespP)}, true
	}
	p := pkt{proto: f.Proto, src: o, dst: r, sport: uint16(f.OrigP), dport: uint16(f.RespP)}
	return keyOf(&p)
}

// flowStats aggregates the packets of one key, per direction (0 is the
// key's a side sending).
type flowStats struct {
	pkts, ipb, pay, l2 [2]int64
	first, last        time.Time
}

func aggregate(ps []pkt) map[flowKey]*flowStats {
	m := map[flowKey]*flowStats{}
	for i := range ps {
		p := &ps[i]
		k, fwd := keyOf(p)
		s := m[k]
		if s == nil {
			s = &flowStats{first: p.ts}
			m[k] = s
		}
		d := 0
		if !fwd {
			d = 1
		}
		s.pkts[d]++
		s.ipb[d] += int64(p.ipLen)
		s.pay[d] += int64(p.payload)
		s.l2[d] += int64(p.frameLen)
		s.last = p.ts
	}
	return m
}

// generate runs Generate into memory.
func generate(t testing.TB, cfg Config) ([]byte, *Truth) {
	t.Helper()
	var buf bytes.Buffer
	tr, err := Generate(context.Background(), &buf, cfg)
	if err != nil {
		t.Fatalf("Generate(%v) error = %v", cfg.Scenarios, err)
	}
	return buf.Bytes(), tr
}
