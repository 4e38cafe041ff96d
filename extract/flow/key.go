package flow

import (
	"bytes"
	"net/netip"

	"flowsift/extract/decode"
)

// Key identifies a bidirectional flow. Endpoints are stored in a canonical
// order (the smaller address and port first) so that both directions find
// the same entry; one-way ICMP messages keep the sender first and set
// OneWay, as Zeek keys them.
type Key struct {
	A, B    decode.Addr
	PA, PB  uint16
	Proto   uint8
	Version uint8
	OneWay  bool
	VLAN    uint16
}

// ports returns the flow ports of p: TCP/UDP ports, or Zeek's ICMP
// (type, counterpart) pair, with oneWay set for ICMP types without a
// counterpart.
func ports(p *decode.Packet) (sp, dp uint16, oneWay bool) {
	switch p.Proto {
	case decode.ProtoTCP, decode.ProtoUDP:
		return p.SrcPort, p.DstPort, false
	case decode.ProtoICMP:
		c, one := icmp4Counterpart(p.ICMPType, p.ICMPCode)
		return uint16(p.ICMPType), uint16(c), one
	case decode.ProtoICMPv6:
		c, one := icmp6Counterpart(p.ICMPType, p.ICMPCode)
		return uint16(p.ICMPType), uint16(c), one
	}
	return 0, 0, false
}

func lessEndpoint(a *decode.Addr, pa uint16, b *decode.Addr, pb uint16) bool {
	switch c := bytes.Compare(a[:], b[:]); {
	case c < 0:
		return true
	case c > 0:
		return false
	}
	return pa <= pb
}

// icmp4Counterpart is Zeek's ICMP4_counterpart (icmp/ICMP.cc): the reply
// type for request types and vice versa; other types are one-way and use
// the code as the second "port".
func icmp4Counterpart(typ, code uint8) (uint8, bool) {
	switch typ {
	case 8:
		return 0, false
	case 0:
		return 8, false
	case 13:
		return 14, false
	case 14:
		return 13, false
	case 15:
		return 16, false
	case 16:
		return 15, false
	case 10:
		return 9, false
	case 9:
		return 10, false
	case 17:
		return 18, false
	case 18:
		return 17, false
	}
	return code, true
}

// icmp6Counterpart is Zeek's ICMP6_counterpart.
func icmp6Counterpart(typ, code uint8) (uint8, bool) {
	switch typ {
	case 128:
		return 129, false
	case 129:
		return 128, false
	case 133:
		return 134, false
	case 134:
		return 133, false
	case 135:
		return 136, false
	case 136:
		return 135, false
	case 130:
		return 131, false
	case 131:
		return 130, false
	case 139:
		return 140, false
	case 140:
		return 139, false
	case 144:
		return 145, false
	case 145:
		return 144, false
	}
	return code, true
}

// AddrOf converts a decoded address to netip.Addr.
func AddrOf(a *decode.Addr, version uint8) netip.Addr {
	if version == 4 {
		return netip.AddrFrom4([4]byte(a[:4]))
	}
	return netip.AddrFrom16(*a)
}

// isBroadcast reports whether a is the IPv4 limited broadcast address or
// an IPv4/IPv6 multicast address: Zeek does not flip roles toward these.
func isBroadcast(a *decode.Addr, version uint8) bool {
	if version == 4 {
		return a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255
	}
	return false
}
