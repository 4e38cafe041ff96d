package extract

import (
	"context"
	"fmt"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
)

// Summary is a capinfos-like description of a set of capture files.
type Summary struct {
	Files   []capture.FileStats `json:"files"`
	Skipped []capture.Skipped   `json:"skipped,omitempty"`
	// Protocols counts packets by network and transport protocol
	// ("ipv4", "ipv6", "arp", "tcp", "udp", "icmp", "icmpv6", "vxlan", ...).
	Protocols map[string]int64 `json:"protocols"`
	// Decode counts packets that did not decode to a transport header, by
	// kind (see decode.Result).
	Decode map[string]int64 `json:"decode"`
}

// Summarize reads every packet of the given captures and counts what it
// finds. It never stops on damaged input: problems are counted.
func Summarize(ctx context.Context, paths []string, opts capture.Options) (*Summary, error) {
	src, err := capture.Open(paths, opts)
	if err != nil {
		return nil, err
	}
	s := &Summary{Protocols: map[string]int64{}, Decode: map[string]int64{}}
	var d decode.Decoder
	var p decode.Packet
	for pkt, err := range src.Packets(ctx) {
		if err != nil {
			return nil, err
		}
		r := d.Decode(pkt.LinkType, pkt.Data, &p)
		s.count(r, &p)
	}
	s.Files = src.Files()
	s.Skipped = src.Skipped()
	return s, nil
}

func (s *Summary) count(r decode.Result, p *decode.Packet) {
	if r != decode.OK {
		s.Decode[r.String()]++
	}
	switch r {
	case decode.UnsupportedLink, decode.TruncatedLink:
		return
	case decode.NotIP:
		s.Protocols[etherTypeName(p.EtherType)]++
		return
	}
	for i := range p.NumOuter {
		s.Protocols[p.Tunnel[i].String()]++
	}
	if p.Version == 4 {
		s.Protocols["ipv4"]++
	} else {
		s.Protocols["ipv6"]++
	}
	if !r.HasIP() || r == decode.Fragment {
		return
	}
	s.Protocols[transportName(p.Proto)]++
}

func etherTypeName(et uint16) string {
	switch et {
	case 0x0806:
		return "arp"
	case 0x88cc:
		return "lldp"
	case 0x8035:
		return "rarp"
	case 0x888e:
		return "eapol"
	case 0:
		return "non-ip"
	}
	return fmt.Sprintf("ethertype-0x%04x", et)
}

func transportName(proto uint8) string {
	switch proto {
	case decode.ProtoTCP:
		return "tcp"
	case decode.ProtoUDP:
		return "udp"
	case decode.ProtoICMP:
		return "icmp"
	case decode.ProtoICMPv6:
		return "icmpv6"
	case decode.ProtoGRE:
		return "gre"
	case decode.ProtoSCTP:
		return "sctp"
	case 50:
		return "esp"
	case 51:
		return "ah"
	case 2:
		return "igmp"
	case 89:
		return "ospf"
	case 103:
		return "pim"
	case 112:
		return "vrrp"
	}
	return fmt.Sprintf("ip-proto-%d", proto)
}
