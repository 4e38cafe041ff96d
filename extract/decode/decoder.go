package decode

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"flowsift/extract/capture"
)

// Well-known UDP ports of the tunnels the decoder follows.
const (
	PortVXLAN  = 4789
	PortGeneve = 6081
	PortGTPU   = 2152
	PortTeredo = 3544
	PortCAPWAP = 5247 // CAPWAP data channel
	PortGREUDP = 4754 // GRE in UDP (RFC 8086)
)

// teredoPayload strips Teredo's optional authentication and origin
// indication headers (RFC 4380 5.1.1) and returns the IPv6 packet when what
// follows looks like one.
func teredoPayload(b []byte) ([]byte, bool) {
	if len(b) >= 4 && b[0] == 0 && b[1] == 1 { // authentication header
		n := 4 + int(b[2]) + int(b[3]) + 8 + 1
		if n > len(b) {
			return nil, false
		}
		b = b[n:]
	}
	if len(b) >= 8 && b[0] == 0 && b[1] == 0 { // origin indication
		b = b[8:]
	}
	if len(b) < 40 || b[0]>>4 != 6 || int(binary.BigEndian.Uint16(b[4:]))+40 > len(b) {
		return nil, false
	}
	return b, true
}

// Decoder holds reusable gopacket layers. It is not safe for concurrent use.
//
// The IPv6 fixed and hop-by-hop headers, TCP, Geneve and GTP-U are parsed
// by hand: gopacket allocates for hop-by-hop options, MPTCP options, Geneve
// options and GTP-U extension headers.
type Decoder struct {
	eth   layers.Ethernet
	dot1q layers.Dot1Q
	ext6  layers.IPv6ExtensionSkipper
	frag6 layers.IPv6Fragment
	udp   layers.UDP
	gre   layers.GRE
	vxlan layers.VXLAN
}

var nf = gopacket.NilDecodeFeedback

// Decode decodes one frame of the given link type into p.
func (d *Decoder) Decode(link capture.LinkType, data []byte, p *Packet) Result {
	p.HasMAC = false
	p.NumVLANs, p.VLAN, p.InnerVLAN = 0, 0, 0
	p.MPLSLabels = 0
	p.EtherType = 0
	p.NumOuter = 0
	switch link {
	case capture.LinkEthernet:
		return d.ethernet(data, p)
	case capture.LinkLinuxSLL:
		// Fixed 16-byte header, protocol last. The address length field
		// is not checked: TShark and Zeek read past a damaged one too.
		if len(data) < 16 {
			return TruncatedLink
		}
		return d.etherType(binary.BigEndian.Uint16(data[14:]), data[16:], p)
	case capture.LinkLinuxSLL2:
		if len(data) < 20 {
			return TruncatedLink
		}
		return d.etherType(binary.BigEndian.Uint16(data), data[20:], p)
	case capture.LinkNull, capture.LinkLoop:
		// The address family in either byte order, as gopacket's Loopback
		// reads it: a valid family is below 256.
		if len(data) < 4 {
			return TruncatedLink
		}
		family := binary.LittleEndian.Uint32(data)
		if data[0] == 0 && data[1] == 0 {
			family = binary.BigEndian.Uint32(data)
		}
		if family > 0xff {
			return TruncatedLink
		}
		switch layers.ProtocolFamily(family) {
		case layers.ProtocolFamilyIPv4:
			return d.etherType(0x0800, data[4:], p)
		case layers.ProtocolFamilyIPv6BSD, layers.ProtocolFamilyIPv6FreeBSD, layers.ProtocolFamilyIPv6Darwin, layers.ProtocolFamilyIPv6Linux:
			return d.etherType(0x86dd, data[4:], p)
		}
		return NotIP
	case capture.LinkRaw, capture.LinkRawBSD, capture.LinkRawAlt, capture.LinkIPv4, capture.LinkIPv6:
		return d.rawIP(data, p)
	case capture.LinkPPP, capture.LinkPPPHDLC:
		if len(data) >= 2 && (data[0] == 0x0f || data[0] == 0x8f) && data[1] == 0 {
			// Cisco HDLC framing in a PPP capture, as libpcap's
			// DLT_PPP_SERIAL allows.
			return d.chdlc(data, p)
		}
		return d.ppp(data, p)
	case capture.LinkCHDLC:
		return d.chdlc(data, p)
	case capture.LinkIEEE80211:
		return d.wifi(data, p)
	case capture.LinkRadiotap:
		// Version, pad, then the little-endian length of the whole
		// radiotap header; an FCS at the end is trimmed by IP's length.
		if len(data) < 4 || data[0] != 0 {
			return TruncatedLink
		}
		n := int(binary.LittleEndian.Uint16(data[2:]))
		if n < 8 || n > len(data) {
			return TruncatedLink
		}
		return d.wifi(data[n:], p)
	case capture.LinkPPI:
		// Version, flags, little-endian header length and the link type
		// of what follows.
		if len(data) < 8 || data[0] != 0 {
			return TruncatedLink
		}
		n := int(binary.LittleEndian.Uint16(data[2:]))
		inner := capture.LinkType(binary.LittleEndian.Uint32(data[4:]))
		if n < 8 || n > len(data) {
			return TruncatedLink
		}
		if inner == capture.LinkPPI {
			return UnsupportedLink
		}
		return d.Decode(inner, data[n:], p)
	}
	return UnsupportedLink
}

// ppp decodes a PPP frame: optional HDLC address and control bytes, then
// a protocol field of two bytes, or one when compressed (RFC 1661 PFC).
func (d *Decoder) ppp(data []byte, p *Packet) Result {
	if len(data) >= 2 && data[0] == 0xff && data[1] == 0x03 {
		data = data[2:]
	}
	if len(data) < 1 {
		return TruncatedLink
	}
	proto, n := uint16(data[0]), 1
	if data[0]&1 == 0 {
		if len(data) < 2 {
			return TruncatedLink
		}
		proto, n = binary.BigEndian.Uint16(data), 2
	}
	switch proto {
	case 0x0021:
		return d.etherType(0x0800, data[n:], p)
	case 0x0057:
		return d.etherType(0x86dd, data[n:], p)
	}
	return NotIP
}

// chdlc decodes Cisco HDLC: address, control, then an EtherType.
func (d *Decoder) chdlc(data []byte, p *Packet) Result {
	if len(data) < 4 {
		return TruncatedLink
	}
	return d.etherType(binary.BigEndian.Uint16(data[2:]), data[4:], p)
}

// wifi decodes an IEEE 802.11 data frame to the EtherType in its LLC/SNAP
// header. Management and control frames, null data and encrypted frames
// carry no IP that can be read.
func (d *Decoder) wifi(data []byte, p *Packet) Result {
	if len(data) < 24 {
		return TruncatedLink
	}
	return d.wifiFrame(data, data[0], data[1], p)
}

// wifiFrame decodes an 802.11 frame whose frame control bytes are fc0 and
// fc1 (they differ from data[0:2] when a sender swapped them).
func (d *Decoder) wifiFrame(data []byte, fc0, fc1 byte, p *Packet) Result {
	if fc0&0x0c != 0x08 || fc0&0x03 != 0 { // type data, protocol version 0
		return NotIP
	}
	sub := fc0 >> 4
	if sub&0x04 != 0 { // null function: no body
		return NotIP
	}
	toDS, fromDS := fc1&0x01 != 0, fc1&0x02 != 0
	n := 24
	if toDS && fromDS {
		n += 6
	}
	if sub&0x08 != 0 { // QoS data: QoS control, and HT control when Order is set
		n += 2
		if fc1&0x80 != 0 {
			n += 4
		}
	}
	if len(data) < n {
		return TruncatedLink
	}
	// Destination and source by the DS bits (IEEE 802.11-2020, 9.3.2.1).
	da, sa := data[4:10], data[10:16]
	switch {
	case toDS && fromDS:
		da, sa = data[16:22], data[24:30]
	case toDS:
		da = data[16:22]
	case fromDS:
		sa = data[16:22]
	}
	copy(p.DstMAC[:], da)
	copy(p.SrcMAC[:], sa)
	p.HasMAC = true
	if fc1&0x40 != 0 { // protected: encrypted body
		return NotIP
	}
	return d.llc(data[n:], p)
}

// llc follows an IEEE 802.2 LLC/SNAP header to its EtherType.
func (d *Decoder) llc(data []byte, p *Packet) Result {
	if len(data) < 8 {
		return TruncatedLink
	}
	if data[0] != 0xaa || data[1] != 0xaa || data[2] != 0x03 {
		return NotIP
	}
	return d.etherType(binary.BigEndian.Uint16(data[6:]), data[8:], p)
}

func (d *Decoder) ethernet(data []byte, p *Packet) Result {
	if len(data) < 14 || d.eth.DecodeFromBytes(data, nf) != nil {
		return TruncatedLink
	}
	copy(p.SrcMAC[:], d.eth.SrcMAC)
	copy(p.DstMAC[:], d.eth.DstMAC)
	p.HasMAC = true
	if d.eth.Length != 0 { // 802.3 length field: LLC/SNAP, not IP
		p.EtherType = 0
		return NotIP
	}
	return d.etherType(uint16(d.eth.EthernetType), d.eth.Payload, p)
}

func (d *Decoder) rawIP(data []byte, p *Packet) Result {
	if len(data) == 0 {
		return BadIPHeader
	}
	switch data[0] >> 4 {
	case 4:
		return d.etherType(0x0800, data, p)
	case 6:
		return d.etherType(0x86dd, data, p)
	}
	return BadIPHeader
}

// etherType follows link-layer encapsulations (VLAN tags, VN-Tag, MPLS, PPPoE) to IP.
func (d *Decoder) etherType(et uint16, data []byte, p *Packet) Result {
	for {
		switch et {
		case 0x8100, 0x88a8, 0x9100:
			if len(data) < 4 || d.dot1q.DecodeFromBytes(data, nf) != nil {
				return TruncatedLink
			}
			switch p.NumVLANs {
			case 0:
				p.VLAN = d.dot1q.VLANIdentifier
			case 1:
				p.InnerVLAN = d.dot1q.VLANIdentifier
			}
			p.NumVLANs = min(p.NumVLANs, 254) + 1 // saturate: "2 or more"
			et, data = uint16(d.dot1q.Type), d.dot1q.Payload
		case 0x8847, 0x8848: // MPLS: pop labels to the bottom of the stack
			for {
				if len(data) < 4 {
					return TruncatedLink
				}
				bottom := data[2]&1 != 0
				data = data[4:]
				p.MPLSLabels = min(p.MPLSLabels, 254) + 1
				if bottom {
					break
				}
			}
			if len(data) == 0 {
				return TruncatedLink
			}
			switch data[0] >> 4 {
			case 4:
				et = 0x0800
			case 6:
				et = 0x86dd
			default:
				p.EtherType = 0x8847
				return NotIP
			}
		case 0x8926: // Cisco VN-Tag: a 4-byte tag, then the EtherType (Zeek's packet_analysis/protocol/vntag/VNTag.cc)
			if len(data) < 6 {
				return TruncatedLink
			}
			et, data = binary.BigEndian.Uint16(data[4:]), data[6:]
		case 0x8903: // Cisco FabricPath: a 2-byte FTag/TTL, then the inner Ethernet frame
			if len(data) < 2 {
				return TruncatedLink
			}
			return d.ethernet(data[2:], p)
		case 0x88e7: // 802.1ah provider backbone bridging: I-TAG, then the customer frame
			if len(data) < 4 {
				return TruncatedLink
			}
			return d.ethernet(data[4:], p)
		case 0x8864: // PPPoE session
			if len(data) < 8 {
				return TruncatedLink
			}
			proto := binary.BigEndian.Uint16(data[6:])
			data = data[8:]
			switch proto {
			case 0x0021:
				et = 0x0800
			case 0x0057:
				et = 0x86dd
			default:
				p.EtherType = 0x8864
				return NotIP
			}
		case 0x0800:
			p.EtherType = et
			return d.ip(4, data, p)
		case 0x86dd:
			p.EtherType = et
			return d.ip(6, data, p)
		default:
			p.EtherType = et
			return NotIP
		}
	}
}

// ip decodes an IP header and what it carries into p.IPHeader.
func (d *Decoder) ip(version int, data []byte, p *Packet) Result {
	h := &p.IPHeader
	h.HasL4 = false
	h.Raw = data
	h.SrcPort, h.DstPort = 0, 0
	h.Payload = nil
	h.PayloadLen = 0
	h.L4HdrLen = 0
	var payload []byte
	var ipPayloadLen int
	if version == 4 {
		if len(data) < 20 || data[0]>>4 != 4 {
			return BadIPHeader
		}
		// The fixed header by hand: options are not validated (Zeek and
		// TShark read past malformed ones too), and nothing allocates.
		ihl, total := int(data[0]&0x0f)*4, int(binary.BigEndian.Uint16(data[2:]))
		if total == 0 {
			total = len(data) // TSO
		}
		if ihl < 20 || ihl > total || ihl > len(data) {
			return BadIPHeader
		}
		h.Version = 4
		h.Src = Addr{}
		h.Dst = Addr{}
		copy(h.Src[:4], data[12:16])
		copy(h.Dst[:4], data[16:20])
		h.HdrLen = ihl
		h.TotalLen = total
		h.TTL = data[8]
		h.ID = uint32(binary.BigEndian.Uint16(data[4:]))
		h.FragOffset = int(binary.BigEndian.Uint16(data[6:])&0x1fff) * 8
		h.MoreFrags = data[6]&0x20 != 0
		h.Fragment = h.MoreFrags || h.FragOffset != 0
		h.Proto = data[9]
		payload = data[ihl:min(total, len(data))]
		ipPayloadLen = h.TotalLen - h.HdrLen
	} else {
		if len(data) < 40 || data[0]>>4 != 6 {
			return BadIPHeader
		}
		ipPayloadLen = int(binary.BigEndian.Uint16(data[4:]))
		next := layers.IPProtocol(data[6])
		if ipPayloadLen == 0 && next != layers.IPProtocolIPv6HopByHop {
			// A zero payload length without a jumbo option: gopacket
			// rejects it, Zeek accepts it (an empty packet, or a TCP
			// segment whose length the capturing host left to offload).
			return d.ip6ZeroLength(data, p)
		}
		h.Version = 6
		copy(h.Src[:], data[8:24])
		copy(h.Dst[:], data[24:40])
		h.TTL = data[7]
		h.Fragment, h.MoreFrags, h.FragOffset, h.ID = false, false, 0, 0
		payload = data[40:]
		if ipPayloadLen != 0 && ipPayloadLen < len(payload) {
			payload = payload[:ipPayloadLen] // drop the link trailer
		}
		if next == layers.IPProtocolIPv6HopByHop {
			n, jumbo, ok := hopByHop(payload)
			if !ok || (jumbo != 0) != (ipPayloadLen == 0) {
				return BadIPHeader
			}
			if jumbo != 0 {
				// RFC 2675: the jumbo length counts the hop-by-hop header.
				// It is above 65535, so the header stays inside.
				if uint64(jumbo) < uint64(len(payload)) {
					payload = payload[:jumbo]
				}
				ipPayloadLen = int(jumbo)
			}
			h.TotalLen = 40 + ipPayloadLen
			next = layers.IPProtocol(payload[0])
			payload = payload[n:]
			ipPayloadLen -= n
		} else {
			h.TotalLen = 40 + ipPayloadLen
		}
		// Walk the extension headers to the transport header.
	ext:
		for hops := 0; hops < 8; hops++ {
			switch next {
			case layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination, layers.IPProtocolIPv6HopByHop, 135, 139, 140, 253, 254:
				if len(payload) < 2 || len(payload) < (int(payload[1])+1)*8 || d.ext6.DecodeFromBytes(payload, nf) != nil {
					return BadIPHeader
				}
				ipPayloadLen -= len(d.ext6.Contents)
				next, payload = d.ext6.NextHeader, d.ext6.Payload
			case layers.IPProtocolIPv6Fragment:
				if len(payload) < 8 || d.frag6.DecodeFromBytes(payload, nf) != nil {
					return BadIPHeader
				}
				ipPayloadLen -= 8
				h.Fragment = true
				h.MoreFrags = d.frag6.MoreFragments
				h.FragOffset = int(d.frag6.FragmentOffset) * 8
				h.ID = d.frag6.Identification
				next, payload = d.frag6.NextHeader, d.frag6.Payload
			case layers.IPProtocolAH:
				if len(payload) < 8 {
					return BadIPHeader
				}
				n := (int(payload[1]) + 2) * 4
				if n > len(payload) {
					return BadIPHeader
				}
				ipPayloadLen -= n
				next, payload = layers.IPProtocol(payload[0]), payload[n:]
			default:
				break ext
			}
		}
		h.Proto = uint8(next)
		h.HdrLen = h.TotalLen - ipPayloadLen
	}
	if ipPayloadLen < 0 {
		return BadIPHeader
	}
	if h.FragOffset != 0 {
		h.PayloadLen = ipPayloadLen
		h.Payload = payload
		return Fragment
	}
	return d.transport(payload, ipPayloadLen, p)
}

// ip6ZeroLength decodes an IPv6 header whose payload length is 0.
func (d *Decoder) ip6ZeroLength(data []byte, p *Packet) Result {
	h := &p.IPHeader
	if data[0]>>4 != 6 {
		return BadIPHeader
	}
	h.Version = 6
	copy(h.Src[:], data[8:24])
	copy(h.Dst[:], data[24:40])
	h.TTL = data[7]
	h.Fragment, h.MoreFrags, h.FragOffset, h.ID = false, false, 0, 0
	h.Proto = data[6]
	h.HdrLen, h.TotalLen = 40, 40
	payload := data[40:]
	switch h.Proto {
	case ProtoTCP, ProtoUDP, ProtoICMPv6:
		h.TotalLen += len(payload)
		return d.transport(payload, len(payload), p)
	}
	return d.transport(payload[:0], 0, p)
}

// transport decodes the TCP, UDP or ICMP header that follows the IP header.
func (d *Decoder) transport(data []byte, ipPayloadLen int, p *Packet) Result {
	h := &p.IPHeader
	switch h.Proto {
	case ProtoTCP:
		if len(data) < 20 {
			return TruncatedTransport
		}
		off := int(data[12]>>4) * 4
		if off > len(data) {
			return TruncatedTransport
		}
		if off < 20 {
			return BadTransport
		}
		h.SrcPort, h.DstPort = binary.BigEndian.Uint16(data), binary.BigEndian.Uint16(data[2:])
		h.L4HdrLen = off
		h.PayloadLen = ipPayloadLen - off
		if h.PayloadLen < 0 {
			return BadTransport
		}
		h.Payload = data[off:min(len(data), off+h.PayloadLen)]
		h.HasL4 = true
		p.Flags = uint16(data[13])
		if data[12]&1 != 0 {
			p.Flags |= NS
		}
		p.Seq, p.Ack = binary.BigEndian.Uint32(data[4:]), binary.BigEndian.Uint32(data[8:])
		p.Window = binary.BigEndian.Uint16(data[14:])
		p.tcpOptions(data[20:off])
		return OK
	case ProtoUDP:
		if len(data) < 8 {
			return TruncatedTransport
		}
		u := &d.udp
		if l := binary.BigEndian.Uint16(data[4:]); l != 0 && l < 8 || u.DecodeFromBytes(data, nf) != nil {
			return BadTransport
		}
		h.SrcPort, h.DstPort = uint16(u.SrcPort), uint16(u.DstPort)
		h.L4HdrLen = 8
		h.PayloadLen = ipPayloadLen - 8
		if h.PayloadLen < 0 {
			return BadTransport
		}
		h.Payload = data[8:min(len(data), ipPayloadLen)]
		h.HasL4 = true
		p.UDPLen = int(u.Length)
		if h.FragOffset == 0 && !h.MoreFrags {
			if r, ok := d.udpTunnel(p); ok {
				return r
			}
		}
		return OK
	case ProtoICMP, ProtoICMPv6:
		if len(data) < 4 {
			return TruncatedTransport
		}
		p.ICMPType, p.ICMPCode = data[0], data[1]
		h.L4HdrLen = min(8, ipPayloadLen) // a 4-byte header has no more
		h.PayloadLen = max(ipPayloadLen-8, 0)
		if len(data) > 8 {
			h.Payload = data[8:min(len(data), max(ipPayloadLen, 8))]
		}
		h.HasL4 = true
		return OK
	case ProtoGRE:
		if r, ok := d.greTunnel(data, p); ok {
			return r
		}
		h.PayloadLen = ipPayloadLen
		h.Payload = data
		return OtherTransport
	case 4, 41: // IPv4 or IPv6 in IP
		if r, ok := d.inner(TunnelIPinIP, func() Result {
			if h.Proto == 4 {
				return d.etherType(0x0800, data, p)
			}
			return d.etherType(0x86dd, data, p)
		}, p); ok {
			return r
		}
		h.PayloadLen = ipPayloadLen
		h.Payload = data
		return OtherTransport
	}
	if h.Proto == ProtoSCTP && len(data) >= 4 {
		// Flows key SCTP without ports (Zeek), but the Community ID uses them.
		h.SrcPort, h.DstPort = binary.BigEndian.Uint16(data), binary.BigEndian.Uint16(data[2:])
	}
	h.PayloadLen = ipPayloadLen
	h.Payload = data
	return OtherTransport
}

func (d *Decoder) udpTunnel(p *Packet) (Result, bool) {
	h := &p.IPHeader
	data := h.Payload
	switch {
	case h.DstPort == PortVXLAN:
		if len(data) < 8 || data[0]&0x08 == 0 || d.vxlan.DecodeFromBytes(data, nf) != nil {
			return 0, false
		}
		return d.inner(TunnelVXLAN, func() Result { return d.ethernet(d.vxlan.Payload, p) }, p)
	case h.DstPort == PortGeneve:
		et, pl, ok := genevePayload(data)
		if !ok {
			return 0, false
		}
		switch et {
		case uint16(layers.EthernetTypeTransparentEthernetBridging):
			return d.inner(TunnelGeneve, func() Result { return d.ethernet(pl, p) }, p)
		case uint16(layers.EthernetTypeIPv4), uint16(layers.EthernetTypeIPv6):
			return d.inner(TunnelGeneve, func() Result { return d.etherType(et, pl, p) }, p)
		}
	case h.DstPort == PortTeredo || h.SrcPort == PortTeredo:
		if pl, ok := teredoPayload(data); ok {
			return d.inner(TunnelTeredo, func() Result { return d.etherType(0x86dd, pl, p) }, p)
		}
	case h.DstPort == PortGTPU || h.SrcPort == PortGTPU:
		pl, ok := gtpuPayload(data)
		if !ok {
			return 0, false
		}
		return d.inner(TunnelGTPU, func() Result { return d.rawIP(pl, p) }, p)
	case h.DstPort == PortGREUDP || h.SrcPort == PortGREUDP:
		// Zeek's gre_ports (scripts/base/packet-protocols/gre/main.zeek):
		// the GRE header directly follows the UDP header.
		return d.greTunnel(data, p)
	case h.DstPort == PortCAPWAP || h.SrcPort == PortCAPWAP:
		pl, wifi, ok := capwapPayload(data)
		if !ok {
			return 0, false
		}
		if wifi {
			return d.inner(TunnelCAPWAP, func() Result {
				if len(pl) < 24 {
					return TruncatedLink
				}
				// Cisco controllers send the frame control field byte-swapped
				// (TShark's capwap.swap_frame_control, on by default).
				fc0, fc1 := pl[0], pl[1]
				if fc0&0x0c != 0x08 && fc1&0x0f == 0x08 {
					fc0, fc1 = fc1, fc0
				}
				return d.wifiFrame(pl, fc0, fc1, p)
			}, p)
		}
		return d.inner(TunnelCAPWAP, func() Result { return d.ethernet(pl, p) }, p)
	}
	return 0, false
}

// capwapPayload returns the frame a CAPWAP data message carries (RFC 5415
// section 4.3) and whether it is an 802.11 frame (T bit set, wireless
// binding 1) rather than an 802.3 one. DTLS-encrypted messages,
// keep-alives (K bit) and fragments (F bit: CAPWAP's own fragmentation,
// whose pieces are not frames) are not decoded.
func capwapPayload(b []byte) ([]byte, bool, bool) {
	if len(b) < 8 || b[0] != 0 { // preamble: version 0, type 0 (no DTLS)
		return nil, false, false
	}
	w := binary.BigEndian.Uint32(b)
	hlen := int(w>>19&0x1f) * 4
	wbid := w >> 9 & 0x1f
	t, frag, keepAlive := w>>8&1 != 0, w>>7&1 != 0, w>>3&1 != 0
	if hlen < 8 || hlen > len(b) || frag || keepAlive {
		return nil, false, false
	}
	if t && wbid != 1 {
		return nil, false, false
	}
	return b[hlen:], t, true
}

func (d *Decoder) greTunnel(data []byte, p *Packet) (Result, bool) {
	if !greFits(data) || d.gre.DecodeFromBytes(data, nf) != nil {
		return 0, false
	}
	pl := d.gre.Payload
	switch d.gre.Protocol {
	case layers.EthernetTypeTransparentEthernetBridging:
		return d.inner(TunnelGRE, func() Result { return d.ethernet(pl, p) }, p)
	case layers.EthernetTypeIPv4, layers.EthernetTypeIPv6:
		et := uint16(d.gre.Protocol)
		return d.inner(TunnelGRE, func() Result { return d.etherType(et, pl, p) }, p)
	case 0x880b: // PPP, in PPTP's enhanced GRE (version 1)
		return d.inner(TunnelGRE, func() Result { return d.ppp(pl, p) }, p)
	case 0x88be: // ERSPAN type II (8-byte header, GRE sequence number set) or type I (no header)
		skip := 0
		if d.gre.SeqPresent {
			skip = 8
		}
		if len(pl) < skip {
			return 0, false
		}
		return d.inner(TunnelGRE, func() Result { return d.ethernet(pl[skip:], p) }, p)
	case 0x22eb: // ERSPAN type III: 12-byte header, 8 more with the optional subheader
		if len(pl) < 12 {
			return 0, false
		}
		skip := 12
		if pl[11]&1 != 0 {
			skip += 8
		}
		if len(pl) < skip {
			return 0, false
		}
		return d.inner(TunnelGRE, func() Result { return d.ethernet(pl[skip:], p) }, p)
	}
	return 0, false
}

// inner decodes an encapsulated packet. The current IP header moves to
// p.Outer; when the inner packet does not decode to IP, everything is put
// back and the caller treats the outer packet as ordinary traffic.
func (d *Decoder) inner(t TunnelType, decode func() Result, p *Packet) (Result, bool) {
	n := p.NumOuter
	if n >= MaxTunnelDepth {
		return TunnelTooDeep, false
	}
	p.Outer[n] = p.IPHeader
	p.Tunnel[n] = t
	p.NumOuter = n + 1
	saved := struct {
		mac              [2][6]byte
		hasMAC           bool
		mpls             uint8
		et               uint16
		vlans, v1, v2    uint16
		flags            uint16
		seq, ack         uint32
		win              uint16
		udpLen           int
		icmpType, icmpCd uint8
	}{[2][6]byte{p.SrcMAC, p.DstMAC}, p.HasMAC, p.MPLSLabels, p.EtherType, uint16(p.NumVLANs), p.VLAN, p.InnerVLAN, p.Flags, p.Seq, p.Ack, p.Window, p.UDPLen, p.ICMPType, p.ICMPCode}
	r := decode()
	if r.HasIP() {
		return r, true
	}
	p.IPHeader = p.Outer[n]
	p.NumOuter = n
	p.SrcMAC, p.DstMAC = saved.mac[0], saved.mac[1]
	p.HasMAC, p.MPLSLabels = saved.hasMAC, saved.mpls
	p.EtherType = saved.et
	p.NumVLANs, p.VLAN, p.InnerVLAN = uint8(saved.vlans), saved.v1, saved.v2
	p.Flags, p.Seq, p.Ack, p.Window = saved.flags, saved.seq, saved.ack, saved.win
	p.UDPLen, p.ICMPType, p.ICMPCode = saved.udpLen, saved.icmpType, saved.icmpCd
	return 0, false
}

// tcpOptions reads the options the flow table keeps. Like gopacket it
// stops at the end-of-list option and at an option whose length cannot be
// followed; other malformed options are skipped.
func (p *Packet) tcpOptions(o []byte) {
	p.MSS, p.WScale, p.SACKOK, p.HasTSOpt = 0, -1, false, false
	for len(o) > 0 {
		switch o[0] {
		case 0: // end of option list
			return
		case 1: // no-operation
			o = o[1:]
			continue
		}
		if len(o) < 2 || o[1] < 2 || int(o[1]) > len(o) || o[0] == 30 && o[1] < 3 {
			return
		}
		v := o[2:o[1]]
		switch o[0] {
		case 2:
			if len(v) == 2 {
				p.MSS = binary.BigEndian.Uint16(v)
			}
		case 3:
			if len(v) == 1 {
				p.WScale = int8(min(v[0], 127))
			}
		case 4:
			p.SACKOK = true
		case 8:
			p.HasTSOpt = true
		}
		o = o[o[1]:]
	}
}

// hopByHop checks an IPv6 hop-by-hop options header the way gopacket does
// (every option inside the header; a jumbo payload option has 4 bytes and
// a length above 65535) and returns its length and the jumbo payload
// length, 0 without that option.
func hopByHop(b []byte) (n int, jumbo uint32, ok bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	n = (int(b[1]) + 1) * 8
	if len(b) < n {
		return 0, 0, false
	}
	seen := false
	for off := 2; off < n; {
		if b[off] == 0 { // Pad1
			off++
			continue
		}
		if off+2 > n {
			return 0, 0, false
		}
		l := int(b[off+1]) + 2
		if off+l > n {
			return 0, 0, false
		}
		if b[off] == 0xc2 && !seen { // jumbo payload
			seen = true
			if l != 6 {
				return 0, 0, false
			}
			if jumbo = binary.BigEndian.Uint32(b[off+2:]); jumbo <= 0xffff {
				return 0, 0, false
			}
		}
		off += l
	}
	return n, jumbo, true
}

// genevePayload returns the protocol type and the payload of a Geneve
// header (RFC 8926) whose options fill the announced options length.
func genevePayload(b []byte) (uint16, []byte, bool) {
	if len(b) < 8 {
		return 0, nil, false
	}
	n := 8 + int(b[0]&0x3f)*4
	if len(b) < n {
		return 0, nil, false
	}
	for off := 8; off < n; { // options are 4+4k bytes, n-8 a multiple of 4
		off += 4 + int(b[off+3]&0x1f)*4
		if off > n {
			return 0, nil, false
		}
	}
	return binary.BigEndian.Uint16(b[2:]), b[n:], true
}

// gtpuPayload returns the T-PDU of a GTPv1-U G-PDU message (TS 29.281),
// after the optional fields and any extension headers.
func gtpuPayload(b []byte) ([]byte, bool) {
	if len(b) < 8 || b[1] != 0xff || len(b) < 8+int(binary.BigEndian.Uint16(b[2:])) {
		return nil, false
	}
	n := 8
	if b[0]&0x07 != 0 { // sequence number, N-PDU number or extension header present
		n = 12
		if len(b) < n {
			return nil, false
		}
		if b[0]&0x04 != 0 {
			for next := b[11]; next != 0; {
				if n >= len(b) {
					return nil, false
				}
				l := int(b[n]) * 4
				if l == 0 || n+l > len(b) {
					return nil, false
				}
				next = b[n+l-1]
				n += l
			}
		}
	}
	return b[n:], true
}

// greFits reports whether the GRE header's fixed fields (checksum and
// offset, key, sequence number, enhanced GRE acknowledgment) are all
// present, so that gopacket does not fail on them with an error value.
func greFits(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	n := 4
	if b[0]&0xc0 != 0 {
		n += 4
	}
	if b[0]&0x20 != 0 {
		n += 4
	}
	if b[0]&0x10 != 0 {
		n += 4
	}
	if b[1]&0x07 == 1 && b[1]&0x80 != 0 {
		n += 4
	}
	return len(b) >= n
}
