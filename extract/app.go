package extract

import (
	"bytes"
	"encoding/binary"
	"strings"

	"flowsift/extract/decode"
	"flowsift/extract/flow"
	"flowsift/extract/proto/dns"
	"flowsift/extract/proto/http"
	"flowsift/extract/proto/tls"
)

// Service bits: protocols confirmed from payload (Zeek's service names).
const (
	svcDNS uint16 = 1 << iota
	svcHTTP
	svcSSL
	svcSSH
	svcNTP
	svcDHCP
	svcQUIC
	svcSMTP
	svcFTP
	svcSOCKS
	svcRDP
	svcSMB
)

var svcNames = []struct {
	bit        uint16
	zeek, name string
}{
	{svcDNS, "dns", "DNS"}, {svcHTTP, "http", "HTTP"}, {svcSSL, "ssl", "TLS"}, {svcSSH, "ssh", "SSH"},
	{svcNTP, "ntp", "NTP"}, {svcDHCP, "dhcp", "DHCP"}, {svcQUIC, "quic", "QUIC"}, {svcSMTP, "smtp", "SMTP"},
	{svcFTP, "ftp", "FTP"}, {svcSOCKS, "socks", "SOCKS"}, {svcRDP, "rdp", "RDP"}, {svcSMB, "smb", "SMB"},
}

// appState is the extract stage's per-flow application-layer state: what
// the payload revealed, and the parsers of the flow's protocol records.
type appState struct {
	sniffed  [2]bool // first payload of each direction examined (0 orig, 1 resp)
	services uint16
	first    uint16 // first service confirmed, for app_proto
	flipped  bool   // an application analyzer has flipped the roles
	sum      appSummary

	// TCP stream parsing: the parser, the key side that plays the client,
	// and one reassembler per key side.
	stream     stream
	clientSide uint8
	reasm      [2]reassembler
	http       *http.Conn
	tls        *tls.Conn
	dnsTCP     *dnsStream
	dns        *dns.Pairer
	quic       *tls.QUICInitial
	dnsDepth   int32
	tlsDepth   int32
	triedQUIC  bool
}

func (s *appState) confirm(bit uint16) {
	if s.services&bit == 0 && s.first == 0 {
		s.first = bit
	}
	s.services |= bit
}

// summary returns the flow's application summary for its row.
func (s *appState) summary() *appSummary {
	if s.services != 0 {
		var names []string
		for _, n := range svcNames {
			if s.services&n.bit != 0 {
				names = append(names, n.zeek)
			}
			if s.first == n.bit {
				s.sum.appProto = n.name
				s.sum.appSource = "payload"
			}
		}
		s.sum.service = strings.Join(names, ",")
	}
	return &s.sum
}

// sniff recognises an application protocol from the first payload bytes
// of a direction, the way Zeek's dynamic protocol detection confirms a
// service without relying on ports. It returns the service recognised.
func sniff(s *appState, f *flow.Flow, proto uint8, fromOrig bool, sport, dport uint16, b []byte) uint16 {
	dir := 1
	if fromOrig {
		dir = 0
	}
	if s.sniffed[dir] || len(b) == 0 {
		return 0
	}
	s.sniffed[dir] = true
	var bit uint16
	switch proto {
	case decode.ProtoTCP:
		switch {
		case len(b) >= 6 && b[0] == 0x16 && b[1] == 3 && b[2] <= 4:
			bit = svcSSL
		case len(b) >= 3 && b[0]&0x80 != 0 && b[2] == 1: // SSLv2-compatible ClientHello
			bit = svcSSL
		case isHTTPRequest(b) || (bytes.HasPrefix(b, []byte("HTTP/1."))):
			bit = svcHTTP
		case bytes.HasPrefix(b, []byte("SSH-")):
			bit = svcSSH
		case !fromOrig && (bytes.HasPrefix(b, []byte("220 ")) || bytes.HasPrefix(b, []byte("220-"))) && (sport == 25 || sport == 587 || dport == 25 || dport == 587):
			bit = svcSMTP
		case !fromOrig && (bytes.HasPrefix(b, []byte("220 ")) || bytes.HasPrefix(b, []byte("220-"))) && (sport == 21 || dport == 21):
			bit = svcFTP
		case len(b) >= 8 && (bytes.Equal(b[4:8], []byte{0xff, 'S', 'M', 'B'}) || bytes.Equal(b[4:8], []byte{0xfe, 'S', 'M', 'B'})):
			bit = svcSMB
		case fromOrig && len(b) >= 11 && b[0] == 3 && b[1] == 0 && int(binary.BigEndian.Uint16(b[2:])) == len(b) && b[5] == 0xe0:
			bit = svcRDP // TPKT + X.224 connection request
		case fromOrig && len(b) >= 3 && (b[0] == 4 || b[0] == 5) && (dport == 1080 || dport == 9050):
			bit = svcSOCKS
		}
	case decode.ProtoUDP:
		switch {
		case (sport == 123 || dport == 123) && len(b) >= 48 && (b[0]>>3)&7 >= 1 && (b[0]>>3)&7 <= 4:
			bit = svcNTP
			// Zeek's NTP analyzer flips a connection whose originator
			// speaks as the server (mode 4) or whose responder speaks as
			// the client (mode 3).
			if mode := b[0] & 7; !s.flipped && (mode == 4 && fromOrig || mode == 3 && !fromOrig) {
				f.Flip()
				s.flipped = true
			}
		case (sport == 67 || sport == 68 || dport == 67 || dport == 68) && len(b) >= 240 && binary.BigEndian.Uint32(b[236:]) == 0x63825363:
			bit = svcDHCP
		}
	}
	if bit != 0 {
		s.confirm(bit)
	}
	return bit
}

func isDNSPort(p uint16) bool { return p == 53 || p == 5353 || p == 5355 || p == 137 }

var httpMethods = [][]byte{
	[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "), []byte("DELETE "),
	[]byte("OPTIONS "), []byte("CONNECT "), []byte("PATCH "), []byte("TRACE "), []byte("PROPFIND "),
}

func isHTTPRequest(b []byte) bool {
	for _, m := range httpMethods {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}

func appOf(f *flow.Flow) *appSummary {
	if s, ok := f.Ext.(*appState); ok {
		return s.summary()
	}
	return nil
}

// dnsStream adapts DNS over TCP (length-prefixed messages) to a stream.
type dnsStream struct {
	split   [2]dns.Splitter // by direction: 0 to server, 1 to client
	msg     dns.Message
	pairer  *dns.Pairer
	deliver func(m *dns.Message, ts int64)
	ts      int64
}

func (d *dnsStream) Data(toServer bool, b []byte, ts int64) {
	i := 1
	if toServer {
		i = 0
	}
	d.ts = ts
	d.split[i].Write(b, func(msg []byte) {
		if dns.Parse(msg, &d.msg) == nil {
			d.deliver(&d.msg, d.ts)
		}
	})
}

func (d *dnsStream) Gap(toServer bool, n int) {
	i := 1
	if toServer {
		i = 0
	}
	d.split[i].Gap(n)
}
