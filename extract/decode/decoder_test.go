package decode_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
)

type decodeCase struct {
	name string
	link capture.LinkType
	data []byte
	want view
}

func ethLink(et uint16) linkView { return linkView{SrcMAC: mA, DstMAC: mB, EtherType: et} }

func innerLink(et uint16) linkView { return linkView{SrcMAC: mC, DstMAC: mD, EtherType: et} }

// Transport views shared by many cases.
var (
	synView  = &tcpView{Flags: decode.SYN, Seq: 0x01020304, Window: 64240, MSS: 1460, WScale: 7, SACKOK: true, HasTSOpt: true}
	dataView = &tcpView{Flags: decode.PSH | decode.ACK, Seq: 1000, Ack: 2000, Window: 502, WScale: -1}
)

// tail returns b from off as a string, for payloads that are headers.
func tail(b []byte, off int) string { return string(b[off:]) }

// span returns n bytes of b from off as a string.
func span(b []byte, off, n int) string { return string(b[off : off+n]) }

// decodeCases builds the table shared by TestDecode, the fuzz seeds and
// the benchmarks.
func decodeCases(tb testing.TB) []decodeCase {
	tb.Helper()
	var cases []decodeCase
	add := func(name string, link capture.LinkType, data []byte, want view) {
		cases = append(cases, decodeCase{name, link, data, want})
	}
	ser := func(ls ...gopacket.SerializableLayer) []byte { return serialize(tb, ls...) }
	en := capture.LinkEthernet

	// Ethernet, IPv4.
	add("eth/ipv4/tcp-syn-options", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpSYN()), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:  &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 60, HasL4: true, SrcPort: 40000, DstPort: 443, L4HdrLen: 40},
		TCP: synView,
	})
	add("eth/ipv4/tcp-data", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpData(40000, 80), text("GET / HTTP/1.1\r\n")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 56, HasL4: true, SrcPort: 40000, DstPort: 80, L4HdrLen: 20, PayloadLen: 16, CapPayload: 16},
		Payload: "GET / HTTP/1.1\r\n",
		TCP:     dataView,
	})
	add("eth/ipv4/tcp-all-flags", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP),
		&layers.TCP{SrcPort: 1, DstPort: 2, FIN: true, SYN: true, RST: true, PSH: true, ACK: true, URG: true, ECE: true, CWR: true, NS: true, Urgent: 1}), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:  &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 40, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 20},
		TCP: &tcpView{Flags: 0x1ff, WScale: -1},
	})
	add("eth/ipv4/tcp-bad-options-ignored", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP),
		&layers.TCP{SrcPort: 1, DstPort: 2, ACK: true, Padding: []byte{2, 3, 5, 0}}), view{ // MSS option with length 3: ignored, not fatal
		Result: "ok", Link: ethLink(0x0800),
		IP:  &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 44, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 24},
		TCP: &tcpView{Flags: decode.ACK, WScale: -1},
	})
	add("eth/ipv4/tcp-mptcp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2, ACK: true, Seq: 5, Ack: 6, Window: 7,
		Options: []layers.TCPOption{
			{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindTimestamps, OptionData: []byte{0, 0, 0, 1, 0, 0, 0, 2}},
			{OptionType: layers.TCPOptionKindMultipathTCP, OptionData: []byte{0x20, 0x01, 0, 0, 0, 1}}, // DSS with a data ACK
		}}, text("mp")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 62, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 40, PayloadLen: 2, CapPayload: 2},
		Payload: "mp", TCP: &tcpView{Flags: decode.ACK, Seq: 5, Ack: 6, Window: 7, WScale: -1, HasTSOpt: true},
	})
	add("eth/ipv4/tcp-bad-option-length-stops", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP),
		&layers.TCP{SrcPort: 1, DstPort: 2, ACK: true, Padding: []byte{3, 3, 7, 2, 1, 4, 2, 0}}), view{ // window scale, MSS with length 1, SACK permitted
		Result: "ok", Link: ethLink(0x0800),
		IP:  &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 48, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 28},
		TCP: &tcpView{Flags: decode.ACK, WScale: 7},
	})
	add("eth/ipv4/tcp-mptcp-length-2-stops", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP),
		&layers.TCP{SrcPort: 1, DstPort: 2, ACK: true, Padding: []byte{2, 4, 5, 0xb4, 30, 2, 4, 2}}), view{ // MSS, MPTCP with length 2, SACK permitted
		Result: "ok", Link: ethLink(0x0800),
		IP:  &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 48, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 28},
		TCP: &tcpView{Flags: decode.ACK, MSS: 1460, WScale: -1},
	})
	add("eth/ipv4/udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(5353, 53), text("query")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 33, HasL4: true, SrcPort: 5353, DstPort: 53, L4HdrLen: 8, PayloadLen: 5, CapPayload: 5},
		Payload: "query", UDPLen: 13,
	})
	add("eth/ipv4/icmp-echo", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolICMPv4), icmp4(8, 0), text("ping")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 1, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 32, HasL4: true, L4HdrLen: 8, PayloadLen: 4, CapPayload: 4},
		Payload: "ping", ICMP: &icmpView{Type: 8},
	})
	add("eth/ipv4/icmp-unreachable-short", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolICMPv4), raw(3, 1, 0, 0, 0, 0)), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:   &ipView{Version: 4, Src: a4, Dst: b4, Proto: 1, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 26, HasL4: true, L4HdrLen: 6},
		ICMP: &icmpView{Type: 3, Code: 1},
	})
	ip4opt := ip4(layers.IPProtocolUDP)
	ip4opt.Options = []layers.IPv4Option{{OptionType: 0x94, OptionLength: 4, OptionData: []byte{0, 0}}} // router alert
	add("eth/ipv4-options/udp", en, ser(eth(layers.EthernetTypeIPv4), ip4opt, udp(1, 2), text("ra")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 24, TotalLen: 34, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8, PayloadLen: 2, CapPayload: 2},
		Payload: "ra", UDPLen: 10,
	})
	add("eth/ipv4/sctp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolSCTP), raw(0x8e, 0x3c, 0x0b, 0x59, 0, 0, 0, 1, 0, 0, 0, 0)), view{
		Result: "other_transport", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 132, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 32, SrcPort: 36412, DstPort: 2905, PayloadLen: 12, CapPayload: 12},
		Payload: "\x8e\x3c\x0b\x59\x00\x00\x00\x01\x00\x00\x00\x00",
	})
	add("eth/ipv4/ospf", en, ser(eth(layers.EthernetTypeIPv4), ip4(89), text("ospf-hello")), view{
		Result: "other_transport", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 89, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 30, PayloadLen: 10, CapPayload: 10},
		Payload: "ospf-hello",
	})
	add("eth/ipv4/udp-frame-padding", en, join(ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(1, 2), text("hi")), make([]byte, 16)), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 30, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8, PayloadLen: 2, CapPayload: 2},
		Payload: "hi", UDPLen: 10,
	})
	add("eth/ipv4/tso-zero-total-length", en, patch(ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpData(40000, 80), text("segment")), 16, 0, 0), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 47, HasL4: true, SrcPort: 40000, DstPort: 80, L4HdrLen: 20, PayloadLen: 7, CapPayload: 7},
		Payload: "segment", TCP: dataView,
	})
	add("eth/ipv4/udp-snap-cut", en, cut(ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(1, 2), text("0123456789abcdef")), 48), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 44, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8, PayloadLen: 16, CapPayload: 6},
		Payload: "012345", UDPLen: 24,
	})
	add("eth/ipv4/tcp-snap-cut", en, cut(ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpData(40000, 80), text("0123456789")), 57), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 50, HasL4: true, SrcPort: 40000, DstPort: 80, L4HdrLen: 20, PayloadLen: 10, CapPayload: 3},
		Payload: "012", TCP: dataView,
	})

	// IPv4 fragments: transport only on the first.
	first := ip4(layers.IPProtocolUDP)
	first.Flags = layers.IPv4MoreFragments
	add("eth/ipv4/fragment-first/udp", en, patch(ser(eth(layers.EthernetTypeIPv4), first, udp(5000, 53), text("first-part")), 38, 0x03, 0xe8), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, Fragment: true, MoreFrags: true, HdrLen: 20, TotalLen: 38, HasL4: true, SrcPort: 5000, DstPort: 53, L4HdrLen: 8, PayloadLen: 10, CapPayload: 10},
		Payload: "first-part", UDPLen: 1000,
	})
	firstVX := ip4(layers.IPProtocolUDP)
	firstVX.Flags = layers.IPv4MoreFragments
	vxFrag := ser(eth(layers.EthernetTypeIPv4), firstVX, udp(49152, decode.PortVXLAN), &layers.VXLAN{ValidIDFlag: true, VNI: 1},
		ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolUDP), udp(1, 2), text("x"))
	// gopacket pads Ethernet frames to 60 bytes, the inner ones too.
	add("eth/ipv4/fragment-first/vxlan-not-followed", en, vxFrag, view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, Fragment: true, MoreFrags: true, HdrLen: 20, TotalLen: 96, HasL4: true, SrcPort: 49152, DstPort: 4789, L4HdrLen: 8, PayloadLen: 68, CapPayload: 68},
		Payload: tail(vxFrag, 42), UDPLen: 76,
	})
	tinyFirst := ip4(layers.IPProtocolTCP)
	tinyFirst.Flags = layers.IPv4MoreFragments
	add("eth/ipv4/fragment-first/tcp-tiny", en, ser(eth(layers.EthernetTypeIPv4), tinyFirst, raw(0x9c, 0x40, 0, 80, 0, 0, 3, 0xe8)), view{
		Result: "truncated_transport_header", Link: ethLink(0x0800),
		IP: &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, Fragment: true, MoreFrags: true, HdrLen: 20, TotalLen: 28},
	})
	middle := ip4(layers.IPProtocolUDP)
	middle.Flags, middle.FragOffset = layers.IPv4MoreFragments, 185
	add("eth/ipv4/fragment-middle", en, ser(eth(layers.EthernetTypeIPv4), middle, text("middle")), view{
		Result: "ip_fragment", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, Fragment: true, MoreFrags: true, FragOffset: 1480, HdrLen: 20, TotalLen: 26, PayloadLen: 6, CapPayload: 6},
		Payload: "middle",
	})
	last := ip4(layers.IPProtocolTCP)
	last.Flags, last.FragOffset = layers.IPv4DontFragment, 370 // DF is not MF
	add("eth/ipv4/fragment-last", en, ser(eth(layers.EthernetTypeIPv4), last, text("last")), view{
		Result: "ip_fragment", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, Fragment: true, FragOffset: 2960, HdrLen: 20, TotalLen: 24, PayloadLen: 4, CapPayload: 4},
		Payload: "last",
	})
	df := ip4(layers.IPProtocolUDP)
	df.Flags = layers.IPv4DontFragment
	add("eth/ipv4/dont-fragment-is-not-fragment", en, ser(eth(layers.EthernetTypeIPv4), df, udp(1, 2)), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:     &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 28, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
	})

	// Ethernet, IPv6.
	add("eth/ipv6/tcp", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolTCP), tcpData(50000, 22), text("SSH-2.0-x\r\n")), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, HdrLen: 40, TotalLen: 71, HasL4: true, SrcPort: 50000, DstPort: 22, L4HdrLen: 20, PayloadLen: 11, CapPayload: 11},
		Payload: "SSH-2.0-x\r\n", TCP: dataView,
	})
	add("eth/ipv6/tcp-syn-options", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolTCP), tcpSYN()), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:  &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, HdrLen: 40, TotalLen: 80, HasL4: true, SrcPort: 40000, DstPort: 443, L4HdrLen: 40},
		TCP: synView,
	})
	add("eth/ipv6/udp", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolUDP), udp(546, 547), text("dhcp")), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, HdrLen: 40, TotalLen: 52, HasL4: true, SrcPort: 546, DstPort: 547, L4HdrLen: 8, PayloadLen: 4, CapPayload: 4},
		Payload: "dhcp", UDPLen: 12,
	})
	add("eth/ipv6/icmpv6-echo", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolICMPv6), icmp6(128, 0), &layers.ICMPv6Echo{Identifier: 1, SeqNumber: 2}, text("ping")), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 58, TTL: 64, HdrLen: 40, TotalLen: 52, HasL4: true, L4HdrLen: 8, PayloadLen: 4, CapPayload: 4},
		Payload: "ping", ICMP: &icmpView{Type: 128},
	})
	add("eth/ipv6/ext-headers/tcp", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop),
		raw(join(hopByHop(layers.IPProtocolIPv6Routing), routing(layers.IPProtocolIPv6Destination), destOpts(layers.IPProtocolTCP))...),
		tcpData(50000, 443), text("data")), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, HdrLen: 64, TotalLen: 88, HasL4: true, SrcPort: 50000, DstPort: 443, L4HdrLen: 20, PayloadLen: 4, CapPayload: 4},
		Payload: "data", TCP: dataView,
	})
	add("eth/ipv6/hop-by-hop/icmpv6-mld", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop),
		raw(58, 0, 5, 2, 0, 0, 1, 0), // router alert, PadN
		icmp6(143, 0), raw(0, 0, 0, 0)), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:   &ipView{Version: 6, Src: a6, Dst: b6, Proto: 58, TTL: 64, HdrLen: 48, TotalLen: 56, HasL4: true, L4HdrLen: 8},
		ICMP: &icmpView{Type: 143},
	})
	add("eth/ipv6/fragment-atomic/udp", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Fragment),
		raw(frag6(layers.IPProtocolUDP, 0, false, 0xabcdef01)...), udp(1000, 2000), text("x")), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, ID: 0xabcdef01, Fragment: true, HdrLen: 48, TotalLen: 57, HasL4: true, SrcPort: 1000, DstPort: 2000, L4HdrLen: 8, PayloadLen: 1, CapPayload: 1},
		Payload: "x", UDPLen: 9,
	})
	add("eth/ipv6/fragment-first/udp", en, patch(ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Fragment),
		raw(frag6(layers.IPProtocolUDP, 0, true, 7)...), udp(1000, 2000), text("first")), 66, 0x03, 0xf0), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, ID: 7, Fragment: true, MoreFrags: true, HdrLen: 48, TotalLen: 61, HasL4: true, SrcPort: 1000, DstPort: 2000, L4HdrLen: 8, PayloadLen: 5, CapPayload: 5},
		Payload: "first", UDPLen: 1008,
	})
	add("eth/ipv6/fragment-later", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Fragment),
		raw(frag6(layers.IPProtocolUDP, 1448, false, 7)...), text("tail-of-datagram")), view{
		Result: "ip_fragment", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, ID: 7, Fragment: true, FragOffset: 1448, HdrLen: 48, TotalLen: 64, PayloadLen: 16, CapPayload: 16},
		Payload: "tail-of-datagram",
	})
	add("eth/ipv6/dest-opts-fragment/tcp", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Destination),
		raw(join(destOpts(layers.IPProtocolIPv6Fragment), frag6(layers.IPProtocolTCP, 8, true, 9))...), text("more")), view{
		Result: "ip_fragment", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, ID: 9, Fragment: true, MoreFrags: true, FragOffset: 8, HdrLen: 56, TotalLen: 60, PayloadLen: 4, CapPayload: 4},
		Payload: "more",
	})
	add("eth/ipv6/ah/tcp", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolAH), raw(ah(layers.IPProtocolTCP)...), tcpData(1, 2), text("data")), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, HdrLen: 64, TotalLen: 88, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 20, PayloadLen: 4, CapPayload: 4},
		Payload: "data", TCP: dataView,
	})
	add("eth/ipv6/esp", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolESP), raw(0, 0, 1, 0, 0, 0, 0, 1), text("sealed")), view{
		Result: "other_transport", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 50, TTL: 64, HdrLen: 40, TotalLen: 54, PayloadLen: 14, CapPayload: 14},
		Payload: "\x00\x00\x01\x00\x00\x00\x00\x01sealed",
	})
	var nineOpts []byte
	for range 8 {
		nineOpts = append(nineOpts, destOpts(layers.IPProtocolIPv6Destination)...)
	}
	nineOpts = append(nineOpts, destOpts(layers.IPProtocolTCP)...)
	tooMany := ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Destination), raw(nineOpts...), tcpData(1, 2))
	add("eth/ipv6/nine-extension-headers", en, tooMany, view{
		Result: "other_transport", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 60, TTL: 64, HdrLen: 104, TotalLen: 132, PayloadLen: 28, CapPayload: 28},
		Payload: tail(tooMany, 14+104),
	})
	add("eth/ipv6/zero-payload-length/tcp", en, patch(ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolTCP), tcpData(1, 2), text("abc")), 18, 0, 0), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, HdrLen: 40, TotalLen: 63, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 20, PayloadLen: 3, CapPayload: 3},
		Payload: "abc", TCP: dataView,
	})
	add("eth/ipv6/zero-payload-length/no-next-header", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolNoNextHeader)), view{
		Result: "other_transport", Link: ethLink(0x86dd),
		IP: &ipView{Version: 6, Src: a6, Dst: b6, Proto: 59, TTL: 64, HdrLen: 40, TotalLen: 40},
	})
	add("eth/ipv6/zero-payload-length/esp-ignores-trailer", en, join(ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolESP)), []byte("pad")), view{
		Result: "other_transport", Link: ethLink(0x86dd),
		IP: &ipView{Version: 6, Src: a6, Dst: b6, Proto: 50, TTL: 64, HdrLen: 40, TotalLen: 40},
	})
	add("eth/ipv6/tcp-snap-cut", en, cut(ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolTCP), tcpData(1, 2), text("0123456789")), 14+40+20+4), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, HdrLen: 40, TotalLen: 70, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 20, PayloadLen: 10, CapPayload: 4},
		Payload: "0123", TCP: dataView,
	})
	add("eth/ipv6/hop-by-hop-snap-cut/udp", en, cut(ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop),
		raw(hopByHop(layers.IPProtocolUDP)...), udp(1, 2), text("0123456789")), 14+40+8+8+2), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, HdrLen: 48, TotalLen: 66, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8, PayloadLen: 10, CapPayload: 2},
		Payload: "01", UDPLen: 18,
	})
	// A jumbogram (RFC 2675): payload length 0 and a hop-by-hop jumbo
	// option counting everything after the fixed header.
	const jumboData = 65600
	jumbo := join([]byte{0x60, 0, 0, 0, 0, 0, 0, 64}, v6A.To16(), v6B.To16(),
		[]byte{17, 0, 0xc2, 4, 0, 0x01, 0x00, 0x50}, // 8 + 8 + 65600 = 0x10050
		[]byte{0x13, 0x88, 0x13, 0x89, 0, 0, 0, 0}, make([]byte, jumboData))
	add("raw/ipv6-jumbogram/udp", capture.LinkRaw, jumbo, view{
		Result: "ok", Link: linkView{EtherType: 0x86dd},
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, HdrLen: 48, TotalLen: 40 + 8 + 8 + jumboData, HasL4: true, SrcPort: 5000, DstPort: 5001, L4HdrLen: 8, PayloadLen: jumboData, CapPayload: jumboData},
		Payload: "<65600 bytes>",
	})

	add("raw/ipv6-jumbogram-trailer/udp", capture.LinkRaw, join(jumbo, []byte("trailer")), view{
		Result: "ok", Link: linkView{EtherType: 0x86dd},
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, HdrLen: 48, TotalLen: 40 + 8 + 8 + jumboData, HasL4: true, SrcPort: 5000, DstPort: 5001, L4HdrLen: 8, PayloadLen: jumboData, CapPayload: jumboData},
		Payload: "<65600 bytes>",
	})
	add("raw/ipv6-jumbogram-snap-cut/udp", capture.LinkRaw, cut(jumbo, 40+8+8+100), view{
		Result: "ok", Link: linkView{EtherType: 0x86dd},
		IP:      &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, HdrLen: 48, TotalLen: 40 + 8 + 8 + jumboData, HasL4: true, SrcPort: 5000, DstPort: 5001, L4HdrLen: 8, PayloadLen: jumboData, CapPayload: 100},
		Payload: string(make([]byte, 100)),
	})
	add("bad-ip/ipv6-jumbo-too-small", capture.LinkRaw, patch(cut(jumbo, 40+8+8+100), 44, 0, 0, 0xff, 0xff), view{Result: "bad_ip_header", Link: linkView{EtherType: 0x86dd}})
	add("bad-ip/ipv6-jumbo-option-length-2", capture.LinkRaw, patch(cut(jumbo, 40+8+8+100), 40, 17, 0, 0xc2, 2, 1, 4, 0, 0), view{Result: "bad_ip_header", Link: linkView{EtherType: 0x86dd}})
	add("bad-ip/ipv6-hop-by-hop-one-byte", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop), raw(59)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-hop-by-hop-option-at-last-byte", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop), raw(59, 0, 1, 3, 0, 0, 0, 5)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("eth/ipv6/hop-by-hop-pad1", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop), raw(59, 0, 0, 0, 0, 0, 0, 0)), view{
		Result: "other_transport", Link: ethLink(0x86dd),
		IP: &ipView{Version: 6, Src: a6, Dst: b6, Proto: 59, TTL: 64, HdrLen: 48, TotalLen: 48},
	})

	// Link-layer encapsulations over Ethernet.
	add("eth/arp", en, ser(eth(layers.EthernetTypeARP), &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: 1, SourceHwAddress: macA, SourceProtAddress: v4A, DstHwAddress: make([]byte, 6), DstProtAddress: v4B}), view{
		Result: "not_ip", Link: ethLink(0x0806),
	})
	add("eth/802.3-llc", en, join(macB, macA, []byte{0x00, 0x06, 0x42, 0x42, 0x03, 0, 0, 0}), view{
		Result: "not_ip", Link: linkView{SrcMAC: mA, DstMAC: mB},
	})
	add("eth/vlan/udp", en, ser(eth(layers.EthernetTypeDot1Q), dot1q(100, layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(1234, 53), text("q")), view{
		Result: "ok", Link: linkView{SrcMAC: mA, DstMAC: mB, VLAN: 100, NumVLANs: 1, EtherType: 0x0800},
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 29, HasL4: true, SrcPort: 1234, DstPort: 53, L4HdrLen: 8, PayloadLen: 1, CapPayload: 1},
		Payload: "q", UDPLen: 9,
	})
	add("eth/vlan/vntag/vlan/udp", en, ser(eth(layers.EthernetTypeDot1Q), dot1q(250, 0x8926), raw(0, 0, 0, 0x33, 0x81, 0x00), dot1q(11, layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(1234, 53), text("q")), view{
		Result: "ok", Link: linkView{SrcMAC: mA, DstMAC: mB, VLAN: 250, InnerVLAN: 11, NumVLANs: 2, EtherType: 0x0800},
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 29, HasL4: true, SrcPort: 1234, DstPort: 53, L4HdrLen: 8, PayloadLen: 1, CapPayload: 1},
		Payload: "q", UDPLen: 9,
	})
	add("eth/qinq/tcp", en, ser(eth(layers.EthernetTypeQinQ), dot1q(100, layers.EthernetTypeDot1Q), dot1q(200, layers.EthernetTypeIPv6), ip6(layers.IPProtocolTCP), tcpData(1, 2)), view{
		Result: "ok", Link: linkView{SrcMAC: mA, DstMAC: mB, VLAN: 100, InnerVLAN: 200, NumVLANs: 2, EtherType: 0x86dd},
		IP:  &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, HdrLen: 40, TotalLen: 60, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 20},
		TCP: dataView,
	})
	add("eth/three-tags/udp", en, ser(eth(0x9100), dot1q(10, layers.EthernetTypeQinQ), dot1q(20, layers.EthernetTypeDot1Q), dot1q(30, layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: linkView{SrcMAC: mA, DstMAC: mB, VLAN: 10, InnerVLAN: 20, NumVLANs: 3, EtherType: 0x0800},
		IP:     &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 28, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
	})
	var manyTags []byte
	for range 300 {
		manyTags = append(manyTags, 0x00, 0x05, 0x81, 0x00)
	}
	var manyLabels []byte
	for range 300 {
		manyLabels = append(manyLabels, 0x00, 0x01, 0x00, 0x40)
	}
	manyLabels[len(manyLabels)-2] |= 1 // bottom of stack
	add("eth/300-vlan-tags-saturate", en, join(macB, macA, []byte{0x81, 0x00}, manyTags[:len(manyTags)-2], []byte{0x08, 0x06}, make([]byte, 28)), view{
		Result: "not_ip", Link: linkView{SrcMAC: mA, DstMAC: mB, VLAN: 5, InnerVLAN: 5, NumVLANs: 255, EtherType: 0x0806},
	})
	add("eth/300-mpls-labels-saturate", en, join(macB, macA, []byte{0x88, 0x47}, manyLabels, ser(ip4(layers.IPProtocolUDP), udp(1, 2))), view{
		Result: "ok", Link: linkView{SrcMAC: mA, DstMAC: mB, MPLSLabels: 255, EtherType: 0x0800},
		IP:     &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 28, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
	})
	add("eth/vlan/arp", en, ser(eth(layers.EthernetTypeDot1Q), dot1q(7, layers.EthernetTypeARP), raw(make([]byte, 28)...)), view{
		Result: "not_ip", Link: linkView{SrcMAC: mA, DstMAC: mB, VLAN: 7, NumVLANs: 1, EtherType: 0x0806},
	})
	add("eth/mpls2/udp", en, ser(eth(layers.EthernetTypeMPLSUnicast), &layers.MPLS{Label: 100, TTL: 64}, &layers.MPLS{Label: 200, StackBottom: true, TTL: 64},
		ip4(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: linkView{SrcMAC: mA, DstMAC: mB, MPLSLabels: 2, EtherType: 0x0800},
		IP:     &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 28, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
	})
	add("eth/mpls/ipv6-tcp", en, ser(eth(layers.EthernetTypeMPLSMulticast), &layers.MPLS{Label: 16, StackBottom: true, TTL: 1}, ip6(layers.IPProtocolTCP), tcpData(1, 2)), view{
		Result: "ok", Link: linkView{SrcMAC: mA, DstMAC: mB, MPLSLabels: 1, EtherType: 0x86dd},
		IP:  &ipView{Version: 6, Src: a6, Dst: b6, Proto: 6, TTL: 64, HdrLen: 40, TotalLen: 60, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 20},
		TCP: dataView,
	})
	add("eth/mpls/pseudowire-control-word", en, ser(eth(layers.EthernetTypeMPLSUnicast), &layers.MPLS{Label: 16, StackBottom: true, TTL: 1}, raw(0, 0, 0, 1), ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "not_ip", Link: linkView{SrcMAC: mA, DstMAC: mB, MPLSLabels: 1, EtherType: 0x8847},
	})
	pppoe := &layers.PPPoE{Version: 1, Type: 1, Code: layers.PPPoECodeSession, SessionId: 0x1234}
	add("eth/pppoe/ipv4-tcp", en, ser(eth(layers.EthernetTypePPPoESession), pppoe, &layers.PPP{PPPType: layers.PPPTypeIPv4}, ip4(layers.IPProtocolTCP), tcpSYN()), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:  &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 60, HasL4: true, SrcPort: 40000, DstPort: 443, L4HdrLen: 40},
		TCP: synView,
	})
	add("eth/pppoe/ipv6-udp", en, ser(eth(layers.EthernetTypePPPoESession), pppoe, &layers.PPP{PPPType: layers.PPPTypeIPv6}, ip6(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:     &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, HdrLen: 40, TotalLen: 48, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
	})
	add("eth/pppoe/lcp", en, ser(eth(layers.EthernetTypePPPoESession), pppoe, &layers.PPP{PPPType: 0xc021}, raw(1, 1, 0, 4)), view{
		Result: "not_ip", Link: ethLink(0x8864),
	})
	add("eth/pppoe-discovery", en, ser(eth(layers.EthernetTypePPPoEDiscovery), &layers.PPPoE{Version: 1, Type: 1, Code: layers.PPPoECodePADI}), view{
		Result: "not_ip", Link: ethLink(0x8863),
	})
	add("eth/fabricpath/udp", en, ser(eth(0x8903), raw(0x12, 0x34), ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: innerLink(0x0800),
		IP:     &ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 28, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
	})
	add("eth/802.1ah/udp", en, ser(eth(0x88e7), raw(0, 0, 0x10, 0x01), ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: innerLink(0x0800),
		IP:     &ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 28, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
	})

	// Other link types.
	ip4TCP := ser(ip4(layers.IPProtocolTCP), tcpData(40000, 80), text("abc"))
	ip4TCPView := &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 43, HasL4: true, SrcPort: 40000, DstPort: 80, L4HdrLen: 20, PayloadLen: 3, CapPayload: 3}
	ip6UDP := ser(ip6(layers.IPProtocolUDP), udp(1, 2), text("abc"))
	ip6UDPView := &ipView{Version: 6, Src: a6, Dst: b6, Proto: 17, TTL: 64, HdrLen: 40, TotalLen: 51, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8, PayloadLen: 3, CapPayload: 3}
	v4ok := func(link linkView) view {
		return view{Result: "ok", Link: link, IP: ip4TCPView, Payload: "abc", TCP: dataView}
	}
	v6ok := func(link linkView) view {
		return view{Result: "ok", Link: link, IP: ip6UDPView, Payload: "abc", UDPLen: 11}
	}
	sll := func(proto uint16) []byte {
		return join([]byte{0, 0, 0, 1, 0, 6}, macA, []byte{0, 0, byte(proto >> 8), byte(proto)})
	}
	sll2 := func(proto uint16) []byte {
		return join([]byte{byte(proto >> 8), byte(proto), 0, 0, 0, 0, 0, 2, 0, 1, 4, 6}, macA, []byte{0, 0})
	}
	add("sll/ipv4/tcp", capture.LinkLinuxSLL, join(sll(0x0800), ip4TCP), v4ok(linkView{EtherType: 0x0800}))
	add("sll/ipv6/udp", capture.LinkLinuxSLL, join(sll(0x86dd), ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("sll/vlan/ipv4", capture.LinkLinuxSLL, join(sll(0x8100), []byte{0, 5, 0x08, 0x00}, ip4TCP), v4ok(linkView{VLAN: 5, NumVLANs: 1, EtherType: 0x0800}))
	add("sll/arp", capture.LinkLinuxSLL, join(sll(0x0806), make([]byte, 28)), view{Result: "not_ip", Link: linkView{EtherType: 0x0806}})
	// A damaged address length is ignored, as by TShark and Zeek: the
	// header's size is fixed.
	add("sll/address-length-9", capture.LinkLinuxSLL, patch(join(sll(0x0800), ip4TCP), 5, 9), v4ok(linkView{EtherType: 0x0800}))
	add("sll2/ipv4/tcp", capture.LinkLinuxSLL2, join(sll2(0x0800), ip4TCP), v4ok(linkView{EtherType: 0x0800}))
	add("sll2/ipv6/udp", capture.LinkLinuxSLL2, join(sll2(0x86dd), ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("sll2/lldp", capture.LinkLinuxSLL2, join(sll2(0x88cc), make([]byte, 10)), view{Result: "not_ip", Link: linkView{EtherType: 0x88cc}})
	add("null/le/ipv4", capture.LinkNull, join([]byte{2, 0, 0, 0}, ip4TCP), v4ok(linkView{EtherType: 0x0800}))
	add("null/be/ipv4", capture.LinkNull, join([]byte{0, 0, 0, 2}, ip4TCP), v4ok(linkView{EtherType: 0x0800}))
	add("null/le/ipv6-bsd", capture.LinkNull, join([]byte{24, 0, 0, 0}, ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("null/le/ipv6-freebsd", capture.LinkNull, join([]byte{28, 0, 0, 0}, ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("null/le/ipv6-darwin", capture.LinkNull, join([]byte{30, 0, 0, 0}, ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("null/le/ipv6-linux", capture.LinkNull, join([]byte{10, 0, 0, 0}, ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("null/be/ipv6-darwin", capture.LinkNull, join([]byte{0, 0, 0, 30}, ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("loop/be/ipv4", capture.LinkLoop, join([]byte{0, 0, 0, 2}, ip4TCP), v4ok(linkView{EtherType: 0x0800}))
	add("loop/be/ipv6-bsd", capture.LinkLoop, join([]byte{0, 0, 0, 24}, ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("loop/le/ipv6-bsd", capture.LinkLoop, join([]byte{24, 0, 0, 0}, ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("null/other-family", capture.LinkNull, join([]byte{7, 0, 0, 0}, ip4TCP), view{Result: "not_ip"})
	add("null/bad-family", capture.LinkNull, join([]byte{1, 2, 3, 4}, ip4TCP), view{Result: "truncated_link_header"})
	add("raw/ipv4", capture.LinkRaw, ip4TCP, v4ok(linkView{EtherType: 0x0800}))
	add("raw/ipv6", capture.LinkRaw, ip6UDP, v6ok(linkView{EtherType: 0x86dd}))
	add("raw-bsd/ipv4", capture.LinkRawBSD, ip4TCP, v4ok(linkView{EtherType: 0x0800}))
	add("raw-alt/ipv6", capture.LinkRawAlt, ip6UDP, v6ok(linkView{EtherType: 0x86dd}))
	add("ipv4/ipv4", capture.LinkIPv4, ip4TCP, v4ok(linkView{EtherType: 0x0800}))
	add("ipv6/ipv6", capture.LinkIPv6, ip6UDP, v6ok(linkView{EtherType: 0x86dd}))
	add("ppp/hdlc/ipv4", capture.LinkPPP, join([]byte{0xff, 0x03, 0x00, 0x21}, ip4TCP), v4ok(linkView{EtherType: 0x0800}))
	add("ppp/ipv6", capture.LinkPPP, join([]byte{0x00, 0x57}, ip6UDP), v6ok(linkView{EtherType: 0x86dd}))
	add("ppp-hdlc/ipv4", capture.LinkPPPHDLC, join([]byte{0xff, 0x03, 0x00, 0x21}, ip4TCP), v4ok(linkView{EtherType: 0x0800}))
	add("ppp/lcp", capture.LinkPPP, []byte{0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4}, view{Result: "not_ip"})
	add("unsupported-link", 147, ip4TCP, view{Result: "unsupported_link_type"})

	// Tunnels.
	vx := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(49152, decode.PortVXLAN), &layers.VXLAN{ValidIDFlag: true, VNI: 42},
		ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolTCP), tcpData(40000, 80), text("inner"))
	// The inner frame is padded to 60 bytes: 20+8+8+60.
	vxOuter := ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 96, HasL4: true, SrcPort: 49152, DstPort: 4789, L4HdrLen: 8, PayloadLen: 68, CapPayload: 68}
	add("vxlan/ipv4/tcp", en, vx, view{
		Result: "ok", Link: innerLink(0x0800),
		IP:      &ipView{Version: 4, Src: c4, Dst: d4, Proto: 6, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 45, HasL4: true, SrcPort: 40000, DstPort: 80, L4HdrLen: 20, PayloadLen: 5, CapPayload: 5},
		Payload: "inner", TCP: dataView,
		Outer: []outerView{{"vxlan", vxOuter}},
	})
	vxNoI := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(49152, decode.PortVXLAN), &layers.VXLAN{VNI: 42},
		ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolTCP), tcpData(40000, 80), text("inner"))
	add("vxlan/no-vni-flag-is-udp", en, vxNoI, view{
		Result: "ok", Link: ethLink(0x0800), IP: &vxOuter, Payload: tail(vxNoI, 42), UDPLen: 76,
	})
	vxARP := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(49152, decode.PortVXLAN), &layers.VXLAN{ValidIDFlag: true, VNI: 42},
		ethCD(layers.EthernetTypeARP), raw(make([]byte, 28)...))
	add("vxlan/arp-inside-is-udp", en, vxARP, view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &vxOuter,
		Payload: tail(vxARP, 42), UDPLen: 76,
	})
	// When the inner frame is not IP the link fields go back to the
	// outer frame's, including having no MACs and no MPLS labels.
	rawVXARP := ser(ip4(layers.IPProtocolUDP), udp(49152, decode.PortVXLAN), &layers.VXLAN{ValidIDFlag: true, VNI: 42},
		ethCD(layers.EthernetTypeARP), raw(make([]byte, 28)...))
	add("raw/vxlan/arp-inside-is-udp", capture.LinkRaw, rawVXARP, view{
		Result: "ok", Link: linkView{EtherType: 0x0800},
		IP:      &vxOuter,
		Payload: tail(rawVXARP, 28), UDPLen: 76,
	})
	rawVXPW := ser(ip4(layers.IPProtocolUDP), udp(49152, decode.PortVXLAN), &layers.VXLAN{ValidIDFlag: true, VNI: 42},
		ethCD(layers.EthernetTypeMPLSUnicast), &layers.MPLS{Label: 16, StackBottom: true, TTL: 1}, raw(make([]byte, 42)...))
	add("raw/vxlan/mpls-pseudowire-inside-is-udp", capture.LinkRaw, rawVXPW, view{
		Result: "ok", Link: linkView{EtherType: 0x0800},
		IP:      &vxOuter,
		Payload: tail(rawVXPW, 28), UDPLen: 76,
	})
	add("vlan/vxlan/vlan/udp", en, ser(eth(layers.EthernetTypeDot1Q), dot1q(10, layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(49152, decode.PortVXLAN),
		&layers.VXLAN{ValidIDFlag: true, VNI: 42}, ethCD(layers.EthernetTypeDot1Q), dot1q(300, layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: linkView{SrcMAC: mC, DstMAC: mD, VLAN: 10, InnerVLAN: 300, NumVLANs: 2, EtherType: 0x0800},
		IP:     &ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 28, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
		Outer:  []outerView{{"vxlan", vxOuter}},
	})
	add("geneve/ethernet/udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(50000, decode.PortGeneve),
		&layers.Geneve{Protocol: layers.EthernetTypeTransparentEthernetBridging, VNI: 7}, ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolUDP), udp(53, 5353), text("answer")), view{
		Result: "ok", Link: innerLink(0x0800),
		IP:      &ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 34, HasL4: true, SrcPort: 53, DstPort: 5353, L4HdrLen: 8, PayloadLen: 6, CapPayload: 6},
		Payload: "answer", UDPLen: 14,
		Outer: []outerView{{"geneve", ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 96, HasL4: true, SrcPort: 50000, DstPort: 6081, L4HdrLen: 8, PayloadLen: 68, CapPayload: 68}}},
	})
	add("geneve/options/ipv6-tcp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(50000, decode.PortGeneve),
		&layers.Geneve{Protocol: layers.EthernetTypeIPv6, VNI: 7, Options: []*layers.GeneveOption{{Class: 0x0102, Type: 0x80, Data: []byte{1, 2, 3, 4}}}},
		ip6CD(layers.IPProtocolTCP), tcpData(1, 2)), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:    &ipView{Version: 6, Src: c6, Dst: d6, Proto: 6, TTL: 63, HdrLen: 40, TotalLen: 60, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 20},
		TCP:   dataView,
		Outer: []outerView{{"geneve", ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 104, HasL4: true, SrcPort: 50000, DstPort: 6081, L4HdrLen: 8, PayloadLen: 76, CapPayload: 76}}},
	})
	add("gtpu/ipv4/udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(decode.PortGTPU, decode.PortGTPU),
		&layers.GTPv1U{Version: 1, ProtocolType: 1, MessageType: 0xff, TEID: 0x11223344}, ip4CD(layers.IPProtocolUDP), udp(40000, 53), text("dns")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 31, HasL4: true, SrcPort: 40000, DstPort: 53, L4HdrLen: 8, PayloadLen: 3, CapPayload: 3},
		Payload: "dns", UDPLen: 11,
		Outer: []outerView{{"gtpv1", ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 67, HasL4: true, SrcPort: 2152, DstPort: 2152, L4HdrLen: 8, PayloadLen: 39, CapPayload: 39}}},
	})
	add("gtpu/extension-header/ipv6-icmpv6", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(decode.PortGTPU, decode.PortGTPU),
		&layers.GTPv1U{Version: 1, ProtocolType: 1, MessageType: 0xff, TEID: 1, SequenceNumberFlag: true, SequenceNumber: 5,
			GTPExtensionHeaders: []layers.GTPExtensionHeader{{Type: 0x85, Content: []byte{0x00, 0x09}}}},
		ip6CD(layers.IPProtocolICMPv6), icmp6(128, 0), &layers.ICMPv6Echo{Identifier: 1, SeqNumber: 1}), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:    &ipView{Version: 6, Src: c6, Dst: d6, Proto: 58, TTL: 63, HdrLen: 40, TotalLen: 48, HasL4: true, L4HdrLen: 8},
		ICMP:  &icmpView{Type: 128},
		Outer: []outerView{{"gtpv1", ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 92, HasL4: true, SrcPort: 2152, DstPort: 2152, L4HdrLen: 8, PayloadLen: 64, CapPayload: 64}}},
	})
	gtpEcho := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(40000, decode.PortGTPU),
		&layers.GTPv1U{Version: 1, ProtocolType: 1, MessageType: 1, SequenceNumberFlag: true})
	add("gtpu/echo-request-is-udp", en, gtpEcho, view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 40, HasL4: true, SrcPort: 40000, DstPort: 2152, L4HdrLen: 8, PayloadLen: 12, CapPayload: 12},
		Payload: span(gtpEcho, 42, 12), UDPLen: 20,
	})
	greOuter := func(total int) ipView {
		return ipView{Version: 4, Src: a4, Dst: b4, Proto: 47, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: total}
	}
	add("gre/ipv4/icmp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE), &layers.GRE{Protocol: layers.EthernetTypeIPv4},
		ip4CD(layers.IPProtocolICMPv4), icmp4(8, 0), text("gre")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: c4, Dst: d4, Proto: 1, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 31, HasL4: true, L4HdrLen: 8, PayloadLen: 3, CapPayload: 3},
		Payload: "gre", ICMP: &icmpView{Type: 8},
		Outer: []outerView{{"gre", greOuter(55)}},
	})
	add("gre-in-udp/ipv4/udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(50343, decode.PortGREUDP),
		&layers.GRE{Protocol: layers.EthernetTypeIPv4}, ip4CD(layers.IPProtocolUDP), udp(51714, 53), text("dns")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 31, HasL4: true, SrcPort: 51714, DstPort: 53, L4HdrLen: 8, PayloadLen: 3, CapPayload: 3},
		Payload: "dns", UDPLen: 11,
		Outer: []outerView{{"gre", ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 63, HasL4: true, SrcPort: 50343, DstPort: 4754, L4HdrLen: 8, PayloadLen: 35, CapPayload: 35}}},
	})
	add("gre/key-seq/ipv6-udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE), &layers.GRE{Protocol: layers.EthernetTypeIPv6, KeyPresent: true, Key: 5, SeqPresent: true, Seq: 9},
		ip6CD(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:     &ipView{Version: 6, Src: c6, Dst: d6, Proto: 17, TTL: 63, HdrLen: 40, TotalLen: 48, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
		Outer:  []outerView{{"gre", greOuter(80)}},
	})
	add("gre/transparent-ethernet/tcp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE), &layers.GRE{Protocol: layers.EthernetTypeTransparentEthernetBridging},
		ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolTCP), tcpSYN()), view{
		Result: "ok", Link: innerLink(0x0800),
		IP:    &ipView{Version: 4, Src: c4, Dst: d4, Proto: 6, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 60, HasL4: true, SrcPort: 40000, DstPort: 443, L4HdrLen: 40},
		TCP:   synView,
		Outer: []outerView{{"gre", greOuter(98)}},
	})
	grePPP := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE), &layers.GRE{Protocol: 0x880b}, text("ppp"))
	add("gre/ppp-is-other-transport", en, grePPP, view{
		Result: "other_transport", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 47, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 27, PayloadLen: 7, CapPayload: 7},
		Payload: span(grePPP, 34, 7),
	})
	add("gre/truncated-is-other-transport", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE), raw(0x20, 0, 0x08, 0, 0, 0)), view{
		Result: "other_transport", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 47, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 26, PayloadLen: 6, CapPayload: 6},
		Payload: "\x20\x00\x08\x00\x00\x00",
	})
	erspanInner := func() []gopacket.SerializableLayer {
		return []gopacket.SerializableLayer{ethCD(layers.EthernetTypeIPv4), ip4CD(layers.IPProtocolUDP), udp(1, 2), text("mirrored")}
	}
	// The inner frame is padded to 60 bytes.
	erspanWant := func(outerTotal int) view {
		return view{
			Result: "ok", Link: innerLink(0x0800),
			IP:      &ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 36, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8, PayloadLen: 8, CapPayload: 8},
			Payload: "mirrored", UDPLen: 16,
			Outer: []outerView{{"gre", greOuter(outerTotal)}},
		}
	}
	add("gre/erspan-type2", en, ser(append([]gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE),
		&layers.GRE{Protocol: 0x88be, SeqPresent: true, Seq: 1}, raw(0x10, 0x64, 0x00, 0x01, 0, 0, 0, 0)}, erspanInner()...)...), erspanWant(20+8+8+60))
	add("gre/erspan-type1", en, ser(append([]gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE),
		&layers.GRE{Protocol: 0x88be}}, erspanInner()...)...), erspanWant(20+4+60))
	add("gre/erspan-type3", en, ser(append([]gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE),
		&layers.GRE{Protocol: 0x22eb, SeqPresent: true, Seq: 1}, raw(0x20, 0x64, 0x00, 0x01, 0, 0, 0, 9, 0, 0, 0, 0)}, erspanInner()...)...), erspanWant(20+8+12+60))
	add("gre/erspan-type3-subheader", en, ser(append([]gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE),
		&layers.GRE{Protocol: 0x22eb, SeqPresent: true, Seq: 1}, raw(0x20, 0x64, 0x00, 0x01, 0, 0, 0, 9, 0, 0, 0, 1), raw(make([]byte, 8)...)}, erspanInner()...)...), erspanWant(20+8+20+60))
	add("ipip/udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolIPv4), ip4CD(layers.IPProtocolUDP), udp(1, 2), text("in")), view{
		Result: "ok", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 30, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8, PayloadLen: 2, CapPayload: 2},
		Payload: "in", UDPLen: 10,
		Outer: []outerView{{"ip-in-ip", ipView{Version: 4, Src: a4, Dst: b4, Proto: 4, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 50}}},
	})
	add("6in4/tcp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolIPv6), ip6CD(layers.IPProtocolTCP), tcpData(1, 2)), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:    &ipView{Version: 6, Src: c6, Dst: d6, Proto: 6, TTL: 63, HdrLen: 40, TotalLen: 60, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 20},
		TCP:   dataView,
		Outer: []outerView{{"ip-in-ip", ipView{Version: 4, Src: a4, Dst: b4, Proto: 41, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 80}}},
	})
	add("ip6-in-ip6/udp", capture.LinkRaw, ser(ip6(layers.IPProtocolIPv6), ip6CD(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: linkView{EtherType: 0x86dd},
		IP:     &ipView{Version: 6, Src: c6, Dst: d6, Proto: 17, TTL: 63, HdrLen: 40, TotalLen: 48, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
		Outer:  []outerView{{"ip-in-ip", ipView{Version: 6, Src: a6, Dst: b6, Proto: 41, TTL: 64, HdrLen: 40, TotalLen: 88}}},
	})
	add("ip4-in-ip6/icmp", capture.LinkRaw, ser(ip6(layers.IPProtocolIPv4), ip4CD(layers.IPProtocolICMPv4), icmp4(0, 0)), view{
		Result: "ok", Link: linkView{EtherType: 0x0800},
		IP:    &ipView{Version: 4, Src: c4, Dst: d4, Proto: 1, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 28, HasL4: true, L4HdrLen: 8},
		ICMP:  &icmpView{},
		Outer: []outerView{{"ip-in-ip", ipView{Version: 6, Src: a6, Dst: b6, Proto: 4, TTL: 64, HdrLen: 40, TotalLen: 68}}},
	})
	add("ipip/not-ip-inside", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolIPv4), text("not an ip packet")), view{
		Result: "other_transport", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 4, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 36, PayloadLen: 16, CapPayload: 16},
		Payload: "not an ip packet",
	})
	teredoOuter := func(sport, dport uint16, total int) ipView {
		return ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: total, HasL4: true, SrcPort: sport, DstPort: dport, L4HdrLen: 8, PayloadLen: total - 28, CapPayload: total - 28}
	}
	add("teredo/udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(decode.PortTeredo, 50000), ip6CD(layers.IPProtocolUDP), udp(5000, 5001), text("t")), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:      &ipView{Version: 6, Src: c6, Dst: d6, Proto: 17, TTL: 63, HdrLen: 40, TotalLen: 49, HasL4: true, SrcPort: 5000, DstPort: 5001, L4HdrLen: 8, PayloadLen: 1, CapPayload: 1},
		Payload: "t", UDPLen: 9,
		Outer: []outerView{{"teredo", teredoOuter(3544, 50000, 77)}},
	})
	add("teredo/origin-indication/icmpv6", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(50000, decode.PortTeredo),
		raw(0, 0, 0xf2, 0x27, 0x3f, 0xff, 0xfd, 0xfe), ip6CD(layers.IPProtocolICMPv6), icmp6(128, 0), &layers.ICMPv6Echo{}), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:    &ipView{Version: 6, Src: c6, Dst: d6, Proto: 58, TTL: 63, HdrLen: 40, TotalLen: 48, HasL4: true, L4HdrLen: 8},
		ICMP:  &icmpView{Type: 128},
		Outer: []outerView{{"teredo", teredoOuter(50000, 3544, 84)}},
	})
	add("teredo/authentication/udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(decode.PortTeredo, 50000),
		raw(0, 1, 1, 2, 0xaa, 0xbb, 0xcc, 1, 2, 3, 4, 5, 6, 7, 8, 0), ip6CD(layers.IPProtocolUDP), udp(1, 2)), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:     &ipView{Version: 6, Src: c6, Dst: d6, Proto: 17, TTL: 63, HdrLen: 40, TotalLen: 48, HasL4: true, SrcPort: 1, DstPort: 2, L4HdrLen: 8},
		UDPLen: 8,
		Outer:  []outerView{{"teredo", teredoOuter(3544, 50000, 92)}},
	})
	add("teredo/not-ipv6-is-udp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(decode.PortTeredo, 50000), text("bubble")), view{
		Result: "ok", Link: ethLink(0x0800), IP: ptr(teredoOuter(3544, 50000, 34)), Payload: "bubble", UDPLen: 14,
	})
	// Malformed tunnel headers: the outer packet is ordinary traffic.
	udpOnly := func(sport, dport uint16, pkt []byte, n int) view {
		return view{
			Result: "ok", Link: ethLink(0x0800),
			IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 28 + n, HasL4: true, SrcPort: sport, DstPort: dport, L4HdrLen: 8, PayloadLen: n, CapPayload: n},
			Payload: span(pkt, 42, n), UDPLen: 8 + n,
		}
	}
	otherOnly := func(proto uint8, pkt []byte, n int) view {
		return view{
			Result: "other_transport", Link: ethLink(0x0800),
			IP:      &ipView{Version: 4, Src: a4, Dst: b4, Proto: proto, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 20 + n, PayloadLen: n, CapPayload: n},
			Payload: span(pkt, 34, n),
		}
	}
	badUDP := func(name string, dport layers.UDPPort, b ...byte) {
		pkt := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(40000, dport), raw(b...))
		add(name, en, pkt, udpOnly(40000, uint16(dport), pkt, len(b)))
	}
	badUDP("teredo/authentication-past-end-is-udp", decode.PortTeredo, 0, 1, 200, 0, 1, 2, 3, 4)
	badUDP("geneve/short-is-udp", decode.PortGeneve, 0, 0, 0x65, 0x58, 0, 0)
	badUDP("geneve/options-past-end-is-udp", decode.PortGeneve, 0x02, 0, 0x08, 0, 0, 0, 1, 0, 0, 1, 0x80, 0)
	badUDP("geneve/option-overruns-options-is-udp", decode.PortGeneve, 0x01, 0, 0x08, 0, 0, 0, 1, 0, 0, 1, 0x80, 1, 0, 0, 0, 0, 0x45)
	badUDP("geneve/arp-is-udp", decode.PortGeneve, 0, 0, 0x08, 0x06, 0, 0, 1, 0, 0, 0, 0, 0)
	badUDP("gtpu/length-past-end-is-udp", decode.PortGTPU, 0x30, 0xff, 0, 9, 0, 0, 0, 1, 0x45, 0, 0, 0, 0, 0, 0, 0)
	badUDP("gtpu/optional-fields-cut-is-udp", decode.PortGTPU, 0x32, 0xff, 0, 2, 0, 0, 0, 1, 0, 1)
	badUDP("gtpu/extension-length-0-is-udp", decode.PortGTPU, 0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0, 0, 0, 0)
	badUDP("gtpu/extension-past-end-is-udp", decode.PortGTPU, 0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 2, 0, 0, 0)
	badUDP("gtpu/extension-header-cut-is-udp", decode.PortGTPU, 0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0, 0, 0x85)
	badGRE := func(name string, b ...byte) {
		pkt := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE), raw(b...))
		add(name, en, pkt, otherOnly(47, pkt, len(b)))
	}
	badGRE("gre/three-bytes-is-other-transport", 0, 0, 0x08)
	badGRE("gre/checksum-cut-is-other-transport", 0x80, 0, 0x08, 0, 0, 0)
	badGRE("gre/sequence-cut-is-other-transport", 0x10, 0, 0x08, 0, 0, 0, 0)
	badGRE("gre/enhanced-ack-cut-is-other-transport", 0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 0, 0, 0, 0, 1)
	badGRE("gre/enhanced-ppp-is-other-transport", 0x30, 0x81, 0x88, 0x0b, 0, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0x03, 0, 0x21)
	badGRE("gre/erspan-type2-cut-is-other-transport", 0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0x64, 0, 1)
	badGRE("gre/erspan-type3-cut-is-other-transport", 0x10, 0, 0x22, 0xeb, 0, 0, 0, 1, 0x20, 0x64, 0, 1, 0, 0, 0, 0, 0, 0)
	badGRE("gre/erspan-type3-subheader-cut-is-other-transport", 0x10, 0, 0x22, 0xeb, 0, 0, 0, 1, 0x20, 0x64, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0)
	badGRE("gre/erspan-type1-not-ethernet-is-other-transport", 0, 0, 0x88, 0xbe, 1, 2, 3)
	add("gre/vxlan/tcp", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE), &layers.GRE{Protocol: layers.EthernetTypeIPv4},
		ip4CD(layers.IPProtocolUDP), udp(1, decode.PortVXLAN), &layers.VXLAN{ValidIDFlag: true, VNI: 1}, eth(layers.EthernetTypeIPv6), ip6CD(layers.IPProtocolTCP), tcpData(3, 4)), view{
		Result: "ok", Link: ethLink(0x86dd),
		IP:  &ipView{Version: 6, Src: c6, Dst: d6, Proto: 6, TTL: 63, HdrLen: 40, TotalLen: 60, HasL4: true, SrcPort: 3, DstPort: 4, L4HdrLen: 20},
		TCP: dataView,
		Outer: []outerView{
			{"gre", greOuter(134)},
			{"vxlan", ipView{Version: 4, Src: c4, Dst: d4, Proto: 17, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 110, HasL4: true, SrcPort: 1, DstPort: 4789, L4HdrLen: 8, PayloadLen: 82, CapPayload: 82}},
		},
	})
	deep := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolIPv4), ip4CD(layers.IPProtocolIPv4), ip4(layers.IPProtocolIPv4), ip4CD(layers.IPProtocolIPv4), ip4(layers.IPProtocolUDP), udp(1, 2))
	add("ipip/four-deep-stops-at-three", en, deep, view{
		Result: "other_transport", Link: ethLink(0x0800),
		IP:      &ipView{Version: 4, Src: c4, Dst: d4, Proto: 4, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 48, PayloadLen: 28, CapPayload: 28},
		Payload: tail(deep, 14+60+20),
		Outer: []outerView{
			{"ip-in-ip", ipView{Version: 4, Src: a4, Dst: b4, Proto: 4, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 108}},
			{"ip-in-ip", ipView{Version: 4, Src: c4, Dst: d4, Proto: 4, TTL: 63, ID: 0x42, HdrLen: 20, TotalLen: 88}},
			{"ip-in-ip", ipView{Version: 4, Src: a4, Dst: b4, Proto: 4, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 68}},
		},
	})

	// Truncated and malformed frames.
	goodEth4 := ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpData(1, 2))
	goodEth6 := ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolTCP), tcpData(1, 2))
	ip4Only := func(total int) *ipView {
		return &ipView{Version: 4, Src: a4, Dst: b4, Proto: 6, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: total}
	}
	add("truncated/ethernet", en, cut(goodEth4, 13), view{Result: "truncated_link_header"})
	add("truncated/empty-ethernet", en, nil, view{Result: "truncated_link_header"})
	add("truncated/vlan-tag", en, join(macB, macA, []byte{0x81, 0x00, 0x00}), view{Result: "truncated_link_header", Link: linkView{SrcMAC: mA, DstMAC: mB}})
	add("truncated/mpls-label", en, join(macB, macA, []byte{0x88, 0x47, 0, 1, 1}), view{Result: "truncated_link_header", Link: linkView{SrcMAC: mA, DstMAC: mB}})
	add("truncated/mpls-no-bottom", en, join(macB, macA, []byte{0x88, 0x47, 0, 1, 0, 64, 0, 2, 0, 64}), view{Result: "truncated_link_header", Link: linkView{SrcMAC: mA, DstMAC: mB, MPLSLabels: 2}})
	add("truncated/mpls-empty-payload", en, join(macB, macA, []byte{0x88, 0x47, 0, 1, 1, 64}), view{Result: "truncated_link_header", Link: linkView{SrcMAC: mA, DstMAC: mB, MPLSLabels: 1}})
	add("truncated/pppoe", en, join(macB, macA, []byte{0x88, 0x64, 0x11, 0, 0, 1, 0, 2, 0}), view{Result: "truncated_link_header", Link: linkView{SrcMAC: mA, DstMAC: mB}})
	add("truncated/fabricpath", en, join(macB, macA, []byte{0x89, 0x03, 0x12}), view{Result: "truncated_link_header", Link: linkView{SrcMAC: mA, DstMAC: mB}})
	add("truncated/fabricpath-inner-ethernet", en, join(macB, macA, []byte{0x89, 0x03, 0x12, 0x34}, macD), view{Result: "truncated_link_header", Link: linkView{SrcMAC: mA, DstMAC: mB}})
	add("truncated/802.1ah", en, join(macB, macA, []byte{0x88, 0xe7, 0, 0, 1}), view{Result: "truncated_link_header", Link: linkView{SrcMAC: mA, DstMAC: mB}})
	add("truncated/sll", capture.LinkLinuxSLL, cut(sll(0x0800), 15), view{Result: "truncated_link_header"})
	add("truncated/sll2", capture.LinkLinuxSLL2, cut(sll2(0x0800), 19), view{Result: "truncated_link_header"})
	add("truncated/null", capture.LinkNull, []byte{2, 0, 0}, view{Result: "truncated_link_header"})
	add("truncated/loop", capture.LinkLoop, nil, view{Result: "truncated_link_header"})
	add("truncated/ppp", capture.LinkPPP, []byte{0xff, 0x03, 0x00}, view{Result: "truncated_link_header"})
	add("bad-ip/raw-empty", capture.LinkRaw, nil, view{Result: "bad_ip_header"})
	add("bad-ip/raw-version-5", capture.LinkRaw, patch(ip4TCP, 0, 0x55), view{Result: "bad_ip_header"})
	add("bad-ip/ipv4-truncated-header", en, cut(goodEth4, 14+19), view{Result: "bad_ip_header", Link: ethLink(0x0800)})
	add("bad-ip/ipv4-ihl-4", en, patch(goodEth4, 14, 0x44), view{Result: "bad_ip_header", Link: ethLink(0x0800)})
	add("bad-ip/ipv4-ihl-past-total-length", en, patch(goodEth4, 14, 0x4f), view{Result: "bad_ip_header", Link: ethLink(0x0800)}) // 60 > 40
	add("bad-ip/ipv4-ihl-past-capture", en, cut(patch(goodEth4, 14, 0x46), 14+22), view{Result: "bad_ip_header", Link: ethLink(0x0800)})
	add("bad-ip/ipv4-total-length-12", en, patch(goodEth4, 16, 0, 12), view{Result: "bad_ip_header", Link: ethLink(0x0800)})
	// Options are not validated (Zeek and TShark read past malformed ones):
	// the header decodes, and the empty UDP header is what is wrong.
	add("bad-ip/ipv4-option-length-0", en, join(macB, macA, []byte{0x08, 0x00, 0x46, 0, 0, 24, 0, 0, 0, 0, 64, 17, 0, 0}, v4A, v4B, []byte{0x94, 0, 0, 0}),
		view{Result: "truncated_transport_header", Link: ethLink(0x0800), IP: &ipView{Version: 4, Src: "192.0.2.1", Dst: "198.51.100.2", Proto: 17, TTL: 64, HdrLen: 24, TotalLen: 24}})
	add("bad-ip/ipv4-version-6", en, join(macB, macA, []byte{0x08, 0x00}, ip6UDP), view{Result: "bad_ip_header", Link: ethLink(0x0800)})
	add("bad-ip/ipv6-truncated-header", en, cut(goodEth6, 14+39), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-version-4", en, join(macB, macA, []byte{0x86, 0xdd}, ser(ip4(layers.IPProtocolUDP), udp(1, 2), text("0123456789abcdef"))), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-hop-by-hop-truncated", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop), raw(6, 1, 1, 4, 0, 0, 0, 0)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-hop-by-hop-bad-option", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop), raw(59, 0, 1, 9, 0, 0, 0, 0)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-zero-length-hop-by-hop-without-jumbo", en, join(ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop)), hopByHop(layers.IPProtocolUDP), make([]byte, 8)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-jumbo-with-length", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop), raw(59, 0, 0xc2, 4, 0, 1, 0, 0)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-dest-opts-truncated", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Destination), raw(6, 2, 1, 4, 0, 0, 0, 0)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-fragment-truncated", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Fragment), raw(6, 0, 0, 1)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-ah-truncated", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolAH), raw(6, 4, 0, 0, 0, 0)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("bad-ip/ipv6-ah-length-past-end", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolAH), raw(6, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), view{Result: "bad_ip_header", Link: ethLink(0x86dd)})
	add("transport/tcp-truncated-header", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), raw(make([]byte, 19)...)), view{
		Result: "truncated_transport_header", Link: ethLink(0x0800), IP: ip4Only(39),
	})
	add("transport/tcp-data-offset-past-end", en, patch(goodEth4, 14+20+12, 0xf0), view{
		Result: "truncated_transport_header", Link: ethLink(0x0800), IP: ip4Only(40),
	})
	add("transport/tcp-data-offset-4", en, patch(goodEth4, 14+20+12, 0x40), view{
		Result: "bad_transport_header", Link: ethLink(0x0800), IP: ip4Only(40),
	})
	add("transport/tcp-options-cut-by-snaplen", en, cut(ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpSYN()), 14+20+30), view{
		Result: "truncated_transport_header", Link: ethLink(0x0800), IP: ip4Only(60),
	})
	add("transport/udp-truncated-header", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), raw(0, 1, 0, 2, 0, 8, 0)), view{
		Result: "truncated_transport_header", Link: ethLink(0x0800),
		IP: &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 27},
	})
	add("transport/udp-length-5", en, patch(ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(1, 2)), 14+20+4, 0, 5), view{
		Result: "bad_transport_header", Link: ethLink(0x0800),
		IP: &ipView{Version: 4, Src: a4, Dst: b4, Proto: 17, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 28},
	})
	add("transport/icmp-truncated-header", en, ser(eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolICMPv4), raw(8, 0, 0)), view{
		Result: "truncated_transport_header", Link: ethLink(0x0800),
		IP: &ipView{Version: 4, Src: a4, Dst: b4, Proto: 1, TTL: 64, ID: 0x1234, HdrLen: 20, TotalLen: 23},
	})
	add("transport/icmpv6-truncated-header", en, ser(eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolICMPv6), raw(128)), view{
		Result: "truncated_transport_header", Link: ethLink(0x86dd),
		IP: &ipView{Version: 6, Src: a6, Dst: b6, Proto: 58, TTL: 64, HdrLen: 40, TotalLen: 41},
	})
	return cases
}

func ptr[T any](v T) *T { return &v }

// dirty is decoded into the shared packet before each case, so that
// fields a decode forgets to reset show up as differences.
func dirty(tb testing.TB) []byte {
	tb.Helper()
	return serialize(tb, eth(layers.EthernetTypeDot1Q), dot1q(99, layers.EthernetTypeMPLSUnicast), &layers.MPLS{Label: 5, StackBottom: true},
		ip4(layers.IPProtocolUDP), udp(9, decode.PortVXLAN), &layers.VXLAN{ValidIDFlag: true},
		ethCD(layers.EthernetTypeDot1Q), dot1q(98, layers.EthernetTypeIPv6), ip6CD(layers.IPProtocolIPv6Fragment), raw(frag6(layers.IPProtocolTCP, 0, true, 77)...), tcpSYN(), text("stale"))
}

func TestDecode(t *testing.T) {
	cases := decodeCases(t)
	dirtyPkt := dirty(t)
	var shared decode.Decoder
	var sp decode.Packet
	seen := map[string]bool{}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if seen[tt.name] {
				t.Fatalf("duplicate case name %q", tt.name)
			}
			seen[tt.name] = true
			data := bytes.Clone(tt.data)

			var d decode.Decoder
			var p decode.Packet
			got := project(d.Decode(tt.link, data, &p), &p)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode(%v) (-want, +got):\n%s", tt.link, diff)
			}

			// A reused decoder and packet give the same view.
			shared.Decode(capture.LinkEthernet, dirtyPkt, &sp)
			again := project(shared.Decode(tt.link, data, &sp), &sp)
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("Decode(%v) into a reused packet (-fresh, +reused):\n%s", tt.link, diff)
			}
			if !bytes.Equal(data, tt.data) {
				t.Errorf("Decode(%v) modified its input", tt.link)
			}
		})
	}
}

// TestDecodeStrings checks that every Result and TunnelType has a name.
func TestDecodeStrings(t *testing.T) {
	for r := decode.OK; r <= decode.TunnelTooDeep; r++ {
		if s := r.String(); s == "unknown" || s == "" {
			t.Errorf("Result(%d).String() = %q", r, s)
		}
	}
	if got := decode.Result(200).String(); got != "unknown" {
		t.Errorf("Result(200).String() = %q, want unknown", got)
	}
	for tt := decode.TunnelVXLAN; tt <= decode.TunnelTeredo; tt++ {
		if s := tt.String(); s == "unknown" || s == "" {
			t.Errorf("TunnelType(%d).String() = %q", tt, s)
		}
	}
	if got := decode.TunnelType(200).String(); got != "unknown" {
		t.Errorf("TunnelType(200).String() = %q, want unknown", got)
	}
}
