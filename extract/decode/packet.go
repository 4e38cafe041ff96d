package decode

// Transport protocol numbers the flow table distinguishes.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoGRE    = 47
	ProtoICMPv6 = 58
	ProtoSCTP   = 132
)

// TCP flag bits as they appear in the header's flags byte, plus NS.
const (
	FIN uint16 = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
	ECE
	CWR
	NS
)

// TunnelType names an encapsulation that was decoded through.
type TunnelType uint8

// Tunnel types.
const (
	TunnelNone TunnelType = iota
	TunnelVXLAN
	TunnelGeneve
	TunnelGTPU
	TunnelGRE
	TunnelIPinIP
	TunnelTeredo
	TunnelCAPWAP
)

var tunnelNames = [...]string{"", "vxlan", "geneve", "gtpv1", "gre", "ip-in-ip", "teredo", "capwap"}

// String returns the lower-case tunnel name used in the tables.
func (t TunnelType) String() string {
	if int(t) < len(tunnelNames) {
		return tunnelNames[t]
	}
	return "unknown"
}

// Addr is an IP address as 16 bytes; IPv4 uses the first four.
type Addr [16]byte

// IPHeader holds the fields of one IP header and its transport header.
type IPHeader struct {
	Version  uint8 // 4 or 6
	Src, Dst Addr
	TotalLen int // IP total length (header included) after TSO fix-up
	HdrLen   int // IP header length including IPv6 extension headers
	TTL      uint8
	ID       uint32 // IPv4 identification or IPv6 fragment identification
	// Fragment is set for any fragment; FragOffset is in bytes and MoreFrags
	// is the MF flag.
	Fragment   bool
	MoreFrags  bool
	FragOffset int
	Proto      uint8 // transport protocol after extension headers

	SrcPort, DstPort uint16 // TCP/UDP ports
	// HasL4 is set when the transport header was decoded (always false for
	// non-first fragments).
	HasL4    bool
	L4HdrLen int
	// Raw is the captured IP packet, starting at the IP header.
	Raw []byte
	// PayloadLen is the transport payload length the headers announce;
	// len(Payload) may be shorter when the snap length cut the packet.
	PayloadLen int
	Payload    []byte
}

// Packet is the decoded view of one frame. Slices alias the frame.
type Packet struct {
	SrcMAC, DstMAC [6]byte
	HasMAC         bool
	// VLAN and InnerVLAN are the outer and second 802.1Q VLAN IDs; NumVLANs
	// says how many tags were present (0, 1, 2 or more).
	VLAN, InnerVLAN uint16
	NumVLANs        uint8 // saturates at 255
	MPLSLabels      uint8 // MPLS labels popped, saturating at 255
	// EtherType is the final link-layer protocol type (0x0800, 0x86dd,
	// 0x0806 ARP, ...); raw IP link types report 0x0800 or 0x86dd by the
	// IP version, and 0 means there is none (802.3 frames, link headers
	// that did not decode).
	EtherType uint16

	IPHeader

	// TCP header fields (Proto == ProtoTCP and HasL4).
	Flags    uint16
	Seq      uint32
	Ack      uint32
	Window   uint16
	MSS      uint16 // 0 when absent
	WScale   int8   // -1 when absent
	SACKOK   bool
	HasTSOpt bool

	// UDPLen is the UDP length field (header included).
	UDPLen int

	// ICMP type and code for ICMPv4 and ICMPv6.
	ICMPType, ICMPCode uint8

	// Outer holds the IP headers the packet was tunnelled in, outermost
	// first; Tunnel[i] names what Outer[i] carried.
	Outer    [MaxTunnelDepth]IPHeader
	Tunnel   [MaxTunnelDepth]TunnelType
	NumOuter int
}

// MaxTunnelDepth bounds how many encapsulations are decoded through.
const MaxTunnelDepth = 3

// Result says how far a frame decoded.
type Result uint8

// Decode results. Anything other than OK names the problem for the
// decode-error counters; NotIP and Unsupported are not errors.
const (
	OK                 Result = iota
	NotIP                     // a link-layer protocol other than IP (ARP, LLDP, ...)
	UnsupportedLink           // link type the decoder does not know
	TruncatedLink             // frame shorter than its link header
	BadIPHeader               // IP header malformed or truncated
	Fragment                  // non-first IP fragment: IP header only
	TruncatedTransport        // transport header cut short
	BadTransport              // transport header malformed
	OtherTransport            // IP packet with a transport other than TCP/UDP/ICMP
	TunnelTooDeep             // more encapsulations than MaxTunnelDepth
)

var resultNames = [...]string{
	OK:                 "ok",
	NotIP:              "not_ip",
	UnsupportedLink:    "unsupported_link_type",
	TruncatedLink:      "truncated_link_header",
	BadIPHeader:        "bad_ip_header",
	Fragment:           "ip_fragment",
	TruncatedTransport: "truncated_transport_header",
	BadTransport:       "bad_transport_header",
	OtherTransport:     "other_transport",
	TunnelTooDeep:      "tunnel_too_deep",
}

// String returns the stable counter name of r.
func (r Result) String() string {
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return "unknown"
}

// HasIP reports whether the IP header fields are valid for this result.
func (r Result) HasIP() bool {
	return r == OK || r == Fragment || r == TruncatedTransport || r == BadTransport || r == OtherTransport
}
