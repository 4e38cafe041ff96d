package decode_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket/layers"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
)

// brief is a compact projection for the link types and tunnels below:
// the result, the link fields, the innermost five-tuple and the tunnels.
type brief struct {
	Result         string
	EtherType      uint16
	SrcMAC, DstMAC string
	Flow           string // "src:port > dst:port proto"
	Tunnels        []string
}

func briefOf(res decode.Result, p *decode.Packet) brief {
	v := project(res, p)
	b := brief{Result: v.Result, EtherType: v.Link.EtherType, SrcMAC: v.Link.SrcMAC, DstMAC: v.Link.DstMAC}
	if v.IP != nil {
		b.Flow = fmt.Sprintf("%s:%d > %s:%d %d", v.IP.Src, v.IP.SrcPort, v.IP.Dst, v.IP.DstPort, v.IP.Proto)
	}
	for _, o := range v.Outer {
		b.Tunnels = append(b.Tunnels, o.Tunnel)
	}
	return b
}

// TestDecodeWirelessAndSerialLinks covers Cisco HDLC, PPP variants, IEEE
// 802.11 with and without radiotap, PPI, PPTP's GRE and CAPWAP.
func TestDecodeWirelessAndSerialLinks(t *testing.T) {
	ip4TCP := serialize(t, ip4(layers.IPProtocolTCP), tcpData(40000, 80), text("abc"))
	tcpFlow := fmt.Sprintf("%s:40000 > %s:80 6", a4, b4)
	snap := []byte{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}
	bssid := []byte{0x02, 0, 0, 0, 0, 0xee}
	seq := []byte{0x10, 0x00}
	// wifi builds an 802.11 data frame header: frame control, duration,
	// the addresses and the sequence control, and QoS control when asked.
	wifi := func(fc0, fc1 byte, addrs ...[]byte) []byte {
		h := join([]byte{fc0, fc1, 0, 0}, addrs[0], addrs[1], addrs[2], seq)
		if len(addrs) == 4 {
			h = join(h, addrs[3])
		}
		if fc0&0x80 != 0 {
			h = join(h, []byte{0, 0})
		}
		return h
	}
	dataFrame := join(wifi(0x08, 0x00, macB, macA, bssid), snap, ip4TCP)
	radiotap := []byte{0, 0, 8, 0, 0, 0, 0, 0}
	ppi := func(dlt byte) []byte { return []byte{0, 0, 8, 0, dlt, 0, 0, 0} }
	ethFrame := serialize(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpData(40000, 80), text("abc"))
	ok := brief{Result: "ok", EtherType: 0x0800, Flow: tcpFlow}
	okMAC := brief{Result: "ok", EtherType: 0x0800, SrcMAC: mA, DstMAC: mB, Flow: tcpFlow}

	grePPTP := join([]byte{0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1}, []byte{0xff, 0x03, 0x00, 0x21}, ip4TCP)
	// CAPWAP: preamble 0, then HLEN 2 words, RID 1, WBID 1 and the T bit
	// (802.11 native) or not (802.3), then the fragment id and offset.
	capwap := func(t, f bool) []byte {
		w := uint32(2)<<19 | 1<<14 | 1<<9
		if t {
			w |= 1 << 8
		}
		if f {
			w |= 1 << 7
		}
		return []byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w), 0, 0, 0, 0}
	}
	outerUDP := func(payload []byte) []byte {
		return serialize(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp(12380, decode.PortCAPWAP), raw(payload...))
	}
	capwapOuter := fmt.Sprintf("%s:12380 > %s:%d 17", a4, b4, decode.PortCAPWAP)

	tests := []struct {
		name string
		link capture.LinkType
		data []byte
		want brief
	}{
		{"chdlc/ipv4", capture.LinkCHDLC, join([]byte{0x0f, 0, 0x08, 0x00}, ip4TCP), ok},
		{"chdlc/truncated", capture.LinkCHDLC, []byte{0x0f, 0, 0x08}, brief{Result: "truncated_link_header"}},
		{"chdlc/slarp", capture.LinkCHDLC, []byte{0x8f, 0, 0x80, 0x35, 0, 0, 0, 2}, brief{Result: "not_ip", EtherType: 0x8035}},
		{"ppp/cisco-hdlc-framing", capture.LinkPPP, join([]byte{0x0f, 0, 0x08, 0x00}, ip4TCP), ok},
		{"ppp/hdlc-framing", capture.LinkPPP, join([]byte{0xff, 0x03, 0x00, 0x21}, ip4TCP), ok},
		{"ppp/compressed-protocol", capture.LinkPPP, join([]byte{0x21}, ip4TCP), ok},
		{"ppp/lcp", capture.LinkPPP, []byte{0xc0, 0x21, 1, 1, 0, 4}, brief{Result: "not_ip"}},
		{"wifi/data", capture.LinkIEEE80211, dataFrame, okMAC},
		{"wifi/qos-to-ds", capture.LinkIEEE80211, join(wifi(0x88, 0x01, bssid, macA, macB), snap, ip4TCP), okMAC},
		{"wifi/from-ds", capture.LinkIEEE80211, join(wifi(0x08, 0x02, macB, bssid, macA), snap, ip4TCP), okMAC},
		{"wifi/four-addresses", capture.LinkIEEE80211, join(wifi(0x08, 0x03, bssid, bssid, macB, macA), snap, ip4TCP), okMAC},
		{"wifi/protected", capture.LinkIEEE80211, join(wifi(0x08, 0x40, macB, macA, bssid), make([]byte, 40)), brief{Result: "not_ip", SrcMAC: mA, DstMAC: mB}},
		{"wifi/null-data", capture.LinkIEEE80211, wifi(0x48, 0x01, bssid, macA, bssid), brief{Result: "not_ip"}},
		{"wifi/beacon", capture.LinkIEEE80211, join(wifi(0x80, 0, macB, macA, bssid), make([]byte, 12)), brief{Result: "not_ip"}},
		{"wifi/not-snap", capture.LinkIEEE80211, join(wifi(0x08, 0, macB, macA, bssid), []byte{0x42, 0x42, 0x03, 0, 0, 0, 0, 0}), brief{Result: "not_ip", SrcMAC: mA, DstMAC: mB}},
		{"wifi/truncated", capture.LinkIEEE80211, dataFrame[:20], brief{Result: "truncated_link_header"}},
		{"radiotap/data", capture.LinkRadiotap, join(radiotap, dataFrame), okMAC},
		{"radiotap/length-past-end", capture.LinkRadiotap, []byte{0, 0, 200, 0, 0, 0, 0, 0}, brief{Result: "truncated_link_header"}},
		{"ppi/ethernet", capture.LinkPPI, join(ppi(1), ethFrame), okMAC},
		{"ppi/802.11", capture.LinkPPI, join(ppi(105), dataFrame), okMAC},
		{"ppi/in-ppi", capture.LinkPPI, join(ppi(192), ppi(1), ethFrame), brief{Result: "unsupported_link_type"}},
		{"ppi/truncated", capture.LinkPPI, []byte{0, 0, 8, 0}, brief{Result: "truncated_link_header"}},
		{"gre/pptp-ppp", capture.LinkEthernet, serialize(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolGRE), raw(grePPTP...)),
			brief{Result: "ok", EtherType: 0x0800, SrcMAC: mA, DstMAC: mB, Flow: tcpFlow, Tunnels: []string{"gre"}}},
		{"capwap/802.11", capture.LinkEthernet, outerUDP(join(capwap(true, false), dataFrame)),
			brief{Result: "ok", EtherType: 0x0800, SrcMAC: mA, DstMAC: mB, Flow: tcpFlow, Tunnels: []string{"capwap"}}},
		{"capwap/802.11-frame-control-swapped", capture.LinkEthernet, outerUDP(join(capwap(true, false), patch(dataFrame, 0, 0x00, 0x08))),
			brief{Result: "ok", EtherType: 0x0800, SrcMAC: mA, DstMAC: mB, Flow: tcpFlow, Tunnels: []string{"capwap"}}},
		{"capwap/802.3", capture.LinkEthernet, outerUDP(join(capwap(false, false), ethFrame)),
			brief{Result: "ok", EtherType: 0x0800, SrcMAC: mA, DstMAC: mB, Flow: tcpFlow, Tunnels: []string{"capwap"}}},
		{"capwap/fragment-stays-outer", capture.LinkEthernet, outerUDP(join(capwap(true, true), dataFrame)),
			brief{Result: "ok", EtherType: 0x0800, SrcMAC: mA, DstMAC: mB, Flow: capwapOuter}},
		{"capwap/dtls-stays-outer", capture.LinkEthernet, outerUDP(join([]byte{0x01, 0, 0, 0}, make([]byte, 20))),
			brief{Result: "ok", EtherType: 0x0800, SrcMAC: mA, DstMAC: mB, Flow: capwapOuter}},
	}
	var d decode.Decoder
	var p decode.Packet
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := d.Decode(tt.link, tt.data, &p)
			if diff := cmp.Diff(tt.want, briefOf(res, &p)); diff != "" {
				t.Errorf("Decode(%v) (-want, +got):\n%s", tt.link, diff)
			}
		})
	}
}
