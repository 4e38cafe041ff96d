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
type Decoder struct {
	eth    layers.Ethernet
	dot1q  layers.Dot1Q
	sll    layers.LinuxSLL
	sll2   layers.LinuxSLL2
	loop   layers.Loopback
	ip4    layers.IPv4
	ip6    layers.IPv6
	ext6   layers.IPv6ExtensionSkipper
	frag6  layers.IPv6Fragment
	tcp    layers.TCP
	udp    layers.UDP
	gre    layers.GRE
	vxlan  layers.VXLAN
	geneve layers.Geneve
	gtp    layers.GTPv1U
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
		if d.sll.DecodeFromBytes(data, nf) != nil {
			return TruncatedLink
		}
		return d.etherType(uint16(d.sll.EthernetType), d.sll.Payload, p)
	case capture.LinkLinuxSLL2:
		if d.sll2.DecodeFromBytes(data, nf) != nil {
			return TruncatedLink
		}
		return d.etherType(uint16(d.sll2.ProtocolType), d.sll2.Payload, p)
	case capture.LinkNull, capture.LinkLoop:
		if d.loop.DecodeFromBytes(data, nf) != nil {
			return TruncatedLink
		}
		switch d.loop.Family {
		case layers.ProtocolFamilyIPv4:
			return d.etherType(0x0800, d.loop.Payload, p)
		case layers.ProtocolFamilyIPv6BSD, layers.ProtocolFamilyIPv6FreeBSD, layers.ProtocolFamilyIPv6Darwin, layers.ProtocolFamilyIPv6Linux:
			return d.etherType(0x86dd, d.loop.Payload, p)
		}
		return NotIP
	case capture.LinkRaw, capture.LinkRawBSD, capture.LinkRawAlt, capture.LinkIPv4, capture.LinkIPv6:
		return d.rawIP(data, p)
	case capture.LinkPPP, capture.LinkPPPHDLC:
		if len(data) >= 2 && data[0] == 0xff && data[1] == 0x03 { // HDLC address and control
			data = data[2:]
		}
		if len(data) < 2 {
			return TruncatedLink
		}
		switch binary.BigEndian.Uint16(data) {
		case 0x0021:
			return d.etherType(0x0800, data[2:], p)
		case 0x0057:
			return d.etherType(0x86dd, data[2:], p)
		}
		return NotIP
	}
	return UnsupportedLink
}

func (d *Decoder) ethernet(data []byte, p *Packet) Result {
	if d.eth.DecodeFromBytes(data, nf) != nil {
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

// etherType follows link-layer encapsulations (VLAN tags, MPLS, PPPoE) to IP.
func (d *Decoder) etherType(et uint16, data []byte, p *Packet) Result {
	for {
		switch et {
		case 0x8100, 0x88a8, 0x9100:
			if d.dot1q.DecodeFromBytes(data, nf) != nil {
				return TruncatedLink
			}
			switch p.NumVLANs {
			case 0:
				p.VLAN = d.dot1q.VLANIdentifier
			case 1:
				p.InnerVLAN = d.dot1q.VLANIdentifier
			}
			p.NumVLANs++
			et, data = uint16(d.dot1q.Type), d.dot1q.Payload
		case 0x8847, 0x8848: // MPLS: pop labels to the bottom of the stack
			for {
				if len(data) < 4 {
					return TruncatedLink
				}
				bottom := data[2]&1 != 0
				data = data[4:]
				p.MPLSLabels++
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
		ip := &d.ip4
		if ip.DecodeFromBytes(data, nf) != nil || ip.Version != 4 {
			return BadIPHeader
		}
		h.Version = 4
		h.Src = Addr{}
		h.Dst = Addr{}
		copy(h.Src[:4], ip.SrcIP)
		copy(h.Dst[:4], ip.DstIP)
		h.HdrLen = int(ip.IHL) * 4
		h.TotalLen = int(ip.Length)
		h.TTL = ip.TTL
		h.ID = uint32(ip.Id)
		h.FragOffset = int(ip.FragOffset) * 8
		h.MoreFrags = ip.Flags&layers.IPv4MoreFragments != 0
		h.Fragment = h.MoreFrags || h.FragOffset != 0
		h.Proto = uint8(ip.Protocol)
		payload = ip.Payload
		ipPayloadLen = h.TotalLen - h.HdrLen
	} else {
		ip := &d.ip6
		if len(data) >= 40 && data[4] == 0 && data[5] == 0 && data[6] != 0 {
			// A zero payload length without a jumbo option: gopacket
			// rejects it, Zeek accepts it (an empty packet, or a TCP
			// segment whose length the capturing host left to offload).
			return d.ip6ZeroLength(data, p)
		}
		if ip.DecodeFromBytes(data, nf) != nil || ip.Version != 6 {
			return BadIPHeader
		}
		h.Version = 6
		copy(h.Src[:], ip.SrcIP)
		copy(h.Dst[:], ip.DstIP)
		h.TTL = ip.HopLimit
		h.Fragment, h.MoreFrags, h.FragOffset, h.ID = false, false, 0, 0
		payload = ip.Payload
		ipPayloadLen = len(payload) // bounded by the payload length field
		if int(ip.Length) > ipPayloadLen {
			ipPayloadLen = int(ip.Length) // cut by the snap length
		}
		h.TotalLen = 40 + ipPayloadLen
		next := ip.NextHeader
		if ip.HopByHop != nil {
			next = ip.HopByHop.NextHeader
			ipPayloadLen -= len(ip.HopByHop.Contents)
		}
		// Walk the extension headers to the transport header.
	ext:
		for hops := 0; hops < 8; hops++ {
			switch next {
			case layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination, layers.IPProtocolIPv6HopByHop, 135, 139, 140, 253, 254:
				if d.ext6.DecodeFromBytes(payload, nf) != nil {
					return BadIPHeader
				}
				ipPayloadLen -= len(d.ext6.Contents)
				next, payload = d.ext6.NextHeader, d.ext6.Payload
			case layers.IPProtocolIPv6Fragment:
				if d.frag6.DecodeFromBytes(payload, nf) != nil {
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
		if off := int(data[12]>>4) * 4; off > len(data) {
			return TruncatedTransport
		}
		t := &d.tcp
		if t.DecodeFromBytes(data, nf) != nil {
			return BadTransport
		}
		h.SrcPort, h.DstPort = uint16(t.SrcPort), uint16(t.DstPort)
		h.L4HdrLen = int(t.DataOffset) * 4
		h.PayloadLen = ipPayloadLen - h.L4HdrLen
		if h.PayloadLen < 0 {
			return BadTransport
		}
		h.Payload = t.Payload
		if len(h.Payload) > h.PayloadLen {
			h.Payload = h.Payload[:h.PayloadLen]
		}
		h.HasL4 = true
		p.Flags = uint16(data[13])
		if t.NS {
			p.Flags |= NS
		}
		p.Seq, p.Ack, p.Window = t.Seq, t.Ack, t.Window
		p.MSS, p.WScale, p.SACKOK, p.HasTSOpt = 0, -1, false, false
		for i := range t.Options {
			o := &t.Options[i]
			switch o.OptionType {
			case layers.TCPOptionKindMSS:
				if len(o.OptionData) == 2 {
					p.MSS = binary.BigEndian.Uint16(o.OptionData)
				}
			case layers.TCPOptionKindWindowScale:
				if len(o.OptionData) == 1 {
					p.WScale = int8(min(o.OptionData[0], 127))
				}
			case layers.TCPOptionKindSACKPermitted:
				p.SACKOK = true
			case layers.TCPOptionKindTimestamps:
				p.HasTSOpt = true
			}
		}
		return OK
	case ProtoUDP:
		if len(data) < 8 {
			return TruncatedTransport
		}
		u := &d.udp
		if u.DecodeFromBytes(data, nf) != nil {
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
		h.L4HdrLen = 8
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
		if d.geneve.DecodeFromBytes(data, nf) != nil {
			return 0, false
		}
		pl := d.geneve.Payload
		switch d.geneve.Protocol {
		case layers.EthernetTypeTransparentEthernetBridging:
			return d.inner(TunnelGeneve, func() Result { return d.ethernet(pl, p) }, p)
		case layers.EthernetTypeIPv4, layers.EthernetTypeIPv6:
			et := uint16(d.geneve.Protocol)
			return d.inner(TunnelGeneve, func() Result { return d.etherType(et, pl, p) }, p)
		}
	case h.DstPort == PortTeredo || h.SrcPort == PortTeredo:
		if pl, ok := teredoPayload(data); ok {
			return d.inner(TunnelTeredo, func() Result { return d.etherType(0x86dd, pl, p) }, p)
		}
	case h.DstPort == PortGTPU || h.SrcPort == PortGTPU:
		if d.gtp.DecodeFromBytes(data, nf) != nil || d.gtp.MessageType != 0xff {
			return 0, false
		}
		pl := d.gtp.Payload
		return d.inner(TunnelGTPU, func() Result { return d.rawIP(pl, p) }, p)
	}
	return 0, false
}

func (d *Decoder) greTunnel(data []byte, p *Packet) (Result, bool) {
	if d.gre.DecodeFromBytes(data, nf) != nil {
		return 0, false
	}
	pl := d.gre.Payload
	switch d.gre.Protocol {
	case layers.EthernetTypeTransparentEthernetBridging:
		return d.inner(TunnelGRE, func() Result { return d.ethernet(pl, p) }, p)
	case layers.EthernetTypeIPv4, layers.EthernetTypeIPv6:
		et := uint16(d.gre.Protocol)
		return d.inner(TunnelGRE, func() Result { return d.etherType(et, pl, p) }, p)
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
		et               uint16
		vlans, v1, v2    uint16
		flags            uint16
		seq, ack         uint32
		win              uint16
		udpLen           int
		icmpType, icmpCd uint8
	}{[2][6]byte{p.SrcMAC, p.DstMAC}, p.EtherType, uint16(p.NumVLANs), p.VLAN, p.InnerVLAN, p.Flags, p.Seq, p.Ack, p.Window, p.UDPLen, p.ICMPType, p.ICMPCode}
	r := decode()
	if r.HasIP() {
		return r, true
	}
	p.IPHeader = p.Outer[n]
	p.NumOuter = n
	p.SrcMAC, p.DstMAC = saved.mac[0], saved.mac[1]
	p.EtherType = saved.et
	p.NumVLANs, p.VLAN, p.InnerVLAN = uint8(saved.vlans), saved.v1, saved.v2
	p.Flags, p.Seq, p.Ack, p.Window = saved.flags, saved.seq, saved.ack, saved.win
	p.UDPLen, p.ICMPType, p.ICMPCode = saved.udpLen, saved.icmpType, saved.icmpCd
	return 0, false
}
