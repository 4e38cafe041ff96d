package capture

// LinkType is a libpcap LINKTYPE_ value naming the framing of a packet.
type LinkType uint32

// Link types the decoder understands. Others are read and counted but not decoded.
const (
	LinkNull      LinkType = 0   // BSD loopback, host byte order family
	LinkEthernet  LinkType = 1   // IEEE 802.3 Ethernet
	LinkPPP       LinkType = 9   // PPP, with or without HDLC framing
	LinkPPPHDLC   LinkType = 50  // PPP in HDLC-like framing
	LinkRawBSD    LinkType = 12  // raw IP (DLT_RAW on OpenBSD and others)
	LinkRawAlt    LinkType = 14  // raw IP (DLT_RAW on some BSDs)
	LinkRaw       LinkType = 101 // raw IPv4 or IPv6
	LinkCHDLC     LinkType = 104 // Cisco HDLC
	LinkIEEE80211 LinkType = 105 // IEEE 802.11 without radio header
	LinkLoop      LinkType = 108 // OpenBSD loopback, network byte order family
	LinkLinuxSLL  LinkType = 113 // Linux cooked capture v1
	LinkRadiotap  LinkType = 127 // IEEE 802.11 with a radiotap header
	LinkPPI       LinkType = 192 // Per-Packet Information header, then another link type
	LinkIPv4      LinkType = 228 // raw IPv4
	LinkIPv6      LinkType = 229 // raw IPv6
	LinkLinuxSLL2 LinkType = 276 // Linux cooked capture v2
)

var linkNames = map[LinkType]string{
	LinkNull:      "NULL",
	LinkEthernet:  "EN10MB",
	LinkPPP:       "PPP",
	LinkPPPHDLC:   "PPP_HDLC",
	LinkRawBSD:    "RAW",
	LinkRawAlt:    "RAW",
	LinkRaw:       "RAW",
	LinkLoop:      "LOOP",
	LinkCHDLC:     "C_HDLC",
	LinkIEEE80211: "IEEE802_11",
	LinkRadiotap:  "IEEE802_11_RADIO",
	LinkPPI:       "PPI",
	LinkLinuxSLL:  "LINUX_SLL",
	LinkIPv4:      "IPV4",
	LinkIPv6:      "IPV6",
	LinkLinuxSLL2: "LINUX_SLL2",
}

// String returns the libpcap DLT name ("EN10MB", "LINUX_SLL", ...) or
// "LINKTYPE_<n>" for types without one here.
func (l LinkType) String() string {
	if s, ok := linkNames[l]; ok {
		return s
	}
	return "LINKTYPE_" + itoa(uint64(l))
}

// Packet is one captured frame.
type Packet struct {
	// Timestamp is the capture time in nanoseconds since the Unix epoch, UTC.
	Timestamp int64
	// WireLen is the frame's length on the wire; len(Data) is what was captured.
	WireLen int
	// Data holds the captured bytes. It aliases the reader's buffer and is
	// valid until the iterator advances.
	Data []byte
	// LinkType names the framing of Data.
	LinkType LinkType
	// File is the index of the capture file in [Source.Files].
	File int
	// Number is the 1-based frame number within its file, as Wireshark counts.
	Number int64
	// Interface is the pcapng interface index (0 for pcap).
	Interface int
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
