package decode_test

import (
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
)

// Addresses and MACs used by the test packets. Outer (or only) headers use
// the documentation prefixes, tunnelled headers use private ones.
var (
	macA = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	macB = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}
	macC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0c}
	macD = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0d}

	v4A = net.IP{192, 0, 2, 1}
	v4B = net.IP{198, 51, 100, 2}
	v4C = net.IP{10, 0, 0, 1}
	v4D = net.IP{10, 0, 0, 2}
	v6A = net.ParseIP("2001:db8::1")
	v6B = net.ParseIP("2001:db8::2")
	v6C = net.ParseIP("fd00::1")
	v6D = net.ParseIP("fd00::2")
)

const (
	mA = "02:00:00:00:00:01"
	mB = "02:00:00:00:00:02"
	mC = "02:00:00:00:00:0c"
	mD = "02:00:00:00:00:0d"
	a4 = "192.0.2.1"
	b4 = "198.51.100.2"
	c4 = "10.0.0.1"
	d4 = "10.0.0.2"
	a6 = "2001:db8::1"
	b6 = "2001:db8::2"
	c6 = "fd00::1"
	d6 = "fd00::2"
)

// serialize builds a packet from layers with lengths and checksums fixed.
// TCP, UDP and ICMPv6 checksums use the nearest IP layer before them.
func serialize(tb testing.TB, ls ...gopacket.SerializableLayer) []byte {
	tb.Helper()
	var nl gopacket.NetworkLayer
	for _, l := range ls {
		switch l := l.(type) {
		case *layers.IPv4:
			nl = l
		case *layers.IPv6:
			nl = l
		case *layers.TCP:
			if nl != nil {
				if err := l.SetNetworkLayerForChecksum(nl); err != nil {
					tb.Fatal(err)
				}
			}
		case *layers.UDP:
			if nl != nil {
				if err := l.SetNetworkLayerForChecksum(nl); err != nil {
					tb.Fatal(err)
				}
			}
		case *layers.ICMPv6:
			if nl != nil {
				if err := l.SetNetworkLayerForChecksum(nl); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		tb.Fatalf("serialize %v: %v", ls, err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func eth(et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: et}
}

func ethCD(et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macC, DstMAC: macD, EthernetType: et}
}

func dot1q(vlan uint16, et layers.EthernetType) *layers.Dot1Q {
	return &layers.Dot1Q{VLANIdentifier: vlan, Type: et}
}

func ip4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0x1234, Protocol: proto, SrcIP: v4A, DstIP: v4B}
}

func ip4CD(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 63, Id: 0x0042, Protocol: proto, SrcIP: v4C, DstIP: v4D}
}

func ip6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: v6A, DstIP: v6B}
}

func ip6CD(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 63, NextHeader: next, SrcIP: v6C, DstIP: v6D}
}

func tcpData(sport, dport layers.TCPPort) *layers.TCP {
	return &layers.TCP{SrcPort: sport, DstPort: dport, Seq: 1000, Ack: 2000, PSH: true, ACK: true, Window: 502}
}

// tcpSYN is a Linux-style SYN: MSS, SACK permitted, timestamps, NOP,
// window scale (20 bytes of options).
func tcpSYN() *layers.TCP {
	return &layers.TCP{
		SrcPort: 40000, DstPort: 443, Seq: 0x01020304, SYN: true, Window: 64240,
		Options: []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionData: []byte{0x05, 0xb4}},
			{OptionType: layers.TCPOptionKindSACKPermitted},
			{OptionType: layers.TCPOptionKindTimestamps, OptionData: []byte{0, 0, 0, 1, 0, 0, 0, 0}},
			{OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindWindowScale, OptionData: []byte{7}},
		},
	}
}

func udp(sport, dport layers.UDPPort) *layers.UDP {
	return &layers.UDP{SrcPort: sport, DstPort: dport}
}

func icmp4(typ, code uint8) *layers.ICMPv4 {
	return &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, code), Id: 7, Seq: 1}
}

func icmp6(typ, code uint8) *layers.ICMPv6 {
	return &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(typ, code)}
}

func raw(b ...byte) gopacket.Payload { return gopacket.Payload(b) }

func text(s string) gopacket.Payload { return gopacket.Payload(s) }

// join concatenates byte slices into a new slice.
func join(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// patch returns a copy of b with the bytes at off replaced.
func patch(b []byte, off int, v ...byte) []byte {
	out := append([]byte(nil), b...)
	copy(out[off:], v)
	return out
}

// cut returns a copy of the first n bytes of b.
func cut(b []byte, n int) []byte {
	return append([]byte(nil), b[:n]...)
}

// IPv6 extension headers as bytes: 8 bytes each, padded with PadN.
func hopByHop(next layers.IPProtocol) []byte {
	return []byte{byte(next), 0, 1, 4, 0, 0, 0, 0}
}

func destOpts(next layers.IPProtocol) []byte { return hopByHop(next) }

// routing is a type-4 (segment routing) header with no segments left.
func routing(next layers.IPProtocol) []byte {
	return []byte{byte(next), 0, 4, 0, 0, 0, 0, 0}
}

func frag6(next layers.IPProtocol, offset uint16, more bool, id uint32) []byte {
	fo := offset / 8 << 3
	if more {
		fo |= 1
	}
	return []byte{byte(next), 0, byte(fo >> 8), byte(fo), byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
}

// ah is an authentication header with a 12-byte ICV (24 bytes).
func ah(next layers.IPProtocol) []byte {
	return append([]byte{byte(next), 4, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 1}, make([]byte, 12)...)
}

// ipView is the projection of a decode.IPHeader compared by the tests.
type ipView struct {
	Version          uint8
	Src, Dst         string
	Proto, TTL       uint8
	ID               uint32
	Fragment         bool
	MoreFrags        bool
	FragOffset       int
	HdrLen, TotalLen int
	HasL4            bool
	SrcPort, DstPort uint16
	L4HdrLen         int
	PayloadLen       int // announced transport payload length
	CapPayload       int // len(Payload)
}

type tcpView struct {
	Flags            uint16
	Seq, Ack         uint32
	Window, MSS      uint16
	WScale           int8
	SACKOK, HasTSOpt bool
}

type icmpView struct{ Type, Code uint8 }

type outerView struct {
	Tunnel string
	IP     ipView
}

type linkView struct {
	SrcMAC, DstMAC  string // empty without HasMAC
	VLAN, InnerVLAN uint16
	NumVLANs        uint8
	MPLSLabels      uint8
	EtherType       uint16
}

// view is what the tests compare: the fields of a decode.Packet that the
// result says are valid. Transport fields appear only for the decoded
// transport, so stale values from an earlier packet are not compared.
type view struct {
	Result  string
	Link    linkView
	IP      *ipView
	Payload string // the innermost transport payload, when IP is set
	TCP     *tcpView
	UDPLen  int
	ICMP    *icmpView
	Outer   []outerView
}

func addrString(version uint8, a decode.Addr) string {
	if version == 4 {
		return netip.AddrFrom4([4]byte(a[:4])).String()
	}
	return netip.AddrFrom16(a).String()
}

func projectIP(h *decode.IPHeader) ipView {
	return ipView{
		Version:    h.Version,
		Src:        addrString(h.Version, h.Src),
		Dst:        addrString(h.Version, h.Dst),
		Proto:      h.Proto,
		TTL:        h.TTL,
		ID:         h.ID,
		Fragment:   h.Fragment,
		MoreFrags:  h.MoreFrags,
		FragOffset: h.FragOffset,
		HdrLen:     h.HdrLen,
		TotalLen:   h.TotalLen,
		HasL4:      h.HasL4,
		SrcPort:    h.SrcPort,
		DstPort:    h.DstPort,
		L4HdrLen:   h.L4HdrLen,
		PayloadLen: h.PayloadLen,
		CapPayload: len(h.Payload),
	}
}

func project(res decode.Result, p *decode.Packet) view {
	v := view{Result: res.String()}
	v.Link = linkView{VLAN: p.VLAN, InnerVLAN: p.InnerVLAN, NumVLANs: p.NumVLANs, MPLSLabels: p.MPLSLabels, EtherType: p.EtherType}
	if p.HasMAC {
		v.Link.SrcMAC = net.HardwareAddr(p.SrcMAC[:]).String()
		v.Link.DstMAC = net.HardwareAddr(p.DstMAC[:]).String()
	}
	for i := range p.NumOuter {
		v.Outer = append(v.Outer, outerView{Tunnel: p.Tunnel[i].String(), IP: projectIP(&p.Outer[i])})
	}
	if !res.HasIP() {
		return v
	}
	ip := projectIP(&p.IPHeader)
	v.IP = &ip
	v.Payload = payloadString(p.Payload)
	if !p.HasL4 {
		return v
	}
	switch p.Proto {
	case decode.ProtoTCP:
		v.TCP = &tcpView{Flags: p.Flags, Seq: p.Seq, Ack: p.Ack, Window: p.Window, MSS: p.MSS, WScale: p.WScale, SACKOK: p.SACKOK, HasTSOpt: p.HasTSOpt}
	case decode.ProtoUDP:
		v.UDPLen = p.UDPLen
	case decode.ProtoICMP, decode.ProtoICMPv6:
		v.ICMP = &icmpView{Type: p.ICMPType, Code: p.ICMPCode}
	}
	return v
}

// linkTypes are the link types the fuzz target picks from by the first
// byte of its input; the last one is not supported.
var linkTypes = []capture.LinkType{
	capture.LinkEthernet, capture.LinkLinuxSLL, capture.LinkLinuxSLL2,
	capture.LinkNull, capture.LinkLoop, capture.LinkRaw, capture.LinkRawBSD,
	capture.LinkRawAlt, capture.LinkIPv4, capture.LinkIPv6, capture.LinkPPP,
	capture.LinkPPPHDLC, capture.LinkCHDLC, capture.LinkIEEE80211,
	capture.LinkRadiotap, capture.LinkPPI, 147,
}

func linkIndex(tb testing.TB, l capture.LinkType) byte {
	for i, x := range linkTypes {
		if x == l {
			return byte(i)
		}
	}
	tb.Fatalf("link type %v missing from linkTypes", l)
	return 0
}

// payloadString shows a payload as a string, or by its length when it is
// too long to read in a diff.
func payloadString(b []byte) string {
	if len(b) > 256 {
		return fmt.Sprintf("<%d bytes>", len(b))
	}
	return string(b)
}
