package capture

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/net/bpf"
)

// Packet builders for filter tests. Addresses are from the documentation
// ranges (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32).

type vlanTag struct{ tpid, tci uint16 }

var (
	macDst = []byte{0x02, 0, 0, 0, 0, 0x01}
	macSrc = []byte{0x02, 0, 0, 0, 0, 0x02}
)

func ether(tags []vlanTag, etherType uint16, payload []byte) []byte {
	b := append(append([]byte{}, macDst...), macSrc...)
	for _, t := range tags {
		b = binary.BigEndian.AppendUint16(b, t.tpid)
		b = binary.BigEndian.AppendUint16(b, t.tci)
	}
	b = binary.BigEndian.AppendUint16(b, etherType)
	return append(b, payload...)
}

// ports returns a UDP-sized transport header: the ports, then 4 bytes
// of length and checksum.
func ports(src, dst uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, src)
	b = binary.BigEndian.AppendUint16(b, dst)
	return append(b, 0, 8, 0, 0)
}

type ip4 struct {
	src, dst string
	proto    uint8
	frag     uint16 // flags and fragment offset field
	options  []byte // length a multiple of 4
	payload  []byte
}

func (p ip4) bytes() []byte {
	ihl := 5 + len(p.options)/4
	b := []byte{0x40 | byte(ihl), 0}
	b = binary.BigEndian.AppendUint16(b, uint16(ihl*4+len(p.payload)))
	b = append(b, 0, 1)
	b = binary.BigEndian.AppendUint16(b, p.frag)
	b = append(b, 64, p.proto, 0, 0)
	s, d := netip.MustParseAddr(p.src).As4(), netip.MustParseAddr(p.dst).As4()
	b = append(append(b, s[:]...), d[:]...)
	b = append(b, p.options...)
	return append(b, p.payload...)
}

type ip6 struct {
	src, dst string
	next     uint8
	payload  []byte
}

func (p ip6) bytes() []byte {
	b := []byte{0x60, 0, 0, 0}
	b = binary.BigEndian.AppendUint16(b, uint16(len(p.payload)))
	b = append(b, p.next, 64)
	s, d := netip.MustParseAddr(p.src).As16(), netip.MustParseAddr(p.dst).As16()
	b = append(append(b, s[:]...), d[:]...)
	return append(b, p.payload...)
}

// ext6 is a hop-by-hop, routing or destination options header of
// (units+1)*8 bytes. Its padding looks like a transport header to port 53,
// so a filter that gets the length wrong matches it.
func ext6(next, units uint8) []byte {
	b := []byte{next, units}
	for len(b) < int(units+1)*8 {
		b = append(b, 0, 53)
	}
	return b
}

// ah6 is an authentication header of (units+2)*4 bytes, padded like ext6.
func ah6(next, units uint8) []byte {
	b := []byte{next, units}
	for len(b) < int(units+2)*4 {
		b = append(b, 0, 53)
	}
	return b
}

func frag6(next uint8, offset uint16, more bool) []byte {
	field := offset << 3
	if more {
		field |= 1
	}
	b := []byte{next, 0}
	b = binary.BigEndian.AppendUint16(b, field)
	return append(b, 0, 0, 0, 7)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

const (
	hostA    = "192.0.2.1"
	hostB    = "198.51.100.2"
	hostC    = "192.0.2.3"
	host6A   = "2001:db8::1"
	host6B   = "2001:db8::2"
	testSnap = 1500
)

var (
	dot1q  = []vlanTag{{etherTypeVLAN, 100}}
	qinq   = []vlanTag{{etherTypeQinQ, 7}, {etherTypeVLAN, 8}}
	qinq91 = []vlanTag{{etherTypeQinQOld, 7}}
	triple = []vlanTag{{etherTypeQinQ, 7}, {etherTypeVLAN, 8}, {etherTypeVLAN, 9}}
)

func udp4(src, dst string, sport, dport uint16) []byte {
	return ip4{src: src, dst: dst, proto: ipProtoUDP, payload: ports(sport, dport)}.bytes()
}

func udp6(src, dst string, sport, dport uint16) []byte {
	return ip6{src: src, dst: dst, next: ipProtoUDP, payload: ports(sport, dport)}.bytes()
}

type filterCase struct {
	name string
	pkt  []byte
	want bool
}

// runFilter runs the filter program on each case in the BPF VM.
func runFilter(t *testing.T, f filter, link LinkType, cases []filterCase) {
	t.Helper()
	prog, err := f.program(link, testSnap)
	if err != nil {
		t.Fatalf("program() error = %v", err)
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatalf("NewVM() error = %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := vm.Run(tc.pkt)
			if err != nil {
				t.Fatalf("Run() error = %v", err)
			}
			want := 0
			if tc.want {
				want = testSnap
			}
			if n != want {
				t.Errorf("Run() = %d, want %d (accept=%v)", n, want, tc.want)
			}
		})
	}
}

func TestFilterPorts(t *testing.T) {
	f := newFilter([]uint16{8080, 53, 53}, nil)
	tcp := func(dport uint16) []byte {
		return ip4{src: hostA, dst: hostB, proto: ipProtoTCP, payload: ports(40000, dport)}.bytes()
	}
	// IPv4 options whose first bytes look like port 53: only a filter that
	// skips the options by IHL rejects the packet.
	opts := []byte{0, 53, 0, 53}
	runFilter(t, f, LinkEthernet, []filterCase{
		{"ipv4 udp dst port", ether(nil, etherTypeIPv4, udp4(hostA, hostB, 40000, 53)), true},
		{"ipv4 udp src port", ether(nil, etherTypeIPv4, udp4(hostA, hostB, 53, 40000)), true},
		{"ipv4 udp other ports", ether(nil, etherTypeIPv4, udp4(hostA, hostB, 40000, 54)), false},
		{"ipv4 tcp second port", ether(nil, etherTypeIPv4, tcp(8080)), true},
		{"ipv4 tcp other port", ether(nil, etherTypeIPv4, tcp(80)), false},
		{"ipv4 sctp", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoSCTP, payload: ports(5000, 53)}.bytes()), true},
		{"ipv4 icmp", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: 1, payload: ports(53, 53)}.bytes()), false},
		{"ipv4 options, port after them", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoUDP, options: []byte{1, 1, 1, 0}, payload: ports(40000, 53)}.bytes()), true},
		{"ipv4 options look like the port", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoUDP, options: opts, payload: ports(40000, 54)}.bytes()), false},
		{"ipv4 first fragment, port", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoUDP, frag: 0x2000, payload: ports(40000, 53)}.bytes()), true},
		{"ipv4 first fragment, other port", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoUDP, frag: 0x2000, payload: ports(40000, 54)}.bytes()), false},
		{"ipv4 dont-fragment flag only", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoUDP, frag: 0x4000, payload: ports(40000, 54)}.bytes()), false},
		{"ipv4 later fragment udp", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoUDP, frag: 185, payload: []byte("no ports here")}.bytes()), true},
		{"ipv4 last fragment tcp", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoTCP, frag: 1, payload: []byte("tail")}.bytes()), true},
		{"ipv4 fragment at offset 4096*8", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoUDP, frag: 0x1000, payload: ports(40000, 54)}.bytes()), true},
		{"ipv4 later fragment icmp", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: 1, frag: 185, payload: []byte("no ports here")}.bytes()), false},
		{"ipv4 cut before ports", ether(nil, etherTypeIPv4, udp4(hostA, hostB, 40000, 53))[:14+20+1], false},
		{"802.1Q ipv4 port", ether(dot1q, etherTypeIPv4, udp4(hostA, hostB, 40000, 53)), true},
		{"802.1Q ipv4 other port", ether(dot1q, etherTypeIPv4, udp4(hostA, hostB, 40000, 54)), false},
		{"802.1ad+802.1Q ipv4 port", ether(qinq, etherTypeIPv4, udp4(hostA, hostB, 40000, 8080)), true},
		{"802.1ad+802.1Q ipv4 other port", ether(qinq, etherTypeIPv4, udp4(hostA, hostB, 40000, 8081)), false},
		{"0x9100 tag ipv4 port", ether(qinq91, etherTypeIPv4, udp4(hostA, hostB, 53, 1)), true},
		{"three tags", ether(triple, etherTypeIPv4, udp4(hostA, hostB, 40000, 53)), false},
		{"802.1Q ipv6 port", ether(dot1q, etherTypeIPv6, udp6(host6A, host6B, 40000, 53)), true},
		{"arp", ether(nil, 0x0806, make([]byte, 28)), false},
		{"802.1Q arp", ether(dot1q, 0x0806, make([]byte, 28)), false},
		{"ipv6 udp dst port", ether(nil, etherTypeIPv6, udp6(host6A, host6B, 40000, 53)), true},
		{"ipv6 udp src port", ether(nil, etherTypeIPv6, udp6(host6A, host6B, 8080, 40000)), true},
		{"ipv6 tcp other port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoTCP, payload: ports(40000, 80)}.bytes()), false},
		{"ipv6 sctp", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoSCTP, payload: ports(40000, 53)}.bytes()), true},
		{"ipv6 icmpv6", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: 58, payload: ports(53, 53)}.bytes()), false},
		{"ipv6 esp", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: 50, payload: ports(53, 53)}.bytes()), false},
		{"ipv6 hop-by-hop udp port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoHopByHop, payload: cat(ext6(ipProtoUDP, 0), ports(40000, 8080))}.bytes()), true},
		{"ipv6 hop-by-hop udp other port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoHopByHop, payload: cat(ext6(ipProtoUDP, 0), ports(40000, 80))}.bytes()), false},
		{"ipv6 dstopts 24 bytes tcp other port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoDstOpts, payload: cat(ext6(ipProtoTCP, 2), ports(40000, 80))}.bytes()), false},
		{"ipv6 routing+dstopts tcp port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoRouting, payload: cat(ext6(ipProtoDstOpts, 1), ext6(ipProtoTCP, 0), ports(40000, 8080))}.bytes()), true},
		{"ipv6 ah tcp port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoAH, payload: cat(ah6(ipProtoTCP, 4), ports(8080, 40000))}.bytes()), true},
		{"ipv6 ah tcp other port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoAH, payload: cat(ah6(ipProtoTCP, 4), ports(40000, 80))}.bytes()), false},
		{"ipv6 ext header to icmpv6", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoHopByHop, payload: cat(ext6(58, 0), ports(53, 53))}.bytes()), false},
		{"ipv6 first fragment port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoFragment, payload: cat(frag6(ipProtoUDP, 0, true), ports(40000, 53))}.bytes()), true},
		{"ipv6 first fragment other port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoFragment, payload: cat(frag6(ipProtoUDP, 0, true), ports(40000, 54))}.bytes()), false},
		{"ipv6 later fragment udp", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoFragment, payload: cat(frag6(ipProtoUDP, 181, true), []byte("no ports"))}.bytes()), true},
		{"ipv6 last fragment tcp", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoFragment, payload: cat(frag6(ipProtoTCP, 1, false), []byte("no ports"))}.bytes()), true},
		{"ipv6 later fragment icmpv6", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoFragment, payload: cat(frag6(58, 181, true), []byte("no ports"))}.bytes()), false},
		{"ipv6 hop-by-hop then first fragment", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoHopByHop, payload: cat(ext6(ipProtoFragment, 0), frag6(ipProtoUDP, 0, true), ports(53, 1))}.bytes()), true},
		{"ipv6 four ext headers", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoHopByHop, payload: cat(ext6(ipProtoDstOpts, 0), ext6(ipProtoRouting, 0), ext6(ipProtoAH, 0), ah6(ipProtoUDP, 1), ports(40000, 53))}.bytes()), true},
		{"ipv6 five ext headers", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoHopByHop, payload: cat(ext6(ipProtoDstOpts, 0), ext6(ipProtoRouting, 0), ext6(ipProtoDstOpts, 0), ext6(ipProtoDstOpts, 0), ext6(ipProtoUDP, 0), ports(40000, 53))}.bytes()), false},
		{"ipv6 ext header cut short", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoHopByHop, payload: cat(ext6(ipProtoUDP, 3))[:10]}.bytes()), false},
	})
}

func TestFilterHosts(t *testing.T) {
	f := newFilter(nil, addrs(hostA, host6A, "::ffff:"+hostC))
	ipv6Near := func(src, dst string) []byte { return ether(nil, etherTypeIPv6, udp6(src, dst, 1, 2)) }
	runFilter(t, f, LinkEthernet, []filterCase{
		{"ipv4 src", ether(nil, etherTypeIPv4, udp4(hostA, hostB, 1, 2)), true},
		{"ipv4 dst", ether(nil, etherTypeIPv4, udp4(hostB, hostA, 1, 2)), true},
		{"ipv4 mapped host as dst", ether(nil, etherTypeIPv4, udp4(hostB, hostC, 1, 2)), true},
		{"ipv4 neither", ether(nil, etherTypeIPv4, udp4(hostB, "192.0.2.200", 1, 2)), false},
		{"ipv4 icmp from host", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: 1}.bytes()), true},
		{"ipv4 later fragment from host", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoUDP, frag: 100}.bytes()), true},
		{"802.1Q ipv4 dst", ether(dot1q, etherTypeIPv4, udp4(hostB, hostA, 1, 2)), true},
		{"802.1ad+802.1Q ipv4 neither", ether(qinq, etherTypeIPv4, udp4(hostB, hostB, 1, 2)), false},
		{"ipv6 src", ipv6Near(host6A, host6B), true},
		{"ipv6 dst", ipv6Near(host6B, host6A), true},
		{"ipv6 neither", ipv6Near(host6B, "2001:db8::3"), false},
		{"ipv6 differs in last word", ipv6Near("2001:db8::1:1", host6B), false},
		{"ipv6 differs in first word", ipv6Near("2001:db9::1", host6B), false},
		{"ipv6 differs in second word", ipv6Near("2001:db8:0:1::1", host6B), false},
		{"ipv6 differs in third word", ipv6Near("2001:db8:0:0:1::1", host6B), false},
		{"ipv6 icmpv6 to host", ether(nil, etherTypeIPv6, ip6{src: host6B, dst: host6A, next: 58}.bytes()), true},
		{"ipv6 cut inside address", ipv6Near(host6B, host6A)[:14+30], false},
		{"arp", ether(nil, 0x0806, make([]byte, 28)), false},
	})
}

func TestFilterOneFamily(t *testing.T) {
	t.Run("ipv4 hosts only", func(t *testing.T) {
		runFilter(t, newFilter([]uint16{53}, addrs(hostA)), LinkEthernet, []filterCase{
			{"ipv4 host and port", ether(nil, etherTypeIPv4, udp4(hostA, hostB, 1, 53)), true},
			{"ipv6 port", ether(nil, etherTypeIPv6, udp6(host6A, host6B, 1, 53)), false},
		})
	})
	t.Run("ipv6 hosts only", func(t *testing.T) {
		runFilter(t, newFilter(nil, addrs(host6B)), LinkEthernet, []filterCase{
			{"ipv6 host", ether(nil, etherTypeIPv6, udp6(host6A, host6B, 1, 53)), true},
			{"ipv4", ether(nil, etherTypeIPv4, udp4(hostA, hostB, 1, 53)), false},
		})
	})
}

func TestFilterPortsAndHosts(t *testing.T) {
	f := newFilter([]uint16{443}, addrs(hostA, host6A))
	runFilter(t, f, LinkEthernet, []filterCase{
		{"ipv4 host and port", ether(nil, etherTypeIPv4, udp4(hostB, hostA, 443, 40000)), true},
		{"ipv4 host, other port", ether(nil, etherTypeIPv4, udp4(hostB, hostA, 444, 40000)), false},
		{"ipv4 port, other host", ether(nil, etherTypeIPv4, udp4(hostB, hostC, 443, 40000)), false},
		{"ipv4 later fragment of host", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoTCP, frag: 9}.bytes()), true},
		{"ipv4 later fragment of other host", ether(nil, etherTypeIPv4, ip4{src: hostC, dst: hostB, proto: ipProtoTCP, frag: 9}.bytes()), false},
		{"ipv4 icmp of host", ether(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: 1, payload: ports(443, 443)}.bytes()), false},
		{"802.1Q ipv6 host and port", ether(dot1q, etherTypeIPv6, udp6(host6A, host6B, 40000, 443)), true},
		{"ipv6 host, other port", ether(nil, etherTypeIPv6, udp6(host6A, host6B, 40000, 442)), false},
		{"ipv6 port, other host", ether(nil, etherTypeIPv6, udp6(host6B, host6B, 40000, 443)), false},
		{"ipv6 hop-by-hop host and port", ether(nil, etherTypeIPv6, ip6{src: host6A, dst: host6B, next: ipProtoHopByHop, payload: cat(ext6(ipProtoTCP, 0), ports(443, 1))}.bytes()), true},
		{"ipv6 later fragment of other host", ether(nil, etherTypeIPv6, ip6{src: host6B, dst: host6B, next: ipProtoFragment, payload: frag6(ipProtoUDP, 3, false)}.bytes()), false},
	})
}

func TestFilterRawIP(t *testing.T) {
	runFilter(t, newFilter([]uint16{53}, nil), LinkRaw, []filterCase{
		{"ipv4 port", udp4(hostA, hostB, 1, 53), true},
		{"ipv4 other port", udp4(hostA, hostB, 1, 54), false},
		{"ipv6 port", udp6(host6A, host6B, 53, 1), true},
		{"ipv6 other port", udp6(host6A, host6B, 54, 1), false},
		{"version 5", append([]byte{0x50}, udp4(hostA, hostB, 1, 53)[1:]...), false},
		{"empty", nil, false},
	})
	runFilter(t, newFilter(nil, addrs(hostB, host6B)), LinkRaw, []filterCase{
		{"ipv4 host", udp4(hostA, hostB, 1, 2), true},
		{"ipv4 other host", udp4(hostA, hostC, 1, 2), false},
		{"ipv6 host", udp6(host6B, host6A, 1, 2), true},
	})
}

func TestFilterEmptyAcceptsAll(t *testing.T) {
	for _, link := range []LinkType{LinkEthernet, LinkRaw} {
		runFilter(t, filter{}, link, []filterCase{
			{"arp " + link.String(), ether(nil, 0x0806, make([]byte, 28)), true},
			{"ipv4 " + link.String(), udp4(hostA, hostB, 1, 2), true},
		})
	}
}

// TestFilterLimits checks that the largest filter Validate allows fits the
// kernel's limit and still matches its last port and host, whose jumps the
// assembler must stretch past 255 instructions.
func TestFilterLimits(t *testing.T) {
	var ps []uint16
	for i := range MaxFilterPorts {
		ps = append(ps, uint16(1000+i))
	}
	var hs []netip.Addr
	for i := range MaxFilterHosts {
		hs = append(hs, netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)}))
	}
	f := newFilter(ps, hs)
	prog, err := f.program(LinkEthernet, testSnap)
	if err != nil {
		t.Fatalf("program() error = %v", err)
	}
	if len(prog) > bpfMaxInstructions {
		t.Fatalf("program has %d instructions, more than %d", len(prog), bpfMaxInstructions)
	}
	last6 := hs[len(hs)-1].String()
	runFilter(t, f, LinkEthernet, []filterCase{
		{"last host, last port", ether(nil, etherTypeIPv6, udp6(host6B, last6, 1, ps[len(ps)-1])), true},
		{"first host as dst, first port as dst", ether(nil, etherTypeIPv6, udp6(host6B, "2001:db8::", 1, ps[0])), true},
		{"last host, port after the last", ether(nil, etherTypeIPv6, udp6(last6, host6B, 1, ps[len(ps)-1]+1)), false},
		{"ipv4 not in host list", ether(nil, etherTypeIPv4, udp4(hostA, hostB, 1, ps[0])), false},
	})
}

func TestFilterString(t *testing.T) {
	tests := []struct {
		name string
		f    filter
		want string
	}{
		{"none", newFilter(nil, nil), ""},
		{"ports", newFilter([]uint16{443, 53, 443}, nil), "port 53 or port 443"},
		{"hosts", newFilter(nil, addrs(host6A, hostA)), "host 192.0.2.1 or host 2001:db8::1"},
		{"both", newFilter([]uint16{53}, addrs("::ffff:"+hostA)), "(port 53) and (host 192.0.2.1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFilterUnsupportedLink(t *testing.T) {
	if _, err := newFilter([]uint16{1}, nil).program(LinkLinuxSLL, testSnap); err == nil {
		t.Error("program(LINUX_SLL) error = nil, want an error")
	}
}

func TestAssemblerLongJumps(t *testing.T) {
	const gap = 300
	build := func(farOnTrue bool) []bpf.Instruction {
		var a assembler
		far := a.newLabel()
		a.emit(bpf.LoadAbsolute{Off: 0, Size: 1})
		if farOnTrue {
			a.jumpIf(bpf.JumpEqual, 1, far, 0)
		} else {
			a.jumpIf(bpf.JumpEqual, 1, 0, far)
		}
		for range gap {
			a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 0})
		}
		a.emit(bpf.RetConstant{Val: 2})
		a.mark(far)
		a.emit(bpf.RetConstant{Val: 1})
		prog, err := a.assemble()
		if err != nil {
			t.Fatalf("assemble() error = %v", err)
		}
		if got, want := len(prog), 1+3+gap+2; got != want {
			t.Errorf("len(program) = %d, want %d (long jump as three instructions)", got, want)
		}
		return prog
	}
	tests := []struct {
		farOnTrue bool
		in        byte
		want      int
	}{
		{true, 1, 1},
		{true, 0, 2},
		{false, 1, 2},
		{false, 0, 1},
	}
	for _, tt := range tests {
		vm, err := bpf.NewVM(build(tt.farOnTrue))
		if err != nil {
			t.Fatalf("NewVM() error = %v", err)
		}
		got, err := vm.Run([]byte{tt.in})
		if err != nil || got != tt.want {
			t.Errorf("far on true=%v, input %d: Run() = %d, %v; want %d", tt.farOnTrue, tt.in, got, err, tt.want)
		}
	}
}

func TestAssemblerErrors(t *testing.T) {
	tests := []struct {
		name  string
		build func(a *assembler)
		want  error // nil: any error
	}{
		{"undefined label", func(a *assembler) { a.jump(a.newLabel()) }, nil},
		{"backward jump", func(a *assembler) {
			l := a.newLabel()
			a.mark(l)
			a.emit(bpf.TAX{})
			a.jumpIf(bpf.JumpEqual, 1, l, 0)
			a.emit(bpf.RetA{})
		}, nil},
		{"too large", func(a *assembler) {
			for range bpfMaxInstructions {
				a.emit(bpf.TAX{})
			}
			a.emit(bpf.RetA{})
		}, errFilterTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a assembler
			tt.build(&a)
			_, err := a.assemble()
			switch {
			case err == nil:
				t.Error("assemble() error = nil, want an error")
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("assemble() error = %v, want %v", err, tt.want)
			}
		})
	}
}
